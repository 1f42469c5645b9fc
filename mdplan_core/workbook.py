"""Reading a workbook (.xlsx, .xlsm, .xls, .ods) into a neutral grid of values.

Nothing here knows about plans or reports: a sheet is a name, a visibility, rows of
values, merged ranges and the cells set in a legacy Vietnamese font. Values come from
python-calamine. Two things calamine does not give are filled in from a second reader:

- formula errors: calamine returns "" for an error cell; the error text ("#REF!",
  "#DIV/0!", ...) comes from openpyxl (xlsx/xlsm), xlrd (xls) or content.xml (ods);
- cell fonts: from openpyxl (xlsx/xlsm), xlrd with formatting_info (xls) or the cell
  styles of styles.xml and content.xml (ods);
  and merged ranges for ods, which calamine does not report.

Text comes out as mdplan stores it (`controlchars.clean_text`): line-break characters become
newlines and other control characters are dropped, with a warning naming the cell.

Call this only on bytes that passed preflight, inside the sandbox: see
`mdplan_core.sandbox.read_workbook_safely`. Macros in .xlsm are never run, nor read.

Rows and columns are 0-based everywhere in this module; `cell_ref` turns them into
the A1 notation an officer sees.
"""
from __future__ import annotations

import datetime
import io
import re
import zipfile
from dataclasses import dataclass, field

from python_calamine import CalamineError, CalamineWorkbook, PasswordError, SheetTypeEnum, SheetVisibleEnum

from . import controlchars
from .findings import Finding, error, warning
from .preflight import KIND_LABELS, column_letters, sniff_format
from .preflight import MESSAGES as PREFLIGHT_MESSAGES

CellValue = (str | int | float | bool | datetime.datetime | datetime.date | datetime.time
             | datetime.timedelta | None)

LEGACY_FONT_PREFIXES = (".vn", "vni-")  # TCVN3 (ABC) and VNI fonts, compared lower-case
READABLE_FORMATS = ("xlsx", "xlsm", "xls", "ods")
# Cells named one by one in control-character findings; the rest are counted in one more.
MAX_CONTROL_FINDINGS = 25

MESSAGES = {
    "file.unreadable": (
        "Không đọc được nội dung tệp: tệp bị hỏng hoặc không đúng định dạng bảng tính. "
        "Hãy mở tệp bằng Excel, lưu lại thành Excel Workbook (.xlsx) rồi nộp lại."
    ),
    "file.beyond_read_area": (
        "Trang tính «{sheet}» có dữ liệu ngoài vùng {area} mà mdplan đọc; phần đó đã bị bỏ qua. "
        "Mẫu báo cáo chỉ dùng vài chục dòng và vài cột đầu: nếu số liệu báo cáo nằm ngoài "
        "vùng này, hãy chép bảng báo cáo sang mẫu mới rồi nộp lại."
    ),
    "file.sheet_not_read": (
        "Trang tính «{sheet}» không được đọc vì các trang tính trước nó đã chứa quá nhiều dữ "
        "liệu. Hãy xóa các trang tính không cần thiết rồi nộp lại."
    ),
    "file.formatting_unreadable": (
        "Đã đọc được số liệu nhưng không kiểm tra được phông chữ và các ô báo lỗi công thức "
        "của tệp. Nếu tệp dùng phông chữ cũ (.VnTime, VNI-Times), hãy chuyển sang Unicode "
        "rồi nộp lại."
    ),
    "text.control_characters": (
        "Ô {cell} có ký tự điều khiển không hiển thị được ({codes}), thường do dán từ Word "
        "hoặc trang web; mdplan đã bỏ các ký tự này. Hãy kiểm tra lại nội dung ô."
    ),
    "text.control_characters/more": (
        "Còn {count} ô khác trên trang tính '{sheet}' có ký tự điều khiển; mdplan cũng đã bỏ các "
        "ký tự đó."
    ),
}


@dataclass(frozen=True)
class MergedRange:
    """An inclusive block of merged cells, 0-based."""

    first_row: int
    first_col: int
    last_row: int
    last_col: int

    @property
    def ref(self) -> str:
        return f"{cell_ref(self.first_row, self.first_col)}:{cell_ref(self.last_row, self.last_col)}"


