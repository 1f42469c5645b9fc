import importlib.util
import unicodedata
from pathlib import Path

import pandas as pd
import pytest

from mdplan_core.geography import GEOGRAPHY_DIR, load_geography
from mdplan_core.places import PLACES_DIR, full_name, load_places

ROOT = Path(__file__).resolve().parent.parent
DAYS = ["2017-06-01", "2020-01-31", "2020-02-01", "2023-04-10", "2025-06-30", "2025-07-01", "2026-01-01"]
THAI_NGUYEN_2025 = "19@2025-07-01"
# Abolished in 2020 into a neighbour that the curated list could not name (changes_2020.csv).
BACKAN_UNKNOWN_2020 = {"02164", "02182"}


@pytest.fixture(scope="module")
def tree():
    return load_places()


def curated(name: str) -> pd.DataFrame:
    return pd.read_csv(GEOGRAPHY_DIR / name, dtype=str, keep_default_na=False)


def test_backan_2017_from_the_tree_is_the_curated_list(tree):
    communes = tree.within("Bắc Kạn", "commune", "2017-06-01")
    got = communes[["code", "name", "type", "parent_code"]].reset_index(drop=True)
    want = curated("communes_2017.csv").rename(columns={"district_code": "parent_code"})
    pd.testing.assert_frame_equal(got, want, check_dtype=False)
    districts = tree.within("06", "district", "2017-06-01")
    assert list(districts.apply(full_name, axis=1)) == list(curated("districts.csv")["name"])
    assert list(districts["type"]) == list(curated("districts.csv")["type"])


def test_geography_of_any_year_agrees_with_the_tree(tree):
    for year in (2017, 2019, 2020, 2023, 2024):
        geo = load_geography(year).communes
        mine = tree.within("06", "commune", f"{year}-12-31")
        assert list(geo["code"]) == list(mine["code"])
        assert list(geo["name"]) == list(mine["name"])
        assert list(geo["place_code"]) == list(mine["parent_code"])


def test_the_2020_mergers_apply_from_2020_02_01(tree):
    before = tree.within("Bắc Kạn", "commune", "2020-01-31")
    after = tree.within("Bắc Kạn", "commune", "2020-02-01")
    assert (len(before), len(after)) == (122, 108)
    assert tree.get("01960", "2020-01-31")["name"] == "Lãng Ngâm"
    assert tree.get("01960", "2020-02-01")["name"] == "Hiệp Lực"
    assert tree.get("01966", "2020-02-01") is None
    merged = tree.successors("01966", "2017-06-01", "2020-02-01")  # Hương Nê
    assert list(merged["id"]) == ["01960@2020-02-01"] and list(merged["share"]) == ["whole"]
    assert set(tree.predecessors("01960", "2020-02-01", "2019-12-31")["name"]) == {"Lãng Ngâm", "Hương Nê"}


def test_van_tung_became_a_town_on_2023_04_10(tree):
    assert tree.get("01954", "2023-04-09")["type"] == "xã"
    assert tree.get("01954", "2023-04-10")["type"] == "thị trấn"
    assert load_geography(2020).communes.set_index("code").at["01954", "type"] == "xã"
    assert load_geography(2023).communes.set_index("code").at["01954", "type"] == "thị trấn"


def test_backan_has_no_districts_from_2025_07_01_and_its_communes_lead_to_thai_nguyen(tree):
    assert len(tree.within("Bắc Kạn", "district", "2025-06-30")) == 8
    assert tree.province("Bắc Kạn", "2025-07-01") is None
    assert tree.within("Bắc Kạn", "district", "2025-07-01").empty
    assert tree.within("Thái Nguyên", "district", "2025-07-01").empty
    walk = tree.crosswalk("Bắc Kạn", "commune", "2017-06-01", "2026-01-01")
    assert walk["from_code"].nunique() == 122
    lost = set(walk.loc[walk["to_id"] == "", "from_code"])
    assert lost == BACKAN_UNKNOWN_2020
    found = walk[walk["to_id"] != ""]
    assert set(tree.places.loc[found["to_id"], "parent_id"]) == {THAI_NGUYEN_2025}
    # Phùng Chí Kiên's code 01843 is reused by the new phường Bắc Kạn, which it joined.
    became = tree.successors("01843", "2017-06-01", "2026-01-01")
    assert list(became.apply(full_name, axis=1)) == ["Phường Bắc Kạn"]
    came_from = tree.predecessors("01843", "2026-01-01", "2017-06-01")
    assert set(came_from["name"]) == {"Sông Cầu", "Phùng Chí Kiên", "Nông Thượng", "Xuất Hóa"}
    assert set(came_from["share"]) == {"whole"}


