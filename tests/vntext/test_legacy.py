"""Tests for mdplan_core.vntext.legacy: TCVN3 and VNI text, by font name or detected."""
from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mdplan_core.vntext.legacy import (
    detect_legacy,
    fix_legacy,
    legacy_font_encoding,
    tcvn3_to_unicode,
    unicode_to_tcvn3,
    unicode_to_vni,
    vni_to_unicode,
)
from mdplan_core.vntext.normalise import nfc
from tests.vntext.words import REAL_PHRASES, REAL_WORDS, VIET_LOWER, VIET_UPPER, nfd, some_words


@pytest.mark.parametrize("font, expected", [
    (".VnTime", "tcvn3"), (".VnTimeH", "tcvn3"), (".VnArial", "tcvn3"), (" .VnArial NarrowH", "tcvn3"),
    ("VNI-Times", "vni"), ("VNI-Helve", "vni"), ("vni-times", "vni"),
    ("Times New Roman", None), ("Arial", None), ("", None), (None, None), ("VnTime", None),
])
def test_legacy_font_encoding(font, expected):
    assert legacy_font_encoding(font) == expected


# Spot checks against the published tables (TCVN 5712:1993 VN3; VNI Windows).
@pytest.mark.parametrize("letter, code", [
    ("à", "µ"), ("ả", "¶"), ("ã", "·"), ("á", "¸"), ("ạ", "¹"), ("ă", "¨"), ("ặ", "Æ"),
    ("â", "©"), ("ấ", "Ê"), ("ê", "ª"), ("ể", "Ó"), ("ệ", "Ö"), ("ị", "Þ"), ("ô", "«"),
    ("ổ", "æ"), ("ơ", "¬"), ("ợ", "î"), ("ư", "\xad"), ("ứ", "ø"), ("ự", "ù"), ("ỵ", "þ"),
    ("đ", "®"), ("Ă", "¡"), ("Â", "¢"), ("Ê", "£"), ("Ô", "¤"), ("Ơ", "¥"), ("Ư", "¦"), ("Đ", "§"),
])
def test_tcvn3_table(letter, code):
    assert unicode_to_tcvn3(letter) == code
    assert tcvn3_to_unicode(code) == letter


@pytest.mark.parametrize("letter, code", [
    ("á", "aù"), ("à", "aø"), ("ả", "aû"), ("ã", "aõ"), ("ạ", "aï"), ("ă", "aê"), ("â", "aâ"),
    ("ắ", "aé"), ("ằ", "aè"), ("ẳ", "aú"), ("ẵ", "aü"), ("ặ", "aë"), ("ấ", "aá"), ("ầ", "aà"),
    ("ẩ", "aå"), ("ẫ", "aã"), ("ậ", "aä"), ("ệ", "eä"), ("ố", "oá"), ("í", "í"), ("ì", "ì"),
    ("ỉ", "æ"), ("ĩ", "ó"), ("ị", "ò"), ("ỵ", "î"), ("ý", "yù"), ("đ", "ñ"), ("Đ", "Ñ"),
    ("ơ", "ô"), ("ư", "ö"), ("Ơ", "Ô"), ("Ư", "Ö"), ("ớ", "ôù"), ("ừ", "öø"), ("Ấ", "AÁ"),
])
def test_vni_table(letter, code):
    assert unicode_to_vni(letter) == code
    assert vni_to_unicode(code) == letter


@pytest.mark.parametrize("unicode_text, tcvn3, vni", [
    ("Huyện Ba Bể", "HuyÖn Ba BÓ", "Huyeän Ba Beå"),
    ("Thành phố Bắc Kạn", "Thµnh phè B¾c K¹n", "Thaønh phoá Baéc Kaïn"),
    ("Tổ chức tuyên truyền", "Tæ chøc tuyªn truyÒn", "Toå chöùc tuyeân truyeàn"),
    ("Sở Lao động - Thương binh và Xã hội", "Së Lao ®éng - Th\xad¬ng binh vµ X· héi",
     "Sôû Lao ñoäng - Thöông binh vaø Xaõ hoäi"),
    ("Nguyễn Thị Minh Khai", "NguyÔn ThÞ Minh Khai", "Nguyeãn Thò Minh Khai"),
    ("Đội kiểm tra liên ngành 178", "§éi kiÓm tra liªn ngµnh 178", "Ñoäi kieåm tra lieân ngaønh 178"),
    ("Chợ Đồn", "Chî §ån", "Chôï Ñoàn"),
    ("Ngân Sơn", "Ng©n S¬n", "Ngaân Sôn"),
])
def test_real_phrases_convert_and_are_detected(unicode_text, tcvn3, vni):
    assert unicode_to_tcvn3(unicode_text) == tcvn3
    assert unicode_to_vni(unicode_text) == vni
    assert tcvn3_to_unicode(tcvn3) == unicode_text
    assert vni_to_unicode(vni) == unicode_text
    assert detect_legacy(tcvn3) == "tcvn3"
    assert detect_legacy(vni) == "vni"
    assert fix_legacy(tcvn3) == (unicode_text, "tcvn3")
    assert fix_legacy(vni) == (unicode_text, "vni")
    for proper in (unicode_text, nfd(unicode_text), unicode_text.upper()):
        assert detect_legacy(proper) is None
        assert fix_legacy(proper) == (nfc(proper), None)


