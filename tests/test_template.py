"""The report template: what an officer downloads must match docs/template.md, be safe to
fill (validation, protection) and survive Excel's and LibreOffice's file formats."""
from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from openpyxl import load_workbook
from openpyxl.cell.cell import MergedCell
from python_calamine import CalamineWorkbook

from mdplan_core import layout
from mdplan_core import template as tpl
from mdplan_core.plan import load_plan
from mdplan_core.report import Period

from .fill import fill_template, find_label, indicator_rows, key, value_cell
from .libreoffice import written

BA_BE = "ubnd_061"
AGENCY = "sldtbxh"
Q1 = Period.parse("2017-01..2017-03")
Q2 = Period.parse("2017-04..2017-06")


@pytest.fixture(scope="module")
def plan():
    return load_plan()


@pytest.fixture(scope="module")
def district_xlsx(plan) -> bytes:
    return tpl.build_template(plan, BA_BE, Q1)


@pytest.fixture(scope="module")
def agency_xlsx(plan) -> bytes:
    return tpl.build_template(plan, AGENCY, Q2)


def _open(data: bytes):
    return load_workbook(io.BytesIO(data))


def _validations(ws, coordinate: str):
    return [dv for dv in ws.data_validations.dataValidation if coordinate in dv.sqref]


def _calamine(data: bytes) -> dict[str, list[list]]:
    wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    return {name: wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
            for name in wb.sheet_names}


def _cell(rows: list[list], coordinate: str):
    """A cell of a calamine sheet by its A1 address; '' beyond the used area."""
    col = ord(coordinate[0]) - ord("A")
    row = int(coordinate[1:]) - 1
    if row >= len(rows) or col >= len(rows[row]):
        return ""
    return rows[row][col]


# --- The report sheet -------------------------------------------------------------------
HEADER = {  # label cell, value cell, expected value (None: the officer fills it)
    "Đơn vị báo cáo": ("A10", "C10", "UBND huyện Ba Bể"),
    "Mã đơn vị": ("A11", "C11", BA_BE),
    "Năm kế hoạch": ("A12", "C12", 2017),
    "Từ tháng": ("A13", "C13", 1),
    "Đến tháng": ("A14", "C14", 3),
    "Người báo cáo": ("A15", "C15", None),
    "Số điện thoại": ("A16", "C16", None),
    "Ngày báo cáo": ("A17", "C17", None),
}
TABLE_HEADER = ["Mã chỉ tiêu", "Nhiệm vụ", "Tên chỉ tiêu", "Đơn vị tính", "Chỉ tiêu năm",
                "Kết quả trong kỳ", "Ghi chú"]


def test_header_block_is_prefilled_for_the_unit_and_period(district_xlsx):
    ws = _open(district_xlsx)[layout.SHEET_REPORT]
    for label, (label_cell, value_at, expected) in HEADER.items():
        assert ws[label_cell].value == label
        assert value_cell(ws, label).coordinate == value_at
        assert ws[value_at].value == expected, label
        # Nothing to the right of the value: a blank input must not borrow a neighbour.
        assert all(ws.cell(ws[value_at].row, c).value is None for c in range(4, 8))
    assert ws["C17"].number_format == "dd/mm/yyyy"
    assert ws["C16"].number_format == "@"  # keeps the leading 0 of a phone number


def test_title_block_names_province_plan_and_decision(district_xlsx, plan):
    ws = _open(district_xlsx)[layout.SHEET_REPORT]
    titles = [ws[f"A{r}"].value for r in range(1, 9)]
    assert "TỈNH BẮC KẠN" in titles and "UBND HUYỆN BA BỂ" in titles
    assert "BÁO CÁO KẾT QUẢ THỰC HIỆN" in titles
    assert plan.title in titles
    assert any("Quyết định số 1180/QĐ-UBND" in str(t) for t in titles)
    assert "Kỳ báo cáo: Quý I/2017" in titles