@dataclass
class RawSheet:
    name: str
    state: str  # "visible" | "hidden" | "veryHidden"
    rows: list[list[CellValue]]
    merged: list[MergedRange] = field(default_factory=list)
    # (row, col) -> font name, for non-empty cells in a legacy Vietnamese font only.
    fonts: dict[tuple[int, int], str] = field(default_factory=dict)

    def value(self, row: int, col: int) -> CellValue:
        if 0 <= row < len(self.rows) and 0 <= col < len(self.rows[row]):
            return self.rows[row][col]
        return None


@dataclass
class RawWorkbook:
    format: str  # "xlsx" | "xlsm" | "xls" | "ods"
    sheets: list[RawSheet]
    # Warnings met while reading (the values are still good).
    findings: list[Finding] = field(default_factory=list)

    def sheet(self, name: str) -> RawSheet | None:
        return next((s for s in self.sheets if s.name == name), None)


@dataclass(frozen=True)
class ReadLimits:
    """The most of a workbook that is read: rows and columns of each sheet from A1, and cells
    over all sheets. What lies beyond is left out with a warning. The caps bound what a read
    costs the server (the template's layout sets them: `mdplan_core.layout.READ_MAX_ROWS`, ...)."""

    rows: int
    cols: int
    cells: int


class WorkbookReadError(Exception):
    """The bytes cannot be read as a workbook: bad data from a user, with a finding code."""

    def __init__(self, code: str, message: str):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


def cell_ref(row: int, col: int) -> str:
    """0-based (13, 4) -> 'E14'."""
    return f"{column_letters(col + 1)}{row + 1}"


def is_legacy_font(name: str | None) -> bool:
    return bool(name) and name.strip().lower().startswith(LEGACY_FONT_PREFIXES)


# --- entry points ---------------------------------------------------------------------------

def read_workbook(data: bytes, filename: str, limits: ReadLimits | None = None) -> RawWorkbook:
    """Read every worksheet's values, within `limits` when given. Raises WorkbookReadError for
    unreadable bytes."""
    fmt = sniff_format(data)
    if fmt not in READABLE_FORMATS:
        raise _not_readable(fmt)
    findings: list[Finding] = []
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = []
        budget = limits.cells if limits else None
        for meta in book.sheets_metadata:
            if meta.typ != SheetTypeEnum.WorkSheet:
                continue
            sheet, cut = _read_sheet(book, meta, limits, budget)
            sheets.append(sheet)
            if cut:
                code, values = cut
                findings.append(warning(code, MESSAGES[code].format(sheet=sheet.name, **values),
                                        sheet=sheet.name, file=filename))
            if budget is not None:
                budget -= sum(len(row) for row in sheet.rows)
    except PasswordError as exc:
        raise WorkbookReadError("file.encrypted", PREFLIGHT_MESSAGES["file.encrypted"]) from exc
    except CalamineError as exc:
        raise WorkbookReadError("file.unreadable", MESSAGES["file.unreadable"]) from exc

    extras = {"xlsx": _xlsx_extras, "xlsm": _xlsx_extras, "xls": _xls_extras,
              "ods": _ods_extras}[fmt]
    try:
        extras(data, sheets)
    except Exception:  # noqa: BLE001 - a second reader choking must not lose the values
        findings.append(warning("file.formatting_unreadable",
                                MESSAGES["file.formatting_unreadable"], file=filename))
    if limits is not None:
        for sheet in sheets:
            _clip_merged(sheet)
    findings += _clean_controls(sheets, filename)
    return RawWorkbook(format=fmt, sheets=sheets, findings=findings)


def try_read_workbook(data: bytes, filename: str, limits: ReadLimits | None = None
                      ) -> tuple[RawWorkbook | None, list[Finding]]:
    """read_workbook with its failure as a finding: the function the sandbox runs."""
    try:
        book = read_workbook(data, filename, limits)
    except WorkbookReadError as exc:
        return None, [error(exc.code, exc.message, file=filename)]
    return book, list(book.findings)


def _not_readable(fmt: str) -> WorkbookReadError:
    if fmt == "encrypted":
        return WorkbookReadError("file.encrypted", PREFLIGHT_MESSAGES["file.encrypted"])
    if fmt in KIND_LABELS and fmt not in ("pdf", "text", "html"):
        return WorkbookReadError("file.unsupported_format", PREFLIGHT_MESSAGES[
            "file.unsupported_format"].format(kind=KIND_LABELS[fmt]))
    if fmt == "corrupt":
        return WorkbookReadError("file.truncated", PREFLIGHT_MESSAGES["file.truncated"])
    return WorkbookReadError("file.not_a_workbook", PREFLIGHT_MESSAGES["file.not_a_workbook"])


