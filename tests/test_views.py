"""views.plain: text shown through Streamlit's Markdown exactly as it was typed."""
import re

import pandas as pd
import pytest

from mdplan_core import charts, views
from mdplan_core.views import WORD_JOINER, places_table, plain
from tests.frames import places_frame

TYPED = [
    "![x](http://host/x.png)",
    "[bấm vào đây](https://example.vn) và <img src=x> :red[đỏ] $x^2$ **đậm** `mã`",
    "Báo cáo quý I - Ba Bể (bản 2).xlsx",
    "www.example.vn\\_a",
]


@pytest.mark.parametrize("text", TYPED)
def test_plain_reads_back_as_typed(text):
    shown = re.sub(r"\\(.)", r"\1", plain(text)).replace(WORD_JOINER, "")
    assert shown == text


@pytest.mark.parametrize("text", TYPED)
def test_plain_leaves_no_markdown_and_no_bare_address(text):
    out = plain(text)
    unescaped = re.sub(r"\\.", "", out)
    assert not re.search(r"[\\`*_{}\[\]()<>#+\-.!|~$:&]", unescaped)
    assert not re.search(r"(?<!\u2060)\b(https?://|www\.)", re.sub(r"\\(.)", r"\1", out), re.I)


# --- Places: the searchable table beside the ranked chart ------------------------------------------
def test_places_table_lists_126_communes_in_the_charts_order_with_vietnamese_labels():
    places = places_frame()
    table = places_table(places, level="commune", unit="lớp")
    assert list(table.columns) == ["Hạng", "Xã, phường", "Mã", "Thực hiện (lớp)", "Chỉ tiêu phân bổ (lớp)",
                                   "% chỉ tiêu", "Cần đạt đến nay (lớp)", "Trạng thái"]
    chart = charts.place_ranking(places, level="commune", title="Lớp", unit="lớp")
    assert table["Mã"].tolist() == list(chart.layout.yaxis.categoryarray)
    first = table.iloc[0]
    assert (first["Hạng"], first["% chỉ tiêu"], first["Trạng thái"]) == (1, "120%", "✓ Đạt")
    kiem = table.set_index("Mã").loc["00017"]
    assert kiem[["Xã, phường", "Thực hiện (lớp)", "Chỉ tiêu phân bổ (lớp)", "% chỉ tiêu"]].tolist() == [
        "Phường Hoàn Kiếm", "2", "10", "20%"]
    assert kiem["Trạng thái"] == "▲ Chậm"
    assert table.set_index("Mã").loc["00125", "Trạng thái"] == "Chưa có chỉ tiêu phân bổ"
    assert places_table(places, level="district", unit="lớp").columns[1] == "Huyện, thành phố"


def test_places_table_finds_a_commune_typed_without_diacritics_and_filters_those_behind():
    places = places_frame()
    for typed in ("hoan kiem", "HOÀN KIẾM", "Kiếm", "00017"):
        found = places_table(places, level="commune", unit="lớp", query=typed)
        assert found["Xã, phường"].tolist() == ["Phường Hoàn Kiếm"], typed
    assert places_table(places, level="commune", unit="lớp", query="không có").empty
    behind = places_table(places, level="commune", unit="lớp", behind_only=True)
    due = places[places["target"].notna() & (places["actual"] < 5)]
    assert set(behind["Mã"]) == set(due["place_code"]) and set(behind["Trạng thái"]) == {"▲ Chậm"}
    both = places_table(places, level="commune", unit="lớp", query="so", behind_only=True)
    assert set(both["Mã"]) == set(due["place_code"]) - {"00017"}  # all but Hoàn Kiếm hold "Số"/"Sóc"


def test_places_table_writes_thousands_and_decimals_the_vietnamese_way():
    places = pd.DataFrame({"place_code": ["058"], "place_name": ["TP Bắc Kạn"], "actual": [1234.0],
                           "target": [2000.0], "expected": [1000.5]})
    row = places_table(places, level="district", unit="người").iloc[0]
    assert row[["Thực hiện (người)", "Chỉ tiêu phân bổ (người)", "% chỉ tiêu", "Cần đạt đến nay (người)"]
               ].tolist() == ["1.234", "2.000", "61,7%", "1.000,5"]
    counts = places_table(places.drop(columns=["target", "expected"]), level="district", unit="người")
    assert list(counts.columns) == ["Hạng", "Huyện, thành phố", "Mã", "Thực hiện (người)"]


def test_indicator_cards_write_each_way_as_it_reads():
    row = pd.Series({"code": "CT1.1", "name": "Xã, phường tuyên truyền", "unit": "% xã, phường",
                     "aggregation": "share_of_places", "level": "commune", "target": 100,
                     "actual": 12.698, "expected": 92.6, "pct_target": 0.127, "status": "behind"})
    card = views.indicator_card(row)
    assert card.headline == "12,7% / 100% xã, phường"
    assert card.caption.endswith("cần đạt đến nay: 92,6%") and card.share == pytest.approx(0.127)
    count = views.indicator_card(pd.Series({**row.to_dict(), "unit": "người", "aggregation": "sum",
                                            "target": 5300, "actual": 4541, "expected": 4907.9,
                                            "pct_target": 0.857}))
    assert count.headline == "4.541 / 5.300 người" and count.caption.endswith("4.907,9")
    note = views.indicator_card(pd.Series({**row.to_dict(), "unit": "tin, bài", "aggregation": "qualitative",
                                           "target": None, "actual": 54, "status": "qualitative"}))
    assert (note.headline, note.share) == ("54 tin, bài", None)


# --- issue 9: admin ---
def test_rollback_changes_lists_what_differs_between_the_version_in_force_and_the_one_restored():
    from mdplan_core.plan import load_plan
    from mdplan_core.report import Period
    from mdplan_core.views import rollback_changes
    plan = load_plan()
    base = dict(unit_code="ubnd_061", start_month=1, end_month=3, text=None, note=None)
    values = pd.DataFrame([
        {**base, "submission_id": 1, "version": 1, "status": "superseded", "indicator_code": "CT1.1", "value": 2.0},
        {**base, "submission_id": 1, "version": 1, "status": "superseded", "indicator_code": "CT1.2", "value": 5.0},
        {**base, "submission_id": 2, "version": 2, "status": "in_force", "indicator_code": "CT1.1", "value": 3.0},
        {**base, "submission_id": 2, "version": 2, "status": "in_force", "indicator_code": "CT1.2", "value": 5.0},
    ])
    communes = pd.DataFrame(columns=["submission_id", "unit_code", "start_month", "end_month", "indicator_code",
                                     "commune_code"])
    out = rollback_changes(plan, values, communes, "ubnd_061", Period(2017, 1, 3), 1)
    assert list(out["Mã"]) == ["CT1.1"]
    assert out.iloc[0, 2:].tolist() == ["3", "2"]
    assert list(out.columns)[2:] == ["Đang có hiệu lực (lần nộp 2)", "Sau khi khôi phục (lần nộp 1)"]
    assert rollback_changes(plan, values, communes, "ubnd_061", Period(2017, 1, 3), 2).empty
