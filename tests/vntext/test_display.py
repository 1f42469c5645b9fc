"""Tests for mdplan_core.vntext.display: numbers, percentages and dates shown the Vietnamese way."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from mdplan_core.vntext.display import format_date, format_datetime, format_number, format_percent


@pytest.mark.parametrize("x, decimals, expected", [
    (1234, 0, "1.234"), (1234567, 0, "1.234.567"), (12.5, 1, "12,5"), (-1234, 0, "-1.234"),
    (0, 0, "0"), (999, 0, "999"), (1234.5, 2, "1.234,50"), (2.675, 2, "2,68"), (0.5, 0, "1"),
    (-0.01, 1, "0,0"), (Decimal("1234.5"), 1, "1.234,5"), (None, 0, ""), (float("nan"), 0, ""),
])
def test_format_number(x, decimals, expected):
    assert format_number(x, decimals) == expected


@pytest.mark.parametrize("ratio, decimals, expected", [
    (0.125, 1, "12,5%"), (1, 1, "100%"), (0.5, 1, "50%"), (0.1234, 1, "12,3%"), (0, 1, "0%"),
    (1.5, 1, "150%"), (0.12345, 2, "12,35%"), (0.125, 0, "13%"), (None, 1, ""), (float("nan"), 1, ""),
])
def test_format_percent(ratio, decimals, expected):
    assert format_percent(ratio, decimals) == expected


@pytest.mark.parametrize("value, expected", [
    (date(2017, 12, 15), "15/12/2017"), (date(2017, 4, 3), "03/04/2017"),
    (datetime(2017, 12, 15, 14, 5), "15/12/2017"), (None, ""),
])
def test_format_date(value, expected):
    assert format_date(value) == expected


@pytest.mark.parametrize("value, expected", [
    (datetime(2017, 12, 15, 14, 5), "15/12/2017 14:05"), (datetime(2017, 1, 2, 9, 7, 59), "02/01/2017 09:07"),
    (date(2017, 12, 15), "15/12/2017"), (None, ""),
])
def test_format_datetime(value, expected):
    assert format_datetime(value) == expected