def test_a_divided_commune_names_its_main_successor(tree):
    divided = tree.successions[tree.successions["kind"] == "divided"]
    old = divided["from_id"].iloc[0]
    parts = tree.successors(old, "2025-06-30", "2025-07-01")
    assert len(parts) >= 2
    assert sorted(parts["share"]) == ["main"] + ["part"] * (len(parts) - 1)


def test_hanoi_has_126_communes_and_wards_in_2026(tree):
    hanoi = tree.within("Thành phố Hà Nội", "commune", "2026-01-01")
    assert hanoi["type"].value_counts().to_dict() == {"xã": 75, "phường": 51}
    assert "Hoàn Kiếm" in set(hanoi["name"])


@pytest.mark.parametrize("day, provinces", [("2017-06-01", 63), ("2025-06-30", 63), ("2025-07-01", 34),
                                           ("2026-01-01", 34)])
def test_63_provinces_before_the_reform_and_34_after(tree, day, provinces):
    assert (tree.on(day)["level"] == "province").sum() == provinces


def test_on_any_day_codes_are_unique_and_every_parent_is_in_force(tree):
    assert tree.places["id"].is_unique
    for day in DAYS:
        here = tree.on(day)
        assert here["code"].is_unique, day
        children = here[here["level"] != "province"]
        assert children["parent_id"].isin(here.index).all(), day


def test_successions_join_a_record_that_ends_to_one_in_force_that_day(tree):
    s = tree.successions
    old, new = tree.places.loc[s["from_id"]], tree.places.loc[s["to_id"]]
    assert (old["valid_to"].to_numpy() == s["date"].to_numpy()).all()
    assert (new["valid_from"].to_numpy() <= s["date"].to_numpy()).all()
    # Every commune of 2025-06-30 went somewhere on 2025-07-01.
    last = tree.on("2025-06-30")
    assert last[last["level"] == "commune"].index.isin(s["from_id"]).all()


def test_find_a_province_by_code_or_name(tree):
    for text in ("6", "06", "Bắc Kạn", "tỉnh Bắc Kạn", "TINH BAC KAN"):
        assert tree.province(text, "2017-06-01")["id"] == "06", text
    assert tree.province("Hà Nội", "2026-01-01")["id"] == "01"
    assert tree.province("Thái Nguyên", "2017-06-01")["id"] == "19"
    assert tree.province("Thái Nguyên", "2026-01-01")["id"] == THAI_NGUYEN_2025
    assert tree.province("Atlantis", "2026-01-01") is None
    with pytest.raises(ValueError):
        tree.successors("01843", "2026-01-01", "2017-06-01")


def test_names_are_nfc_with_full_diacritics(tree):
    names = tree.places["name"]
    assert (names == names.map(lambda n: unicodedata.normalize("NFC", n))).all()
    assert not names.str.contains("  ").any()
    # The type word is not part of the name, except in a real name: phường Phường Đúc (Huế).
    assert set(names[names.str.match(r"(?i)(xã|phường|thị trấn|huyện|quận|tỉnh) ")]) == {"Phường Đúc"}
    assert full_name(tree.get("01", "2026-01-01")) == "Thành phố Hà Nội"
    assert full_name(tree.get("061", "2017-06-01")) == "Huyện Ba Bể"


def test_the_committed_files_are_what_the_script_writes():
    spec = importlib.util.spec_from_file_location("build_places", ROOT / "scripts" / "build_places.py")
    build_places = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build_places)
    frames, notes = build_places.build()
    for name, text in build_places.rendered(frames).items():
        assert (PLACES_DIR / name).read_text(encoding="utf-8") == text, f"run scripts/build_places.py ({name})"
    # The curated Bắc Kạn list and the package agree on 2025-06-30 but for one spelling.
    assert notes == ["01978: curated xã Sĩ Bình (063), package xã Sỹ Bình (063)"]
