"""Tests for mdplan_core.vntext: Vietnamese text, names, legacy fonts, numbers, dates."""
from __future__ import annotations

import unicodedata
from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from mdplan_core import vntext
from mdplan_core.vntext import (
    NameResolver,
    compact_key,
    detect_legacy,
    fix_legacy,
    format_date,
    format_datetime,
    format_number,
    format_percent,
    legacy_font_encoding,
    match_key,
    nfc,
    parse_date,
    parse_number,
    tcvn3_to_unicode,
    unicode_to_tcvn3,
    unicode_to_vni,
    vni_to_unicode,
)


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


# Real words and names: Bắc Kạn units (GSO list), agencies and words of the plan.
REAL_WORDS = """
Thành phố Bắc Kạn Huyện Pác Nặm Ba Bể Ngân Sơn Bạch Thông Chợ Đồn Chợ Mới Na Rì
Nguyễn Thị Minh Khai Sông Cầu Đức Xuân Phùng Chí Kiên Huyền Tụng Dương Quang Nông Thượng
Xuất Hóa Bằng Thành Nhạn Môn Bộc Bố Công Bằng Giáo Hiệu Xuân La An Thắng Cổ Linh
Nghiên Loan Cao Tân Chợ Rã Bành Trạch Phúc Lộc Hà Hiệu Cao Trĩ Khang Ninh Nam Mẫu
Thượng Giáo Địa Linh Yến Dương Chu Hương Quảng Khê Mỹ Phương Hoàng Trĩ Đồng Phúc
Nà Phặc Thượng Ân Bằng Vân Cốc Đán Trung Hoà Đức Vân Vân Tùng Thượng Quan Lãng Ngâm
Thuần Mang Hương Nê Phủ Thông Phương Linh Vi Hương Sĩ Bình Vũ Muộn Đôn Phong Tú Trĩ
Lục Bình Tân Tiến Quân Bình Nguyên Phúc Cẩm Giàng Mỹ Thanh Quang Thuận Bằng Lũng
Xuân Lạc Nam Cường Đồng Lạc Tân Lập Bản Thi Quảng Bạch Yên Thịnh Rã Bản Đông Viên
Lương Bằng Đại Sảo Nghĩa Tá Phong Huân Yên Mỹ Bình Trung Yên Nhuận Thanh Vận Mai Lạp
Hoà Mục Cao Kỳ Nông Hạ Yên Cư Như Cố Bình Văn Yên Đĩnh Quảng Chu Yến Lạc Vũ Loan
Lạng San Kim Hỷ Văn Học Cường Lợi Kim Lư Ân Tình Lam Sơn Côn Minh Cư Lễ Hữu Thác
Hảo Nghĩa Xuân Dương Đổng Xá Liêm Thuỷ Sở Lao động Thương binh và Xã hội Công an tỉnh
Giáo dục Đào tạo Y tế Tư pháp Tài chính Văn hóa Thể thao Du lịch Thông tin Truyền thông
Ủy ban nhân dân Uỷ Mặt trận Tổ quốc Hội Liên hiệp Phụ nữ Đoàn Thanh niên Cộng sản Hồ
Viện Kiểm sát Tòa án Toà Đài Phát thanh Truyền hình Báo kế hoạch phòng chống mại dâm
năm tổ chức tuyên truyền lớp người học sinh mô hình cuộc kiểm tra giám sát đội liên
ngành xã phường thị trấn quý Hoàng Toán Khoá Hoãn Quyết định gì giữ gìn khuya quà
""".split()
REAL_PHRASES = [
    "Huyện Ba Bể", "Thành phố Bắc Kạn", "Tổ chức tuyên truyền",
    "Sở Lao động - Thương binh và Xã hội", "Nguyễn Thị Minh Khai",
    "Đội kiểm tra liên ngành 178", "Chợ Đồn", "Ngân Sơn",
]

