"""Chart builders, and the progress tables made for them (month by month, per district).

Figures are checked through their data: trace values, colours, labels, the Vietnamese
number separators, and the sentence an empty chart shows. No images.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mdplan_core import charts, completeness, labels, progress
from mdplan_core.plan import load_plan
from mdplan_core.vntext import match_key
from tests.frames import NO_ALLOCATIONS, communes_frame, places_frame, values_frame

PLAN = load_plan()
JULY_20 = dt.date(2017, 7, 20)
DEC_31 = dt.date(2017, 12, 31)
BA_BE, TP = "061", "058"
BA_BE_COMMUNES = PLAN.communes.loc[PLAN.communes["place_code"] == BA_BE, "code"].tolist()
TP_COMMUNES = PLAN.communes.loc[PLAN.communes["place_code"] == TP, "code"].tolist()


VALUES = values_frame([
    ("ubnd_061", BA_BE, 1, 3, "CT1.1", 2), ("ubnd_061", BA_BE, 4, 6, "CT1.1", 2),
    ("ubnd_058", TP, 1, 6, "CT1.1", 1), ("sldtbxh", None, 4, 4, "CT1.1", 1),
    ("ubnd_061", BA_BE, 1, 3, "CT1.2", 1234), ("ubnd_058", TP, 1, 6, "CT4.1", 16),
    ("ubnd_061", BA_BE, 7, 9, "CT1.1", 3),  # ends after 20/07: not counted yet on that day
])
COMMUNES = communes_frame([
    ("ubnd_061", BA_BE, 1, 3, "CT1.3", BA_BE_COMMUNES[0]),
    ("ubnd_061", BA_BE, 4, 6, "CT1.3", BA_BE_COMMUNES[0]),  # named again: still one commune
    ("ubnd_061", BA_BE, 4, 6, "CT1.3", BA_BE_COMMUNES[1]),
    ("sldtbxh", None, 4, 4, "CT1.3", TP_COMMUNES[0]),         # a TP commune, named by an agency
])


# --- Progress month by month --------------------------------------------------------------------
def test_cumulative_by_month_sums_and_counts_communes_once():
    cum = progress.cumulative_by_month(PLAN, VALUES, COMMUNES, task=1)
    assert list(cum.columns) == ["indicator_code", "month", "month_end", "in_month", "actual"]
    assert set(cum["indicator_code"]) == {"CT1.1", "CT1.2", "CT1.3", "CT1.4", "CT1.5"}
    ct11 = cum[cum["indicator_code"] == "CT1.1"].set_index("month")
    assert ct11["in_month"].tolist() == [0, 0, 2, 1, 0, 3, 0, 0, 3, 0, 0, 0]
    assert ct11["actual"].tolist() == [0, 0, 2, 3, 3, 6, 6, 6, 9, 9, 9, 9]
    assert ct11.at[2, "month_end"] == pd.Timestamp("2017-02-28")
    ct13 = cum[cum["indicator_code"] == "CT1.3"].set_index("month")["actual"]
    assert (ct13[3], ct13[4], ct13[6], ct13[12]) == (1, 2, 3, 3)


def test_cumulative_by_month_for_one_district_and_up_to_a_date():
    ba_be = progress.cumulative_by_month(PLAN, VALUES, COMMUNES, indicator=["CT1.1", "CT1.3"],
                                         district=BA_BE, as_of=JULY_20)
    ct11 = ba_be[ba_be["indicator_code"] == "CT1.1"].set_index("month")["actual"]
    assert ct11[:6].tolist() == [0, 0, 2, 2, 2, 4]
    assert ct11[7:].isna().all()  # July has not ended on 20/07
    ct13 = ba_be[ba_be["indicator_code"] == "CT1.3"].set_index("month")["actual"]
    assert ct13[6] == 2  # the TP commune the agency named counts for TP, not Ba Bể
    tp = progress.cumulative_by_month(PLAN, VALUES, COMMUNES, indicator="CT1.3", district=TP)
    assert tp.set_index("month")["actual"][4] == 1


@settings(max_examples=30, deadline=None)
@given(reports=st.lists(st.tuples(st.sampled_from(["ubnd_061", "ubnd_058", "syt"]), st.integers(1, 12),
                                  st.integers(0, 11), st.integers(0, 50),
                                  st.sets(st.integers(0, 4), max_size=3)), max_size=8),
       month=st.integers(1, 12))
def test_cumulative_agrees_with_by_indicator_at_month_end(reports, month):
    districts = {"ubnd_061": BA_BE, "ubnd_058": TP, "syt": None}
    values, communes = [], []
    for unit, start, length, value, picked in reports:
        end = min(12, start + length)
        values.append((unit, districts[unit], start, end, "CT1.1", value))
        communes += [(unit, districts[unit], start, end, "CT1.3", BA_BE_COMMUNES[i]) for i in picked]
    v, c = values_frame(values), communes_frame(communes)
    cum = progress.cumulative_by_month(PLAN, v, c, indicator=["CT1.1", "CT1.3"]).set_index(
        ["indicator_code", "month"])
    month_end = cum.loc[("CT1.1", month), "month_end"].date()
    total = progress.by_indicator(PLAN, v, c, month_end).set_index("code")["actual"]
    assert cum.loc[("CT1.1", month), "actual"] == total["CT1.1"]
    assert cum.loc[("CT1.3", month), "actual"] == total["CT1.3"]


def test_pacing_by_month_follows_expected_to_date():
    pace = progress.pacing_by_month(PLAN, "CT4.1")  # task 4: June to December
    assert list(pace.columns) == ["indicator_code", "month", "month_end", "target", "expected"]
    task = PLAN.task(4).schedule
    expected = [progress.expected_to_date(15, task.start, task.end, d.date(), whole_units=True)  # cuộc
                for d in pace["month_end"]]
    assert pace["expected"].tolist() == pytest.approx(expected)
    assert pace["expected"].iloc[4] == 0 and pace["expected"].iloc[-1] == 15
    assert progress.pacing_by_month(PLAN, "CT1.5")["expected"].isna().all()


def test_overall_progress_caps_each_indicator_and_skips_qualitative():
    table = pd.DataFrame({"target": [10, 4, None, 2], "actual": [20.0, 1.0, 9.0, 0.0],
                          "expected": [5.0, 2.0, np.nan, 4.0]})
    assert progress.overall_progress(table) == pytest.approx((1 + 0.25 + 0) / 3)
    assert progress.overall_expected(table) == pytest.approx((0.5 + 0.5 + 1) / 3)
    assert np.isnan(progress.overall_progress(table.iloc[2:3]))


def test_district_matrix_uses_an_allocation_only_where_one_exists():
    allocations = pd.DataFrame({"indicator_code": ["CT1.1", "CT1.1", "CT1.5", "CT4.1"],
                                "place_code": [BA_BE, "064", BA_BE, "065"], "target": [5, 2, 3, 0]})
    m = progress.place_matrix(PLAN, VALUES, COMMUNES, allocations, JULY_20)
    assert list(m.columns) == progress.DISTRICT_MATRIX_COLUMNS
    assert len(m) == 8 * len(PLAN.indicators)
    cell = m.set_index(["place_code", "indicator_code"])
    assert cell.loc[(BA_BE, "CT1.1"), ["actual", "allocated", "basis"]].tolist() == [4, 5, "allocation"]
    assert cell.loc[(BA_BE, "CT1.1"), "value"] == pytest.approx(0.8)
    assert cell.loc[(TP, "CT1.1"), "basis"] == "share"
    assert pd.isna(cell.loc[(TP, "CT1.1"), "allocated"])
    assert cell.loc[(TP, "CT1.1"), "value"] == pytest.approx(1 / 6)  # 1 of the 6 classes so far
    assert cell.loc[("064", "CT1.1"), ["actual", "value"]].tolist() == [0, 0]
    assert cell.loc[(BA_BE, "CT1.5"), "basis"] == "share"  # a qualitative item has no target
    assert cell.loc[("065", "CT4.1"), "basis"] == "allocation"
    assert pd.isna(cell.loc[("065", "CT4.1"), "value"])  # allocated 0: no percentage
    assert cell.loc[(TP, "CT1.3"), "actual"] == 1  # commune counted where it lies
    assert (m["basis"] == "allocation").sum() == 3

    none = progress.place_matrix(PLAN, VALUES, COMMUNES, NO_ALLOCATIONS, JULY_20)
    assert (none["basis"] == "share").all() and none["allocated"].isna().all()



def test_province_level_row_holds_what_the_agencies_reported_outside_the_districts():
    m = progress.place_matrix(PLAN, VALUES, COMMUNES, NO_ALLOCATIONS, JULY_20)
    full = progress.with_province_level(m)
    assert list(full.columns) == progress.DISTRICT_MATRIX_COLUMNS
    assert len(full) == len(m) + len(PLAN.indicators)
    province = full[full["short_name"] == progress.PROVINCE_LEVEL].set_index("indicator_code")
    # CT1.1: 6 classes by 20/07, Ba Bể 4 and TP 1; Sở LĐTBXH's 1 class lies in no district.
    assert province.loc["CT1.1", ["actual", "province_actual"]].tolist() == [1, 6]
    assert province.loc["CT1.1", "value"] == pytest.approx(1 / 6)
    # CT1.3: the agency's commune lies in TP, so it counts there and the province row is 0.
    assert province.loc["CT1.3", "actual"] == 0
    assert province.loc["CT1.3", "basis"] == "share" and province["place_code"].isna().all()
    assert province.loc["CT4.1", "actual"] == 0
    assert pd.isna(province.loc["CT2.1", "value"])  # nothing anywhere: no share
    assert full.groupby("indicator_code")["share"].sum()[["CT1.1", "CT1.2", "CT1.3", "CT4.1"]].tolist() \
        == pytest.approx([1, 1, 1, 1])
    # Only districts reported: no row to add.
    districts_only = VALUES[VALUES["unit_code"] != "sldtbxh"]
    plain = progress.place_matrix(PLAN, districts_only, COMMUNES, NO_ALLOCATIONS, JULY_20)
    assert progress.with_province_level(plain).equals(plain)

# --- Charts ---------------------------------------------------------------------------------------
TABLE = progress.by_indicator(PLAN, VALUES, COMMUNES, JULY_20)
ALLOCATIONS = pd.DataFrame({"indicator_code": ["CT1.1"], "place_code": [BA_BE], "target": [5]})
MATRIX = progress.place_matrix(PLAN, VALUES, COMMUNES, ALLOCATIONS, JULY_20)
CT11 = MATRIX[MATRIX["indicator_code"] == "CT1.1"]
CUMULATIVE = progress.cumulative_by_month(PLAN, VALUES, COMMUNES, indicator="CT1.1", as_of=JULY_20)
PACING = progress.pacing_by_month(PLAN, "CT1.1")
HISTORY = pd.DataFrame({
    "unit_code": ["ubnd_061", "ubnd_061", "syt"], "year": [2017] * 3, "start_month": [1, 4, 1],
    "end_month": [3, 6, 3], "version": [1, 1, 1],
    "uploaded_at": pd.to_datetime(["2017-04-01 03:00", "2017-07-15 03:00", "2017-04-01 03:00"], utc=True)})
RATES = completeness.rates(completeness.report_status(PLAN, HISTORY, JULY_20))
MONTHLY = progress.cumulative_by_month(PLAN, VALUES, COMMUNES, indicator="CT1.1", district=BA_BE,
                                       as_of=DEC_31)

BUILDERS = {
    "indicator_bars": (lambda: charts.indicator_bars(TABLE, as_of=JULY_20),
                       lambda: charts.indicator_bars(TABLE.iloc[0:0])),
    "overall_gauge": (lambda: charts.overall_gauge(TABLE, as_of=JULY_20),
                      lambda: charts.overall_gauge(TABLE[TABLE["aggregation"] == "qualitative"])),
    "burnup": (lambda: charts.burnup(CUMULATIVE, PACING, "Lớp tuyên truyền", "lớp"),
               lambda: charts.burnup(CUMULATIVE.iloc[0:0], PACING.iloc[0:0], "Lớp", "lớp")),
    "district_heatmap": (lambda: charts.district_heatmap(MATRIX),
                         lambda: charts.district_heatmap(MATRIX.iloc[0:0])),
    "tile_map": (lambda: charts.tile_map(CT11, "Lớp tuyên truyền"),
                 lambda: charts.tile_map(CT11.assign(value=np.nan), "Lớp tuyên truyền")),
    "district_ranking": (lambda: charts.district_ranking(CT11),
                         lambda: charts.district_ranking(CT11.iloc[0:0])),
    "completeness_bars": (lambda: charts.completeness_bars(RATES),
                          lambda: charts.completeness_bars(completeness.rates(
                              completeness.report_status(PLAN, HISTORY, dt.date(2017, 2, 1))))),
    "place_ranking": (lambda: charts.place_ranking(places_frame(8, 1), level="commune", title="Lớp",
                                                   unit="lớp"),
                      lambda: charts.place_ranking(places_frame(0), level="commune", title="Lớp")),
    "monthly_bars": (lambda: charts.monthly_bars(MONTHLY, "Lớp tuyên truyền", "lớp", "Ba Bể"),
                     lambda: charts.monthly_bars(MONTHLY.assign(in_month=0.0), "Lớp", "lớp", "Ba Bể")),
}


@pytest.mark.parametrize("name", BUILDERS)
@pytest.mark.parametrize("which", [0, 1], ids=["data", "empty"])
def test_every_chart_writes_vietnamese_numbers_and_fits_its_container(name, which):
    fig = BUILDERS[name][which]()
    assert fig.layout.separators == ",."
    assert fig.layout.width is None and fig.layout.autosize is True
    assert 150 <= fig.layout.height <= 1200


@pytest.mark.parametrize("name", BUILDERS)
def test_a_chart_without_data_says_so_and_draws_no_axes(name):
    fig = BUILDERS[name][1]()
    assert len(fig.data) == 0
    assert [a.text for a in fig.layout.annotations] in (
        [charts.TEXT["no_data"]], [charts.TEXT["no_results"]], [charts.TEXT["nothing_due"]])
    note = fig.layout.annotations[0]
    assert (note.x, note.y, note.xref, note.yref, note.showarrow) == (0.5, 0.5, "paper", "paper", False)
    assert fig.layout.xaxis.visible is False and fig.layout.yaxis.visible is False


def _bars(fig):
    return {t.name: t for t in fig.data if t.type == "bar"}


def test_indicator_bars_colour_word_and_icon_per_status():
    fig = charts.indicator_bars(TABLE, as_of=JULY_20)
    bars = _bars(fig)
    statuses = dict(zip(TABLE["code"], TABLE["status"]))
    assert (statuses["CT1.1"], statuses["CT1.3"], statuses["CT4.1"]) == ("on_track", "behind", "met")
    for status in set(statuses.values()):
        trace = bars[labels.status_text(status)]
        assert trace.marker.color == labels.STATUS_COLORS[status]
        assert trace.orientation == "h"
    assert bars["● Đúng tiến độ"].x[0] == pytest.approx(6 / 10)
    behind = bars["▲ Chậm"]
    assert behind.x[0] == pytest.approx(3 / 10) and behind.y[0].startswith("<b>CT1.3</b>")
    assert bars["✓ Đạt"].x[0] == pytest.approx(1234 / 500)
    labels_trace = next(t for t in fig.data if t.type == "scatter" and t.mode == "text")
    texts = [t.strip("\u2002") for t in labels_trace.text]
    assert texts[0] == "6/10 lớp · 60% · ● Đúng tiến độ"
    assert texts[2] == "3/10 xã, phường, thị trấn · 30% · ▲ Chậm"
    assert texts[1] == "1.234/500 người · 246,8% · ✓ Đạt"
    assert texts[4] == "◊ Định tính · 0 mục"
    pace = next(t for t in fig.data if t.type == "scatter" and t.mode == "markers")
    assert pace.name == "Cần đạt đến 20/07/2017"
    ct11 = TABLE.set_index("code").loc["CT1.1"]
    assert pace.x[0] == pytest.approx(ct11["expected"] / 10)
    assert fig.layout.xaxis.tickformat == ".0%"
    assert list(fig.layout.yaxis.categoryarray)[0].startswith("<b>CT1.1</b>")


def test_overall_gauge():
    fig = charts.overall_gauge(TABLE, as_of=JULY_20)
    gauge = fig.data[0]
    assert gauge.value == pytest.approx(progress.overall_progress(TABLE) * 100)
    assert gauge.gauge.threshold.value == pytest.approx(progress.overall_expected(TABLE) * 100)
    state = "behind" if progress.overall_progress(TABLE) < progress.overall_expected(TABLE) else "on_track"
    assert gauge.gauge.bar.color == labels.STATUS_COLORS[state]
    assert labels.status_text(state) in fig.layout.annotations[0].text
    assert "✓ Đạt" in fig.layout.title.subtitle.text and "20/07/2017" in fig.layout.title.subtitle.text


def test_burnup_against_the_pacing_line():
    fig = charts.burnup(CUMULATIVE, PACING, "Lớp tuyên truyền", "lớp")
    actual = next(t for t in fig.data if t.name == charts.TEXT["burnup_actual"])
    pace = next(t for t in fig.data if t.name == charts.TEXT["burnup_pace"])
    assert list(actual.y) == [0, 0, 0, 2, 3, 3, 6]  # from 01/01 to the end of June
    assert pd.Timestamp(actual.x[0]) == pd.Timestamp("2017-01-01")
    assert pd.Timestamp(actual.x[-1]) == pd.Timestamp("2017-06-30")
    assert pace.y[-1] == 10 and len(pace.y) == 13
    assert "%{x|%d/%m/%Y}" in actual.hovertemplate and "lớp" in actual.hovertemplate
    assert any(s.y0 == 10 for s in fig.layout.shapes)  # the target line
    assert any("Chỉ tiêu: 10 lớp" == a.text for a in fig.layout.annotations)


def test_heatmap_labels_each_cell_with_what_it_measures():
    fig = charts.district_heatmap(MATRIX)
    by_name = {t.name: t for t in fig.data}
    allocation, share = by_name["phân bổ"], by_name["tổng tỉnh"]
    assert allocation.colorscale != share.colorscale
    rows, cols = list(allocation.y), list(allocation.x)
    r, c = rows.index("Ba Bể"), cols.index("CT1.1")
    assert allocation.text[r][c] == "80%*" and allocation.z[r][c] == pytest.approx(0.8)
    assert share.text[r][c] == "" and np.isnan(share.z[r][c])
    tp = rows.index("TP Bắc Kạn")
    assert share.text[tp][c] == "16,7%"
    assert "chưa có chỉ tiêu phân bổ" in share.customdata[tp][c]
    assert "phân bổ 5 lớp" in allocation.customdata[r][c]
    # Only the one allocated cell is on the allocation scale.
    assert sum(t != "" for line in allocation.text for t in line) == 1
    assert "chưa có" in by_name["no_data"].text[r][cols.index("CT2.1")]
    province = charts.district_heatmap(progress.with_province_level(MATRIX))
    share = {t.name: t for t in province.data}["tổng tỉnh"]
    assert list(share.y)[-1] == progress.PROVINCE_LEVEL
    assert share.text[-1][list(share.x).index("CT1.1")] == "16,7%"


def test_tile_map_places_districts_on_their_tiles():
    fig = charts.tile_map(CT11, "Lớp tuyên truyền")
    tiles = fig.data[-1]
    for d in PLAN.places.itertuples():
        text = tiles.text[d.tile_row][d.tile_col]
        assert text.startswith(f"<b>{d.short_name}</b><br>")
    ba_be = PLAN.places.set_index("code").loc[BA_BE]
    assert tiles.z[ba_be.tile_row][ba_be.tile_col] == pytest.approx(0.8)
    assert tiles.text[ba_be.tile_row][ba_be.tile_col] == "<b>Ba Bể</b><br>80%*"
    assert fig.layout.title.subtitle.text.count("tổng tỉnh") == 1  # said once, not per tile
    assert tiles.text[0][0] == ""  # no district there: nothing written
    assert fig.layout.yaxis.scaleanchor == "x"
    counts = charts.tile_map(MATRIX[MATRIX["indicator_code"] == "CT1.2"], "Người", value="actual")
    assert counts.data[-1].text[ba_be.tile_row][ba_be.tile_col] == "<b>Ba Bể</b><br>1.234"


def test_district_ranking_orders_districts_and_marks_allocations():
    fig = charts.district_ranking(CT11)
    bars = fig.data[0]
    assert list(bars.y[:2]) == ["Ba Bể", "TP Bắc Kạn"]
    assert list(bars.x[:2]) == [4, 1]
    assert bars.text[0] == "4 lớp · 80%*" and bars.text[1] == "1 lớp · 16,7%"
    assert fig.layout.xaxis.title.text.count("tổng tỉnh") == 1  # said once, under the bars
    marks = fig.data[1]
    assert list(marks.y) == ["Ba Bể"] and list(marks.x) == [5]


def test_completeness_bars_stack_on_time_late_missing():
    fig = charts.completeness_bars(RATES)
    bars = _bars(fig)
    assert list(bars) == ["✓ Đúng hạn", "▲ Nộp muộn", "✗ Chưa gửi"]
    for status, trace in zip(["on_time", "late", "missing"], bars.values()):
        assert trace.marker.color == labels.REPORT_STATUS_COLORS[status]
    assert bars["✗ Chưa gửi"].marker.pattern.shape == "/"  # not colour alone
    assert fig.layout.barmode == "stack"
    y = list(bars["✓ Đúng hạn"].y)
    assert y[-2:] == ["Sở Y tế", "UBND huyện Ba Bể"]  # fewest missing at the bottom
    i = y.index("UBND huyện Ba Bể")
    assert (bars["✓ Đúng hạn"].x[i], bars["▲ Nộp muộn"].x[i], bars["✗ Chưa gửi"].x[i]) == (1, 1, 0)
    assert "Quý II/2017" in bars["✗ Chưa gửi"].customdata[y.index("Sở Y tế")][1]
    assert fig.layout.title.text == "Tỷ lệ báo cáo: 5,6% đã gửi · 3,7% đúng hạn (54 báo cáo phải gửi)"


def test_monthly_bars_for_one_district():
    fig = charts.monthly_bars(MONTHLY, "Lớp tuyên truyền", "lớp", "Ba Bể")
    bars, line = fig.data
    assert list(bars.y) == [0, 0, 2, 0, 0, 2, 0, 0, 3, 0, 0, 0]
    assert list(line.y) == [0, 0, 0, 2, 2, 2, 4, 4, 4, 7, 7, 7, 7]  # from zero on 01/01
    assert list(bars.text) == ["", "", "2", "", "", "2", "", "", "3", "", "", ""]
    assert fig.layout.title.text == "Ba Bể: Lớp tuyên truyền"


def test_status_palette_is_the_okabe_ito_one():
    okabe_ito = {"#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7",
                 "#000000", "#999999"}
    assert set(labels.STATUS_COLORS.values()) <= okabe_ito
    assert set(labels.REPORT_STATUS_COLORS.values()) <= okabe_ito
    assert len(set(labels.STATUS_COLORS.values())) == len(labels.STATUS_COLORS)
    assert len(set(labels.REPORT_STATUS_COLORS.values())) == len(labels.REPORT_STATUS_COLORS)


# --- Places at any level: the ranked chart and the tile-map rule ----------------------------------
COMMUNES_126 = places_frame()  # 120 with a target of 10 (5 due), 6 without


def _by_status(fig):
    return {t.name: t for t in fig.data if t.type == "bar"}


def _written(fig) -> dict:
    """What each place's bar says, by place code."""
    trace = next(t for t in fig.data if t.type == "scatter" and t.mode == "text")
    return dict(zip(trace.y, (x.strip("\u2002") for x in trace.text)))


