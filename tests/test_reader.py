"""The reader reads the template back exactly, and every tolerance of docs/template.md holds:
moved rows and columns, titles, reordered rows, names for codes, numbers as text, NFD,
TCVN3/VNI text (xlsx and xls), unit and commune names typed loosely, files LibreOffice wrote.

Variants are built in code from the filled template: its cell values are copied into a plain
grid (an officer's own copy of the form), the grid is changed, and written back with openpyxl.
"""
from __future__ import annotations

import datetime as dt
import io
import unicodedata

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mdplan_core import vntext
from mdplan_core.filling import value_cell
from mdplan_core.plan import load_plan
from mdplan_core.reader import MESSAGES, ReportCells, read_report, read_report_with_cells
from mdplan_core.report import ParsedReport, Period, ReportValue
from mdplan_core.sandbox import read_workbook_safely
from mdplan_core.template import build_template
from mdplan_core.workbook import RawSheet, RawWorkbook
from tests.fill import fill_template
from tests.libreoffice import written

UNIT = "ubnd_061"  # UBND huyện Ba Bể
PERIOD = Period(2017, 1, 3)
RESULTS = {"CT1.1": 3, "CT1.2": 1234, "CT1.4": 45, "CT1.5": 4, "CT2.1": 1, "CT3.2": 0,
           "CT4.1": 2, "CT5.1": 1, "CT5.2": 2}
COMMUNES = {"CT1.3": ["Chợ Rã", "Hà Hiệu"], "CT3.1": ["Nam Mẫu"]}
COMMUNE_CODES = {"Chợ Rã": "01888", "Hà Hiệu": "01897", "Nam Mẫu": "01909"}
MEDIA = "Báo Bắc Kạn đăng 2 bài; Đài Phát thanh và Truyền hình phát 2 phóng sự."
REPORTER = "Nguyễn Thị Hoa"
PHONE = "0209 3870 123"
REPORT_DATE = dt.date(2017, 3, 28)
REPORT = "Báo cáo"
COMMUNE_SHEET = "Xã, phường"


@pytest.fixture(scope="module")
def plan():
    return load_plan()


def expected_report(plan, unit=UNIT, results=RESULTS, communes=COMMUNES, media=MEDIA,
                    reporter=REPORTER, phone=PHONE, report_date=REPORT_DATE) -> ParsedReport:
    values = []
    for code in plan.indicators["code"]:
        if code in communes:
            codes = tuple(COMMUNE_CODES[name] for name in communes[code])
            values.append(ReportValue(code, len(codes), communes=codes))
        elif code == "CT1.5":
            values.append(ReportValue(code, results.get(code), text=media))
        elif code in results:
            values.append(ReportValue(code, results[code]))
    return ParsedReport(unit, PERIOD, values, reporter=reporter, phone=phone,
                        report_date=report_date)


def filled_report(plan=None) -> bytes:
    return fill_template(build_template(plan or load_plan(), UNIT, PERIOD), results=RESULTS,
                         communes=COMMUNES, media_text=MEDIA, reporter=REPORTER, phone=PHONE,
                         report_date=REPORT_DATE)


@pytest.fixture(scope="module")
def filled(plan) -> bytes:
    return filled_report(plan)


def read(data: bytes, plan, filename: str = "bao-cao.xlsx"):
    raw, findings = read_workbook_safely(data, filename)
    assert raw is not None, findings
    return read_report_with_cells(raw, plan, filename=filename)


def codes(findings) -> list[str]:
    return [f.code for f in findings]


# --- Grids: an officer's own copy of the form ------------------------------------------------

def grid_of(data: bytes) -> dict[str, list[list]]:
    """The visible sheets' cell values (cached values for formulas), sheet by sheet."""
    wb = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    return {ws.title: [[c.value for c in row] for row in ws.iter_rows()]
            for ws in wb.worksheets if ws.sheet_state == "visible"}