# Every Vietnamese letter, lower and upper case.
_VOWEL_SHAPES = "aăâeêioôơuưy"
_TONE_MARKS = ["", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323"]
VIET_LOWER = sorted({unicodedata.normalize("NFC", v + t) for v in _VOWEL_SHAPES for t in _TONE_MARKS}
                    | set("bcdđghklmnpqrstvx"))
VIET_UPPER = sorted({c.upper() for c in VIET_LOWER})


# --- nfc, match_key, compact_key -------------------------------------------

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


_words = st.lists(st.sampled_from(REAL_WORDS), min_size=1, max_size=5)
_gaps = st.text(alphabet=" \t\u00a0", min_size=1, max_size=3)


@given(words=_words, gaps=st.lists(_gaps, min_size=6, max_size=6),
       case=st.sampled_from([str.upper, str.lower, str.title, str]),
       form=st.sampled_from(["NFC", "NFD"]))
def test_match_key_ignores_case_form_and_spacing(words, gaps, case, form):
    plain = " ".join(words)
    messy = gaps[0] + "".join(w + g for w, g in zip(words, gaps[1:])) + gaps[-1]
    messy = unicodedata.normalize(form, case(messy))
    assert match_key(messy) == match_key(plain)
    assert compact_key(messy) == match_key(plain).replace(" ", "")


# --- name resolution ---------------------------------------------------------

DISTRICTS = NameResolver([
    ("058", ["Thành phố Bắc Kạn", "Thị xã Bắc Kạn"]),
    ("060", ["Huyện Pác Nặm"]),
    ("061", ["Huyện Ba Bể"]),
    ("062", ["Huyện Ngân Sơn"]),
    ("063", ["Huyện Bạch Thông"]),
    ("064", ["Huyện Chợ Đồn"]),
    ("065", ["Huyện Chợ Mới"]),
    ("066", ["Huyện Na Rì"]),
], kind="district")

COMMUNES_058 = NameResolver([
    ("01834", ["Nguyễn Thị Minh Khai"]), ("01837", ["Sông Cầu"]), ("01840", ["Đức Xuân"]),
    ("01843", ["Phùng Chí Kiên"]), ("01846", ["Huyền Tụng"]), ("01849", ["Dương Quang"]),
    ("01852", ["Nông Thượng"]), ("01855", ["Xuất Hóa"]),
], kind="commune")

COMMUNES_MIXED = NameResolver([
    ("01861", ["Xuân La"]), ("01864", ["An Thắng"]), ("01879", ["Chợ Rã"]), ("01882", ["Bành Trạch"]),
], kind="commune")

AGENCIES = NameResolver([
    ("ldtbxh", ["Sở Lao động - Thương binh và Xã hội"]),
    ("ca", ["Công an tỉnh", "CA tỉnh"]),
    ("gddt", ["Sở Giáo dục và Đào tạo"]),
    ("yt", ["Sở Y tế"]),
    ("tc", ["Sở Tài chính"]),
    ("mttq", ["Ủy ban MTTQ tỉnh"]),
    ("ubnd", ["Ủy ban nhân dân tỉnh"]),
    ("lhpn", ["Hội Liên hiệp Phụ nữ tỉnh"]),
    ("vks", ["Viện Kiểm sát nhân dân tỉnh"]),
], kind="agency")


@pytest.mark.parametrize("typed, expected", [
    ("H. Ba Bể", "061"), ("H.Ba Bể", "061"), ("huyện Ba Bể", "061"), ("Ba Be", "061"),
    ("BA BỂ", "061"), ("  ba   bể ", "061"), (nfd("Ba Bể"), "061"), ("UBND huyện Ba Bể", "061"),
    ("Ủy ban nhân dân huyện Ba Bể", "061"), ("Uỷ ban nhân dân huyện Ba Bể", "061"),
    ("TP Bắc Kạn", "058"), ("TP. Bắc Kạn", "058"), ("Tp.Bắc Kạn", "058"), ("Thành phố Bắc Kạn", "058"),
    ("Thị xã Bắc Kạn", "058"), ("TX Bắc Kạn", "058"), ("TX. Bắc Kạn", "058"), ("Bac Kan", "058"),
    ("Chợ Đồn", "064"), ("Cho Don", "064"), ("huyen Cho Moi", "065"), ("Na Rì", "066"),
])
def test_district_resolves(typed, expected):
    result = DISTRICTS.resolve(typed)
    assert (result.status, result.id, result.candidates) == ("ok", expected, (expected,))
    assert result.ok and result.message == ""


@pytest.mark.parametrize("typed", ["", "   ", None, "\u200b"])
def test_blank_name_is_empty(typed):
    result = DISTRICTS.resolve(typed)
    assert (result.status, result.id, result.candidates) == ("empty", None, ())
    assert result.message == "Chưa nhập tên huyện."


@pytest.mark.parametrize("typed, candidate", [("Ba Vì", "061"), ("Ba Bê X", "061"), ("Cho Moy", "065")])
def test_unknown_name_suggests_close_candidates(typed, candidate):
    result = DISTRICTS.resolve(typed)
    assert result.status == "unknown" and result.id is None
    assert candidate in result.candidates
    assert result.message.startswith(f"Không nhận ra tên huyện '{typed}'. Có phải: ")
    assert DISTRICTS.name_of(candidate) in result.message


def test_unknown_without_candidates_says_so():
    result = DISTRICTS.resolve("Thái Nguyên")
    assert (result.status, result.candidates) == ("unknown", ())
    assert result.message == "Không nhận ra tên huyện 'Thái Nguyên'."


def test_prefix_alone_is_not_stripped_to_nothing():
    assert DISTRICTS.resolve("Huyện").status == "unknown"
    commune_called_xa = NameResolver([("1", ["Xã"])], kind="commune")
    assert commune_called_xa.resolve("Xã").id == "1"


@pytest.mark.parametrize("resolver, typed, expected", [
    (COMMUNES_058, "Xuất Hóa", "01855"), (COMMUNES_058, "Phường Xuất Hoá", "01855"),
    (COMMUNES_058, "X. Xuất Hóa", "01855"), (COMMUNES_058, "Phường Sông Cầu", "01837"),
    (COMMUNES_058, "P. Sông Cầu", "01837"), (COMMUNES_058, "P Sông Cầu", "01837"),
    (COMMUNES_058, "p.song cau", "01837"), (COMMUNES_058, "Phường Huyền Tụng", "01846"),
    (COMMUNES_058, "Huyền Tụng", "01846"), (COMMUNES_058, "Huyen Tung", "01846"),
    (COMMUNES_058, "P. Nguyễn Thị Minh Khai", "01834"), (COMMUNES_058, "xã Dương Quang", "01849"),
    (COMMUNES_MIXED, "Xuân La", "01861"), (COMMUNES_MIXED, "Xã Xuân La", "01861"),
    (COMMUNES_MIXED, "X Xuân La", "01861"), (COMMUNES_MIXED, "TT Chợ Rã", "01879"),
    (COMMUNES_MIXED, "TT. Chợ Rã", "01879"), (COMMUNES_MIXED, "Thị trấn Chợ Rã", "01879"),
])
def test_commune_resolves(resolver, typed, expected):
    assert resolver.resolve(typed).id == expected


def test_huyen_prefix_does_not_eat_huyen_tung():
    # "Huyền" is not "huyện": the commune keeps its first word.
    assert COMMUNES_058.resolve("Tụng").status == "unknown"


def test_same_key_for_two_ids_is_ambiguous():
    resolver = NameResolver([("01", ["Xuân La"]), ("02", ["Xã Xuân La"]), ("03", ["An Thắng"])],
                            kind="commune")
    result = resolver.resolve("xuan la")
    assert (result.status, result.id, result.candidates) == ("ambiguous", None, ("01", "02"))
    assert result.message == ("Tên xã/phường/thị trấn 'xuan la' khớp với nhiều mục: "
                              "Xuân La (mã 01), Xã Xuân La (mã 02). Hãy ghi tên đầy đủ hơn.")


def test_same_key_twice_for_one_id_is_fine():
    assert DISTRICTS.resolve("Bắc Kạn").id == "058"


@pytest.mark.parametrize("typed, expected", [
    ("Sở LĐ-TB&XH", "ldtbxh"), ("Sở LĐTBXH", "ldtbxh"), ("SLĐTBXH", "ldtbxh"),
    ("Sở Lao động - Thương binh và Xã hội", "ldtbxh"), ("Sở Lao động Thương binh Xã hội", "ldtbxh"),
    ("sở lao động, thương binh & xã hội", "ldtbxh"), ("CA tỉnh", "ca"), ("Công an tỉnh", "ca"),
    ("Sở GD&ĐT", "gddt"), ("Sở GDĐT", "gddt"), ("Sở Y tế", "yt"), ("Uỷ ban MTTQ tỉnh", "mttq"),
    ("UBMTTQ tỉnh", "mttq"), ("UBND tỉnh", "ubnd"), ("Hội LHPN tỉnh", "lhpn"),
    ("VKSND tỉnh", "vks"), ("Sở Tài chính", "tc"),
])
def test_agency_resolves_names_aliases_and_acronyms(typed, expected):
    assert AGENCIES.resolve(typed).id == expected


def test_full_name_beats_generated_acronym():
    resolver = NameResolver([("yt", ["Sở Y tế"]), ("other", ["SYT"])], kind="agency")
    assert resolver.resolve("SYT").id == "other"
    assert resolver.resolve("Sở Y tế").id == "yt"


def test_shared_acronym_is_ambiguous():
    resolver = NameResolver([("a", ["Sở Tài chính"]), ("b", ["Sở Tư chính"])], kind="agency")
    result = resolver.resolve("Sở TC")
    assert (result.status, result.candidates) == ("ambiguous", ("a", "b"))


def test_communes_get_no_acronyms():
    assert COMMUNES_058.resolve("NTMK").status == "unknown"


def test_bad_resolver_definitions_are_programmer_errors():
    with pytest.raises(ValueError):
        NameResolver([("1", ["Ba Bể"])], kind="province")
    with pytest.raises(ValueError):
        NameResolver([("1", [])])


# --- legacy encodings --------------------------------------------------------

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
@given(words=_words, case=st.sampled_from([str.upper, str.lower, str.title, str]),
       form=st.sampled_from(["NFC", "NFD"]), tail=st.sampled_from(["", " 178", ", 2017.", " - 12,5%"]))
def test_detect_legacy_never_fires_on_unicode_vietnamese(words, case, form, tail):
    text = unicodedata.normalize(form, case(" ".join(words)) + tail)
    assert detect_legacy(text) is None
    assert fix_legacy(text) == (nfc(text), None)


def test_every_real_word_is_left_alone():
    for word in REAL_WORDS:
        for form in (word, word.upper(), word.lower(), nfd(word)):
            assert detect_legacy(form) is None, form


# --- numbers -----------------------------------------------------------------

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
    assert parse_number(raw) == vntext.ParsedNumber(None, None, None, None)


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


# --- dates -------------------------------------------------------------------

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
    ("15/12/17", "date.not_a_date", "đủ 4 chữ số"),
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


# --- formatting --------------------------------------------------------------

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


def test_messages_have_full_diacritics():
    # A message typed without diacritics would read as garbage to an officer.
    for key, message in vntext.MESSAGES.items():
        assert not message.isascii(), key


# ---------------------------------------------------------------------------
# Control characters
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("Lớp 1\x0bLớp 2", "Lớp 1\nLớp 2"),  # Word's Shift+Enter, pasted into Excel
    ("a\x0cb", "a\nb"), ("a\x85b", "a\nb"), ("a\u2028b\u2029c", "a\nb\nc"),
    ("a\r\nb", "a\nb"), ("a\rb", "a\nb"), ("a\r\n\r\nb", "a\n\nb"),
    ("a\x1b[31mb", "a[31mb"), ("a\x00b", "ab"), ("a\x7fb\x80c\x9fd", "abcd"),
    ("tab\tand\nnewline stay", "tab\tand\nnewline stay"),
    ("Bắc Kạn", "Bắc Kạn"), ("", ""),
])
def test_clean_text(text, expected):
    assert vntext.clean_text(text) == expected