def test_one_row_per_indicator_with_code_unit_and_target(district_xlsx, plan):
    ws = _open(district_xlsx)[layout.SHEET_REPORT]
    assert [c.value for c in ws[layout.TABLE_HEADER_ROW]][:7] == TABLE_HEADER
    rows = indicator_rows(ws)
    indicators = plan.indicators
    assert list(rows) == list(indicators["code"])
    assert list(rows.values()) == list(range(20, 31))
    for ind in indicators.itertuples():
        row = rows[ind.code]
        assert ws[f"C{row}"].value == ind.name
        assert ws[f"D{row}"].value == ind.unit
        expected = None if ind.aggregation == "qualitative" else int(ind.target)
        assert ws[f"E{row}"].value == expected, ind.code
    assert ws["E20"].number_format == "#,##0"
    assert ws["A31"].value is None and ws["F31"].value is None  # the blank row ends the table


def test_task_column_holds_the_task_once_per_group(district_xlsx):
    ws = _open(district_xlsx)[layout.SHEET_REPORT]
    assert ws["B20"].value.startswith("1. Tăng cường tuyên truyền")
    assert "B20:B24" in {str(r) for r in ws.merged_cells.ranges}
    assert ws["B28"].value == "4. Kiểm tra, xử lý các hành vi liên quan đến mại dâm"
    assert ws["B25"].value.startswith("2. ")  # shortened to fit its single row
    assert ws["B25"].value.endswith("…")


def test_sum_and_count_results_accept_whole_numbers_from_zero(district_xlsx, plan):
    ws = _open(district_xlsx)[layout.SHEET_REPORT]
    rows = indicator_rows(ws)
    for ind in plan.indicators.itertuples():
        cell = f"F{rows[ind.code]}"
        found = _validations(ws, cell)
        if ind.aggregation == "distinct_places":  # the Bắc Kạn file's distinct_communes
            assert found == []
            continue
        assert len(found) == 1, cell
        dv = found[0]
        assert (dv.type, dv.operator, dv.formula1) == ("whole", "greaterThanOrEqual", "0")
        assert dv.showErrorMessage and dv.errorStyle in (None, "stop")
        assert "số nguyên" in dv.error and dv.errorTitle
        assert dv.showInputMessage and ind.unit in dv.prompt or ind.aggregation == "qualitative"
        assert ws[cell].protection.locked is False


def test_distinct_commune_results_count_the_commune_sheet(district_xlsx):
    ws = _open(district_xlsx)[layout.SHEET_REPORT]
    rows = indicator_rows(ws)
    for code in ("CT1.3", "CT3.1"):
        cell = ws[f"F{rows[code]}"]
        assert cell.value.startswith("=SUMPRODUCT(")
        assert "COUNTIFS(" in cell.value and f'"{code}"' in cell.value
        assert "'Xã, phường'!$A$5:$A$64" in cell.value
        assert cell.protection.locked is True
        assert cell.fill.fgColor.rgb.endswith("DDEBF7")


def test_report_date_accepts_dates_of_the_plan_year_and_next(district_xlsx):
    ws = _open(district_xlsx)[layout.SHEET_REPORT]
    (dv,) = _validations(ws, "C17")
    assert dv.type == "date" and dv.operator == "between"
    assert (int(dv.formula1), int(dv.formula2)) == (42736, 43465)  # 01/01/2017, 31/12/2018
    assert dv.prompt and "15/12/2017" in dv.prompt


def test_media_block_is_a_large_merged_input(district_xlsx):
    ws = _open(district_xlsx)[layout.SHEET_REPORT]
    label = find_label(ws, "Nội dung chuyên trang, chuyên mục")
    assert label.coordinate == "A32"
    assert value_cell(ws, label.value).coordinate == "C32"
    assert "C32:G37" in {str(r) for r in ws.merged_cells.ranges}
    assert ws["C32"].protection.locked is False and ws["C32"].alignment.wrap_text


def test_signature_block(district_xlsx):
    ws = _open(district_xlsx)[layout.SHEET_REPORT]
    assert find_label(ws, "Người lập biểu").coordinate == "A40"
    assert find_label(ws, "Thủ trưởng đơn vị").coordinate == "E40"
    assert "Ba Bể, ngày " in ws["E39"].value and "DAY(C17)" in ws["E39"].value