def write_grid(grid: dict[str, list[list]], *, merges=None, fonts=None) -> bytes:
    """An xlsx from a grid. `fonts` maps (sheet, row, col) (0-based) to a font name."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in grid.items():
        ws = wb.create_sheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is not None:
                    cell = ws.cell(r + 1, c + 1, value)
                    if fonts and (name, r, c) in fonts:
                        cell.font = openpyxl.styles.Font(name=fonts[(name, r, c)])
        for cells in (merges or {}).get(name, []):
            ws.merge_cells(cells)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def find(rows: list[list], value) -> tuple[int, int]:
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            if v == value:
                return r, c
    raise LookupError(value)


def table_rows(rows) -> range:
    first, _ = find(rows, "CT1.1")
    last, _ = find(rows, "CT5.2")
    return range(first, last + 1)


def map_strings(grid, fn, sheets=(REPORT, COMMUNE_SHEET)):
    for name in sheets:
        grid[name] = [[fn(v) if isinstance(v, str) else v for v in row] for row in grid[name]]
    return grid


# --- Variants: each changes the grid the way an officer (or their software) would -----------

def insert_rows_above(grid):
    grid[REPORT][0:0] = [["Kính gửi: Sở Lao động - Thương binh và Xã hội"], [], [None, "x"]]
    return grid


def blank_rows_in_table(grid):
    rows = grid[REPORT]
    for code in ("CT4.1", "CT1.3"):
        rows.insert(find(rows, code)[0], [])
    return grid


def extra_columns(grid):
    rows = grid[REPORT]
    header, name_col = find(rows, "Tên chỉ tiêu")
    for row in rows:
        row.insert(0, None)
        row.insert(name_col + 2, None)
    rows[header][0], rows[header][name_col + 2] = "STT", "Nguồn số liệu"
    for i, r in enumerate(table_rows(rows), start=1):
        rows[r][0], rows[r][name_col + 2] = i, "Phòng LĐTBXH huyện"
    return grid


def merged_title_and_signature(grid):
    rows = grid[REPORT]
    rows[0:0] = [["UBND HUYỆN BA BỂ", None, None, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"],
                 [None, None, None, "Độc lập - Tự do - Hạnh phúc"], []]
    rows += [[], [None, None, None, None, "Ba Bể, ngày 28 tháng 3 năm 2017"],
             ["Nơi nhận:", None, None, None, "CHỦ TỊCH"], ["- Sở LĐTBXH;"], ["- Lưu VT."]]
    return grid


MERGED_TITLE = {REPORT: ["A1:C1", "D1:G1", "D2:G2"]}


def reordered_rows(grid):
    rows = grid[REPORT]
    span = table_rows(rows)
    rows[span.start:span.stop] = list(reversed(rows[span.start:span.stop]))
    return grid


def names_instead_of_codes(grid):
    rows = grid[REPORT]
    _, code_col = find(rows, "Mã chỉ tiêu")
    for r in table_rows(rows):
        rows[r][code_col] = None
    return grid


def no_code_column(grid):
    rows = grid[REPORT]
    header, code_col = find(rows, "Mã chỉ tiêu")
    span = table_rows(rows)
    for r in [header, *span]:
        rows[r][code_col] = None
    return grid


def names_without_diacritics(grid):
    rows = grid[REPORT]
    _, name_col = find(rows, "Tên chỉ tiêu")
    span = table_rows(rows)
    names_instead_of_codes(grid)
    for r in span:
        rows[r][name_col] = vntext.match_key(rows[r][name_col]).upper()
    return grid


def lowercase_codes(grid):
    rows = grid[REPORT]
    _, code_col = find(rows, "Mã chỉ tiêu")
    for r in table_rows(rows):
        rows[r][code_col] = " " + rows[r][code_col].lower().replace("ct", "ct ") + " "
    return grid


TEXT_NUMBERS = {"CT1.1": "03", "CT1.2": "1.234", "CT1.4": " 45 ", "CT1.5": "4", "CT3.2": "0"}


def numbers_as_text(grid):
    rows = grid[REPORT]
    _, result_col = find(rows, "Kết quả trong kỳ")
    for r in table_rows(rows):
        code = next(v for v in rows[r] if isinstance(v, str) and v.startswith("CT"))
        if code in TEXT_NUMBERS:
            rows[r][result_col] = TEXT_NUMBERS[code]
    return grid


def nfd(grid):
    return map_strings(grid, lambda s: unicodedata.normalize("NFD", s))


def header_label_variants(grid):
    """Labels typed by hand: other case, a colon, no diacritics, extra spaces."""
    rows = grid[REPORT]
    for label, typed in (("Mã chỉ tiêu", "MÃ CHỈ TIÊU"), ("Kết quả trong kỳ", "Ket qua trong ky:"),
                         ("Người báo cáo", "Người  báo cáo:"), ("Ngày báo cáo", "ngay bao cao")):
        r, c = find(rows, label)
        rows[r][c] = typed
    return grid


def label_and_value_in_one_cell(grid):
    rows = grid[REPORT]
    r, c = find(rows, "Người báo cáo")
    rows[r] = [f"Người báo cáo: {REPORTER}"]
    return grid


def numbering_and_total_rows(grid):
    rows = grid[REPORT]
    header, _ = find(rows, "Mã chỉ tiêu")
    rows.insert(header + 1, [f"({i})" for i in range(1, 8)])
    last = table_rows(rows).stop
    _, result_col = find(rows, "Kết quả trong kỳ")
    total = [None] * 7
    total[2], total[result_col] = "Tổng cộng", sum(RESULTS.values())
    rows.insert(last, total)
    return grid


def unit_by_name(text):
    def change(grid):
        rows = grid[REPORT]
        r, c = find(rows, UNIT)
        rows[r][c] = None
        r, c = find(rows, "UBND huyện Ba Bể")
        rows[r][c] = text
        return grid
    change.__name__ = f"unit_by_name({text})"
    return change


def loose_commune_names(grid):
    rows = grid[COMMUNE_SHEET]
    for name, typed in (("Chợ Rã", "TT Chợ Rã"), ("Hà Hiệu", "xa ha hieu"),
                        ("Nam Mẫu", " Xã Nam Mẫu ")):
        r, c = find(rows, name)
        rows[r][c] = typed
    return grid


def communes_on_report_sheet(grid):
    """An officer's copy with one sheet: the commune list under the table."""
    commune_rows = grid.pop(COMMUNE_SHEET)
    header, _ = find(commune_rows, "Mã chỉ tiêu")
    grid[REPORT] += [[], *commune_rows[header:]]
    return grid


