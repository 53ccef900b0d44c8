"""6. Consultation feedback: comments put together from the sentences in comments.yaml."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import yaml

from .calendar import day
from .county import County
from .geography import DISTRICTS
from .write import LIST, d_arr, s_arr, write_table

_TEXT = yaml.safe_load(Path(__file__).with_name("comments.yaml").read_text(encoding="utf-8"))
# theme -> voice -> polarity -> sentences; the themes in the file's order, which the draws depend on.
BANK: dict[str, dict[str, dict[str, list[str]]]] = _TEXT["sentences"]
THEMES = list(BANK)
THEME_WEIGHTS = {
    "parent_carer": {"access": 1.3, "building_facilities": 0.7, "continuity_of_care": 0.6, "public_involvement": 0.4,
                     "quality_of_care": 1.0, "quality_of_staffing": 1.0, "quality_of_treatment": 0.6,
                     "service_organisation": 0.4, "stigma": 1.5, "peer_support": 2.0, "information_advice": 1.1,
                     "joined_up_working": 0.3, "opening_hours_travel": 2.0, "cost": 1.5, "activities_for_children": 2.0,
                     "being_listened_to": 0.8},
    "staff": {"access": 0.6, "building_facilities": 0.9, "continuity_of_care": 1.2, "public_involvement": 0.4,
              "quality_of_care": 0.6, "quality_of_staffing": 2.6, "quality_of_treatment": 0.3,
              "service_organisation": 2.6, "stigma": 0.4, "peer_support": 0.3, "information_advice": 0.6,
              "joined_up_working": 2.6, "opening_hours_travel": 0.4, "cost": 0.3, "activities_for_children": 0.5,
              "being_listened_to": 1.1},
    "volunteer": {"access": 0.8, "building_facilities": 0.6, "continuity_of_care": 0.5, "public_involvement": 0.8,
                  "quality_of_care": 0.6, "quality_of_staffing": 1.0, "quality_of_treatment": 0.5,
                  "service_organisation": 0.6, "stigma": 0.9, "peer_support": 2.2, "information_advice": 0.8,
                  "joined_up_working": 0.5, "opening_hours_travel": 0.8, "cost": 0.8, "activities_for_children": 1.5,
                  "being_listened_to": 1.0},
    "partner": {"access": 0.8, "building_facilities": 0.4, "continuity_of_care": 1.0, "public_involvement": 1.0,
                "quality_of_care": 0.6, "quality_of_staffing": 1.0, "quality_of_treatment": 0.3,
                "service_organisation": 1.8, "stigma": 0.5, "peer_support": 0.4, "information_advice": 1.4,
                "joined_up_working": 2.6, "opening_hours_travel": 0.6, "cost": 0.4, "activities_for_children": 0.4,
                "being_listened_to": 0.6},
    "other": {"access": 1.2, "building_facilities": 0.8, "continuity_of_care": 0.4, "public_involvement": 1.6,
              "quality_of_care": 0.6, "quality_of_staffing": 0.6, "quality_of_treatment": 0.4,
              "service_organisation": 0.8, "stigma": 0.8, "peer_support": 0.8, "information_advice": 1.0,
              "joined_up_working": 0.6, "opening_hours_travel": 1.2, "cost": 1.0, "activities_for_children": 1.0,
              "being_listened_to": 1.0},
}
# Share of positive sentences by theme (the rest negative or, now and then, a suggestion).
POSITIVE_SHARE = {"access": 0.35, "building_facilities": 0.5, "continuity_of_care": 0.45, "public_involvement": 0.3,
                  "quality_of_care": 0.65, "quality_of_staffing": 0.6, "quality_of_treatment": 0.6,
                  "service_organisation": 0.35, "stigma": 0.3, "peer_support": 0.7, "information_advice": 0.55,
                  "joined_up_working": 0.4, "opening_hours_travel": 0.3, "cost": 0.4, "activities_for_children": 0.75,
                  "being_listened_to": 0.4}
OPENERS: dict[str, list[str]] = _TEXT["openers"]
CLOSERS: list[str] = _TEXT["closers"]
CHILD_WORDS: list[str] = _TEXT["child_words"]
FIRST_NAMES: list[str] = _TEXT["first_names"]
LAST_NAMES: list[str] = _TEXT["last_names"]
CONSULTATIONS = [
    ("Early help review 2020", day("2020-09-01"), day("2020-11-30"), 0.45),
    ("Family hubs consultation 2024", day("2024-01-08"), day("2024-03-29"), 0.55),
]


def _pii(rng: np.random.Generator, site: str) -> str:
    first, last = FIRST_NAMES[rng.integers(len(FIRST_NAMES))], LAST_NAMES[rng.integers(len(LAST_NAMES))]
    kind = int(rng.integers(5))
    if kind == 0:
        return f"My name is {first} {last} and I'm happy to talk about this."
    if kind == 1:
        return f"You can email me at {first.lower()}.{last.lower()}{int(rng.integers(10, 99))}@example.com."
    if kind == 2:
        num = f"07700 900{int(rng.integers(0, 1000)):03d}" if rng.random() < 0.7 else f"01632 960{int(rng.integers(0, 1000)):03d}"
        return f"Please call me on {num}."
    if kind == 3:
        pc_ = f"WE{int(rng.integers(1, 20))} {int(rng.integers(1, 10))}{'ABDEFGHJLNPQRSTUWXYZ'[rng.integers(20)]}" \
              f"{'ABDEFGHJLNPQRSTUWXYZ'[rng.integers(20)]}"
        return f"We live at {pc_} and {site} is the nearest centre."
    return f"I'm {first} {last}, my number is 07700 900{int(rng.integers(0, 1000)):03d} if you need more detail."


def _tidy(sentence: str) -> str:
    sentence = (sentence.replace("my twins's", "my twins'").replace("my twins loves", "my twins love")
                .replace("my twins wasn't", "my twins weren't").replace("my twins is", "my twins are")
                .replace("my twins was", "my twins were"))
    return sentence[0].upper() + sentence[1:]


def write_feedback(cy: County) -> None:
    t, rng = cy.t, cy.rng("feedback")
    n_total = 1000 * cy.scale
    n_cc, n_lib = t["n_cc"], t["n_lib"]
    kind = t["kind"]
    resp_types = ["parent_carer", "staff", "volunteer", "partner", "other"]
    resp_p = [0.70, 0.12, 0.06, 0.07, 0.05]
    acts_centre = ["Stay and play", "Rhymetime", "Baby massage", "Messy play", "the parenting course",
                   "the speech and language group", "the young parents group", "the breastfeeding group"]
    acts_lib = ["Rhymetime", "Story time", "Bookstart", "the Saturday rhyme session"]
    rows = {k: [] for k in ("id", "consultation", "on", "rt", "st", "centre", "comment", "themes", "sentiment")}
    i = 0
    for name, start, end, share in CONSULTATIONS:
        n_c = int(round(n_total * share))
        when = start + rng.integers(0, end - start + 1, n_c)
        when = np.where((when + 3) % 7 == 6, when - 1, when)
        for j in range(n_c):
            rt = resp_types[rng.choice(5, p=resp_p)]
            voice = "staff" if rt in ("staff", "partner") or (rt == "volunteer" and rng.random() < 0.4) else "parent"
            # The site the comment is about.
            p_null = {"parent_carer": 0.12, "staff": 0.15, "volunteer": 0.2, "partner": 0.55, "other": 0.6}[rt]
            r = rng.random()
            site = -1
            if r >= p_null:
                if rng.random() < (0.25 if rt != "staff" else 0.1):
                    site = n_cc + int(rng.integers(n_lib))
                else:
                    open_now = np.flatnonzero((t["open_day"][:n_cc] <= when[j]) & (t["close_day"][:n_cc] >= when[j]))
                    site = int(open_now[rng.integers(len(open_now))])
            if site < 0:
                site_type = "library" if rng.random() < 0.08 else None
                site_name = {"library": "the library"}.get(site_type, "the children's centre")
                place = DISTRICTS[int(rng.integers(len(DISTRICTS)))].name
            elif kind[site] == 1:
                site_type, site_name = "library", t["site_names"][site]
                place = DISTRICTS[t["site_district"][site]].name
            else:
                hub = when[j] >= t["hub_day"][site]
                site_type = "family_hub" if hub else "children_centre"
                site_name = t["site_names"][site] if hub else t["centre_places"][site] + " Children's Centre"
                place = t["centre_places"][site]
            weights = np.array([THEME_WEIGHTS[rt][th] for th in THEMES])
            if site_type == "library":
                weights[THEMES.index("activities_for_children")] *= 2
            if name.startswith("Family hubs"):
                weights[THEMES.index("service_organisation")] *= 1.5
            n_sent = int(rng.choice([1, 2, 3], p=[0.4, 0.42, 0.18]))
            chosen = rng.choice(len(THEMES), size=n_sent, replace=False, p=weights / weights.sum())
            activities = acts_lib if site_type == "library" else acts_centre
            subs = {"site": site_name, "place": place, "child": CHILD_WORDS[int(rng.integers(len(CHILD_WORDS)))],
                    "activity": activities[int(rng.integers(len(activities)))],
                    "other_place": t["centre_places"][int(rng.integers(n_cc))]}
            sentences, pols, themes = [], [], []
            for th_i in chosen:
                th = THEMES[th_i]
                bank = BANK[th][voice]
                p_pos = POSITIVE_SHARE[th] * (0.85 if name.startswith("Early help") and th in ("access", "peer_support") else 1.0)
                if voice == "staff":
                    p_pos *= 0.7
                pol = "neu" if (rng.random() < 0.08 and bank["neu"]) else ("pos" if rng.random() < p_pos else "neg")
                if not bank[pol]:
                    pol = "neg" if bank["neg"] else "pos"
                choices = bank[pol]
                if name.startswith("Early help"):
                    choices = [x for x in choices if "hub" not in x.lower() and "renaming" not in x.lower()] or choices
                else:
                    choices = [x for x in choices if "lockdown" not in x.lower()] or choices
                sentences.append(choices[int(rng.integers(len(choices)))])
                pols.append(pol)
                themes.append(th)
            filled = [_tidy(x.format(**subs)) for x in sentences]
            text = " ".join(filled)
            opener = OPENERS[rt][int(rng.integers(len(OPENERS[rt])))].format(**subs)
            if opener:
                first_word = sentences[0].split()[0]
                keep_case = (sentences[0].startswith("{site}") or first_word in ("I", "I'm", "I've", "I'd")
                             or (sentences[0].startswith("{activity}") and not text.startswith("The ")))
                if opener.endswith((", ", " and ", ": ")) and not keep_case:
                    text = opener + text[0].lower() + text[1:]
                else:
                    text = opener + text
            text += CLOSERS[int(rng.integers(len(CLOSERS)))]
            if rng.random() < 0.025:
                text = text + " " + _pii(rng, site_name)
            # The 2020 review was coded by analysts; a small pilot coded part of the 2024 consultation.
            coded = name.startswith("Early help") or rng.random() < 0.1
            if coded:
                core = [p for p in pols if p != "neu"]
                if not core:
                    sentiment = "neutral"
                elif all(p == "pos" for p in core):
                    sentiment = "positive"
                elif all(p == "neg" for p in core):
                    sentiment = "negative"
                else:
                    sentiment = "mixed"
            rows["id"].append(f"R{i + 1:0{max(5, len(str(n_total)))}d}")
            rows["consultation"].append(name)
            rows["on"].append(int(when[j]))
            rows["rt"].append(rt)
            rows["st"].append(site_type)
            rows["centre"].append(t["site_ids"][site] if site >= 0 else None)
            rows["comment"].append(text)
            rows["themes"].append(themes if coded else None)
            rows["sentiment"].append(sentiment if coded else None)
            i += 1
    write_table("feedback", {
        "response_id": s_arr(rows["id"]), "consultation": s_arr(rows["consultation"]),
        "collected_on": d_arr(rows["on"]), "respondent_type": s_arr(rows["rt"]), "site_type": s_arr(rows["st"]),
        "centre_id": s_arr(rows["centre"]), "comment": s_arr(rows["comment"]),
        "themes": pa.array(rows["themes"], type=LIST), "sentiment": s_arr(rows["sentiment"]),
    }, cy.out, cy.level)
    cy.row_counts["feedback"] = i