def test_place_ranking_of_126_communes_puts_the_best_on_top_and_draws_the_median():
    fig = charts.place_ranking(COMMUNES_126, level="commune", title="Lớp", unit="lớp")
    targeted = COMMUNES_126[COMMUNES_126["target"].notna()]
    ratio = targeted["actual"] / targeted["target"]
    order = list(fig.layout.yaxis.categoryarray)
    assert len(order) == 126 and set(order) == set(COMMUNES_126["place_code"])
    # Best first, ties by name without diacritics; the 6 places without a target come last.
    expected = (targeted.assign(r=ratio, key=targeted["place_name"].map(match_key))
                .sort_values(["r", "key"], ascending=[False, True])["place_code"].tolist())
    assert order[:120] == expected and set(order[120:]) == set(COMMUNES_126["place_code"][120:])
    ticks = dict(zip(fig.layout.yaxis.tickvals, fig.layout.yaxis.ticktext))
    assert len(ticks) == 126  # every place labelled, none left to plotly's thinning
    assert ticks[order[0]] == "1. " + COMMUNES_126.set_index("place_code").at[order[0], "place_name"]
    assert ticks["00017"].endswith(". Phường Hoàn Kiếm")  # the whole name, nothing cut
    assert ticks["00125"] == "Xã Số 125"  # no target of its own: no rank either
    median = float(ratio.median())
    assert median == pytest.approx(0.6)
    line = next(s for s in fig.layout.shapes if s.line.dash == "dash")
    assert line.x0 == line.x1 == pytest.approx(median)
    assert [a.text for a in fig.layout.annotations] == ["Trung vị toàn tỉnh: 60%"] * 2
    assert fig.layout.height == 190 + 22 * 127  # one row per place and one for the median's name
    assert fig.layout.title.subtitle.text.startswith("126 xã, phường · Trung vị toàn tỉnh: 60%")