def date_as(value):
    def change(grid):
        rows = grid[REPORT]
        r, c = find(rows, "Ngày báo cáo")
        rows[r][c + 2] = value  # the label is merged over two columns
        return grid
    change.__name__ = f"date_as({value!r})"
    return change


def previous_results_column(grid):
    """A column whose label only starts like a result label must not be taken for it."""
    rows = grid[REPORT]
    header, result_col = find(rows, "Kết quả trong kỳ")
    for row in rows:
        row.insert(result_col, None)
    rows[header][result_col] = "Kết quả thực hiện năm 2016"
    for r in table_rows(rows):
        rows[r][result_col] = 99
    return grid


def header_values_typed_loosely(grid):
    rows = grid[REPORT]
    for label, typed in (("Từ tháng", "Tháng 1"), ("Đến tháng", "03"), ("Năm kế hoạch", "2017")):
        r, c = find(rows, label)
        rows[r][c + 2] = typed
    return grid


def sheet_renamed(grid):
    """Sheet names do not matter: the table is found by its labels."""
    return {"Sheet1": grid[REPORT], "Sheet2": grid[COMMUNE_SHEET]}


VARIANTS = [
    (insert_rows_above, {}),
    (blank_rows_in_table, {}),
    (extra_columns, {}),
    (merged_title_and_signature, {"merges": MERGED_TITLE}),
    (reordered_rows, {}),
    (names_instead_of_codes, {}),
    (no_code_column, {}),
    (names_without_diacritics, {}),
    (lowercase_codes, {}),
    (numbers_as_text, {}),
    (nfd, {}),
    (header_label_variants, {}),
    (label_and_value_in_one_cell, {}),
    (numbering_and_total_rows, {}),
    (unit_by_name("ubnd huyen ba be"), {}),
    (unit_by_name("Huyện Ba Bể"), {}),
    (unit_by_name("H. Ba Bể"), {}),
    (unit_by_name("Ba Be"), {}),
    (loose_commune_names, {}),
    (communes_on_report_sheet, {}),
    (date_as("28/03/2017"), {}),
    (date_as("28-3-2017"), {}),
    (date_as(dt.datetime(2017, 3, 28, 0, 0)), {}),
    (previous_results_column, {}),
    (header_values_typed_loosely, {}),
    (sheet_renamed, {}),
]


def test_filled_template_reads_back_exactly(plan, filled):
    result = read(filled, plan)
    assert result.findings == []
    assert result.report == expected_report(plan)


def test_read_report_returns_the_report_and_findings(plan, filled):
    raw, _ = read_workbook_safely(filled, "x.xlsx")
    report, findings = read_report(raw, plan, filename="x.xlsx")
    assert report == expected_report(plan) and findings == []


def test_cells_say_where_each_value_was_read(plan, filled):
    cells = read(filled, plan).cells
    assert isinstance(cells, ReportCells)
    assert (cells.report_sheet, cells.commune_sheet) == (REPORT, COMMUNE_SHEET)
    assert cells.header["unit_code"] == "C11" and cells.header["report_date"] == "C17"
    assert cells.at_value("CT1.1") == {"sheet": REPORT, "cell": "F20"}
    assert cells.at_value("CT5.2") == {"sheet": REPORT, "cell": "F30"}
    assert cells.at_commune("CT1.3", "01897") == {"sheet": COMMUNE_SHEET, "cell": "C6"}
    assert cells.at_table() == {"sheet": REPORT, "cell": "F19"}
    assert cells.media_text == "C32"


@pytest.mark.parametrize("change, options", VARIANTS, ids=[v[0].__name__ for v in VARIANTS])
def test_variant_reads_the_same_report(plan, filled, change, options):
    data = write_grid(change(grid_of(filled)), **options)
    result = read(data, plan)
    assert [f for f in result.findings if f.is_error] == []
    assert result.report == expected_report(plan)