# --- The commune sheet and its lists ----------------------------------------------------
def _list_values(wb, name: str) -> list[str]:
    ((sheet, ref),) = list(wb.defined_names[name].destinations)
    return [c[0].value for c in wb[sheet][ref.replace("$", "")]]


@pytest.mark.parametrize("unit,count", [(BA_BE, 16), (AGENCY, 122)])
def test_commune_list_is_the_units_district_or_the_province(plan, unit, count):
    wb = _open(tpl.build_template(plan, unit, Q1))
    names = _list_values(wb, "DS_XA")
    assert len(names) == len(set(names)) == count
    communes = plan.communes
    if unit == BA_BE:
        communes = communes[communes["place_code"] == "061"]
    assert set(names) == set(communes["name"])
    assert wb.defined_names["DS_XA"].attr_text.startswith("'Danh mục'!$A$2:$A$")


def test_commune_list_is_in_vietnamese_alphabetical_order(agency_xlsx):
    names = _list_values(_open(agency_xlsx), "DS_XA")
    first = [key(n)[0] for n in names]
    assert first == sorted(first)
    initials = [n[0] for n in names]
    # Đ is a letter of its own, after D and before E.
    assert max(i for i, c in enumerate(initials) if c == "D") < initials.index("Đ")
    assert names.index("Đôn Phong") > names.index("Dương Quang")


def test_commune_sheet_of_a_district_unit(district_xlsx):
    ws = _open(district_xlsx)[layout.SHEET_COMMUNES]
    assert [c.value for c in ws[4]][:4] == ["Mã chỉ tiêu", "Huyện, thành phố",
                                           "Xã, phường, thị trấn", "Ghi chú"]
    assert {ws[f"B{r}"].value for r in range(5, 65)} == {"Huyện Ba Bể"}
    assert ws["B5"].protection.locked is True
    assert ws["B65"].value is None
    (codes,) = _validations(ws, "A5")
    assert codes.type == "list" and codes.formula1 == '"CT1.3,CT3.1"'
    assert "A5:A64" in str(codes.sqref)
    (communes,) = _validations(ws, "C64")
    assert communes.type == "list" and communes.formula1 == "DS_XA"
    assert communes.showErrorMessage and communes.error
    assert _validations(ws, "B5") == []


def test_commune_sheet_of_an_agency_has_a_district_dropdown(agency_xlsx):
    wb = _open(agency_xlsx)
    ws = wb[layout.SHEET_COMMUNES]
    assert ws["B5"].value is None and ws["B5"].protection.locked is False
    (districts,) = _validations(ws, "B5")
    assert districts.type == "list" and districts.formula1 == "DS_HUYEN"
    assert len(_list_values(wb, "DS_HUYEN")) == 8


# --- Instructions, metadata, protection, layout -----------------------------------------
def test_instructions_in_vietnamese(district_xlsx):
    text = "\n".join(str(c.value) for c in _open(district_xlsx)[layout.SHEET_GUIDE]["A"]
                     if c.value)
    for phrase in ("ô nền vàng", "số nguyên", "Để trống", "Ghi 0", "Xã, phường",
                   "15/12/2017", "Sở Lao động - Thương binh và Xã hội", "Không xóa",
                   "ubnd_061", "Liên hệ"):
        assert phrase in text, phrase


def test_metadata_sheet_is_very_hidden(district_xlsx):
    wb = _open(district_xlsx)
    assert wb.sheetnames == ["Báo cáo", "Xã, phường", "Hướng dẫn", "Danh mục", "_mdplan"]
    states = {ws.title: ws.sheet_state for ws in wb.worksheets}
    assert states == {"Báo cáo": "visible", "Xã, phường": "visible", "Hướng dẫn": "visible",
                      "Danh mục": "hidden", "_mdplan": "veryHidden"}
    meta = {k: v for k, v in wb["_mdplan"].iter_rows(values_only=True)}
    assert meta == {"template_version": "1", "plan": "1180/QĐ-UBND", "unit_code": BA_BE,
                    "period": "2017-01..2017-03", "plan_id": "backan-2017"}
    assert wb.active.title == "Báo cáo"


