"""Reading workbooks into a neutral grid: the same report written by openpyxl and by
LibreOffice (as .xlsx, .xls and .ods) must read the same, cell for cell.

The LibreOffice-written files are committed fixtures (tests/libreoffice.py makes them).
"""
from __future__ import annotations

import datetime
import io
import zipfile

import openpyxl
import pytest
from openpyxl.styles import Font

from mdplan_core.workbook import (
    MergedRange,
    RawSheet,
    WorkbookReadError,
    cell_ref,
    is_legacy_font,
    read_workbook,
    try_read_workbook,
)
from tests import hostile
from tests.libreoffice import written

SOURCE_FORMATS = ["openpyxl-xlsx", "lo-xlsx", "lo-xls", "lo-ods"]
LIBREOFFICE_FORMATS = ["lo-xlsx", "lo-xls", "lo-ods"]


def build_report() -> bytes:
    """One workbook holding each case the reader must get right."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Báo cáo"
    ws["A1"], ws["B1"], ws["C1"], ws["D1"] = "Chỉ tiêu", 12, 3.5, True
    ws["A2"] = datetime.date(2017, 3, 31)
    ws["B2"] = datetime.datetime(2017, 3, 31, 14, 30)
    ws["C2"], ws["D2"] = "0123", "12,5"  # numbers stored as text stay text
    ws["A3"], ws["B3"], ws["C3"], ws["D3"] = "=B1*2", "=#REF!+1", "=1/0", "=SUM(B1:C1)"
    # Text typed with legacy Vietnamese fonts: TCVN3 bytes shown as .VnTime, VNI as VNI-Times.
    ws["A4"] = "X· §ång Phóc"
    ws["A4"].font = Font(name=".VnTime")
    ws["B4"] = "Huye\u00e4n"
    ws["B4"].font = Font(name="VNI-Times")
    ws["C4"] = "Unicode"
    ws["C4"].font = Font(name="Times New Roman")
    ws["D4"].font = Font(name=".VnTime")  # legacy font on an empty cell: not reported
    ws.merge_cells("A6:C6")
    ws["A6"] = "Gộp ô"

    hidden = wb.create_sheet("Ẩn")
    hidden["A1"] = "ẩn"
    hidden.sheet_state = "hidden"
    very = wb.create_sheet("Rất ẩn")
    very["A1"] = "rất ẩn"
    very.sheet_state = "veryHidden"
    offset = wb.create_sheet("Lệch")
    offset["C5"], offset["D6"] = "x", 2
    wb.create_sheet("Trống")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.fixture(scope="module")
def books() -> dict[str, object]:
    source = build_report()
    files = {
        "openpyxl-xlsx": source,
        "lo-xlsx": written("workbook-report", "xlsx"),
        "lo-xls": written("workbook-report", "xls"),
        "lo-ods": written("workbook-report", "ods"),
    }
    return {name: read_workbook(data, f"bao-cao.{name.split('-')[1]}")
            for name, data in files.items()}


def report_sheet(books, name) -> RawSheet:
    return books[name].sheet("Báo cáo")


# --- the same values from every writer ------------------------------------------------------

@pytest.mark.parametrize("name", SOURCE_FORMATS)
def test_format_is_detected_from_content(books, name):
    assert books[name].format == name.split("-")[1]
    assert books[name].findings == []


@pytest.mark.parametrize("name", SOURCE_FORMATS)
def test_plain_values(books, name):
    sheet = report_sheet(books, name)

    assert sheet.rows[0][0] == "Chỉ tiêu"
    assert sheet.rows[0][1] == 12 and isinstance(sheet.rows[0][1], (int, float))
    assert sheet.rows[0][2] == 3.5
    assert sheet.rows[3][:3] == ["X· §ång Phóc", "Huye\u00e4n", "Unicode"]
    assert sheet.rows[4] == [None, None, None, None]  # an empty row keeps its place


@pytest.mark.parametrize("name", ["openpyxl-xlsx", "lo-xlsx", "lo-xls"])
def test_booleans(books, name):
    assert report_sheet(books, name).rows[0][3] is True


def test_ods_boolean_as_libreoffice_stores_it(books):
    # LibreOffice writes TRUE into .ods as a number formatted as a boolean.
    assert report_sheet(books, "lo-ods").rows[0][3] == 1.0


@pytest.mark.parametrize("name", SOURCE_FORMATS)
def test_dates_come_back_as_dates(books, name):
    row = report_sheet(books, name).rows[1]

    assert row[0] == datetime.date(2017, 3, 31)
    assert type(row[0]) is datetime.date
    assert row[1] == datetime.datetime(2017, 3, 31, 14, 30)


@pytest.mark.parametrize("name", SOURCE_FORMATS)
def test_numbers_stored_as_text_stay_text(books, name):
    assert report_sheet(books, name).rows[1][2:4] == ["0123", "12,5"]


def test_formulas_without_cached_values_read_as_empty(books):
    # openpyxl writes formulas without results; calamine gives "" for them, which we
    # turn into None like any empty cell. Nothing recalculates.
    assert report_sheet(books, "openpyxl-xlsx").rows[2] == [None, None, None, None]


@pytest.mark.parametrize("name", LIBREOFFICE_FORMATS)
def test_formulas_give_their_cached_values_and_errors_their_text(books, name):
    # calamine gives "" for an error cell; the error text comes from a second reader.
    assert report_sheet(books, name).rows[2] == [24.0, "#REF!", "#DIV/0!", 15.5]


def test_cached_error_written_by_hand_like_excel():
    sheet_xml = hostile.sheet_xml(
        '<row r="1"><c r="A1" t="e"><f>1/0</f><v>#DIV/0!</v></c>'
        '<c r="B1" t="e"><v>#N/A</v></c><c r="C1"><v>3</v></c></row>')

    book = read_workbook(hostile.xlsx_from_sheet(sheet_xml), "excel.xlsx")

    assert book.sheets[0].rows == [["#DIV/0!", "#N/A", 3.0]]


@pytest.mark.parametrize("name", SOURCE_FORMATS)
def test_merged_ranges(books, name):
    assert report_sheet(books, name).merged == [MergedRange(5, 0, 5, 2)]
    assert report_sheet(books, name).merged[0].ref == "A6:C6"
    assert report_sheet(books, name).rows[5][:3] == ["Gộp ô", None, None]


@pytest.mark.parametrize("name", SOURCE_FORMATS)
def test_sheet_order_and_visibility(books, name):
    states = [(s.name, s.state) for s in books[name].sheets]
    # LibreOffice has no "very hidden": it saves such a sheet as hidden.
    very = "veryHidden" if name == "openpyxl-xlsx" else "hidden"

    assert states == [("Báo cáo", "visible"), ("Ẩn", "hidden"), ("Rất ẩn", very),
                      ("Lệch", "visible"), ("Trống", "visible")]
    assert books[name].sheet("Ẩn").rows == [["ẩn"]]


@pytest.mark.parametrize("name", SOURCE_FORMATS)
def test_grid_is_anchored_at_a1(books, name):
    sheet = books[name].sheet("Lệch")

    assert sheet.rows[4][2] == "x"
    assert sheet.rows[5][3] == 2
    assert sheet.value(4, 2) == "x" and sheet.value(0, 0) is None
    assert sheet.value(99, 99) is None


@pytest.mark.parametrize("name", SOURCE_FORMATS)
def test_empty_sheet_has_no_rows(books, name):
    assert books[name].sheet("Trống").rows == []


@pytest.mark.parametrize("name", ["openpyxl-xlsx", "lo-xlsx", "lo-xls", "lo-ods"])
def test_legacy_fonts_are_mapped_by_cell(books, name):
    assert report_sheet(books, name).fonts == {(3, 0): ".VnTime", (3, 1): "VNI-Times"}
    assert books[name].sheet("Ẩn").fonts == {}


def test_is_legacy_font():
    assert is_legacy_font(".VnTime") and is_legacy_font(".VnTimeH") and is_legacy_font(".vnarial")
    assert is_legacy_font("VNI-Times") and is_legacy_font("vni-helve")
    assert not is_legacy_font("Times New Roman") and not is_legacy_font(None)
    assert not is_legacy_font("VNTime")  # no leading dot: not the ABC/TCVN3 family


# --- other shapes of input ------------------------------------------------------------------

def test_xlsm_is_read_and_its_macros_left_alone():
    source = io.BytesIO(hostile.real_xlsx(rows=3))
    out = io.BytesIO()
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            zout.writestr(item, zin.read(item))
        zout.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0 not run, not read")

    book = read_workbook(out.getvalue(), "bao-cao.xlsm")

    assert book.format == "xlsm"
    assert book.sheets[0].rows[1][:2] == ["X001", "Xã số 1"]


def test_chart_sheets_are_left_out():
    wb = openpyxl.Workbook()
    wb.active["A1"] = 1
    wb.create_chartsheet("Biểu đồ")
    buf = io.BytesIO()
    wb.save(buf)

    book = read_workbook(buf.getvalue(), "bao-cao.xlsx")

    assert [s.name for s in book.sheets] == ["Sheet"]


def test_second_reader_failing_keeps_the_values(monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("openpyxl cannot parse this styles.xml")

    monkeypatch.setattr(openpyxl, "load_workbook", broken)

    book = read_workbook(build_report(), "bao-cao.xlsx")

    assert [f.code for f in book.findings] == ["file.formatting_unreadable"]
    assert book.findings[0].severity == "warning"
    assert book.sheet("Báo cáo").rows[0][0] == "Chỉ tiêu"
    assert book.sheet("Báo cáo").fonts == {}


@pytest.mark.parametrize("data,code", [
    pytest.param(hostile.encrypted_xlsx(), "file.encrypted", id="encrypted"),
    pytest.param(hostile.csv_bytes(), "file.not_a_workbook", id="csv"),
    pytest.param(hostile.truncated_xlsx(), "file.truncated", id="truncated"),
    pytest.param(hostile.xlsx_from_sheet("<worksheet><sheetData><row><c><v>1</v></row>"),
                 "file.unreadable", id="broken-xml"),
])
def test_unreadable_bytes_raise_with_a_code(data, code):
    with pytest.raises(WorkbookReadError) as caught:
        read_workbook(data, "bao-cao.xlsx")
    assert caught.value.code == code

    book, findings = try_read_workbook(data, "bao-cao.xlsx")
    assert book is None
    assert [(f.code, f.file, f.severity) for f in findings] == [(code, "bao-cao.xlsx", "error")]


@pytest.mark.parametrize("row,col,ref", [
    (0, 0, "A1"), (13, 4, "E14"), (0, 25, "Z1"), (0, 26, "AA1"), (0, 199, "GR1"),
    (1048575, 16383, "XFD1048576"),
])
def test_cell_ref(row, col, ref):
    assert cell_ref(row, col) == ref


# --- control characters ----------------------------------------------------------------------

CLEAN_TEXTS = [["Lớp 1\nLớp 2"], ["màu [31mđỏ"], ["Ghi chú"], ["a\nb"], [None]]


def control_findings(book) -> list[tuple[str, str, str]]:
    return [(f.code, f.cell, f.severity) for f in book.findings]


def test_control_characters_become_newlines_or_are_dropped_with_a_warning_per_cell():
    book = read_workbook(hostile.control_characters_xlsx(), "bao-cao.xlsx")

    assert book.sheets[0].rows == CLEAN_TEXTS
    # Line breaks (A1, A4) are only normalised; the cells that lost a character are named.
    assert control_findings(book) == [("text.control_characters", ref, "warning")
                                      for ref in ("A2", "A3", "A5")]
    assert "Ô A2" in book.findings[0].message and "U+001B" in book.findings[0].message
    assert "U+0000" in book.findings[1].message
    assert {(f.sheet, f.file) for f in book.findings} == {("Báo cáo", "bao-cao.xlsx")}


def control_characters_book() -> bytes:
    """Control characters typed raw and as Excel's `_xHHHH_` escapes, one hidden sheet."""
    wb = openpyxl.Workbook()
    wb.active.title = "Báo cáo"
    for r, text in enumerate(hostile.CONTROL_TEXTS, 1):
        wb.active.cell(r, 1, text)
    hidden = wb.create_sheet("Ẩn")
    hidden["A1"], hidden.sheet_state = "ẩn_x001B_", "hidden"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_control_characters_in_an_xls_and_in_an_openpyxl_file():
    # openpyxl writes a text as given, so an escape typed into it is what Excel would write.
    for data, name in ((control_characters_book(), "bao-cao.xlsx"),
                       (written("workbook-control", "xls"), "bao-cao.xls")):
        book = read_workbook(data, name)
        assert book.sheet("Báo cáo").rows == CLEAN_TEXTS, name
        assert book.sheet("Ẩn").rows == [["ẩn"]], name  # cleaned, but not a sheet to talk about
        assert [f.cell for f in book.findings] == ["A2", "A3", "A5"], name


