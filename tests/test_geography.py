from mdplan_core.geography import load_geography

EXPECTED_2017 = {"058": 8, "060": 10, "061": 16, "062": 11, "063": 17, "064": 22, "065": 16, "066": 22}
# Units per district after Resolution 855/NQ-UBTVQH14 (2020), as the reference list states.
EXPECTED_2020 = {"058": 8, "060": 10, "061": 15, "062": 10, "063": 14, "064": 20, "065": 14, "066": 17}


def test_2017_lists_8_districts_and_122_communes():
    geo = load_geography(2017)
    assert list(geo.places["code"]) == list(EXPECTED_2017)
    assert len(geo.communes) == 122
    assert geo.communes.groupby("place_code").size().to_dict() == EXPECTED_2017
    assert geo.communes["code"].is_unique
    assert set(geo.communes["type"]) == {"xã", "phường", "thị trấn"}
    assert geo.place_name("061") == "Huyện Ba Bể"


def test_tiles_are_distinct_cells():
    tiles = load_geography(2017).places[["tile_row", "tile_col"]]
    assert not tiles.duplicated().any()


def test_2020_list_applies_the_mergers():
    geo = load_geography(2020)
    assert geo.communes.groupby("place_code").size().to_dict() == EXPECTED_2020
    names = dict(zip(geo.communes["code"], geo.communes["name"]))
    assert names["01960"] == "Hiệp Lực"
    assert names["02086"] == "Đồng Tâm"
    assert "01966" not in names  # Hương Nê merged into Hiệp Lực
    # Vân Tùng became a thị trấn only on 2023-04-10.
    assert geo.communes.set_index("code").at["01954", "type"] == "xã"


def test_2019_is_still_the_2017_list():
    assert len(load_geography(2019).communes) == 122


def test_a_province_on_todays_map_has_its_communes_as_places_without_tiles():
    geo = load_geography(2026, "01", "commune")
    assert len(geo.places) == 126 and geo.places["tile_row"].isna().all()
    assert list(geo.places.columns) == ["code", "name", "type", "short_name", "tile_row", "tile_col"]
    assert (geo.communes["place_code"] == geo.communes["code"]).all()  # a commune reports for itself