def _unlocked(ws) -> set[str]:
    """Unlocked cells, a merged range counted by its top-left cell."""
    return {c.coordinate for row in ws.iter_rows() for c in row
            if c.protection.locked is False and not isinstance(c, MergedCell)}


def test_only_input_cells_are_unlocked(district_xlsx):
    wb = _open(district_xlsx)
    for name in ("Báo cáo", "Xã, phường", "Hướng dẫn", "Danh mục"):
        protection = wb[name].protection
        assert protection.sheet is True and not protection.password, name
    assert wb.security.lockStructure
    report = {"C15", "C16", "C17", "C32"} | {f"G{r}" for r in range(20, 31)} | {
        f"F{r}" for r in range(20, 31) if r not in (22, 26)}  # CT1.3, CT3.1: formulas
    assert _unlocked(wb["Báo cáo"]) == report
    input_fill = "FFF2CC"
    for coordinate in report:
        assert wb["Báo cáo"][coordinate].fill.fgColor.rgb.endswith(input_fill), coordinate
    for coordinate in ("C10", "A20", "C20", "E20"):
        cell = wb["Báo cáo"][coordinate]
        assert cell.protection.locked is not False
        assert cell.fill.fgColor.rgb.endswith("F2F2F2"), coordinate
    communes = {f"{c}{r}" for c in "ACD" for r in range(5, 65)}
    assert _unlocked(wb["Xã, phường"]) == communes
    assert _unlocked(wb["Hướng dẫn"]) == set() == _unlocked(wb["Danh mục"])


def test_times_new_roman_everywhere(district_xlsx):
    wb = _open(district_xlsx)
    styles = zipfile.ZipFile(io.BytesIO(district_xlsx)).read("xl/styles.xml").decode()
    first_font = styles.split("<font>", 1)[1].split("</font>", 1)[0]
    assert 'val="Times New Roman"' in first_font and 'sz val="12"' in first_font
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is not None:
                    assert cell.font.name == "Times New Roman", (ws.title, cell.coordinate)


def test_print_setup_and_frozen_panes(district_xlsx):
    wb = _open(district_xlsx)
    report, communes, guide = wb["Báo cáo"], wb["Xã, phường"], wb["Hướng dẫn"]
    for ws, orientation in ((report, "landscape"), (communes, "portrait"),
                            (guide, "portrait")):
        assert ws.page_setup.paperSize == 9  # A4
        assert ws.page_setup.orientation == orientation
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
    assert report.print_area == "'Báo cáo'!$A$1:$G$45"
    assert [b.id for b in report.row_breaks.brk] == [31]  # text box and signatures: page 2
    assert communes.print_title_rows == "$4:$4"
    assert report.freeze_panes == "A20"
    assert communes.freeze_panes == "A5"
    assert report.column_dimensions["C"].width >= 40
    for row in range(20, 31):  # wrapped names: every table row has a height that fits
        assert report.row_dimensions[row].height >= 16


def test_refuses_an_unknown_unit_or_a_period_outside_the_plan_year(plan):
    with pytest.raises(ValueError, match="ubnd_999"):
        tpl.build_template(plan, "ubnd_999", Q1)
    with pytest.raises(ValueError, match="2017"):
        tpl.build_template(plan, BA_BE, Period.parse("2018-01..2018-03"))


def test_every_reporting_unit_gets_a_template(plan):
    for unit in plan.reporting_units["code"]:
        wb = _open(tpl.build_template(plan, unit, Q1))
        assert value_cell(wb["Báo cáo"], "Mã đơn vị").value == unit


