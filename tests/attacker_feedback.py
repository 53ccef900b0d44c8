"""An outsider who reads what the Feedback views publish and solves for the hidden comment counts.

The outsider knows how the figures are made: each comment belongs to one consultation, has one
respondent type, one site type (or none), one site (or none) and one sentiment, and raises any
number of themes (or none). Its unknowns are, for each combination of consultation, respondent
type, site type and site (every combination of the values it has seen, not knowing which are
empty, unless told) and each sentiment: the comments there, those raising no theme, and those
raising each theme. A theme's comments are never more than all the comments there, nor, with those raising no
theme, more than all of them. Every count published fixes a sum of unknowns; every percentage
shown to a whole number bounds a count against its denominator; the "sentiment not shown"
segment of a bar fixes the sum of the bar's hidden sentiments. For each ``c`` that hides a true
count from 1 to threshold - 1 it solves, by linear programming (scipy's HiGHS), the least and the
greatest value the published figures allow: the cell is protected when the range spans at least
threshold - 1 (0 to 4 at a threshold of 5).

Written independently of scrutiny/disclosure/: it reads the published tables, segments and
headline counts (the same functions the Feedback page, its CSV download and the evidence pack
call) and writes its own equations from the comments behind each figure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import linprog

from scrutiny.topics.feedback import figures as fb_figures
from scrutiny.topics.feedback import sentiment as fb_sentiment
from scrutiny.topics.feedback import tables as fb_tables

SENTIMENTS = tuple(fb_sentiment.SENTIMENT_ORDER)
ANY, NONE = "any comment", "no theme"


@dataclass(frozen=True)
class Cell:
    """A published figure: comments in a consultation (None: all), a group (by, value; by "all"),
    a measure (ANY, NONE or a theme code) and a sentiment (None: any); or the sum of several sentiments."""

    consultation: str | None
    by: str
    group: str
    measure: str
    sentiments: tuple = SENTIMENTS


@dataclass
class Published:
    counts: list = field(default_factory=list)     # (Cell, shown text, view)
    percents: list = field(default_factory=list)   # (Cell, denominator Cell, whole percent, view)


@dataclass
class Leak:
    cell: Cell
    true: int
    low: float
    high: float
    view: str

    def __str__(self) -> str:
        return (f"{self.view}: {self.cell} is c (true {self.true}) but the published figures pin it to "
                f"{self.low:g} to {self.high:g}")


_COUNT = re.compile(r"^([\d,]+)(?: \((\d+)%\))?$")


def _parse(text: str):
    match = _COUNT.match(str(text).strip())
    if not match:
        return None, None
    return int(match.group(1).replace(",", "")), (int(match.group(2)) if match.group(2) else None)


def gather(plan, codebook, consultations, published: Published | None = None) -> Published:
    """Everything the page's sections, the themes CSV and the pack publish for these consultation choices."""
    published = published or Published()
    for consultation in consultations:
        # Headline: comments, each respondent type, each sentiment; each site's comments.
        published.counts.append((Cell(consultation, "all", "all", ANY), plan.show(consultation), "headline"))
        for sentiment, text in fb_figures.sentiment_counts(plan, consultation).items():
            published.counts.append((Cell(consultation, "all", "all", ANY, (sentiment,)), text, "headline sentiment"))
        for by in ("respondent_type", "centre_id"):
            for value in plan.group_values(by):
                if by == "centre_id" and value == "":
                    continue
                published.counts.append((Cell(consultation, by, value, ANY), plan.show(consultation, by, value), f"{by} counts"))
        for by in ("all", "respondent_type", "site_type"):
            frequency = fb_figures.plan_frequency(plan, codebook, consultation, by=by)
            _gather_table(published, frequency, fb_tables.frequency_table(frequency, plan.threshold), consultation, by)
            for row in fb_figures.sentiment_segments(frequency).itertuples():
                group = "all" if by == "all" else row.group
                if row.sentiment == fb_figures.SMALL_SEGMENT:
                    bar = frequency[(frequency["group"] == row.group) & (frequency["theme"] == row.theme)].iloc[0]
                    hidden = tuple(s for s in SENTIMENTS if getattr(bar, f"hidden_{s}"))
                    published.counts.append((Cell(consultation, by, group, row.theme, hidden), f"{row.comments:,}", "merged segment"))
                else:
                    published.counts.append((Cell(consultation, by, group, row.theme, (row.sentiment,)), f"{row.comments:,}", "segment"))
    return published


def gather_negative(plan, codebook, published: Published) -> Published:
    """The negative comments' figures the lines of enquiry print."""
    for by in ("all", "respondent_type", "site_type"):
        frequency = fb_figures.plan_frequency(plan, codebook, by=by, sentiment="negative")
        for row in frequency.itertuples():
            group = "all" if by == "all" else row.group
            text = "c" if row.comments_hidden else f"{row.comments:,}"
            published.counts.append((Cell(None, by, group, row.theme, ("negative",)), text, "negative themes"))
    return published


def _gather_table(published: Published, frequency: pd.DataFrame, table: pd.DataFrame, consultation, by: str) -> None:
    groups = dict(zip(frequency["group_label"], frequency["group"]))
    themes = dict(zip(frequency["theme_label"], frequency["theme"]))
    for _, row in table.iterrows():
        for label, text in row.items():
            if label == "Theme":
                continue
            group = "all" if by == "all" else groups[label]
            if row["Theme"] == "All comments (the denominator)":
                published.counts.append((Cell(consultation, by, group, ANY), text, f"themes table by {by}"))
                continue
            cell = Cell(consultation, by, group, themes[row["Theme"]])
            published.counts.append((cell, text, f"themes table by {by}"))
            _, percent = _parse(text)
            if percent is not None:
                published.percents.append((cell, Cell(consultation, by, group, ANY), percent, f"themes table by {by}"))


