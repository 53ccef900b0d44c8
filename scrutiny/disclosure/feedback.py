"""The Feedback plan: one per extract version, codebook and sidebar filters.

The cells are counts of comments in a cube: consultation (each, and all of them) x group (every
comment; each respondent type; each site type; each site) x theme (any comment at all; comments
raising no theme; each theme) x sentiment (any, and each of the four). Every count the Feedback
page, its CSV downloads, the evidence pack's feedback section and the feedback lines of enquiry
publish is one of these cells, and the views read their figures from the plan, so the same cell
is hidden in every view that shows it.

Only sums that really hold link the cells:

- **consultations**: a cell for all consultations is the sum of the same cell in each;
- **groups**: every comment has one respondent type, one site type (or none) and one site (or
  none), so a cell for every comment is the sum of the same cell over each of those groupings;
- **sentiment segments**: each comment has one sentiment, so a theme's bar (or a group's
  comments) is the sum of its four sentiment segments.

Themes are **not** a partition: a comment can raise several themes, or none, so theme counts do
not add up to the comments, and no sum between themes is written. The co-occurrence of two
themes is bounded by each theme's count but is not a sum of published cells, so pairs of
themes follow the primary rule alone. Cells no view publishes (a site's sentiment, say) take
part in the sums as unknowns, hidden from the start: they protect, they are never chosen.

Two rules of this page are named here and tested:

- ``merged segment``: the hidden sentiment segments of a bar that is shown are drawn together
  as one grey segment (its size is the bar less the segments shown). That merged figure is
  itself published, so it must not be a small number: while it is, the next smallest segment
  is hidden too.
- ``hidden with its group``: a group's shares rest on its number of comments, so when that
  number is small every theme count of the group is hidden with it (even its zeros). A number of
  comments hidden only to protect another hides the group's shares, not its counts.

The number of comments raising no theme is kept as an unknown and not published: with it, the
comments raising some theme are known, and a theme's comments of one sentiment are among those,
so a large theme of one sentiment would cap the others' counts (5 of 6 such comments positive
leaves at most 1 negative), an inequality that sums cannot protect.

The quote explorer publishes comments one by one (masked), with their respondent type, site,
consultation, themes and sentiment: that is a publication of records, protected by masking,
not of counts, and is outside this plan.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from scrutiny import stats
from scrutiny.disclosure.core import Sums, plan_suppression, primary

ALL = "\x00all"            # every consultation; every comment; any sentiment
ANY_THEME = "\x00any"      # the theme axis' "every comment" (the group's number of comments)
NO_THEME = "\x00none"      # comments raising no theme
SENTIMENTS = ("positive", "mixed", "neutral", "negative")
GROUPINGS = ("respondent_type", "site_type", "centre_id")
# What the views publish, by grouping: theme counts for every grouping, sentiment segments of
# theme bars for the groupings the theme chart and the lines of enquiry draw.
SEGMENTED_GROUPINGS = ("all", "respondent_type", "site_type")


@dataclass(frozen=True)
class FeedbackPlan:
    """Which comment counts to hide for one set of comments (the sidebar's filters), in every view."""

    threshold: int
    consultations: tuple          # ALL first, then each consultation
    groups: tuple                 # (grouping, value): ("all", ALL) first
    themes: tuple                 # ANY_THEME, NO_THEME, then each theme code
    values: np.ndarray = field(repr=False, compare=False)          # consultations x groups x themes x (ALL + SENTIMENTS)
    hidden: np.ndarray = field(repr=False, compare=False)
    primary_hidden: np.ndarray = field(repr=False, compare=False)
    published: np.ndarray = field(repr=False, compare=False)

    def __hash__(self) -> int:  # frozen and read-only: identity is enough to key a cache on
        return id(self)

    # --- where a cell is
    def _c(self, consultation) -> int:
        return self.consultations.index(ALL if consultation in (None, "all", ALL) else consultation)

    def _g(self, by: str, group) -> int:
        return 0 if by == "all" else self.groups.index((by, "" if group is None else str(group)))

    def _x(self, theme) -> int:
        return self.themes.index(ANY_THEME if theme is None else theme)

    @staticmethod
    def _s(sentiment) -> int:
        return 0 if sentiment in (None, "all", ALL) else 1 + SENTIMENTS.index(sentiment)

    def knows(self, consultation=None, by: str = "all", group=None, theme=None) -> bool:
        c = ALL if consultation in (None, "all", ALL) else consultation
        return (c in self.consultations and (by == "all" or (by, "" if group is None else str(group)) in self.groups)
                and (ANY_THEME if theme is None else theme) in self.themes)

    def count(self, consultation=None, by: str = "all", group=None, theme=None, sentiment=None) -> int:
        """The true count of a cell (for a view to print when is_hidden says it may)."""
        if not self.knows(consultation, by, group, theme):
            return 0
        return int(self.values[self._c(consultation), self._g(by, group), self._x(theme), self._s(sentiment)])

    def is_hidden(self, consultation=None, by: str = "all", group=None, theme=None, sentiment=None) -> bool:
        """Whether a cell is hidden; a cell the plan does not know is a zero (nobody is in it)."""
        if not self.knows(consultation, by, group, theme):
            return False
        return bool(self.hidden[self._c(consultation), self._g(by, group), self._x(theme), self._s(sentiment)])

    def show(self, consultation=None, by: str = "all", group=None, theme=None, sentiment=None) -> str:
        """A cell as printed: c when hidden, else the count."""
        if self.is_hidden(consultation, by, group, theme, sentiment):
            return stats.SUPPRESSED
        return f"{self.count(consultation, by, group, theme, sentiment):,}"

    def group_values(self, by: str) -> list[str]:
        return [value for grouping, value in self.groups if grouping == by]

    # --- checks
    def secondary_count(self) -> int:
        """How many published cells holding someone the secondary rules hide (a check that they do not
        hide too much; zeros hidden with their group are not counted)."""
        return int((self.hidden & ~self.primary_hidden & self.published & (self.values > 0)).sum())

    def secondary_by_view(self) -> dict[str, int]:
        """secondary_count split by what shows the cell: numbers of comments, theme counts (by
        grouping: every comment, respondent type, site type, site) and sentiment segments."""
        extra = self.hidden & ~self.primary_hidden & self.published & (self.values > 0)
        out = {"comments": int(extra[:, :, :2, :].sum())}
        for by in ("all", *GROUPINGS):
            members = [g for g, (grouping, _) in enumerate(self.groups) if grouping == by]
            out[f"themes by {by}"] = int(extra[:, members, 2:, 0].sum())
        out["segments"] = int(extra[:, :, 2:, 1:].sum())
        return out


# --- Building the plan ---------------------------------------------------------------------------

def _axes(comments: pd.DataFrame, theme_codes) -> tuple[tuple, tuple, tuple]:
    consultations = (ALL, *sorted(comments["consultation"].dropna().astype(str).unique()))
    groups = [("all", ALL)]
    for by in GROUPINGS:
        groups += [(by, v) for v in sorted(comments[by].fillna("").astype(str).unique())]
    raised = {t for ts in comments["themes"] for t in ts}
    codes = list(dict.fromkeys([*theme_codes, *sorted(raised - set(theme_codes))]))
    return consultations, tuple(groups), (ANY_THEME, NO_THEME, *codes)


def _cube(comments: pd.DataFrame, consultations, groups, themes) -> np.ndarray:
    """The counts: each comment adds one to its consultation and ALL, to its group in each grouping
    and ALL, to ANY_THEME and each theme it raises (or NO_THEME), to its sentiment and ALL."""
    shape = (len(consultations), len(groups), len(themes), 1 + len(SENTIMENTS))
    cube = np.zeros(shape, dtype=np.int64)
    if comments.empty:
        return cube
    c_index = {c: i for i, c in enumerate(consultations)}
    g_index = {g: i for i, g in enumerate(groups)}
    x_index = {x: i for i, x in enumerate(themes)}
    cs = comments["consultation"].astype(str).map(c_index).to_numpy()
    ss = comments["sentiment"].map({s: 1 + i for i, s in enumerate(SENTIMENTS)}).fillna(-1).astype(int).to_numpy()
    gs = np.column_stack([np.zeros(len(comments), dtype=np.int64)] + [
        comments[by].fillna("").astype(str).map(lambda v, by=by: g_index[(by, v)]).to_numpy() for by in GROUPINGS])
    for row, theme_list in enumerate(comments["themes"]):
        xs = [0] + ([x_index[t] for t in dict.fromkeys(theme_list)] if len(theme_list) else [1])
        sentiments = [0] + ([ss[row]] if ss[row] > 0 else [])
        for c in (0, cs[row]):
            cube[np.ix_([c], gs[row], xs, sentiments)] += 1
    return cube


def _published(consultations, groups, themes) -> np.ndarray:
    """Which cells some view prints (see the module's docstring); the rest are unknowns."""
    shape = (len(consultations), len(groups), len(themes), 1 + len(SENTIMENTS))
    out = np.zeros(shape, dtype=bool)
    segmented = np.array([by in SEGMENTED_GROUPINGS for by, _ in groups])
    site_none = np.array([by == "centre_id" and value == "" for by, value in groups])
    out[:, ~site_none, 0, 0] = True              # comments in each group (headline, listing, site choices, denominators)
    out[:, 0, 0, 1:] = True                      # comments of each sentiment (headline; negative comments' lines of enquiry)
    # Comments raising no theme (the theme axis' second place) are never published: see the docstring.
    out[:, ~site_none, 2:, 0] = True             # theme counts in every group, each site's too
    out[:, segmented, 2:, 1:] = True             # sentiment segments of the theme bars
    return out


def _sums(groups, shape) -> Sums:
    """Consultations add up to all of them; each grouping's groups to every comment; the four
    sentiments to any sentiment."""
    n_c, n_g, n_x, n_s = shape
    index = np.arange(int(np.prod(shape))).reshape(shape)
    pairs = []
    if n_c >= 2:
        for g in range(n_g):
            for x in range(n_x):
                for s in range(n_s):
                    pairs.append((index[0, g, x, s], list(index[1:, g, x, s])))
    for by in GROUPINGS:
        members = [g for g, (grouping, _) in enumerate(groups) if grouping == by]
        if not members:
            continue
        for c in range(n_c):
            for x in range(n_x):
                for s in range(n_s):
                    pairs.append((index[c, 0, x, s], list(index[c, members, x, s])))
    for c in range(n_c):
        for g in range(n_g):
            for x in range(n_x):
                pairs.append((index[c, g, x, 0], list(index[c, g, x, 1:])))
    return Sums.of(pairs)


def _needing_protection(sums: Sums, hidden: np.ndarray, published: np.ndarray, small: np.ndarray,
                        values: np.ndarray) -> Sums:
    """The sums holding a cell to protect: a hidden cell holding someone that a view would print,
    or a small count. A sum whose only hidden cells are zeros (zero is not disclosive: a zero hidden
    with its small group may be worked out) or unknowns no view prints and not small, gives nothing
    away: that they add up to the total less the rest is no disclosure."""
    protect = hidden & (published | small) & (values > 0)
    needed = np.zeros(int(sums.relation.max()) + 1 if len(sums.relation) else 0, dtype=bool)
    needed[sums.relation[protect[sums.cell]]] = True
    keep = needed[sums.relation]
    relation = np.unique(sums.relation[keep], return_inverse=True)[1]
    return Sums(relation.astype(np.int64), sums.cell[keep], sums.is_total[keep])


def _hidden_with_their_group(hidden: np.ndarray, small_group: np.ndarray) -> np.ndarray:
    """Rule "hidden with its group": a group of 1 to threshold - 1 comments (of any sentiment, or
    of one) shows nothing at all, not even its zeros, since its shares rest on a small number.
    (A group hidden only to protect another keeps its theme counts; views hide its shares.)"""
    out = hidden.copy()
    out[:, :, 1:, :] |= small_group[:, :, None, :1]
    out[:, :, 1:, 1:] |= small_group[:, :, None, 1:]
    return out


def _merged_segment_not_small(values: np.ndarray, hidden: np.ndarray, published: np.ndarray, threshold_value: int) -> np.ndarray:
    """Rule "merged segment": a bar shown with hidden sentiment segments draws them as one segment,
    which must not be a small number: the next smallest segment is hidden until it is not."""
    out = hidden.copy()
    bars = published[:, :, 2:, 0] & ~hidden[:, :, 2:, 0] & published[:, :, 2:, 1:].all(axis=-1)
    for c, g, x in zip(*np.nonzero(bars)):
        seg_values, seg_hidden = values[c, g, x + 2, 1:], out[c, g, x + 2, 1:]
        while stats.is_small(int(seg_values[seg_hidden].sum()), threshold_value):
            shown = np.nonzero(~seg_hidden & (seg_values > 0))[0]
            if not len(shown):
                break
            seg_hidden[shown[np.argmin(seg_values[shown])]] = True
        out[c, g, x + 2, 1:] = seg_hidden
    return out


def build_feedback_plan(comments: pd.DataFrame, theme_codes, threshold_value: int, max_rounds: int = 20) -> FeedbackPlan:
    """The plan for a set of coded comments (columns consultation, respondent_type, site_type,
    centre_id, sentiment and themes, a list of codes) and the codebook's theme codes."""
    consultations, groups, themes = _axes(comments, list(theme_codes))
    values = _cube(comments, consultations, groups, themes)
    published = _published(consultations, groups, themes)
    primary_hidden = primary(values, threshold_value) & published
    sums = _sums(groups, values.shape)
    flat_values = values.reshape(-1)
    # Cells no view publishes are unknowns to a reader from the start.
    hidden = primary_hidden | ~published
    small = primary(values, threshold_value).reshape(-1)
    for _ in range(max_rounds):
        before = hidden
        hidden = plan_suppression(flat_values, _needing_protection(sums, hidden.reshape(-1), published.reshape(-1), small, flat_values),
                                  threshold_value, hidden=hidden.reshape(-1)).reshape(values.shape)
        hidden = _hidden_with_their_group(hidden, primary_hidden[:, :, 0, :])
        hidden = _merged_segment_not_small(values, hidden, published, threshold_value)
        if np.array_equal(hidden, before):
            break
    return FeedbackPlan(threshold_value, consultations, groups, themes, values, hidden, primary_hidden, published)


# --- Which plan a view reads -----------------------------------------------------------------------

FILTER_KEYS = ("district", "cluster", "lead_agency", "site_type")


def _build_for(folder: str, version: str, fingerprint: str, filter_values: tuple, threshold_value: int) -> FeedbackPlan:
    from scrutiny.topics.feedback import coding as fb_coding
    from scrutiny.topics.feedback import figures as fb_figures

    coded, codebook, _ = fb_coding.coded_feedback()
    chosen = fb_figures.select_comments(coded, filters=_Filters(**dict(zip(FILTER_KEYS, filter_values))))
    return build_feedback_plan(chosen, codebook.codes, threshold_value)


@dataclass(frozen=True)
class _Filters:
    district: object = None
    cluster: object = None
    lead_agency: object = None
    site_type: object = None


_plan_cache = None


def feedback_plan(filters) -> FeedbackPlan:
    """The plan for the comments about the sites the sidebar's filters choose (the year does not
    apply to comments): one shared, read-only plan per extract version, codebook and filters."""
    global _plan_cache
    import streamlit as st

    from scrutiny import queries
    from scrutiny.disclosure.core import threshold
    from scrutiny.topics.feedback import coding as fb_coding

    if _plan_cache is None:
        _plan_cache = st.cache_resource(show_spinner=False, max_entries=32)(_build_for)
    folder, version = queries.extract_version()
    _, codebook, _ = fb_coding.coded_feedback()
    values = tuple(getattr(filters, key, None) if filters is not None else None for key in FILTER_KEYS)
    return _plan_cache(folder, version, codebook.fingerprint, values, threshold())