def test_many_cells_with_control_characters_are_summed_up():
    book = read_workbook(hostile.control_characters_xlsx(["x_x001B_"] * 30), "bao-cao.xlsx")

    assert all(row == ["x"] for row in book.sheets[0].rows)
    assert [f.cell for f in book.findings] == [f"A{r}" for r in range(1, 26)] + [None]
    assert "Còn 5 ô khác" in book.findings[-1].message


# --- issue 9: reading ---

def test_ods_fonts_come_from_cell_styles_their_parents_and_text_spans():
    from tests.ods import write_ods

    data = write_ods({"Báo cáo": [["Ghi chó", "VNI", 12, None, "plain"]]},
                     fonts={("Báo cáo", 0, 0): ".VnTime", ("Báo cáo", 0, 2): ".VnTime",
                            ("Báo cáo", 0, 4): "Times New Roman"},
                     span_fonts={("Báo cáo", 0, 1): "VNI-Times"})
    sheet = read_workbook(data, "bao-cao.ods").sheet("Báo cáo")
    assert sheet.fonts == {(0, 0): ".VnTime", (0, 1): "VNI-Times", (0, 2): ".VnTime"}


def test_ods_default_cell_style_in_vntime_covers_unstyled_cells():
    from tests.ods import write_ods

    data = write_ods({"Báo cáo": [["M· chØ tiªu", "x"]]}, default_font=".VnTime")
    assert read_workbook(data, "bao-cao.ods").sheet("Báo cáo").fonts == {
        (0, 0): ".VnTime", (0, 1): ".VnTime"}


def test_ods_style_parents_that_loop_do_not_hang():
    from mdplan_core.workbook import _OdsStyles

    styles = _OdsStyles()
    styles.styles = {"a": (None, "b"), "b": (None, "a"), "c": (None, "d"), "d": (".VnTime", None)}
    assert styles.font("a") is None and styles.font("c") == ".VnTime"