def test_place_ranking_highlights_the_places_behind_pace_in_the_status_colour_and_word():
    fig = charts.place_ranking(COMMUNES_126, level="commune", title="Lớp", unit="lớp")
    bars = _by_status(fig)
    behind = bars[labels.status_text("behind")]
    assert behind.marker.color == labels.STATUS_COLORS["behind"]
    due = COMMUNES_126[COMMUNES_126["target"].notna() & (COMMUNES_126["actual"] < 5)]
    assert set(behind.y) == set(due["place_code"])
    assert bars[labels.status_text("met")].marker.color == labels.STATUS_COLORS["met"]
    assert set(bars[labels.status_text("met")].y) == set(
        COMMUNES_126.loc[COMMUNES_126["actual"] >= 10, "place_code"]) - set(COMMUNES_126["place_code"][120:])
    said = _written(fig)
    assert said["00001"] == "7/10 lớp · 70% · ● Đúng tiến độ"
    assert said["00002"] == "1/10 lớp · 10% · ▲ Chậm"
    assert said["00120"].endswith("chưa có chỉ tiêu phân bổ")
    assert f"{len(due)} ▲ Chậm" in fig.layout.title.subtitle.text
    pace = next(t for t in fig.data if t.type == "scatter" and t.mode == "markers")
    assert set(pace.x) == {0.5} and len(pace.y) == 120


