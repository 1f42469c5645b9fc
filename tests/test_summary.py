"""Summary: the year-end summary workbook, opened as staff open it, checked cell by cell
against the progress and completeness tables it is made from."""
from __future__ import annotations

import datetime as dt
import io
import zipfile

import openpyxl
import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

from mdplan_core import completeness, progress, summary
from mdplan_core.plan import load_plan
from mdplan_core.settings import LOCAL_TZ
from tests.frames import NO_ALLOCATIONS, communes_frame, values_frame

PLAN = load_plan()
VN = LOCAL_TZ
JULY_20, DEC_31 = dt.date(2017, 7, 20), dt.date(2017, 12, 31)
EXPORTED_AT = dt.datetime(2017, 12, 20, 2, 30, tzinfo=dt.UTC)  # 09:30 in Vietnam
BA_BE, TP = "061", "058"
BA_BE_COMMUNES = PLAN.communes.loc[PLAN.communes["place_code"] == BA_BE, "code"].tolist()
SHEETS = ["Theo chỉ tiêu", "Theo huyện", "Tình hình báo cáo", "Thông tin"]


def history_frame(*rows) -> pd.DataFrame:
    """Rows shaped like Store.history: (unit, start, end, uploaded at, in Vietnam time)."""
    frame = pd.DataFrame(
        [{"unit_code": u, "year": 2017, "start_month": s, "end_month": e, "version": 1,
          "uploaded_at": pd.Timestamp(at, tz=VN).tz_convert("UTC")} for u, s, e, at in rows],
        columns=["unit_code", "year", "start_month", "end_month", "version", "uploaded_at"])
    return frame.astype({"uploaded_at": "datetime64[us, UTC]", "start_month": "int64",
                         "end_month": "int64", "year": "int64", "version": "int64"})


VALUES = values_frame([
    ("ubnd_061", BA_BE, 1, 3, "CT1.1", 3), ("ubnd_061", BA_BE, 4, 6, "CT1.1", 2),
    ("ubnd_058", TP, 1, 6, "CT1.1", 1), ("sldtbxh", None, 4, 4, "CT1.1", 1),
    ("ubnd_061", BA_BE, 7, 9, "CT1.1", 3),  # ends after 20/07: not counted on that day
    ("ubnd_058", TP, 1, 6, "CT4.1", 16),
    ("dai_ptth", None, 1, 3, "CT1.5", 2, "Chuyên mục \"Pháp luật và đời sống\" 02 kỳ"),
    ("bao_backan", None, 4, 6, "CT1.5", 1, "=1+1"),  # typed by someone, must stay a text
])
COMMUNES = communes_frame([
    ("ubnd_061", BA_BE, 1, 3, "CT1.3", BA_BE_COMMUNES[0]),
    ("ubnd_061", BA_BE, 4, 6, "CT1.3", BA_BE_COMMUNES[1]),
    ("sldtbxh", None, 4, 6, "CT1.3", BA_BE_COMMUNES[0]),  # the same commune, by another unit
])
HISTORY = history_frame(
    ("ubnd_061", 1, 3, "2017-04-05 09:00"), ("ubnd_061", 4, 6, "2017-07-12 10:00"),  # Q2 late
    ("ubnd_058", 1, 6, "2017-07-03 08:00"), ("sldtbxh", 4, 4, "2017-05-02 08:00"),
    ("dai_ptth", 1, 3, "2017-04-06 10:00"), ("bao_backan", 4, 6, "2017-07-10 16:00"),
)


def workbook(values=VALUES, communes=COMMUNES, history=HISTORY, allocations=NO_ALLOCATIONS,
             as_of=DEC_31, plan=PLAN) -> bytes:
    return summary.summary_xlsx(plan, values, communes, history, allocations, as_of=as_of,
                                exported_at=EXPORTED_AT, exported_by="quantri")


