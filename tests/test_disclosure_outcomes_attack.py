"""An outsider solves for every hidden outcome count from what the Gap page, its downloads, the
evidence pack and the Footfall page's site table publish (tests/attacker_outcomes.py).

A hidden count from 1 to threshold - 1 must keep a feasible range of at least threshold values.
The same outsider, given the figures as the pages printed them before the outcomes plan, finds the
issue's example (all children less the other group gives free school meals' 3 of 8), so the test
is seen to bite.
"""

from __future__ import annotations

import os

import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from scrutiny.contract import TABLES
from tests import attacker_outcomes as attacker
from tests import tiny_extract

EXAMPLES = int(os.environ.get("DISCLOSURE_ATTACK_EXAMPLES", "3"))


@pytest.mark.parametrize("indicator, year", [("gld", 2023), ("gld", 2022), ("obesity_reception", 2023)])
def test_no_hidden_outcome_count_can_be_worked_out_on_the_tiny_extract(tiny, indicator, year):
    published = attacker.gather(indicator, year)
    leaks = attacker.attack(indicator, year, published, 5)
    assert not leaks, "\n".join(map(str, leaks))


def test_the_issues_example_was_a_leak_and_is_one_no_more(tiny):
    # Before the plan: the Footfall page showed C1's all children (33 of 48, the two groups together) and
    # the Gap page its non_fsm 30 of 40, with fsm's 3 of 8 as c: 33 - 30 = 3.
    before = attacker.Published()
    for group, (num, den) in {("all", "all"): (33, 48), ("fsm_status", "non_fsm"): (30, 40)}.items():
        before.show(("centre", "C1", *group, attacker.NUM), num)
        before.show(("centre", "C1", *group, attacker.DEN), den)
    before.show(("centre", "C1", "fsm_status", "fsm", attacker.DEN), 8)
    before.hide(("centre", "C1", "fsm_status", "fsm", attacker.NUM), "gap by area")
    leaks = attacker.attack("gld", 2023, before, 5)
    assert [(leak.key[3], leak.low, leak.high) for leak in leaks] == [("fsm", 3, 3)]
    # Now: the Gap page hides non_fsm's achieving too; fsm's could be anything from 0 to 8.
    now = attacker.gather("gld", 2023)
    assert ("centre", "C1", "fsm_status", "non_fsm", attacker.NUM) in now.hidden
    assert now.shown[("centre", "C1", "all", "all", attacker.NUM)] == 33
    assert not attacker.attack("gld", 2023, now, 5)


def test_the_gap_page_in_the_app_publishes_nothing_the_outsider_can_solve(tiny):
    """Through the page itself: C1's tables as AppTest reads them, against the same equations."""
    from tests.helpers import errors, open_app

    at = open_app("pages/gap.py", geography="C1")
    assert not errors(at)
    published = attacker.Published()
    raw = {"fsm": (3, 8), "non_fsm": (30, 40)}
    for frame in (d.value for d in at.dataframe):
        if "Year" not in frame or "On free school meals %" not in frame:
            continue
        for row in frame[frame["Year"] == "2023-24"].itertuples(index=False):
            values = dict(zip(frame.columns, row))
            for group, label in (("fsm", "On free school meals"), ("non_fsm", "Not on free school meals")):
                attacker.read_group(published, "centre", "C1", ("fsm_status", group), values[f"{label}: children"],
                                    values[f"{label} %"], *raw[group], "gap page in the app")
    assert ("centre", "C1", "fsm_status", "fsm", attacker.NUM) in published.hidden
    assert ("centre", "C1", "fsm_status", "non_fsm", attacker.NUM) in published.hidden
    # With the Footfall page's all children beside it.
    published.show(("centre", "C1", "all", "all", attacker.NUM), 33)
    published.show(("centre", "C1", "all", "all", attacker.DEN), 48)
    assert not attacker.attack("gld", 2023, published, 5)


# --- Randomised small extracts ----------------------------------------------------------------------

CENTRES = {"C1": "Northdale", "C2": "Southvale", "C3": "Northdale"}
OUTCOME_COLUMNS = TABLES["outcomes"].column_names