def test_place_ranking_writes_numbers_the_vietnamese_way_and_names_the_level():
    places = pd.DataFrame({"place_code": ["058", "061"], "place_name": ["TP Bắc Kạn", "Ba Bể"],
                           "actual": [1234.0, 125.0], "target": [2000.0, 1000.0], "expected": [1000.0, 500.0]})
    fig = charts.place_ranking(places, level="district", title="Người", unit="người")
    text = list(_written(fig).values())
    assert text == ["1.234/2.000 người · 61,7% · ● Đúng tiến độ", "125/1.000 người · 12,5% · ▲ Chậm"]
    assert fig.layout.separators == ",." and fig.layout.xaxis.tickformat == ".0%"
    assert fig.layout.annotations[0].text == "Trung vị toàn tỉnh: 37,1%"
    assert fig.layout.title.subtitle.text.startswith("2 huyện · ")


def test_place_ranking_shows_the_top_or_bottom_few_against_the_median_of_all():
    top = charts.place_ranking(COMMUNES_126, level="commune", title="Lớp", unit="lớp", limit=10)
    full = charts.place_ranking(COMMUNES_126, level="commune", title="Lớp", unit="lớp")
    assert list(top.layout.yaxis.categoryarray) == list(full.layout.yaxis.categoryarray)[:10]
    low = charts.place_ranking(COMMUNES_126, level="commune", title="Lớp", unit="lớp", limit=10, lowest=True)
    # The 10 lowest of the places with a target, not the 6 without one.
    assert list(low.layout.yaxis.categoryarray) == list(full.layout.yaxis.categoryarray)[110:120]
    assert low.layout.title.subtitle.text.startswith("10 xã, phường thấp nhất trong 126")
    assert low.layout.annotations[0].text == "Trung vị toàn tỉnh: 60%"
    assert low.layout.height == 190 + 22 * 10 and len(low.layout.annotations) == 1