# --- values from calamine -------------------------------------------------------------------

# calamine's enums are not hashable, so this is a list of pairs.
_STATES = [
    (SheetVisibleEnum.Visible, "visible"),
    (SheetVisibleEnum.Hidden, "hidden"),
    (SheetVisibleEnum.VeryHidden, "veryHidden"),
]


def _read_sheet(book: CalamineWorkbook, meta, limits: ReadLimits | None,
                budget: int | None) -> tuple[RawSheet, tuple[str, dict] | None]:
    """The sheet within the limits, and (message code, values) when data was left out."""
    sheet = book.get_sheet_by_name(meta.name)
    max_rows = max_cols = None
    if limits is not None:
        max_cols = limits.cols
        max_rows = max(0, min(limits.rows, budget // max_cols))
    # skip_empty_area=False keeps row 0 / column 0 at A1 even when data starts lower.
    grid = sheet.to_python(skip_empty_area=False, nrows=max_rows) if max_rows != 0 else []
    rows = [[None if value == "" else value for value in row[:max_cols]] for row in grid]
    merged = [MergedRange(r0, c0, r1, c1)
              for (r0, c0), (r1, c1) in (sheet.merged_cell_ranges or [])]
    state = next((name for enum, name in _STATES if meta.visible == enum), "visible")
    cut = None
    end = sheet.end  # the last cell holding data, 0-based
    if limits is not None and end is not None and (end[0] >= len(rows) or end[1] >= max_cols):
        cut = (("file.beyond_read_area", {"area": f"A1:{cell_ref(len(rows) - 1, max_cols - 1)}"})
               if rows else ("file.sheet_not_read", {}))
    return RawSheet(name=meta.name, state=state, rows=rows, merged=merged), cut


def _clip_merged(sheet: RawSheet) -> None:
    """Only merges that start inside the grid, one per starting cell: a crafted file can
    declare millions."""
    width = _width(sheet)
    inside = {}
    for m in sheet.merged:
        if m.first_row < len(sheet.rows) and m.first_col < width:
            inside.setdefault((m.first_row, m.first_col), m)
    sheet.merged = list(inside.values())


def _clean_controls(sheets: list[RawSheet], filename: str) -> list[Finding]:
    """Clean every text cell with `controlchars.clean_text`, so no control character leaves the
    reader; a warning names each visible cell that lost characters (line breaks are only
    normalised, silently)."""
    findings: list[Finding] = []
    for sheet in sheets:
        dropped_cells = 0
        for r, row in enumerate(sheet.rows):
            for c, value in enumerate(row):
                if not isinstance(value, str):
                    continue
                cleaned = controlchars.clean_text(value)
                if cleaned == value:
                    continue
                row[c] = cleaned or None
                dropped = controlchars.dropped_controls(value)
                if not dropped or sheet.state != "visible":
                    continue
                dropped_cells += 1
                if dropped_cells <= MAX_CONTROL_FINDINGS:
                    ref = cell_ref(r, c)
                    findings.append(warning(
                        "text.control_characters", MESSAGES["text.control_characters"].format(
                            cell=ref, codes=controlchars.show_codepoints(dropped)),
                        sheet=sheet.name, cell=ref, file=filename))
        if dropped_cells > MAX_CONTROL_FINDINGS:
            findings.append(warning(
                "text.control_characters", MESSAGES["text.control_characters/more"].format(
                    count=dropped_cells - MAX_CONTROL_FINDINGS, sheet=sheet.name),
                sheet=sheet.name, file=filename))
    return findings


def _put(sheet: RawSheet, row: int, col: int, value: CellValue) -> None:
    while len(sheet.rows) <= row:
        sheet.rows.append([])
    line = sheet.rows[row]
    if len(line) <= col:
        line.extend([None] * (col + 1 - len(line)))
    line[col] = value


def _width(sheet: RawSheet) -> int:
    return max((len(r) for r in sheet.rows), default=0)


# --- xlsx / xlsm: openpyxl for error cells and fonts ----------------------------------------

_LEGACY_FONT_XML = re.compile(rb"<(?:[\w.-]+:)?name\s+val\s*=\s*[\"']\s*(?:\.vn|vni-)", re.I)
_ERROR_CELL_XML = re.compile(rb"\st\s*=\s*[\"']e[\"']")


def _xlsx_needs_second_reader(data: bytes) -> tuple[bool, bool]:
    """(has legacy fonts, has error cells), from a cheap look at the raw XML parts."""
    fonts = errors = False
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for info in zf.infolist():
            if not info.filename.endswith(".xml"):
                continue
            part = zf.read(info)
            if info.filename == "xl/styles.xml":
                fonts = fonts or bool(_LEGACY_FONT_XML.search(part))
            elif info.filename != "xl/sharedStrings.xml":
                errors = errors or bool(_ERROR_CELL_XML.search(part))
    return fonts, errors


def _xlsx_extras(data: bytes, sheets: list[RawSheet]) -> None:
    want_fonts, want_errors = _xlsx_needs_second_reader(data)
    if not (want_fonts or want_errors):
        return  # the common case: no second pass over the cells
    import openpyxl  # only now: it is the slow part of starting a reader

    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True,
                                  keep_links=False)
    try:
        for sheet in sheets:
            if sheet.name not in book.sheetnames or not sheet.rows:
                continue
            ws = book[sheet.name]
            # Bound the walk by calamine's grid: a read-only sheet pads to its <dimension>.
            for row in ws.iter_rows(min_row=1, max_row=len(sheet.rows), min_col=1,
                                    max_col=max(_width(sheet), 1)):
                for cell in row:
                    if getattr(cell, "row", None) is None:
                        continue  # EmptyCell padding
                    r, c = cell.row - 1, cell.column - 1
                    if want_errors and cell.data_type == "e" and isinstance(cell.value, str):
                        _put(sheet, r, c, cell.value)
                    if want_fonts and sheet.value(r, c) is not None:
                        name = cell.font.name if cell.font is not None else None
                        if is_legacy_font(name):
                            sheet.fonts[(r, c)] = name
    finally:
        book.close()


# --- xls: xlrd for error cells and fonts ----------------------------------------------------

def _xls_extras(data: bytes, sheets: list[RawSheet]) -> None:
    import xlrd
    from xlrd.biffh import XL_CELL_ERROR, error_text_from_code

    book = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=True)
    try:
        legacy_fonts = {i: f.name for i, f in enumerate(book.font_list) if is_legacy_font(f.name)}
        legacy_xfs = {i: legacy_fonts[xf.font_index] for i, xf in enumerate(book.xf_list)
                      if xf.font_index in legacy_fonts}
        names = book.sheet_names()
        for sheet in sheets:
            if sheet.name not in names:
                continue
            xs = book.sheet_by_name(sheet.name)
            width = _width(sheet)  # calamine's grid, already within the read limits
            for r in range(min(xs.nrows, len(sheet.rows))):
                types = xs.row_types(r, end_colx=min(xs.row_len(r), width))
                for c, ctype in enumerate(types):
                    if ctype == XL_CELL_ERROR:
                        code = xs.cell_value(r, c)
                        _put(sheet, r, c, error_text_from_code.get(code, f"#ERR{code}"))
                    if legacy_xfs and sheet.value(r, c) is not None:
                        font = legacy_xfs.get(xs.cell_xf_index(r, c))
                        if font:
                            sheet.fonts[(r, c)] = font
            book.unload_sheet(sheet.name)
    finally:
        book.release_resources()


