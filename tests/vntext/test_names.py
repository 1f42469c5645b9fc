"""Tests for mdplan_core.vntext.names: typed names of places, agencies and units to ids."""
from __future__ import annotations

import pytest

from mdplan_core.vntext.names import MESSAGES, NameResolver, edit_distance, with_parent
from tests.vntext.words import nfd

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


def test_messages_have_full_diacritics():
    # A message typed without diacritics would read as garbage to an officer.
    for key, message in MESSAGES.items():
        assert not message.isascii(), key


# --- issue 9: reading ---

@pytest.mark.parametrize("typed", ["TTr. Chợ Rã", "TTr Chợ Rã", "T.T Chợ Rã", "T.T. Chợ Rã",
                                   "t.t Chợ Rã"])
def test_town_abbreviations_resolve(typed):
    assert COMMUNES_MIXED.resolve(typed).id == "01879"


@pytest.mark.parametrize("typed, parts", [
    ("xã Kim Hỷ, huyện Na Rì", [("xã Kim Hỷ", "huyện Na Rì"), ("huyện Na Rì", "xã Kim Hỷ")]),
    ("TT Bằng Lũng - Chợ Đồn", [("TT Bằng Lũng", "Chợ Đồn"), ("Chợ Đồn", "TT Bằng Lũng")]),
    ("Nam Mẫu (Ba Bể)", [("Nam Mẫu", "Ba Bể")]),
    ("Nam  Mẫu ( Ba Bể )", [("Nam Mẫu", "Ba Bể")]),
    ("Nam Mẫu", []), ("Nà Phặc-Ngân Sơn", []), ("a, b, c", []),
])
def test_a_name_written_with_its_parent_place_splits(typed, parts):
    assert with_parent(typed) == parts


def test_suggestions_are_a_typo_away_on_folded_names():
    communes = NameResolver([("01906", ["Khang Ninh"]), ("01915", ["Địa Linh"]),
                             ("01909", ["Nam Mẫu"]), ("02098", ["Hoà Mục"])], kind="commune")
    assert communes.resolve("Hòa Bình").candidates == ()
    assert communes.resolve("Hoa Muc X").candidates == ("02098",)
    assert communes.resolve("Nam Mẫn").candidates == ("01909",)
    assert communes.resolve("Đia Lính").id == "01915"  # diacritics alone are no typo


@pytest.mark.parametrize("a, b, distance", [("", "abc", 3), ("abc", "abc", 0), ("kitten", "sitting", 3),
                                            ("hoabinh", "dialinh", 3)])
def test_edit_distance(a, b, distance):
    assert edit_distance(a, b) == distance == edit_distance(b, a)