def test_numbers_as_text_warn_only_when_ambiguous(plan, filled):
    grid = numbers_as_text(grid_of(filled))
    rows = grid[REPORT]
    r, c = find(rows, "1.234")
    rows[r][c] = "1234 người"
    result = read(write_grid(grid), plan)
    assert result.report == expected_report(plan)
    assert [(f.code, f.severity, f.cell) for f in result.findings] == [
        ("value.unit_suffix", "warning", "F21")]


def formula_report() -> bytes:
    wb = openpyxl.load_workbook(io.BytesIO(filled_report()))
    wb[REPORT]["F20"] = "=1+2"
    wb[REPORT]["F28"] = "=SUM(1,1)"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_a_formula_is_read_by_its_cached_value(plan):
    computed = written("reader-formulas", "xlsx")  # LibreOffice computed and cached the values
    result = read(computed, plan)
    assert result.findings == []
    assert result.report == expected_report(plan)


def test_a_month_first_date_is_never_guessed(plan, filled):
    result = read(write_grid(date_as("03/28/2017")(grid_of(filled))), plan)
    assert [(f.code, f.cell) for f in result.findings] == [("date.invalid", "C17")]
    result = read(write_grid(date_as("03/04/2017")(grid_of(filled))), plan)
    assert result.report.report_date == dt.date(2017, 4, 3)


# --- Legacy encodings ------------------------------------------------------------------------

def legacy(grid, encoding: str, with_font: bool):
    """Every text of the report and commune sheets in TCVN3 or VNI, with the matching font
    on each cell (or no font: the reader must detect it)."""
    fonts = {}
    for name in (REPORT, COMMUNE_SHEET):
        for r, row in enumerate(grid[name]):
            for c, value in enumerate(row):
                if not isinstance(value, str) or value.isascii():
                    continue
                if encoding == "vni":
                    row[c], font = vntext.unicode_to_vni(value), "VNI-Times"
                else:
                    try:
                        row[c], font = vntext.unicode_to_tcvn3(value), ".VnTime"
                    except ValueError:  # toned capitals need the capitals font
                        row[c], font = vntext.unicode_to_tcvn3(value, upper=True), ".VnTimeH"
                if with_font:
                    fonts[(name, r, c)] = font
    return grid, fonts


def legacy_report(encoding: str) -> bytes:
    grid, fonts = legacy(grid_of(filled_report()), encoding, with_font=True)
    return write_grid(grid, fonts=fonts)


def tcvn3_report() -> bytes:
    return legacy_report("tcvn3")


def vni_report() -> bytes:
    return legacy_report("vni")


LEGACY = [("tcvn3", True, "xlsx"), ("vni", True, "xlsx"), ("tcvn3", True, "xls"),
          ("vni", True, "xls"), ("tcvn3", False, "xlsx"), ("vni", False, "xlsx")]


@pytest.mark.parametrize("encoding, with_font, fmt", LEGACY,
                         ids=[f"{e}-{'font' if f else 'detected'}-{x}" for e, f, x in LEGACY])
def test_legacy_text_is_converted_with_a_warning(plan, filled, encoding, with_font, fmt):
    if fmt == "xls":  # the same file, saved as .xls by LibreOffice
        data = written(f"reader-{encoding}", "xls")
    else:
        grid, fonts = legacy(grid_of(filled), encoding, with_font)
        data = write_grid(grid, fonts=fonts)
    result = read(data, plan, filename=f"bao-cao.{fmt}")
    assert result.report == expected_report(plan)
    warnings = [f for f in result.findings if f.code == "text.legacy_encoding"]
    assert [f.sheet for f in warnings] == [REPORT, COMMUNE_SHEET]
    assert all(f.severity == "warning" and f.cell for f in warnings)
    assert ("TCVN3" if encoding == "tcvn3" else "VNI") in warnings[0].message
    assert [f for f in result.findings if f not in warnings] == []


# --- Files written by LibreOffice -------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["xlsx", "xls", "ods"])
def test_libreoffice_written_file_reads_back_exactly(plan, fmt):
    data = written("reader-filled", fmt)
    result = read(data, plan, filename=f"bao-cao.{fmt}")
    assert result.findings == []
    assert result.report == expected_report(plan)


# --- Units and communes -----------------------------------------------------------------------

