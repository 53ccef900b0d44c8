"""One way to print each kind of figure (scrutiny/format.py), worked out by hand."""

import math

import pytest

from scrutiny import format


@pytest.mark.parametrize("fraction, decimals, text", [
    (0.1625, 1, "16.3%"),      # half rounds away from zero, though 0.1625 * 100 is 16.249999... in binary
    (0.5625, 0, "56%"),
    (0.565, 0, "57%"),
    (-0.0004, 1, "0.0%"),      # never "-0.0%"
    (1.0, 0, "100%"),
    (None, 1, ""),
    (math.nan, 1, ""),
])
def test_percent(fraction, decimals, text):
    assert format.percent(fraction, decimals) == text


@pytest.mark.parametrize("fraction, kwargs, text", [
    (0.188, {}, "18.8 percentage points"),
    (0.188, {"unit": False}, "18.8"),
    (0.03, {"decimals": 0, "signed": True}, "+3 percentage points"),
    (-0.012, {"decimals": 0, "signed": True}, "-1 percentage point"),
    (0.004, {"decimals": 0, "signed": True}, "0 percentage points"),
    (0.01, {"decimals": 0}, "1 percentage point"),
    (-0.0001, {"unit": False}, "0.0"),
])
def test_points(fraction, kwargs, text):
    assert format.points(fraction, **kwargs) == text


@pytest.mark.parametrize("lower, upper, kwargs, text", [
    (0.52, 0.61, {"decimals": 0}, "52-61%"),
    (0.52, 0.6125, {"words": True}, "95% CI 52.0% to 61.3%"),
    (0.0042, 0.0117, {"scale": 1000, "suffix": " per 1,000", "words": True}, "95% CI 4.2 per 1,000 to 11.7 per 1,000"),
    (None, 0.5, {}, ""),
])
def test_interval(lower, upper, kwargs, text):
    assert format.interval(lower, upper, **kwargs) == text


def test_counts():
    assert format.count(12345) == "12,345"
    assert format.count(math.nan) == ""
    assert format.count_of(1, "reach area") == "1 reach area"
    assert format.count_of(1200, "child", "children") == "1,200 children"