def test_place_ranking_without_targets_ranks_by_the_actual():
    places = COMMUNES_126.drop(columns=["target", "expected"])
    fig = charts.place_ranking(places, level="commune", title="Người", unit="người")
    (bars,) = [t for t in fig.data if t.type == "bar"]
    assert bars.marker.color == charts.ACTUAL and fig.layout.showlegend is False
    assert list(bars.x) == sorted(places["actual"], reverse=True)
    assert fig.layout.annotations[0].text == f"Trung vị toàn tỉnh: {places['actual'].median():.0f}"
    assert not any(t.mode == "markers" for t in fig.data if t.type == "scatter")


def test_place_ranking_of_overall_progress_writes_percentages_only():
    rows = progress.place_progress(PLAN, MATRIX, JULY_20)
    overall = progress.overall_by_place(rows)
    fig = charts.place_ranking(overall, level="district", title="Tiến độ chung")
    text = list(_written(fig).values())
    assert text[0].startswith("80% · ") and text[1] == "chưa có chỉ tiêu phân bổ"


def test_the_tile_map_is_kept_for_a_few_places_with_tiles_and_the_ranked_chart_used_otherwise():
    assert charts.uses_tile_map(CT11)  # Bắc Kạn's 8 districts
    assert not charts.uses_tile_map(CT11.assign(tile_row=np.nan))  # places without tiles
    assert not charts.uses_tile_map(COMMUNES_126)  # no tile columns at all
    many = pd.DataFrame({"place_code": range(16), "tile_row": range(16), "tile_col": 0})
    assert charts.uses_tile_map(many.iloc[:15]) and not charts.uses_tile_map(many)
    assert not charts.uses_tile_map(CT11.iloc[0:0])