def agency_workbook(plan, rows: list[tuple[str, str, str]], unit="syt") -> bytes:
    """A provincial agency's template with commune rows (code, district, commune)."""
    wb = openpyxl.load_workbook(io.BytesIO(build_template(plan, unit, PERIOD)))
    ws = wb[REPORT]
    ws["F20"] = 2
    value_cell(ws, "Người báo cáo").value = REPORTER
    value_cell(ws, "Ngày báo cáo").value = REPORT_DATE
    sheet = wb[COMMUNE_SHEET]
    for i, (code, district, commune) in enumerate(rows, start=5):
        sheet.cell(i, 1, code)
        sheet.cell(i, 2, district)
        sheet.cell(i, 3, commune)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_an_agency_names_communes_in_any_district(plan):
    data = agency_workbook(plan, [("CT1.3", "Huyện Ba Bể", "Chợ Rã"),
                                  ("CT1.3", "Na Rì", "xã Côn Minh"),
                                  ("CT3.1", None, "Phường Sông Cầu")])  # no district: unique name
    result = read(data, plan)
    assert result.findings == []
    report = result.report
    assert report.unit_code == "syt"
    assert report.value("CT1.3").communes == ("01888", "02173")
    assert report.value("CT3.1").communes == ("01837",)


def test_an_agency_commune_must_be_in_the_district_it_names(plan):
    data = agency_workbook(plan, [("CT1.3", "Huyện Ba Bể", "Côn Minh")])
    result = read(data, plan)
    assert [(f.code, f.sheet, f.cell) for f in result.findings] == [
        ("commune.not_in_district", COMMUNE_SHEET, "C5")]
    assert "Huyện Na Rì" in result.findings[0].message


def test_a_district_commune_outside_the_district_is_refused(plan):
    data = fill_template(build_template(plan, UNIT, PERIOD), results={"CT1.1": 1},
                         communes={"CT1.3": ["Côn Minh"]}, media_text=None, reporter=REPORTER,
                         phone=None, report_date=REPORT_DATE)
    result = read(data, plan)
    assert [(f.code, f.cell) for f in result.findings] == [("commune.not_in_district", "C5")]
    assert result.report.value("CT1.3") is None


class _PlanWith:
    """The real plan with some frames replaced, for cases the real plan cannot produce."""

    def __init__(self, plan, **frames):
        self._plan, self._frames = plan, frames

    def __getattr__(self, name):
        if name in self._frames:
            return self._frames[name].copy()
        return getattr(self._plan, name)


def test_an_ambiguous_unit_name_lists_the_candidates(plan, filled):
    agencies = plan.agencies
    agencies["aliases"] = [a + (["Sở Y tế"] if i == "stp" else []) for i, a in
                           zip(agencies["id"], agencies["aliases"])]
    grid = unit_by_name("Sở Y tế")(grid_of(filled))
    result = read(write_grid(grid), _PlanWith(plan, agencies=agencies))
    assert result.report is None
    assert [(f.code, f.cell) for f in result.findings] == [("unit.ambiguous", "C10")]
    assert "Sở Y tế" in result.findings[0].message and "Sở Tư pháp" in result.findings[0].message


def test_an_unknown_unit_name_suggests_close_names(plan, filled):
    result = read(write_grid(unit_by_name("UBND huyện Ba Bễ Hồ")(grid_of(filled))), plan)
    assert result.report is None
    assert [(f.code, f.cell) for f in result.findings] == [("unit.unknown", "C10")]
    message = result.findings[0].message
    assert "Có phải" in message and "UBND huyện Ba Bể" in message


def test_a_hidden_sheet_is_not_read(plan, filled):
    wb = openpyxl.load_workbook(io.BytesIO(filled))
    wb[REPORT].sheet_state = "hidden"
    wb.active = 1
    out = io.BytesIO()
    wb.save(out)
    result = read(out.getvalue(), plan)
    assert result.report is None
    assert codes(result.findings) == ["template.not_recognised"]


def test_every_message_is_vietnamese_and_formats(plan):
    assert all(isinstance(m, str) and m for m in MESSAGES.values())
    assert all(any(ch in m for ch in "ăâđêôơưạảấầẩậắằẳặẹẻẽếềểệỉịọỏốồổộớờởợụủứừửựỳỵỷỹ")
               for m in MESSAGES.values())


def test_nothing_is_filled_reads_as_an_empty_report(plan):
    result = read(build_template(plan, UNIT, PERIOD), plan)
    assert [(f.code, f.severity) for f in result.findings] == [
        ("header.no_reporter", "warning"), ("header.no_report_date", "warning")]
    assert result.report.is_empty and result.report.period == PERIOD


def test_a_phone_typed_as_a_number_keeps_its_leading_zero(plan, filled):
    grid = grid_of(filled)
    r, c = find(grid[REPORT], PHONE)
    grid[REPORT][r][c] = 912345678
    assert read(write_grid(grid), plan).report.phone == "0912345678"


# --- Control characters -----------------------------------------------------------------------