def attack(comments: pd.DataFrame, published: Published, threshold: int, inequalities: bool = True,
           known_combinations: bool = False) -> list[Leak]:
    """Solves each hidden small count's range from the published figures; the leaks found. With
    inequalities=False the outsider uses the sums alone (not that a theme's comments are among the
    comments there): what the plan promises to withstand. With known_combinations the outsider also
    knows which combinations of consultation, respondent type, site type and site have comments
    (which are empty): stronger than the plan promises to withstand."""
    frame = comments.assign(**{by: comments[by].fillna("").astype(str) for by in ("respondent_type", "site_type", "centre_id")})
    columns = ["consultation", "respondent_type", "site_type", "centre_id"]
    if known_combinations:
        combos = frame[columns].drop_duplicates().reset_index(drop=True)
    else:
        combos = pd.MultiIndex.from_product([sorted(frame[c].unique()) for c in columns], names=columns).to_frame(index=False)
    measures = [ANY, NONE, *sorted({t for ts in frame["themes"] for t in ts})]
    n_k, n_s = len(combos), len(SENTIMENTS)

    def var(m: int, k, s: int):
        return (m * n_k + np.asarray(k)) * n_s + s

    n_vars = len(measures) * n_k * n_s

    def members(cell: Cell) -> np.ndarray:
        if cell.measure not in measures:
            return np.zeros(0, dtype=np.int64)
        keep = np.ones(n_k, dtype=bool)
        if cell.consultation is not None:
            keep &= (combos["consultation"] == cell.consultation).to_numpy()
        if cell.by != "all":
            keep &= (combos[cell.by] == cell.group).to_numpy()
        ks = np.nonzero(keep)[0]
        m = measures.index(cell.measure)
        return np.concatenate([var(m, ks, SENTIMENTS.index(s)) for s in cell.sentiments]) if len(ks) else np.zeros(0, np.int64)

    def truth(cell: Cell) -> int:
        rows = frame
        if cell.consultation is not None:
            rows = rows[rows["consultation"] == cell.consultation]
        if cell.by != "all":
            rows = rows[rows[cell.by] == cell.group]
        rows = rows[rows["sentiment"].isin(cell.sentiments)]
        if cell.measure == NONE:
            return int((rows["themes"].map(len) == 0).sum())
        if cell.measure == ANY:
            return len(rows)
        return int(rows["themes"].map(lambda ts: cell.measure in ts).sum())

    eq_rows, eq_b, hidden = [], [], []
    for cell, text, view in published.counts:
        value, _ = _parse(text)
        if value is not None:
            eq_rows.append(members(cell))
            eq_b.append(value)
        elif str(text).strip() == "c":
            hidden.append((cell, view))
    bounds_rows = []  # (num columns, den columns, share): num - share * den <= 0 when sign +, share * den - num <= 0 when -
    for cell, denominator, percent, _ in published.percents:
        num, den = members(cell), members(denominator)
        bounds_rows.append((num, den, (percent + 0.5) / 100, 1.0))
        if percent > 0:
            bounds_rows.append((num, den, (percent - 0.5) / 100, -1.0))
    # Structure: a theme's comments (with those raising no theme) are among the comments there.
    structural = [(var(m, k, s), var(1, k, s), var(0, k, s))
                  for m in range(2, len(measures)) for k in range(n_k) for s in range(n_s)] if inequalities else []
    a_eq = _matrix([(r, 1.0) for r in eq_rows], n_vars)
    a_ub, b_ub = _inequalities(bounds_rows, structural, n_vars)
    leaks = []
    for cell, view in hidden:
        true = truth(cell)
        if not 1 <= true < threshold:
            continue
        objective = np.zeros(n_vars)
        objective[members(cell)] = 1.0
        bounds = []
        for sign in (1.0, -1.0):
            result = linprog(sign * objective, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=np.asarray(eq_b, float),
                             bounds=(0, None), method="highs")
            bounds.append(sign * result.fun if result.status == 0 else (0.0 if sign > 0 else np.inf))
        low, high = bounds
        if high - low < threshold - 1 - 1e-6:
            leaks.append(Leak(cell, true, low, high, view))
    return leaks


def _matrix(rows, n_vars: int):
    data, row_index, col_index = [], [], []
    for i, (cols, value) in enumerate(rows):
        data += [value] * len(cols)
        row_index += [i] * len(cols)
        col_index += list(cols)
    return sparse.csr_matrix((data, (row_index, col_index)), shape=(len(rows), n_vars))


def _inequalities(bounds_rows, structural, n_vars: int):
    """The percentages' bounds, and theme + none <= any for each unknown."""
    data, rows, cols = [], [], []
    i = 0
    for num, den, share, sign in bounds_rows:
        data += [sign] * len(num) + [-sign * share] * len(den)
        rows += [i] * (len(num) + len(den))
        cols += list(num) + list(den)
        i += 1
    for theme, none, any_ in structural:
        data += [1.0, 1.0, -1.0]
        rows += [i] * 3
        cols += [theme, none, any_]
        i += 1
    return sparse.csr_matrix((data, (rows, cols)), shape=(i, n_vars)), np.zeros(i)
