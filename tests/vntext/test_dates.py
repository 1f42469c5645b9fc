"""Tests for mdplan_core.vntext.dates: dates as Vietnamese sheets write them, day first."""
from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mdplan_core.vntext.dates import MESSAGES, parse_date
from mdplan_core.vntext.display import format_date


@pytest.mark.parametrize("raw, expected", [
    (date(2017, 12, 15), date(2017, 12, 15)), (datetime(2017, 12, 15, 14, 5), date(2017, 12, 15)),
    ("2017-12-15", date(2017, 12, 15)), ("2017-12-15 00:00:00", date(2017, 12, 15)),
    ("15/12/2017", date(2017, 12, 15)), ("03/04/2017", date(2017, 4, 3)), ("3/4/2017", date(2017, 4, 3)),
    ("03-04-2017", date(2017, 4, 3)), ("03.04.2017", date(2017, 4, 3)), (" 1/12/2017 ", date(2017, 12, 1)),
    ("ngày 15 tháng 12 năm 2017", date(2017, 12, 15)), ("29/02/2016", date(2016, 2, 29)),
    (43084, date(2017, 12, 15)), (43084.75, date(2017, 12, 15)), (61, date(1900, 3, 1)),
    (None, None), ("", None), ("  ", None), (float("nan"), None),
])
def test_parse_date_reads(raw, expected):
    result = parse_date(raw)
    assert (result.value, result.error, result.code) == (expected, None, None)


@pytest.mark.parametrize("raw, code, says", [
    ("31/02/2017", "date.invalid", "tháng 2/2017 chỉ có 28 ngày"),
    ("29/02/2017", "date.invalid", "tháng 2/2017 chỉ có 28 ngày"),
    ("31/04/2017", "date.invalid", "tháng 4/2017 chỉ có 30 ngày"),
    ("15/13/2017", "date.invalid", "không có tháng 13"),
    ("2017-02-30", "date.invalid", "chỉ có 28 ngày"),
    ("15/12-2017", "date.not_a_date", "Không đọc được ngày"),
    ("12/15/2017", "date.invalid", "không có tháng 15"),
    ("hôm qua", "date.not_a_date", "'hôm qua'"),
    ("00/00/0000", "date.not_a_date", "Không đọc được ngày"),
    (0, "date.not_a_date", "không phải là một ngày"),
    (60001, "date.not_a_date", "không phải là một ngày"),
    (True, "date.not_a_date", "Không đọc được ngày"),
    ("#N/A", "date.formula_error", "#N/A"),
])
def test_parse_date_refuses(raw, code, says):
    result = parse_date(raw)
    assert (result.value, result.code) == (None, code)
    assert says in result.error


@given(st.dates(min_value=date(1900, 3, 1), max_value=date(2100, 12, 31)))
def test_parse_reads_what_format_writes_dates(d):
    assert parse_date(format_date(d)).value == d
    serial = (d - date(1899, 12, 30)).days
    # Serials are accepted up to 60000 (April 2064); beyond is not a plausible date cell.
    assert parse_date(serial).value == (d if serial <= 60000 else None)


def test_messages_have_full_diacritics():
    # A message typed without diacritics would read as garbage to an officer.
    for key, message in MESSAGES.items():
        assert not message.isascii(), key


# --- issue 9: reading ---

@pytest.mark.parametrize("raw, expected", [
    ("28 tháng 3 năm 2017", date(2017, 3, 28)), ("28/3/17", date(2017, 3, 28)),
    ("28.03.17", date(2017, 3, 28)), ("15/12/17", date(2017, 12, 15)),
    ("Ba Bể, ngày 28 tháng 3 năm 2017", date(2017, 3, 28)),
    ("ngay 28 thang 3 nam 2017", date(2017, 3, 28)), ("NGÀY 28 THÁNG 03 NĂM 2017", date(2017, 3, 28)),
    ("28 tháng 3 năm 17", date(2017, 3, 28)),
])
def test_a_date_in_words_without_ngay_or_with_a_two_digit_year_is_read(raw, expected):
    assert parse_date(raw).value == expected


@pytest.mark.parametrize("raw", ["28 tháng 13 năm 2017", "tháng 3 năm 2017", "28/3/2017/1"])
def test_words_that_are_no_date_are_still_refused(raw):
    assert parse_date(raw).value is None and parse_date(raw).error