# --- ods: content.xml for error cells, fonts and merged ranges -------------------------------

_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_CALCEXT = "{urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0}"
_STYLE = "{urn:oasis:names:tc:opendocument:xmlns:style:1.0}"
_FO = "{urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0}"
_SVG = "{urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0}"
_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"


class _OdsStyles:
    """Cell and text styles of an .ods (named ones in styles.xml, automatic ones in
    content.xml) and the font each resolves to through its parents."""

    def __init__(self):
        self.faces: dict[str, str] = {}  # font-face name -> font family
        self.styles: dict[str, tuple[str | None, str | None]] = {}  # name -> (font, parent)
        self._resolved: dict[str, str | None] = {}

    def take(self, elem) -> bool:
        """Record a style:font-face or style:style element; False for any other element."""
        if elem.tag == _STYLE + "font-face":
            family = elem.get(_SVG + "font-family") or elem.get(_STYLE + "name") or ""
            self.faces[elem.get(_STYLE + "name", "")] = family.strip().strip("'\"")
            return True
        if elem.tag != _STYLE + "style":
            return False
        font = None
        props = elem.find(_STYLE + "text-properties")
        if props is not None:
            face = props.get(_STYLE + "font-name")
            font = self.faces.get(face, face) if face else props.get(_FO + "font-family")
            font = font.strip().strip("'\"") if font else None
        self.styles[elem.get(_STYLE + "name", "")] = (font, elem.get(_STYLE + "parent-style-name"))
        return True

    def font(self, name: str | None) -> str | None:
        """The font of style `name`, inherited from its parents when it sets none."""
        if not name:
            return None
        if name not in self._resolved:
            font, step, seen = None, name, set()
            while step and step not in seen and font is None:
                seen.add(step)  # a crafted file may loop its parents
                font, step = self.styles.get(step, (None, None))
            self._resolved[name] = font
        return self._resolved[name]