@st.composite
def small_outcome_tables(draw):
    """Good level of development in 2023 for the tiny extract's centres, districts and authority: small
    groups, a centre without an all-children row, groups and places that add up or fall short."""
    rows = []
    totals = {}

    def group_counts():
        den = draw(st.integers(1, 30))
        return draw(st.integers(0, den)), den

    for centre, district in CENTRES.items():
        if draw(st.booleans()) and centre == "C3":
            continue    # a closed centre with no figures
        fsm, non = group_counts(), group_counts()
        rows += [("gld", "centre", centre, 2023, "fsm_status", "fsm", *fsm), ("gld", "centre", centre, 2023, "fsm_status", "non_fsm", *non)]
        short = draw(st.sampled_from([0, 0, 1, 3, 8]))      # children of unknown status
        if draw(st.integers(0, 3)):
            rows.append(("gld", "centre", centre, 2023, "all", "all", fsm[0] + non[0] + min(short, 1), fsm[1] + non[1] + short))
        quintiles = [group_counts() for _ in range(draw(st.integers(0, 2)))]
        rows += [("gld", "centre", centre, 2023, "idaci_quintile", str(q + 1), *c) for q, c in enumerate(quintiles)]
        for group, counts in (("fsm", fsm), ("non_fsm", non)):
            t = totals.setdefault((district, group), [0, 0])
            t[0] += counts[0]
            t[1] += counts[1]
    for district in sorted(set(CENTRES.values())):
        extra = draw(st.sampled_from([0, 0, 2, 10]))        # reach areas the table has no row for
        for group in ("fsm", "non_fsm"):
            num, den = totals.get((district, group), [0, 0])
            if den + extra:
                rows.append(("gld", "district", district, 2023, "fsm_status", group, num + min(extra, 1), den + extra))
    for group in ("fsm", "non_fsm"):
        num = sum(r[6] for r in rows if r[1] == "district" and r[5] == group)
        den = sum(r[7] for r in rows if r[1] == "district" and r[5] == group)
        if den:
            rows.append(("gld", "authority", "Testshire", 2023, "fsm_status", group, num, den))
    return pd.DataFrame(rows, columns=OUTCOME_COLUMNS)


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(outcomes=small_outcome_tables())
def test_no_hidden_outcome_count_can_be_worked_out_on_small_extracts(tmp_path_factory, monkeypatch, outcomes):
    # A folder of its own for each example: the extract's version is read at most every two seconds.
    folder = tmp_path_factory.mktemp("outcomes")
    tiny_extract.write_extract(folder, {"outcomes": outcomes})
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(folder))
    published = attacker.gather("gld", 2023)
    leaks = attacker.attack("gld", 2023, published, 5)
    assert not leaks, "\n".join(map(str, leaks)) + "\n" + outcomes.to_string()


def test_the_evidence_packs_gap_section_hides_what_the_page_hides(make_extract):
    """The pack prints the Gap page's tables through the same functions: every c in its gap section is a
    cell the page hides too, and the outsider reading the pack beside the page solves for nothing."""
    from scrutiny import evidence
    from scrutiny.filters import Filters

    # The authority's free school meals group is 3 of 8; the rest 30 of 40; all children 33 of 48.
    make_extract(outcomes=pd.DataFrame([
        ("gld", "authority", "Testshire", 2023, "fsm_status", "fsm", 3, 8),
        ("gld", "authority", "Testshire", 2023, "fsm_status", "non_fsm", 30, 40),
        ("gld", "authority", "Testshire", 2023, "all", "all", 33, 48),
    ], columns=OUTCOME_COLUMNS))
    page = attacker.gather("gld", 2023)
    section = evidence.gap_section(Filters(year=2023))
    tables = [block.frame for block in section.blocks if isinstance(block, evidence.Table)]
    every = next(t for t in tables if "Focus %" in t and "Indicator" in t)
    row = every[every["Indicator"] == "Good level of development"].iloc[0]
    assert row["Focus %"] == "c" and row["Reference %"] == "c" and row["Gap (points)"] == "c"
    for group, column in ((("fsm_status", "fsm"), "Focus %"), (("fsm_status", "non_fsm"), "Reference %")):
        assert ("authority", "Testshire", *group, attacker.NUM) in page.hidden, column
    pack = attacker.Published()
    attacker.read_group(pack, "authority", "Testshire", ("fsm_status", "fsm"), "", row["Focus %"], 3, 8, "evidence pack")
    attacker.read_group(pack, "authority", "Testshire", ("fsm_status", "non_fsm"), "", row["Reference %"], 30, 40, "evidence pack")
    for key, value in page.shown.items():
        pack.show(key, value)
    assert not attacker.attack("gld", 2023, pack, 5)