def test_clean_text_on_one_line_and_on_non_text():
    assert vntext.clean_text("bao\x00cao\r\n2017.xlsx", single_line=True) == "baocao 2017.xlsx"
    assert vntext.clean_text("quan\ntri", single_line=True) == "quan tri"
    assert [vntext.clean_text(v) for v in (None, 3, 2.5)] == [None, 3, 2.5]


def test_dropped_controls_names_what_is_dropped_not_line_breaks():
    assert vntext.dropped_controls("a\x0b\x1bb\x00\x1b\r\n") == ["\x1b", "\x00"]
    assert vntext.dropped_controls("a\x0bb\r\nc") == [] == vntext.dropped_controls(None)
    assert vntext.show_codepoints(["\x1b", "\x00"]) == "U+001B, U+0000"


@settings(deadline=None)  # a shared machine: timing is no property of the function
@given(st.text(alphabet=st.characters(max_codepoint=0x3000)))
def test_clean_text_leaves_no_character_xml_or_postgresql_refuses(text):
    cleaned = vntext.clean_text(text)
    assert not ILLEGAL_CHARACTERS_RE.search(cleaned) and "\x00" not in cleaned and "\r" not in cleaned
    assert not any(0x7f <= ord(c) <= 0x9f or c in "\u2028\u2029" for c in cleaned)
    assert vntext.clean_text(cleaned) == cleaned
