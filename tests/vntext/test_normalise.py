"""Tests for mdplan_core.vntext.normalise: NFC, invisible characters, match keys."""
from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mdplan_core.vntext.normalise import compact_key, match_key, nfc
from tests.vntext.words import nfd, some_words


@pytest.mark.parametrize("raw, expected", [
    (None, None),
    (12, 12),
    (nfd("Bắc Kạn"), "Bắc Kạn"),
    ("Ba\u200b Bể\ufeff", "Ba Bể"),
    ("Chợ\u00a0Đồn", "Chợ Đồn"),
    ("Th\xad¬ng", "Th\xad¬ng"),  # soft hyphen is TCVN3's "ư": must survive
])
def test_nfc(raw, expected):
    assert nfc(raw) == expected


@pytest.mark.parametrize("raw, key, compact", [
    ("Bắc Kạn", "bac kan", "backan"),
    ("  BẮC   KẠN ", "bac kan", "backan"),
    (nfd("Đồng Phúc"), "dong phuc", "dongphuc"),
    ("Sở LĐ-TB&XH", "so ld tb xh", "soldtbxh"),
    ("1180/QĐ-UBND", "1180 qd ubnd", "1180qdubnd"),
    ("(Sông Cầu), P.", "song cau p", "songcaup"),
    ("Uỷ ban", "uy ban", "uyban"),
    ("Ủy ban", "uy ban", "uyban"),
    ("", "", ""),
    (None, "", ""),
])
def test_match_key(raw, key, compact):
    assert match_key(raw) == key
    assert compact_key(raw) == compact


_gaps = st.text(alphabet=" \t\u00a0", min_size=1, max_size=3)


@given(words=some_words, gaps=st.lists(_gaps, min_size=6, max_size=6),
       case=st.sampled_from([str.upper, str.lower, str.title, str]),
       form=st.sampled_from(["NFC", "NFD"]))
def test_match_key_ignores_case_form_and_spacing(words, gaps, case, form):
    plain = " ".join(words)
    messy = gaps[0] + "".join(w + g for w, g in zip(words, gaps[1:])) + gaps[-1]
    messy = unicodedata.normalize(form, case(messy))
    assert match_key(messy) == match_key(plain)
    assert compact_key(messy) == match_key(plain).replace(" ", "")