def test_text_pasted_from_word_reads_with_line_breaks_and_without_control_characters(plan):
    # fill_template writes a control character as Excel does: as its _xHHHH_ escape.
    data = fill_template(build_template(plan, UNIT, PERIOD), results=RESULTS, communes=COMMUNES,
                         media_text="Chuyên mục\x0bPháp luật\r\nkỳ 2", reporter="Nguyễn\x1b Thị Hoa\x00",
                         phone=PHONE, report_date=REPORT_DATE,
                         notes={"CT1.1": "Lớp 1\x0bLớp 2", "CT1.2": "\x1b"})
    raw, read_findings = read_workbook_safely(data, "bao-cao.xlsx")
    result = read_report_with_cells(raw, plan)
    values = {v.indicator_code: v for v in result.report.values}
    assert values["CT1.1"].note == "Lớp 1\nLớp 2"
    assert values["CT1.2"].note is None  # nothing but a control character: no note
    assert values["CT1.5"].text == "Chuyên mục\nPháp luật\nkỳ 2"
    assert result.report.reporter == "Nguyễn Thị Hoa"
    warned = [(f.code, f.sheet, f.cell) for f in [*read_findings, *result.findings]]
    assert warned == [("text.control_characters", REPORT, cell) for cell in ("C15", "G21")]
    assert result.cells.at_note("CT1.1") == {"sheet": REPORT, "cell": "G20"}
    assert result.cells.at_media() == {"sheet": REPORT, "cell": "C32"}


def test_a_grid_from_elsewhere_is_cleaned_too(plan, filled_raw):
    sheets = [RawSheet(s.name, s.state, [list(row) for row in s.rows]) for s in filled_raw.sheets]
    report = next(s for s in sheets if s.name == REPORT)
    r, c = find(report.rows, REPORTER)
    report.rows[r][c] = "Nguyễn\x00 Thị\x0bHoa"
    result = read_report_with_cells(RawWorkbook("xlsx", sheets), plan)
    assert result.report.reporter == "Nguyễn Thị\nHoa"


# --- Any shuffle of the table reads the same (on the raw grid: no file, so it is fast) -------

@pytest.fixture(scope="module")
def filled_raw(filled):
    raw, _ = read_workbook_safely(filled, "bao-cao.xlsx")
    return raw


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_order_blank_rows_and_extra_columns_read_the_same(plan, filled_raw, data):
    sheets = []
    for sheet in filled_raw.sheets:
        rows = [list(row) for row in sheet.rows]
        if sheet.name == REPORT:
            span = table_rows(rows)
            body = data.draw(st.permutations(rows[span.start:span.stop]), label="order")
            gaps = data.draw(st.lists(st.integers(1, len(body) - 1), max_size=3), label="blanks")
            for at in sorted(gaps, reverse=True):
                body.insert(at, [])
            rows[span.start:span.stop] = body
            extra = data.draw(st.integers(0, 3), label="extra columns")
            rows = [[None] * extra + row for row in rows]
            if data.draw(st.booleans(), label="codes dropped"):
                for row in rows[span.start:span.start + len(body)]:
                    if row[extra:]:
                        row[extra] = None
        sheets.append(RawSheet(sheet.name, sheet.state, rows))
    result = read_report_with_cells(RawWorkbook(filled_raw.format, sheets), plan)
    assert result.findings == []
    assert result.report == expected_report(plan)


def test_an_ambiguous_commune_name_asks_for_the_district(plan):
    communes = plan.communes
    twin = communes[communes["code"] == "01888"].assign(code="99998", place_code="066")
    twin_plan = _PlanWith(plan, communes=pd.concat([communes, twin], ignore_index=True))
    data = agency_workbook(plan, [("CT1.3", None, "Chợ Rã")])
    result = read(data, twin_plan)
    assert [(f.code, f.sheet, f.cell) for f in result.findings] == [
        ("commune.ambiguous", COMMUNE_SHEET, "C5")]
    message = result.findings[0].message
    assert "Huyện Ba Bể" in message and "Huyện Na Rì" in message
    # Naming the district settles it.
    data = agency_workbook(plan, [("CT1.3", "Na Rì", "Chợ Rã")])
    assert read(data, twin_plan).report.value("CT1.3").communes == ("99998",)


def test_a_flood_of_bad_rows_is_summed_up(plan, filled_raw):
    sheets = []
    for sheet in filled_raw.sheets:
        rows = [list(row) for row in sheet.rows]
        if sheet.name == COMMUNE_SHEET:
            rows += [["Ghi chú", None, f"dòng rác {i}"] for i in range(1000)]
        sheets.append(RawSheet(sheet.name, sheet.state, rows))
    findings = read_report_with_cells(RawWorkbook("xlsx", sheets), plan).findings
    assert [f.code for f in findings] == ["commune.indicator_invalid"] * 26
    assert all(f.cell for f in findings[:25])
    assert findings[25].cell is None and "975" in findings[25].message