# --- issue 9: charts ---
Q4 = pd.concat([VALUES, values_frame([("ubnd_061", BA_BE, 10, 12, "CT1.1", 4)])])


def _drawn_at(trace, i: int) -> pd.Timestamp:
    """Where plotly draws point `i` of a trace: a period-aligned point moves to its period's end."""
    x = pd.Timestamp(trace.x[i])
    if trace.xperiod == "M1" and trace.xperiodalignment == "end":
        return x.to_period("M").end_time
    return x


def test_the_drilldown_cumulative_line_draws_the_step_of_october_to_december():
    monthly = progress.cumulative_by_month(PLAN, Q4, COMMUNES, indicator="CT1.1", district=BA_BE, as_of=DEC_31)
    fig = charts.monthly_bars(monthly, "Lớp tuyên truyền", "lớp", "Ba Bể")
    line = next(t for t in fig.data if t.name == charts.TEXT["monthly_cumulative"])
    start, end = (pd.Timestamp(x) for x in fig.layout.xaxis.range)
    assert line.y[-1] == 11 and line.y[-2] == 7  # the Tháng 10–12 step, 7 -> 11
    assert _drawn_at(line, len(line.x) - 1) == pd.Timestamp("2017-12-31")
    assert start <= pd.Timestamp("2017-01-01") and end > pd.Timestamp("2017-12-31")
    assert all(start <= _drawn_at(line, i) <= end for i in range(len(line.x)))


