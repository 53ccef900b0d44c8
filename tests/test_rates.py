"""Rate indicators (events per 1,000 children): the contract's optional kind, its checks, Byar's
interval on the Gap page, and exact Poisson funnel limits.

Worked figures, 2023-24, A&E attendances of under-fives in Testshire:
  children on free school meals: 3 events among 500 children = 6.0 per 1,000; fewer than 10 events,
  so the exact Poisson limits: chi2(0.025, 6) / 2 = 0.619 and chi2(0.975, 8) / 2 = 8.767 events,
  per 500 children = 1.2 to 17.5 per 1,000.
  other children: 30 among 3,000 = 10.0 per 1,000; Byar: 30 x (1 - 1/270 - 1.96/(3 x 5.477))^3 = 20.24
  and 31 x (1 + ... )^3 = 42.83 events, per 3,000 = 6.7 to 14.3 per 1,000.
"""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as scipy_stats

from scrutiny import queries, stats
from scrutiny.topics.gap import figures as gap_figures
from scrutiny.contract import TABLES
from tests import tiny_extract
from tests.helpers import errors, open_app, texts

AE = ("ae_attendances", "A&E attendances", "wellbeing", "lower_is_better", "fsm_status", "fsm", "non_fsm", None,
      "Hospital episode statistics (test)")


def _with_rate(kind="rate", multiplier=1000, outcomes=()):
    tables = tiny_extract.tables()
    indicators = pd.concat([tables["indicators"], pd.DataFrame([AE], columns=TABLES["indicators"].column_names)],
                           ignore_index=True)
    indicators["kind"] = [None] * (len(indicators) - 1) + [kind]
    indicators["multiplier"] = pd.array([None] * (len(indicators) - 1) + [multiplier], dtype="Int64")
    rows = outcomes or [
        ("ae_attendances", "authority", "Testshire", 2023, "fsm_status", "fsm", 3, 500),
        ("ae_attendances", "authority", "Testshire", 2023, "fsm_status", "non_fsm", 30, 3000),
        # A year where the events outnumber the children: a valid rate (1,400 per 1,000).
        ("ae_attendances", "authority", "Testshire", 2022, "fsm_status", "fsm", 700, 500),
        ("ae_attendances", "authority", "Testshire", 2022, "fsm_status", "non_fsm", 2400, 3000),
    ]
    outcomes_frame = pd.concat([tables["outcomes"], pd.DataFrame(rows, columns=TABLES["outcomes"].column_names)],
                               ignore_index=True)
    return {"indicators": indicators, "outcomes": outcomes_frame}


def _problems():
    return [p.message for p in queries.problems()]


def test_an_extract_without_the_kind_column_has_proportions(tiny):
    available = gap_figures.indicators()
    assert {code: (i.kind, i.multiplier) for code, i in available.items()} == {
        "gld": ("proportion", None), "obesity_reception": ("proportion", None)}
    assert not [p for p in _problems() if "kind" in p]


def test_a_rate_may_have_more_events_than_children(make_extract):
    make_extract(**_with_rate())
    assert not [p for p in _problems() if "numerator" in p]
    indicator = gap_figures.indicators()["ae_attendances"]
    assert (indicator.kind, indicator.multiplier, indicator.scale, indicator.per) == ("rate", 1000, 1000, "per 1,000")


def test_a_proportion_may_not(make_extract):
    make_extract(**_with_rate(kind=None))
    problem = next(p for p in _problems() if "numerator is larger than its denominator" in p)
    assert problem.startswith("The outcomes table has 1 row whose numerator is larger than its denominator for an "
                              "indicator that is a proportion.")
    assert "set its kind to 'rate' in the indicators table" in problem
    assert "numerator=700" in problem


def test_an_unknown_kind_is_named(make_extract):
    make_extract(**_with_rate(kind="ratio"))
    assert any("kind" in p and "proportion, rate" in p for p in _problems())


NO_SUPPRESSION = {**tiny_extract.EXTRACT_INFO, "suppression_threshold": 1}


def test_three_events_are_suppressed_at_the_default_threshold(make_extract):
    # 3 events is a small count (1 to 4): the rate, its interval and the gap are gone, not just hidden.
    make_extract(**_with_rate())
    row = gap_figures.gap_trend("ae_attendances").set_index("year").loc[2023]
    assert row["focus_suppressed"] and math.isnan(row["focus_pct"]) and math.isnan(row["gap"])
    at = open_app("pages/gap.py", indicator="ae_attendances")
    assert not errors(at)
    assert "6.0 per 1,000" not in texts(at)


def test_the_rate_on_the_gap_page_with_three_events(make_extract):
    # An extract whose council publishes every count (threshold 1) shows the exact Poisson interval.
    make_extract(info=NO_SUPPRESSION, **_with_rate())
    trend = gap_figures.gap_trend("ae_attendances")
    row = trend[trend["year"] == 2023].iloc[0]
    assert row["focus_pct"] * 1000 == pytest.approx(6.0)
    assert row["focus_lower"] * 1000 == pytest.approx(scipy_stats.chi2.ppf(0.025, 6) / 2 / 500 * 1000)
    assert row["focus_upper"] * 1000 == pytest.approx(scipy_stats.chi2.ppf(0.975, 8) / 2 / 500 * 1000)
    # Lower is better: the gap is focus minus reference, 6.0 - 10.0 = -4.0 per 1,000 (FSM children fewer attendances).
    assert row["gap"] * 1000 == pytest.approx(-4.0)
    at = open_app("pages/gap.py", indicator="ae_attendances")
    assert not errors(at)
    shown = texts(at)
    assert ("A&E attendances in 2023-24: 6.0 per 1,000 children on free school meals (95% CI 1.2 to 17.5), against "
            "10.0 per 1,000 other children (95% CI 6.7 to 14.3).") in shown
    assert "was reversed in 2023-24: children on free school meals did better, by 4.0 per 1,000" in shown
    assert "6.0%" not in shown and "600.0%" not in shown
    # The table's headings and cells are per 1,000, not per cent.
    table = next(df.value for df in at.dataframe if "Gap (per 1,000)" in df.value.columns)
    assert table.loc[table["Year"] == "2023-24", "On free school meals per 1,000"].iloc[0] == "6.0 per 1,000"


@pytest.mark.parametrize("coverage", [0.95, 0.998])
@pytest.mark.parametrize("rate", [0.003, 0.05, 0.6])
def test_exact_poisson_funnel_limits_agree_with_poisson_tails(rate, coverage):
    tail = (1 - coverage) / 2
    for n in (10, 50, 200, 1000):
        lower, upper = stats.exact_poisson_funnel_limits(rate, [n], coverage)
        mu = rate * n
        for x in range(int(mu * 4 + 30)):
            assert (x / n < lower[0]) == (scipy_stats.poisson.cdf(x, mu) < tail), (n, x)
            assert (x / n > upper[0]) == (scipy_stats.poisson.sf(x - 1, mu) < tail), (n, x)
    assert math.isnan(stats.exact_poisson_funnel_limits(rate, [0], coverage)[0][0])


def test_event_rates_are_suppressed_like_percentages():
    frame = pd.DataFrame({"events": [3, 30, 0], "children": [500, 3000, 400]})
    out = stats.add_event_rate(frame, "events", "children", "value", threshold=5)
    assert list(out["value_suppressed"]) == [True, False, False]
    assert np.isnan(out["value_pct"][0]) and out["value_pct"][1] == pytest.approx(0.01)
    assert out["value_upper"][2] * 1000 == pytest.approx(scipy_stats.chi2.ppf(0.975, 2) / 2 / 400 * 1000)