def test_a_template_of_another_plan_is_refused_by_name(plan):
    from mdplan_core.plans import catalogue
    hanoi = catalogue().get("hanoi-2026")
    data = fill_template(build_template(plan, "ubnd_061", PERIOD), results={"CT1.1": 2})
    result = read(data, hanoi)
    assert result.report is None and codes(result.findings) == ["template.other_plan"]
    assert "'backan-2017'" in result.findings[0].message and "07/KH-UBND" in result.findings[0].message
    # Its own plan reads it.
    assert read(data, plan).report.value("CT1.1").value == 2


# --- issue 9: reading ---

NOTES = {"CT1.1": "Tổ chức tại xã Nam Mẫu", "CT4.1": "Phối hợp Công an huyện"}


def report_with_notes() -> bytes:
    return fill_template(build_template(load_plan(), UNIT, PERIOD), results=RESULTS,
                         communes=COMMUNES, media_text=MEDIA, reporter=REPORTER, phone=PHONE,
                         report_date=REPORT_DATE, notes=NOTES)


def tcvn3_notes_report() -> bytes:
    """The whole report typed in .VnTime, notes included: 'Ghi chú' reads as 'Ghi chó'."""
    grid, fonts = legacy(grid_of(report_with_notes()), "tcvn3", with_font=True)
    return write_grid(grid, fonts=fonts)


def expected_with_notes(plan) -> ParsedReport:
    expected = expected_report(plan)
    values = [ReportValue(v.indicator_code, v.value, communes=v.communes, text=v.text,
                          note=NOTES.get(v.indicator_code)) for v in expected.values]
    return ParsedReport(expected.unit_code, expected.period, values, reporter=expected.reporter,
                        phone=expected.phone, report_date=expected.report_date)


def assert_only_legacy_warnings(result):
    assert [(f.code, f.sheet) for f in result.findings] == [
        ("text.legacy_encoding", REPORT), ("text.legacy_encoding", COMMUNE_SHEET)]


@pytest.mark.parametrize("how", ["cell-style", "text-span"])
def test_an_ods_typed_in_vntime_keeps_its_notes(plan, how):
    from tests.ods import write_ods

    grid, fonts = legacy(grid_of(report_with_notes()), "tcvn3", with_font=True)
    fonts = {(sheet, r, c): font for (sheet, r, c), font in fonts.items()}
    data = (write_ods(grid, fonts=fonts) if how == "cell-style"
            else write_ods(grid, span_fonts=fonts))
    result = read(data, plan, filename="bao-cao.ods")
    assert result.report == expected_with_notes(plan)
    assert result.report.value("CT1.1").note == NOTES["CT1.1"]
    assert_only_legacy_warnings(result)


def test_an_ods_libreoffice_wrote_in_vntime_keeps_its_notes(plan):
    result = read(written("reader-tcvn3-notes", "ods"), plan, filename="bao-cao.ods")
    assert result.report == expected_with_notes(plan)
    assert_only_legacy_warnings(result)


def test_a_known_column_that_cannot_be_found_is_an_error_not_a_silent_loss(plan):
    # TCVN3 text without its font (the reader cannot know): 'Ghi chó' is a valid-looking word.
    grid = grid_of(report_with_notes())
    r, c = find(grid[REPORT], "Ghi chú")
    grid[REPORT][r][c] = vntext.unicode_to_tcvn3("Ghi chú")
    result = read(write_grid(grid), plan)
    assert [(f.code, f.severity, f.cell) for f in result.findings] == [
        ("table.column_unread", "error", f"G{r + 1}")]
    assert "'Ghi chó'" in result.findings[0].message and "'Ghi chú'" in result.findings[0].message
    # The same header over an empty column loses nothing, so says nothing.
    grid = grid_of(filled_report())
    grid[REPORT][r][c] = vntext.unicode_to_tcvn3("Ghi chú")
    assert read(write_grid(grid), plan).findings == []


@pytest.mark.parametrize("typed, code", [
    ("xã Kim Hỷ, huyện Na Rì", "02146"),
    ("TT Bằng Lũng - Chợ Đồn", "02020"),
    ("Nam Mẫu (Ba Bể)", "01909"),
    ("huyện Na Rì, xã Kim Hỷ", "02146"),
    ("TTr. Bằng Lũng - Chợ Đồn", "02020"),
    ("T.T Bằng Lũng (huyện Chợ Đồn)", "02020"),
])
def test_an_agency_writes_a_commune_with_its_district(plan, typed, code):
    result = read(agency_workbook(plan, [("CT1.3", None, typed)]), plan)
    assert result.findings == []
    assert result.report.value("CT1.3").communes == (code,)