def test_the_burnup_shows_the_whole_year_before_the_last_report():
    fig = charts.burnup(CUMULATIVE, PACING.iloc[0:0], "Lớp tuyên truyền", "lớp")  # actuals to June only
    start, end = (pd.Timestamp(x) for x in fig.layout.xaxis.range)
    assert start <= pd.Timestamp("2017-01-01") and end >= pd.Timestamp("2017-12-31")
    assert pd.Timestamp(fig.layout.xaxis.tickvals[-1]) == pd.Timestamp("2017-12-31")


def test_a_percentage_is_written_the_same_on_the_card_and_the_chart():
    from mdplan_core import views
    from mdplan_core.vntext import format_percent
    row = TABLE.set_index("code").loc["CT1.2"].rename("CT1.2")
    row["code"] = "CT1.2"
    card = views.indicator_card(row)
    shown = format_percent(row["pct_target"])
    assert shown == "246,8%" and f"đạt {shown}" in card.caption
    texts = next(t for t in charts.indicator_bars(TABLE).data if t.type == "scatter" and t.mode == "text").text
    assert any(f"· {shown} ·" in t for t in texts)
    rates = RATES[RATES["is_total"]].iloc[0]
    assert format_percent(rates["on_time_rate"]) in charts.completeness_bars(RATES).layout.title.text