@pytest.mark.parametrize("unicode_text", REAL_PHRASES)
def test_upper_case_phrases(unicode_text):
    upper = unicode_text.upper()
    h_font = unicode_to_tcvn3(upper, upper=True)  # as typed in .VnTimeH
    assert tcvn3_to_unicode(h_font, upper=True) == upper
    assert fix_legacy(h_font, ".VnTimeH") == (upper, "tcvn3")
    assert detect_legacy(h_font) == "tcvn3"
    assert fix_legacy(h_font) == (upper, "tcvn3")  # all-capital Latin letters imply an H font
    vni = unicode_to_vni(upper)
    assert vni_to_unicode(vni) == upper
    assert detect_legacy(vni) == "vni"
    assert fix_legacy(vni, "VNI-Helve") == (upper, "vni")


def test_tcvn3_cannot_write_toned_capitals_in_a_plain_font():
    with pytest.raises(ValueError):
        unicode_to_tcvn3("Ủy ban")
    assert unicode_to_tcvn3("Ủy ban", upper=True) == "ñY BAN"


def test_vni_reading_tolerates_modifier_case():
    assert vni_to_unicode("Aù") == "Á"
    assert vni_to_unicode("aÙ") == "á"


@pytest.mark.parametrize("text, font, expected", [
    ("Huyeän Ba Beå", ".VnTime", (tcvn3_to_unicode("Huyeän Ba Beå"), "tcvn3")),  # font wins
    ("HuyÖn Ba BÓ", "VNI-Times", (vni_to_unicode("HuyÖn Ba BÓ"), "vni")),
    ("Huyện Ba Bể", ".VnTime", ("Huyện Ba Bể", None)),  # pasted Unicode keeps the old font
    ("Ba Be 2017", ".VnTime", ("Ba Be 2017", None)),
    ("Ba Be", ".VnTimeH", ("BA BE", "tcvn3")),
    ("HuyÖn Ba BÓ", "Times New Roman", ("Huyện Ba Bể", "tcvn3")),
    ("Kế hoạch", None, ("Kế hoạch", None)),
    ("plain ascii", None, ("plain ascii", None)),
    (None, ".VnTime", (None, None)),
    (42, None, (42, None)),
])
def test_fix_legacy(text, font, expected):
    assert fix_legacy(text, font) == expected


@pytest.mark.parametrize("text", [
    "", "abc", "Kế hoạch số 1180/QĐ-UBND", "Café 3×4 ©2017 ½", "Hoàng Toán Khoá Hoãn Toà án quá",
    "Tây Bà Cà Mau Chí Vân Quý Xuân", nfd("Xuân Hoà"), "Nestlé", 17,
])
def test_detect_legacy_leaves_other_text_alone(text):
    assert detect_legacy(text) is None


_vni_alphabet = VIET_LOWER + VIET_UPPER + list("ABCXYZabcxyz019 .,-/()")
_tcvn3_alphabet = VIET_LOWER + list("ĂÂÊÔƠƯĐ") + list("ABCXYZabcxyz019 .,-/()")
_tcvn3_upper_alphabet = VIET_UPPER + list("019 .,-/()")


@given(st.text(alphabet=_vni_alphabet, max_size=40))
def test_vni_round_trip(text):
    assert vni_to_unicode(unicode_to_vni(text)) == nfc(text)


@given(st.text(alphabet=_tcvn3_alphabet, max_size=40))
def test_tcvn3_round_trip(text):
    assert tcvn3_to_unicode(unicode_to_tcvn3(text)) == nfc(text)


@given(st.text(alphabet=_tcvn3_upper_alphabet, max_size=40))
def test_tcvn3_upper_font_round_trip(text):
    assert tcvn3_to_unicode(unicode_to_tcvn3(text, upper=True), upper=True) == nfc(text)


@settings(max_examples=300)
@given(words=some_words, case=st.sampled_from([str.upper, str.lower, str.title, str]),
       form=st.sampled_from(["NFC", "NFD"]), tail=st.sampled_from(["", " 178", ", 2017.", " - 12,5%"]))
def test_detect_legacy_never_fires_on_unicode_vietnamese(words, case, form, tail):
    text = unicodedata.normalize(form, case(" ".join(words)) + tail)
    assert detect_legacy(text) is None
    assert fix_legacy(text) == (nfc(text), None)


def test_every_real_word_is_left_alone():
    for word in REAL_WORDS:
        for form in (word, word.upper(), word.lower(), nfd(word)):
            assert detect_legacy(form) is None, form
