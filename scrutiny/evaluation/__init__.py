"""How far to trust the theme coder: its agreement with people's coding of real comments.

comments.yaml holds comments quoted verbatim from published sources (sources.yaml),
each coded into the codebook's themes by hand. They are split by source into a
tuning part (looked at while writing the codebook) and a held-out part (never looked
at while writing it). The figures shown on the Feedback page and in the README are
the held-out ones: precision, recall and F1 per theme and overall, beside what a
constant guess would score.

Definitions (per theme, counting comments):
    precision = comments both the coder and the person gave the theme / comments the coder gave it
    recall    = comments both gave it / comments the person gave it
    F1        = 2PR / (P + R)   (0 when both are 0)
    micro     = the same, pooling every (comment, theme) decision
    macro F1  = the mean F1 over the themes people gave at least once in that part
The best constant guess gives every comment the same set of themes, the set that
scores the highest micro F1 on the held-out part itself (so the baseline is as
strong as it can be).

Run `python -m scrutiny.evaluation` to print the figures.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pandas as pd
import yaml

FOLDER = Path(__file__).resolve().parent
COMMENTS = FOLDER / "comments.yaml"
SOURCES = FOLDER / "sources.yaml"
HELD_OUT, TUNING = "held_out", "tuning"
# The themes people coded the comments with: the project codebook's.
CODES = ("access", "building_facilities", "continuity_of_care", "public_involvement", "quality_of_care",
         "quality_of_staffing", "quality_of_treatment", "service_organisation", "stigma", "peer_support",
         "information_advice", "joined_up_working", "opening_hours_travel", "cost", "activities_for_children",
         "being_listened_to")


def split_for(source: str) -> str:
    """The fixed split of every comment from a source: held out when sha256(source) is 0 or 1 modulo 5."""
    return HELD_OUT if int(hashlib.sha256(source.encode()).hexdigest(), 16) % 5 < 2 else TUNING


@cache
def _comments() -> pd.DataFrame:
    raw = yaml.safe_load(COMMENTS.read_text(encoding="utf-8"))["comments"]
    return pd.DataFrame([{k: r[k] for k in ("id", "source", "split", "themes", "text")} for r in raw])


def comments(split: str | None = None) -> pd.DataFrame:
    """The hand-coded comments (id, source, split, themes, text), all or one split."""
    frame = _comments()
    return frame if split is None else frame[frame["split"] == split].reset_index(drop=True)


@cache
def sources() -> dict[str, dict]:
    return yaml.safe_load(SOURCES.read_text(encoding="utf-8"))["sources"]


@dataclass(frozen=True)
class Scores:
    per_theme: pd.DataFrame   # theme, people, coder, both, precision, recall, f1
    micro_precision: float
    micro_recall: float
    micro_f1: float
    macro_f1: float
    comments: int


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def score(truth: list, predicted: list, codes: list[str]) -> Scores:
    """Per-theme and overall agreement of predicted theme lists with the people's lists."""
    rows = []
    for code in codes:
        people = [code in t for t in truth]
        coder = [code in p for p in predicted]
        both = sum(a and b for a, b in zip(people, coder))
        n_people, n_coder = sum(people), sum(coder)
        precision = both / n_coder if n_coder else float("nan")
        recall = both / n_people if n_people else float("nan")
        f1 = _f1(precision if n_coder else 0.0, recall if n_people else 0.0) if n_people or n_coder else float("nan")
        rows.append({"theme": code, "people": n_people, "coder": n_coder, "both": both,
                     "precision": precision, "recall": recall, "f1": f1})
    table = pd.DataFrame(rows)
    both, n_coder, n_people = table["both"].sum(), table["coder"].sum(), table["people"].sum()
    micro_p = both / n_coder if n_coder else 0.0
    micro_r = both / n_people if n_people else 0.0
    given = table[table["people"] > 0]
    macro = float(given["f1"].mean()) if len(given) else 0.0
    return Scores(table, micro_p, micro_r, _f1(micro_p, micro_r), macro, len(truth))


def best_constant_guess(truth: list, codes: list[str]) -> tuple[list[str], Scores]:
    """The one set of themes which, given to every comment, scores the highest micro F1 (greedy by frequency)."""
    by_frequency = sorted(codes, key=lambda c: -sum(c in t for t in truth))
    best: tuple[list[str], Scores] | None = None
    chosen: list[str] = []
    for code in by_frequency:
        chosen = chosen + [code]
        result = score(truth, [chosen] * len(truth), codes)
        if best is None or result.micro_f1 > best[1].micro_f1:
            best = (list(chosen), result)
    return best if best is not None else ([], score(truth, [[]] * len(truth), codes))


def evaluate(code_text, codes: list[str], split: str = HELD_OUT) -> dict:
    """Scores of a coder (text -> iterable of theme codes) on one split, with the constant-guess baselines."""
    frame = comments(split)
    truth = [list(t) for t in frame["themes"]]
    predicted = [list(code_text(text)) for text in frame["text"]]
    top = max(codes, key=lambda c: sum(c in t for t in truth))
    return {
        "split": split,
        "coder": score(truth, predicted, codes),
        "most_common_theme": (top, score(truth, [[top]] * len(truth), codes)),
        "best_constant": best_constant_guess(truth, codes),
        "predicted": predicted,
        "frame": frame,
    }


def _print(result: dict, labels: dict[str, str]) -> None:
    coder = result["coder"]
    print(f"{result['split']}: {coder.comments} comments")
    print(f"  coder: micro P {coder.micro_precision:.2f} R {coder.micro_recall:.2f} F1 {coder.micro_f1:.2f}; macro F1 {coder.macro_f1:.2f}")
    top, top_scores = result["most_common_theme"]
    print(f"  every comment '{labels.get(top, top)}': micro F1 {top_scores.micro_f1:.2f}, macro F1 {top_scores.macro_f1:.2f}")
    chosen, best = result["best_constant"]
    print(f"  best constant guess {chosen}: micro F1 {best.micro_f1:.2f}, macro F1 {best.macro_f1:.2f}")
    table = coder.per_theme
    for r in table.itertuples():
        print(f"    {r.theme:24} people {r.people:3} coder {r.coder:3} both {r.both:3}  P {r.precision:.2f} R {r.recall:.2f} F1 {r.f1:.2f}")


def main() -> None:
    from scrutiny.topics.feedback import codebook as fb_codebook
    from scrutiny.topics.feedback import coding as fb_coding

    book, _ = fb_codebook.codebook_for(None)
    coder = fb_coding.Coder(book)
    for split in (TUNING, HELD_OUT):
        _print(evaluate(lambda t: coder.code(t).themes, book.codes, split), book.labels())


if __name__ == "__main__":
    main()