# --- Read with calamine, the reader's library -------------------------------------------
def test_calamine_sees_the_labels_where_the_contract_puts_them(district_xlsx):
    sheets = _calamine(district_xlsx)
    assert list(sheets) == ["Báo cáo", "Xã, phường", "Hướng dẫn", "Danh mục", "_mdplan"]
    report = sheets["Báo cáo"]
    for label, (label_cell, value_at, expected) in HEADER.items():
        assert _cell(report, label_cell) == label
        if expected is not None:
            assert _cell(report, value_at) == expected
    assert report[18] == TABLE_HEADER
    assert [r[0] for r in report[19:30]] == [f"CT{c}" for c in (
        "1.1", "1.2", "1.3", "1.4", "1.5", "2.1", "3.1", "3.2", "4.1", "5.1", "5.2")]
    assert all(v == "" for v in report[30])
    assert _cell(report, "A32") == "Nội dung chuyên trang, chuyên mục"
    assert sheets["Xã, phường"][3][:4] == ["Mã chỉ tiêu", "Huyện, thành phố",
                                           "Xã, phường, thị trấn", "Ghi chú"]
    assert sheets["_mdplan"][:4] == [["template_version", "1"], ["plan", "1180/QĐ-UBND"],
                                     ["unit_code", BA_BE], ["period", "2017-01..2017-03"]]


# --- Filling it -------------------------------------------------------------------------
BA_BE_COMMUNES = ["Chợ Rã", "Thượng Giáo", "Chợ Rã"]  # a commune named twice counts once
ENTRIES = dict(
    results={"CT1.1": 3, "CT1.2": 145, "CT1.4": 0, "CT1.5": 4, "CT4.1": 2},
    communes={"CT1.3": BA_BE_COMMUNES, "CT3.1": ["Địa Linh"]},
    media_text="Chuyên mục «Phòng, chống tệ nạn xã hội» trên Đài truyền thanh huyện, 4 kỳ.",
    notes={"CT1.1": "Lớp ghép với tuyên truyền phòng, chống ma túy"},
)


def filled_report(district=None) -> bytes:
    district = district or tpl.build_template(load_plan(), BA_BE, Q1)
    return fill_template(district, reporter="Hoàng Văn Sơn", phone="0209 3876 543",
                         report_date=dt.date(2017, 4, 5), **ENTRIES)


@pytest.fixture(scope="module")
def filled(district_xlsx) -> bytes:
    return filled_report(district_xlsx)


def test_fill_template_writes_the_input_cells(filled):
    wb = _open(filled)
    ws = wb["Báo cáo"]
    assert (ws["C15"].value, ws["C16"].value) == ("Hoàng Văn Sơn", "0209 3876 543")
    assert ws["C17"].value == dt.datetime(2017, 4, 5)
    assert ws["C17"].number_format == "dd/mm/yyyy"
    rows = indicator_rows(ws)
    for code, value in ENTRIES["results"].items():
        assert ws[f"F{rows[code]}"].value == value
    assert ws["F22"].value.startswith("=SUMPRODUCT(")  # the formula is left alone
    assert ws["G20"].value == ENTRIES["notes"]["CT1.1"]
    assert ws["C32"].value == ENTRIES["media_text"]
    communes = [(r[0].value, r[1].value, r[2].value) for r in wb["Xã, phường"]["A5:C9"]]
    assert communes == [("CT1.3", "Huyện Ba Bể", "Chợ Rã"),
                        ("CT1.3", "Huyện Ba Bể", "Thượng Giáo"),
                        ("CT1.3", "Huyện Ba Bể", "Chợ Rã"),
                        ("CT3.1", "Huyện Ba Bể", "Địa Linh"),
                        (None, "Huyện Ba Bể", None)]
    assert wb["Danh mục"].sheet_state == "hidden" and wb["_mdplan"].sheet_state == "veryHidden"


def test_fill_template_for_an_agency_fills_the_district(agency_xlsx):
    wb = _open(fill_template(agency_xlsx, communes={"CT1.3": ["Chợ Rã", ("Huyện Na Rì", "X")]}))
    ws = wb["Xã, phường"]
    assert [(ws[f"B{r}"].value, ws[f"C{r}"].value) for r in (5, 6)] == [
        ("Huyện Ba Bể", "Chợ Rã"), ("Huyện Na Rì", "X")]
    assert wb["Báo cáo"]["C17"].value == dt.datetime(2017, 7, 1)  # the day after the period