def load(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def header_row(ws, first_header: str, start: int = 1) -> int:
    return next(r for r in range(start, ws.max_row + 1) if ws.cell(r, 1).value == first_header)


def table(ws, first_header: str, start: int = 1) -> dict[str, dict]:
    """The bordered table whose header starts with `first_header`: first cell -> {header: cell}."""
    top = header_row(ws, first_header, start)
    headers = [c.value for c in ws[top] if c.value is not None]
    rows = {}
    for r in range(top + 1, ws.max_row + 1):
        key = ws.cell(r, 1).value
        if key is None:
            break
        rows[key] = {h: ws.cell(r, j) for j, h in enumerate(headers, start=1)}
    return rows


def indicator_rows(data: bytes) -> dict[str, dict]:
    return table(load(data)["Theo chỉ tiêu"], "Mã")


# --- Per indicator -----------------------------------------------------------------------------
def test_each_indicator_against_its_target_with_real_percentages_and_status_words():
    rows = indicator_rows(workbook())
    ct11 = rows["CT1.1"]
    # 3 + 2 + 1 + 1 + 3 classes: Ba Bể, TP Bắc Kạn and Sở LĐTBXH.
    assert [ct11[h].value for h in ["Nhiệm vụ", "Chỉ tiêu", "Đơn vị tính", "Chỉ tiêu năm",
                                    "Thực hiện"]] == ["NV1", PLAN.indicator("CT1.1").name, "lớp", 10, 10]
    share = ct11["Tỷ lệ so với chỉ tiêu năm"]
    assert share.value == 1.0 and share.data_type == "n" and share.number_format == "0%"
    assert ct11["Đánh giá"].value == "Đạt"
    assert ct11["Chỉ tiêu năm"].number_format == "#,##0"
    ct41 = rows["CT4.1"]  # 16 of 15 inspections
    assert ct41["Thực hiện"].value == 16 and ct41["Đánh giá"].value == "Đạt"
    assert ct41["Tỷ lệ so với chỉ tiêu năm"].value == pytest.approx(16 / 15)
    assert ct41["Tỷ lệ so với chỉ tiêu năm"].number_format == "0.0%"
    ct52 = rows["CT5.2"]  # nothing reported
    assert (ct52["Thực hiện"].value, ct52["Tỷ lệ so với chỉ tiêu năm"].value,
            ct52["Đánh giá"].value) == (0, 0, "Chậm")
    assert list(rows) == list(PLAN.indicators["code"])


def test_the_qualitative_indicator_has_no_target_and_no_percentage_but_its_texts():
    ct15 = indicator_rows(workbook())["CT1.5"]
    for header in ["Chỉ tiêu năm", "Tỷ lệ so với chỉ tiêu năm", "Cần đạt đến ngày xem xét"]:
        assert ct15[header].value is None, header  # empty, never 0
    assert ct15["Thực hiện"].value == 3 and ct15["Đánh giá"].value == "Định tính"
    assert ct15["Ghi chú"].value == "Chuyên mục \"Pháp luật và đời sống\" 02 kỳ\n=1+1"
    assert ct15["Ghi chú"].alignment.wrap_text


def test_a_formula_typed_in_a_qualitative_entry_is_written_as_text():
    values = values_frame([("bao_backan", None, 4, 6, "CT1.5", 1, "=1+1")])
    data = workbook(values=values)
    ct15 = indicator_rows(data)["CT1.5"]["Ghi chú"]
    assert ct15.value == "=1+1" and ct15.data_type == "s" and ct15.quotePrefix
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
        assert sheets and not any(b"<f>" in z.read(n) for n in sheets)
    rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name("Theo chỉ tiêu").to_python()
    assert ["=1+1"] == [r[-1] for r in rows if r[0] == "CT1.5"]


def test_the_review_date_decides_which_reports_count():
    july, december = indicator_rows(workbook(as_of=JULY_20)), indicator_rows(workbook(as_of=DEC_31))
    # Ba Bể's Q3 classes (3) end on 30/09: not counted on 20/07.
    assert july["CT1.1"]["Thực hiện"].value == 7 and december["CT1.1"]["Thực hiện"].value == 10
    expected = progress.by_indicator(PLAN, VALUES, COMMUNES, JULY_20).set_index("code")
    pace = july["CT1.1"]["Cần đạt đến ngày xem xét"]
    # Classes are counted in whole units: the pace is a whole number (docs/progress.md).
    assert pace.value == expected.at["CT1.1", "expected"] == 5 and pace.number_format == "#,##0"
    assert july["CT1.1"]["Đánh giá"].value == "Đúng tiến độ"
    assert july["CT1.1"]["Tỷ lệ so với chỉ tiêu năm"].value == pytest.approx(0.7)
    title = [c.value for c in load(workbook(as_of=JULY_20))["Theo chỉ tiêu"]["A"][:5]]
    assert "Số liệu tính đến ngày 20/07/2017" in title


def test_a_long_list_of_texts_continues_in_the_rows_below_and_nothing_is_cut():
    texts = [f"Tin bài số {i:02d} về phòng, chống mại dâm trên sóng phát thanh, truyền hình và "
             f"báo điện tử của tỉnh, phát nhiều kỳ trong quý" for i in range(40)]
    values = values_frame([("dai_ptth", None, 1, 3, "CT1.5", 1, t) for t in texts])
    ws = load(workbook(values=values))["Theo chỉ tiêu"]
    top = header_row(ws, "Mã")
    first = next(r for r in range(top, ws.max_row + 1) if ws.cell(r, 1).value == "CT1.5")
    last = next(r for r in range(first + 1, ws.max_row + 1) if ws.cell(r, 1).value == "CT2.1") - 1
    assert last > first
    pieces = [ws.cell(r, 10).value for r in range(first, last + 1)]
    assert "\n".join(pieces).split("\n") == texts
    assert all((ws.row_dimensions[r].height or 15) <= 409 for r in range(first, last + 1))
    assert f"A{first}:A{last}" in {str(m) for m in ws.merged_cells.ranges}


# --- Per district ------------------------------------------------------------------------------
def test_district_sheet_has_each_district_the_agencies_and_the_province():
    ws = load(workbook())["Theo huyện"]
    rows = table(ws, "Huyện, thành phố")
    names = list(PLAN.places["name"])
    assert list(rows) == [*names, progress.PROVINCE_LEVEL, "Toàn tỉnh"]
    header = [c.value for c in ws[header_row(ws, "Huyện, thành phố")] if c.value]
    numeric = PLAN.indicators[PLAN.indicators["aggregation"] != "qualitative"]
    assert [h.split("\n")[0] for h in header[1:]] == list(numeric["code"])
    ct11 = header[1 + list(numeric["code"]).index("CT1.1")]
    ct13 = header[1 + list(numeric["code"]).index("CT1.3")]
    assert rows["Huyện Ba Bể"][ct11].value == 8 and rows["Thành phố Bắc Kạn"][ct11].value == 1
    assert rows[progress.PROVINCE_LEVEL][ct11].value == 1  # Sở LĐTBXH's class
    assert rows["Toàn tỉnh"][ct11].value == 10 and rows["Toàn tỉnh"][ct11].font.b
    # Two units named the same Ba Bể commune: it counts once, in the district and the province.
    total = progress.by_indicator(PLAN, VALUES, COMMUNES, DEC_31).set_index("code")
    assert rows["Huyện Ba Bể"][ct13].value == 2
    assert rows["Toàn tỉnh"][ct13].value == total.at["CT1.3", "actual"] == 2
    assert rows["Toàn tỉnh"][ct13].number_format == "#,##0"
    notes = [c.value for c in ws["A"] if isinstance(c.value, str)]
    assert any("chưa có chỉ tiêu nào được phân bổ" in n.lower() for n in notes)


def test_district_sheet_shows_the_allocated_targets_where_there_are_some():
    allocations = pd.DataFrame({"indicator_code": ["CT1.1", "CT4.1"], "place_code": [BA_BE, TP],
                                "target": [5, 20]})
    ws = load(workbook(allocations=allocations))["Theo huyện"]
    first = header_row(ws, "Huyện, thành phố")
    rows = table(ws, "Huyện, thành phố", start=first + 1)
    assert [c.value for c in ws[header_row(ws, "Huyện, thành phố", first + 1)] if c.value] == [
        "Huyện, thành phố", "Chỉ tiêu", "Phân bổ", "Thực hiện", "Tỷ lệ so với phân bổ"]
    ba_be = rows["Huyện Ba Bể"]
    assert [ba_be[h].value for h in ["Chỉ tiêu", "Phân bổ", "Thực hiện"]] == ["CT1.1", 5, 8]
    assert ba_be["Tỷ lệ so với phân bổ"].value == pytest.approx(1.6)
    assert "%" in ba_be["Tỷ lệ so với phân bổ"].number_format
    assert rows["Thành phố Bắc Kạn"]["Tỷ lệ so với phân bổ"].value == pytest.approx(16 / 20)
    assert len(rows) == 2


# --- Reporting ---------------------------------------------------------------------------------
def test_reporting_sheet_equals_the_completeness_rates_with_the_total_last():
    ws = load(workbook(as_of=JULY_20))["Tình hình báo cáo"]
    rows = table(ws, "Đơn vị")
    rates = completeness.rates(completeness.report_status(PLAN, HISTORY, JULY_20))
    assert list(rows) == list(rates["unit_name"])
    for r in rates.itertuples():
        row = rows[r.unit_name]
        assert [row[h].value for h in ["Phải nộp", "Đã nhận", "Đúng hạn", "Nộp muộn", "Chưa gửi"]] == [
            r.expected, r.received, r.on_time, r.late, r.missing]
        assert row["Tỷ lệ đã nhận"].value == pytest.approx(r.rate)
        assert row["Kỳ chưa gửi"].value == (r.missing_periods or None)
        assert row["Đơn vị"].font.b == r.is_total
    total = rows[completeness.MESSAGES["total"]]
    assert list(rows)[-1] == completeness.MESSAGES["total"]
    assert (total["Phải nộp"].value, total["Đã nhận"].value) == (len(PLAN.reporting_units) * 2, 6)
    ba_be = rows["UBND huyện Ba Bể"]
    assert (ba_be["Đúng hạn"].value, ba_be["Nộp muộn"].value) == (1, 1)
    assert rows["UBND huyện Pác Nặm"]["Kỳ chưa gửi"].value == "Quý I/2017, Quý II/2017"


def test_before_anything_is_due_the_reporting_sheet_says_so():
    ws = load(workbook(as_of=dt.date(2017, 3, 1)))["Tình hình báo cáo"]
    rows = table(ws, "Đơn vị")
    assert list(rows) == [completeness.MESSAGES["total"]]
    assert rows[completeness.MESSAGES["total"]]["Phải nộp"].value == 0
    assert "Đến ngày 01/03/2017, chưa có kỳ báo cáo nào đến hạn." in [c.value for c in ws["A"]]


# --- Information and layout --------------------------------------------------------------------
def test_information_sheet_says_what_the_workbook_is():
    info = {r[0].value: r[1].value for r in load(workbook())["Thông tin"].iter_rows() if r[0].value}
    assert info["Kế hoạch"] == PLAN.title
    assert info["Văn bản"] == "Quyết định số 1180/QĐ-UBND ngày 29/07/2016 của Ủy ban nhân dân tỉnh Bắc Kạn"
    assert info["Ngày xem xét"] == "Số liệu tính đến hết ngày 31/12/2017"
    assert info["Thời điểm xuất"] == "20/12/2017 09:30"  # Vietnam time
    assert info["Người xuất"] == "quantri"
    assert info["Lịch báo cáo"] == PLAN.reporting.schedule.source_note
    assert "Sở Lao động - Thương binh và Xã hội" in info["Lịch báo cáo"]


def test_information_sheet_says_when_the_data_is_demo_data():
    def info(history):
        return {r[0].value: r[1].value for r in load(workbook(history=history))["Thông tin"].iter_rows()
                if r[0].value}

    assert "Dữ liệu minh họa" not in info(HISTORY.assign(demo=False))
    demo = load(workbook(history=HISTORY.assign(demo=True)))["Thông tin"]
    assert (demo["A3"].value, demo["B3"].value) == ("Dữ liệu minh họa", "có — đây không phải số liệu thật")


def test_without_a_schedule_the_note_names_the_decision_deadline(tmp_path):
    text = PLAN.path.read_text(encoding="utf-8")
    start = text.index("  schedule:\n    source_note:")
    end = text.index("\n\n", start)
    path = tmp_path / "plan.yaml"
    path.write_text(text[:start] + text[end + 1:], encoding="utf-8")
    plan = load_plan(path)
    info = {r[0].value: r[1].value for r in load(workbook(plan=plan))["Thông tin"].iter_rows()
            if r[0].value}
    assert "15/12/2017" in info["Lịch báo cáo"]


def test_every_sheet_prints_on_a4_landscape_in_times_new_roman_with_a_frozen_bold_header():
    wb = load(workbook())
    assert wb.sheetnames == SHEETS
    for ws in wb:
        assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4 and ws.page_setup.orientation == "landscape"
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
        fonts = {c.font.name for row in ws.iter_rows() for c in row if c.value is not None}
        assert fonts == {"Times New Roman"}, ws.title
    for title, first in [("Theo chỉ tiêu", "Mã"), ("Theo huyện", "Huyện, thành phố"),
                         ("Tình hình báo cáo", "Đơn vị")]:
        ws = wb[title]
        top = header_row(ws, first)
        assert int(ws.freeze_panes.lstrip("ABCDEFGH")) == top + 1, title
        assert all(c.font.b for c in ws[top] if c.value), title
    # The wrapped columns are wide enough to read.
    ws = wb["Theo chỉ tiêu"]
    assert ws.column_dimensions["C"].width >= 30 and ws.column_dimensions["J"].width >= 40


def test_exported_at_must_be_timezone_aware():
    with pytest.raises(ValueError):
        summary.summary_xlsx(PLAN, VALUES, COMMUNES, HISTORY, NO_ALLOCATIONS, as_of=DEC_31,
                             exported_at=dt.datetime(2017, 12, 20, 9, 30), exported_by="quantri")


# --- issue 9: asof ---
def test_the_reporting_sheet_names_late_periods_with_their_days_and_missed_targets():
    late_q3 = history_frame(*[(u, s, e, at) for u, s, e, at in [
        ("ubnd_062", 7, 9, "2018-01-15 09:00"), ("ubnd_061", 1, 3, "2017-04-05 09:00")]])
    rows = table(load(workbook(history=late_q3, as_of=dt.date(2018, 1, 31)))["Tình hình báo cáo"], "Đơn vị")
    ngan_son = rows["UBND huyện Ngân Sơn"]
    assert (ngan_son["Nộp muộn"].value, ngan_son["Kỳ nộp muộn"].value) == (1, "Quý III/2017: nộp muộn 97 ngày")
    assert "Quý III/2017" not in (ngan_son["Kỳ chưa gửi"].value or "")
    # After the plan's end a target not met is "Chưa đạt", on the indicators sheet too.
    after = indicator_rows(workbook(as_of=dt.date(2018, 1, 31)))
    assert after["CT1.4"]["Đánh giá"].value == "Chưa đạt"  # no pupils reported
    assert indicator_rows(workbook(as_of=DEC_31))["CT1.4"]["Đánh giá"].value == "Chậm"