def _ods_extras(data: bytes, sheets: list[RawSheet]) -> None:
    from defusedxml.ElementTree import iterparse

    by_name = {s.name: s for s in sheets}
    styles = _OdsStyles()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        if "styles.xml" in zf.namelist():
            with zf.open("styles.xml") as part:
                for _event, elem in iterparse(part, events=("end",)):
                    if styles.take(elem):
                        elem.clear()
        with zf.open("content.xml") as content:
            _ods_content(iterparse(content, events=("start", "end")), by_name, styles)


def _ods_content(events, by_name: dict[str, RawSheet], styles: _OdsStyles) -> None:
    sheet: RawSheet | None = None
    depth = 0  # tables inside cells are not sheets
    row = col = 0
    row_repeat = 1
    row_style = None
    columns: list[tuple[int, int, str | None]] = []  # (first, last, default cell style)
    for event, elem in events:
        tag = elem.tag
        if depth == 0 and event == "end" and styles.take(elem):
            elem.clear()
        elif tag == _TABLE + "table":
            if event == "start":
                depth += 1
                if depth == 1:
                    sheet = by_name.get(elem.get(_TABLE + "name"))
                    row, columns = 0, []
            else:
                depth -= 1
                elem.clear()
        elif depth != 1:
            continue
        elif tag == _TABLE + "table-column" and event == "end":
            first = columns[-1][1] + 1 if columns else 0
            repeat = int(elem.get(_TABLE + "number-columns-repeated", "1"))
            columns.append((first, first + repeat - 1, elem.get(_TABLE + "default-cell-style-name")))
        elif tag == _TABLE + "table-row":
            if event == "start":
                row_repeat = int(elem.get(_TABLE + "number-rows-repeated", "1"))
                row_style = elem.get(_TABLE + "default-cell-style-name")
                col = 0
            else:
                row += row_repeat
                elem.clear()
        elif tag in (_TABLE + "table-cell", _TABLE + "covered-table-cell") and event == "end":
            repeat = int(elem.get(_TABLE + "number-columns-repeated", "1"))
            if sheet is not None and tag == _TABLE + "table-cell":
                style = (elem.get(_TABLE + "style-name") or row_style
                         or next((s for first, last, s in columns if first <= col <= last), None)
                         or "Default")
                _ods_cell(sheet, elem, row, col, repeat, row_repeat, _ods_font(elem, style, styles))
            col += repeat
            elem.clear()


def _ods_font(elem, style: str | None, styles: _OdsStyles) -> str | None:
    """The legacy font of a cell: its style's, or that of the text spans when the cell's
    own font is not a legacy one (a font chosen while typing in the cell)."""
    font = styles.font(style)
    if is_legacy_font(font):
        return font
    for span in elem.iter(_TEXT + "span"):
        span_font = styles.font(span.get(_TEXT + "style-name"))
        if is_legacy_font(span_font):
            return span_font
    return None


def _ods_cell(sheet: RawSheet, elem, row: int, col: int, repeat: int, row_repeat: int,
              font: str | None) -> None:
    spans_cols = int(elem.get(_TABLE + "number-columns-spanned", "1"))
    spans_rows = int(elem.get(_TABLE + "number-rows-spanned", "1"))
    if spans_cols > 1 or spans_rows > 1:
        sheet.merged.append(MergedRange(row, col, row + spans_rows - 1, col + spans_cols - 1))
    error_text = None
    if elem.get(_CALCEXT + "value-type") == "error":
        error_text = "".join(elem.itertext()).strip()
    if error_text is None and font is None:
        return
    # Repeats only cover cells calamine placed in the grid.
    for r in range(row, min(row + row_repeat, len(sheet.rows))):
        for c in range(col, min(col + repeat, _width(sheet))):
            if error_text is not None:
                _put(sheet, r, c, error_text)
            if font is not None and sheet.value(r, c) is not None:
                sheet.fonts[(r, c)] = font