@pytest.mark.parametrize("typed", ["TTr. Chợ Rã", "T.T Chợ Rã", "Tt. Chợ Rã", "Chợ Rã - Ba Bể",
                                   "thị trấn Chợ Rã (huyện Ba Bể)"])
def test_a_district_writes_its_town_in_any_usual_form(plan, typed):
    data = fill_template(build_template(plan, UNIT, PERIOD), results={"CT1.1": 1},
                         communes={"CT1.3": [typed]}, media_text=None, reporter=REPORTER,
                         phone=None, report_date=REPORT_DATE)
    result = read(data, plan)
    assert result.findings == []
    assert result.report.value("CT1.3").communes == ("01888",)


def test_a_district_naming_another_district_is_told_so(plan):
    data = fill_template(build_template(plan, UNIT, PERIOD), results={"CT1.1": 1},
                         communes={"CT1.3": ["xã Kim Hỷ, huyện Na Rì"]}, media_text=None,
                         reporter=REPORTER, phone=None, report_date=REPORT_DATE)
    result = read(data, plan)
    assert [(f.code, f.cell) for f in result.findings] == [("commune.not_in_district", "C5")]
    assert "Huyện Na Rì" in result.findings[0].message


def test_a_commune_unknown_in_the_district_it_names_suggests_its_close_names(plan):
    result = read(agency_workbook(plan, [("CT1.3", None, "Nam Mẫn (Ba Bể)")]), plan)
    assert [(f.code, f.cell) for f in result.findings] == [("commune.unknown", "C5")]
    assert "Có phải: xã Nam Mẫu?" in result.findings[0].message


def test_suggestions_for_an_unknown_commune_are_close_names_only(plan):
    data = fill_template(build_template(plan, UNIT, PERIOD), results={"CT1.1": 1},
                         communes={"CT1.3": ["Hòa Bình", "Hà Hiêu Hạ"]}, media_text=None,
                         reporter=REPORTER, phone=None, report_date=REPORT_DATE)
    first, second = read(data, plan).findings
    assert first.code == "commune.unknown" and "Có phải" not in first.message
    assert "Khang Ninh" not in first.message and "Địa Linh" not in first.message
    assert second.code == "commune.unknown" and "Có phải: xã Hà Hiệu?" in second.message


@pytest.mark.parametrize("typed", ["28 tháng 3 năm 2017", "28/3/17", "28-03-17",
                                   "Ba Bể, ngày 28 tháng 3 năm 2017", "ngay 28 thang 3 nam 2017"])
def test_a_report_date_in_words_or_with_a_short_year_is_read(plan, filled, typed):
    result = read(write_grid(date_as(typed)(grid_of(filled))), plan)
    assert result.findings == []
    assert result.report.report_date == REPORT_DATE


def test_an_unreadable_report_date_is_a_warning_and_the_report_is_kept(plan, filled):
    data = write_grid(date_as("cuối tháng Ba")(grid_of(filled)))
    result = read(data, plan)
    assert [(f.code, f.severity, f.cell) for f in result.findings] == [
        ("date.invalid", "warning", "C17")]
    assert result.report.report_date is None
    assert result.report.values == expected_report(plan).values
    from mdplan_core.validation import check_workbook
    assert check_workbook(data, "bao-cao.xlsx", plan).ok


def test_a_file_without_reporter_or_report_date_is_warned(plan):
    data = fill_template(build_template(plan, UNIT, PERIOD), results=RESULTS, communes=COMMUNES,
                         media_text=MEDIA, reporter=None, phone=PHONE, report_date=None)
    result = read(data, plan)
    assert [(f.code, f.severity, f.cell) for f in result.findings] == [
        ("header.no_reporter", "warning", "A15"), ("header.no_report_date", "warning", "A17")]
    assert result.report.values == expected_report(plan).values


def test_a_count_computed_by_a_formula_is_its_whole_number(plan, filled):
    grid = grid_of(filled)
    r, c = find(grid[REPORT], "CT1.2")
    result_col = find(grid[REPORT], "Kết quả trong kỳ")[1]
    grid[REPORT][r][result_col] = 90 * 0.7  # =90*70% as Excel 97 stores it: 62.99999999999999
    assert grid[REPORT][r][result_col] != 63
    result = read(write_grid(grid), plan)
    assert result.findings == []
    assert result.report.value("CT1.2").value == 63
    assert isinstance(result.report.value("CT1.2").value, int)


def test_no_message_calls_a_worksheet_sheet(plan):
    from mdplan_core import validation, workbook

    for messages in (MESSAGES, validation.MESSAGES, workbook.MESSAGES):
        for key, message in messages.items():
            assert "sheet" not in message.replace("{sheet}", "").lower(), key
