"""Tests for mdplan_core.vntext.numbers: numbers as Vietnamese sheets write them."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mdplan_core.vntext.display import format_number
from mdplan_core.vntext.numbers import MESSAGES, ParsedNumber, parse_number, show_number, whole_if_near


@pytest.mark.parametrize("raw, value, code", [
    ("1.234", 1234, None), ("1.234.567", 1234567, None), ("12,5", 12.5, None),
    ("1.234,5", 1234.5, None), ("05", 5, None), (" 7 ", 7, None), ("-3", -3, None),
    ("\u22123", -3, None), ("+4", 4, None), ("1 234", 1234, None), ("1\u00a0234", 1234, None),
    ("1 234,5", 1234.5, None), ("0,125", 0.125, None), ("1234,567", 1234.567, None),
    ("12,0", 12, None), ("12,5%", 12.5, None), ("100 %", 100, None),
    ("12.5", 12.5, "number.dot_decimal"), ("0.500", 0.5, "number.dot_decimal"),
    ("1234.5", 1234.5, "number.dot_decimal"), ("1,234", 1.234, "number.ambiguous_separator"),
    ("10 lớp", 10, "number.unit_suffix"), ("500 người", 500, "number.unit_suffix"),
    ("3 cuộc", 3, "number.unit_suffix"), ("02 mô hình", 2, "number.unit_suffix"),
    ("10lớp", 10, "number.unit_suffix"), ("1.000 học sinh", 1000, "number.unit_suffix"),
    ("12.5 người", 12.5, "number.dot_decimal"),
    (7, 7, None), (12.0, 12, None), (12.5, 12.5, None), (Decimal("3.00"), 3, None),
    (Decimal("2.5"), 2.5, None), (-2, -2, None),
])
def test_parse_number_reads(raw, value, code):
    result = parse_number(raw)
    assert (result.value, result.code, result.error) == (value, code, None)
    assert type(result.value) is type(value)
    assert (result.warning is None) == (code is None)


def test_unit_suffix_message():
    assert parse_number("10 lớp").warning == "Đã bỏ chữ 'lớp' sau số 10; chỉ nhập số."
    assert parse_number("02 mô hình").warning == "Đã bỏ chữ 'mô hình' sau số 2; chỉ nhập số."


def test_separator_warnings_explain_the_vietnamese_reading():
    assert "1,234" in parse_number("1,234").warning and "1.234" in parse_number("1,234").warning
    assert "12,5" in parse_number("12.5").warning


@pytest.mark.parametrize("raw", [None, "", "   ", "\u00a0", float("nan"), Decimal("NaN")])
def test_blank_stays_blank(raw):
    assert parse_number(raw) == ParsedNumber(None, None, None, None)


@pytest.mark.parametrize("raw, code", [
    ("khoảng 10", "number.not_a_number"), ("10-12", "number.not_a_number"),
    ("abc", "number.not_a_number"), ("1,2,3", "number.not_a_number"),
    ("10 / 12", "number.not_a_number"), ("12 34", "number.not_a_number"),
    ("10.", "number.not_a_number"), (",5", "number.not_a_number"), ("- 3", "number.not_a_number"),
    ("10 lớp 5", "number.not_a_number"), ("%", "number.not_a_number"),
    ("1,234.5", "number.not_a_number"), ("1,234,567", "number.not_a_number"),
    ("1.2.3", "number.not_a_number"), (True, "number.not_a_number"),
    (float("inf"), "number.not_a_number"), (date(2017, 1, 1), "number.not_a_number"),
    ("#REF!", "number.formula_error"), ("#VALUE!", "number.formula_error"),
    ("#DIV/0!", "number.formula_error"), ("#N/A", "number.formula_error"),
    ("#NAME?", "number.formula_error"), ("#NUM!", "number.formula_error"),
    ("#NULL!", "number.formula_error"),
])
def test_parse_number_refuses(raw, code):
    result = parse_number(raw)
    assert (result.value, result.code, result.warning) == (None, code, None)
    assert not result.ok
    assert str(raw).strip() in result.error


def test_refusal_messages_are_vietnamese():
    assert parse_number("khoảng 10").error.startswith("Không đọc được số từ 'khoảng 10'.")
    assert "kiểu tiếng Anh" in parse_number("1,234.5").error
    assert parse_number("#DIV/0!").error.startswith("Ô có lỗi công thức Excel #DIV/0!")


@pytest.mark.parametrize("raw, value, code", [
    ("12", 12, None), ("1.234", 1234, None), ("10 lớp", 10, "number.unit_suffix"), (12.0, 12, None),
    ("12,5", None, "number.fraction"), ("12.5", None, "number.fraction"), (12.5, None, "number.fraction"),
    ("1,234", None, "number.fraction"),
])
def test_parse_integer(raw, value, code):
    result = parse_number(raw, integer=True)
    assert (result.value, result.code) == (value, code)
    if code == "number.fraction":
        assert result.error.startswith("Phải là số nguyên")
        assert result.warning is None


def test_fraction_refusal_keeps_the_separator_hint():
    assert "1.234" in parse_number("1,234", integer=True).error


@given(st.integers(min_value=-10**15, max_value=10**15))
def test_parse_reads_what_format_writes_integers(n):
    result = parse_number(format_number(n))
    assert (result.value, result.code) == (n, None)


@given(st.integers(min_value=-10**9, max_value=10**9), st.integers(min_value=1, max_value=99))
def test_parse_reads_what_format_writes_decimals(whole, hundredths):
    x = Decimal(whole) + Decimal(hundredths).scaleb(-2) * (1 if whole >= 0 else -1)
    result = parse_number(format_number(x, 2))
    assert result.code is None
    assert Decimal(str(result.value)) == x


def test_messages_have_full_diacritics():
    # A message typed without diacritics would read as garbage to an officer.
    for key, message in MESSAGES.items():
        assert not message.isascii(), key


# --- issue 9: reading ---

@pytest.mark.parametrize("raw, value", [
    (90 * 0.7, 63), (62.99999999999999, 63), (63.0000000001, 63), (-2.0000000000001, -2),
    (62.5, 62.5), (63.001, 63.001),
])
def test_a_value_within_1e9_of_a_whole_number_is_that_number(raw, value):
    parsed = parse_number(raw, integer=True) if value == int(value) else parse_number(raw)
    assert parsed.value == value and parsed.error is None
    assert type(parsed.value) is type(value)
    assert whole_if_near(raw) == value


@pytest.mark.parametrize("raw, shown", [
    (62.99999999999999, "63"), (12.5, "12,5"), (2 / 3, "0,667"), (1234, "1.234"),
    (1234.5, "1.234,5"), (0.1 + 0.2, "0,3"), (-2, "-2"),
])
def test_show_number_never_prints_six_decimals(raw, shown):
    assert show_number(raw) == shown