def test_fill_template_can_leave_fields_blank_and_write_bad_values(district_xlsx):
    wb = _open(fill_template(district_xlsx, results={"CT1.1": "10 lớp"}, reporter=None,
                             report_date="31/03/2017"))
    ws = wb["Báo cáo"]
    assert ws["C15"].value is None and ws["C17"].value == "31/03/2017"
    assert ws["F20"].value == "10 lớp"


# --- LibreOffice: a person can fill it there, and its files keep everything --------------
@pytest.mark.parametrize("fmt", ["xlsx", "xls", "ods"])
def test_libreoffice_round_trip_keeps_values_labels_and_lists(fmt):
    sheets = _calamine(written("template-filled", fmt))  # filled_report(), saved by LibreOffice
    report = sheets["Báo cáo"]
    for label, (label_cell, _, _) in HEADER.items():
        assert _cell(report, label_cell) == label
    assert _cell(report, "C10") == "UBND huyện Ba Bể"
    assert (_cell(report, "C15"), _cell(report, "C16")) == ("Hoàng Văn Sơn", "0209 3876 543")
    report_date = _cell(report, "C17")
    assert report_date in (dt.date(2017, 4, 5), dt.datetime(2017, 4, 5)), report_date
    assert report[18] == TABLE_HEADER
    results = {row[0]: row[5] for row in report[19:30]}
    for code, value in ENTRIES["results"].items():
        assert results[code] == value, code
    # LibreOffice computes the formulas: distinct communes, the repeated one counted once.
    assert results["CT1.3"] == 2 and results["CT3.1"] == 1
    assert results["CT2.1"] == ""
    assert _cell(report, "C32") == ENTRIES["media_text"]
    assert _cell(report, "E39") == "Ba Bể, ngày 5 tháng 4 năm 2017"
    communes = sheets["Xã, phường"]
    assert [r[:3] for r in communes[4:8]] == [
        ["CT1.3", "Huyện Ba Bể", "Chợ Rã"], ["CT1.3", "Huyện Ba Bể", "Thượng Giáo"],
        ["CT1.3", "Huyện Ba Bể", "Chợ Rã"], ["CT3.1", "Huyện Ba Bể", "Địa Linh"]]
    listed = [r[0] for r in sheets["Danh mục"][1:] if r[0]]
    assert len(listed) == 16 and "Chợ Rã" in listed
    assert dict(r[:2] for r in sheets["_mdplan"])["unit_code"] == BA_BE


def test_libreoffice_xlsx_keeps_dropdowns_validation_and_protection():
    wb = _open(written("template-filled", "xlsx"))
    communes = wb["Xã, phường"]
    (names,) = _validations(communes, "C5")
    assert names.type == "list" and names.formula1 == "DS_XA"
    assert len(_list_values(wb, "DS_XA")) == 16
    report = wb["Báo cáo"]
    (count,) = _validations(report, "F20")
    assert (count.type, count.operator, count.formula1) == ("whole", "greaterThanOrEqual", "0")
    assert report.protection.sheet and report["C15"].protection.locked is False
    # LibreOffice has no "very hidden": its files bring `_mdplan` back as merely hidden.
    assert wb["_mdplan"].sheet_state == "hidden"


def test_file_name_has_no_diacritics_or_double_dots(plan):
    assert tpl.template_filename(plan, BA_BE, Q1) == "mdplan-bao-cao-ubnd-huyen-ba-be-2017-01_2017-03.xlsx"


@pytest.mark.parametrize("unit", [BA_BE, AGENCY])
def test_the_reader_reads_a_blank_template_cleanly(plan, unit):
    """The contract from the other side: mdplan's reader finds the unit and the period of a
    template nobody has filled yet, and nothing to complain about."""
    from mdplan_core.reader import read_report
    from mdplan_core.workbook import read_workbook

    report, findings = read_report(read_workbook(tpl.build_template(plan, unit, Q2), "t.xlsx"),
                                   plan)
    # Only that nobody signed and dated it yet.
    assert [f.code for f in findings] == ["header.no_reporter", "header.no_report_date"]
    assert (report.unit_code, report.period) == (unit, Q2)
    assert report.is_empty
