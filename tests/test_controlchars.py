"""Tests for mdplan_core.controlchars: what typed text may hold once it is data."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from mdplan_core.controlchars import clean_text, dropped_controls, show_codepoints


@pytest.mark.parametrize("text, expected", [
    ("Lớp 1\x0bLớp 2", "Lớp 1\nLớp 2"),  # Word's Shift+Enter, pasted into Excel
    ("a\x0cb", "a\nb"), ("a\x85b", "a\nb"), ("a\u2028b\u2029c", "a\nb\nc"),
    ("a\r\nb", "a\nb"), ("a\rb", "a\nb"), ("a\r\n\r\nb", "a\n\nb"),
    ("a\x1b[31mb", "a[31mb"), ("a\x00b", "ab"), ("a\x7fb\x80c\x9fd", "abcd"),
    ("tab\tand\nnewline stay", "tab\tand\nnewline stay"),
    ("Bắc Kạn", "Bắc Kạn"), ("", ""),
])
def test_clean_text(text, expected):
    assert clean_text(text) == expected


def test_clean_text_on_one_line_and_on_non_text():
    assert clean_text("bao\x00cao\r\n2017.xlsx", single_line=True) == "baocao 2017.xlsx"
    assert clean_text("quan\ntri", single_line=True) == "quan tri"
    assert [clean_text(v) for v in (None, 3, 2.5)] == [None, 3, 2.5]


def test_dropped_controls_names_what_is_dropped_not_line_breaks():
    assert dropped_controls("a\x0b\x1bb\x00\x1b\r\n") == ["\x1b", "\x00"]
    assert dropped_controls("a\x0bb\r\nc") == [] == dropped_controls(None)
    assert show_codepoints(["\x1b", "\x00"]) == "U+001B, U+0000"


@settings(deadline=None)  # a shared machine: timing is no property of the function
@given(st.text(alphabet=st.characters(max_codepoint=0x3000)))
def test_clean_text_leaves_no_character_xml_or_postgresql_refuses(text):
    cleaned = clean_text(text)
    assert not ILLEGAL_CHARACTERS_RE.search(cleaned) and "\x00" not in cleaned and "\r" not in cleaned
    assert not any(0x7f <= ord(c) <= 0x9f or c in "\u2028\u2029" for c in cleaned)
    assert clean_text(cleaned) == cleaned