def test_the_rounding_rule_lives_in_display():
    from mdplan_core.vntext import format_amount, format_percent
    assert [format_percent(x) for x in (1.188, 0.639, 1.0, 0.90849, None)] == ["118,8%", "63,9%", "100%", "90,8%", ""]
    assert [format_amount(x) for x in (1234, 1234.0, 7.44, 0.05, float("nan"))] == ["1.234", "1.234", "7,4", "0,1", ""]


def test_the_heatmap_heads_columns_with_short_names_and_says_tong_tinh_once():
    fig = charts.district_heatmap(progress.with_province_level(MATRIX))
    heads = dict(zip(fig.layout.xaxis.tickvals, fig.layout.xaxis.ticktext))
    assert heads["CT1.1"].startswith("<b>CT1.1</b><br>Lớp tuyên")
    assert all(len(line) <= 14 for h in heads.values() for line in h.split("<br>")[1:])
    cells = [t for trace in fig.data for line in trace.text for t in line]
    assert not any("tổng tỉnh" in t for t in cells)
    assert fig.layout.title.subtitle.text.count("tổng tỉnh") == 1
    assert "*" in fig.layout.title.subtitle.text  # the one allocated cell is marked and explained


def test_the_map_offers_only_indicators_with_place_data():
    drawn, left_out = charts.mappable(progress.with_province_level(MATRIX))
    assert drawn == ["CT1.1", "CT1.2", "CT1.3", "CT4.1"]
    assert {"CT1.4", "CT1.5", "CT5.1", "CT5.2"} <= set(left_out)
    only_agency = pd.concat([VALUES, values_frame([("sldtbxh", None, 4, 4, "CT1.5", 3)])])
    agency = progress.place_matrix(PLAN, only_agency, COMMUNES, NO_ALLOCATIONS, JULY_20)
    assert "CT1.5" not in charts.mappable(progress.with_province_level(agency))[0]


def _lines(text: str) -> list[str]:
    import re
    return [re.sub(r"<[^>]+>", "", line) for line in (text or "").split("<br>")]


def test_the_overall_gauge_reads_at_phone_width():
    fig = charts.overall_gauge(TABLE, as_of=JULY_20)
    gauge = fig.data[0]
    assert "number" not in gauge.mode  # no figure beside the bar to meet the pace mark
    assert tuple(gauge.domain.x) == (0.0, 1.0)
    [headline] = fig.layout.annotations
    assert headline.yref == "paper" and headline.y > gauge.domain.y[1]  # above the bar
    from mdplan_core.vntext import format_percent
    assert format_percent(progress.overall_progress(TABLE)) in headline.text
    texts = [fig.layout.title.text, fig.layout.title.subtitle.text, headline.text]
    assert all(len(line) <= 50 for text in texts for line in _lines(text))  # ~350 px of 12 px text


def test_the_drilldown_title_wraps_to_phone_width():
    fig = charts.monthly_bars(MONTHLY, "Lớp tuyên truyền về phòng, chống mại dâm", "lớp", "Thành phố Bắc Kạn")
    lines = fig.layout.title.text.split("<br>")
    assert len(lines) == 2 and all(len(line) <= 40 for line in lines)
    assert fig.layout.margin.t >= 52 + 22 + 22  # room for the second line
