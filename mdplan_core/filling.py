"""Fill a report template in code, the way an officer would fill it by hand.

Used by the web form (`entry.py`), which writes what was typed into the real template, by the
demo (`demo.py`), which builds its year of reports the same way, and by the tests (through
`tests/fill.py`, which adds their usual reporter, phone and date). Cells are found by their
labels (`layout`, as the reader finds them), not by fixed positions, so a filled file is what
an officer produces: values typed into the input cells only. Values are written as given, so
callers can also produce the mistakes officers make (text such as "10 lớp", negative numbers,
names that are not communes).

A text (a name, a note, a phone number, a text in a result cell) is always written as a text
cell, never a formula, and character for character as Excel writes it: a control character
as its `_xHHHH_` escape (so tests can make the files Word-pasted text produces), a typed
`_xHHHH_` escaped in turn, so a reader gets back exactly the text given.
"""
from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
from dataclasses import dataclass

from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from .layout import COMMUNE_TABLE, HEADER, LIST_COLUMNS, MEDIA, SHEET_COMMUNES, SHEET_LISTS, SHEET_REPORT, TABLE
from .vntext import CELL_TEXT_LIMIT
from .xlsxout import FORMULA_PREFIXES

__all__ = ["TextCells", "fill_template", "text_cells", "key", "find_label", "value_cell",
           "table_columns", "indicator_rows"]


def fill_template(xlsx_bytes: bytes, *, reporter: str | None, phone: str | None,
                  report_date: dt.date | str | None, results: dict[str, object] | None = None,
                  communes: dict[str, list] | None = None, media_text: str | None = None,
                  notes: dict[str, str] | None = None) -> bytes:
    """The template with the officer's entries, as xlsx bytes. None leaves a cell blank.

    - `reporter`, `phone`, `report_date`: the header block; a date may also be given as a
      text (written as typed text).
    - `results`: indicator code -> value for `Kết quả trong kỳ` (a value given for a
      distinct_communes code replaces its formula, as an officer's own copy might).
    - `communes`: indicator code -> commune names (or `(district name, commune name)`) for
      the sheet `Xã, phường`; the district of a bare name is taken from `Danh mục` when the
      unit is a provincial agency.
    """
    wb = load_workbook(io.BytesIO(xlsx_bytes))
    ws = wb[SHEET_REPORT]
    for name, value in (("reporter", reporter), ("phone", phone), ("report_date", report_date)):
        if value is not None:
            _put(value_cell(ws, HEADER[name].text), value)

    result_label, note_label = TABLE["result"].text, TABLE["note"].text
    table = table_columns(ws, result_label, note_label)
    rows = indicator_rows(ws)
    for code, value in (results or {}).items():
        _put(ws.cell(rows[code], table[result_label]), value)
    for code, note in (notes or {}).items():
        _put(ws.cell(rows[code], table[note_label]), note)
    if media_text is not None:
        _put(value_cell(ws, MEDIA.text), media_text)
    if communes:
        _fill_communes(wb, communes)

    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@dataclass(frozen=True)
class TextCells:
    """Where `fill_template` writes the texts an officer types: A1 cells on the report sheet."""

    reporter: str
    phone: str
    media_text: str
    notes: dict[str, str]  # indicator code -> its note cell


def text_cells(xlsx_bytes: bytes) -> TextCells:
    """The cells of a template that `fill_template` writes texts into."""
    ws = load_workbook(io.BytesIO(xlsx_bytes))[SHEET_REPORT]
    result_label, note_label = TABLE["result"].text, TABLE["note"].text
    note_col = table_columns(ws, result_label, note_label)[note_label]
    return TextCells(value_cell(ws, HEADER["reporter"].text).coordinate,
                     value_cell(ws, HEADER["phone"].text).coordinate,
                     value_cell(ws, MEDIA.text).coordinate,
                     {code: ws.cell(row, note_col).coordinate
                      for code, row in indicator_rows(ws).items()})


# Excel's escapes: what XML cannot hold, and an underscore that would start one.
_EXCEL_ESCAPE = re.compile(r"[\x00-\x08\x0b-\x1f]|_(?=x[0-9A-Fa-f]{4}_)")


def _put(cell, value) -> None:
    """Write a value into a cell; a text as a text cell holding exactly that text."""
    if not isinstance(value, str):
        cell.value = value
        return
    escaped = _EXCEL_ESCAPE.sub(lambda m: f"_x{ord(m.group()):04X}_", value)
    if len(escaped) > CELL_TEXT_LIMIT:
        # openpyxl would cut it without a word; callers refuse such text before.
        raise ValueError(f"a text of {len(value)} characters does not fit in cell {cell.coordinate}")
    cell.value = escaped
    cell.data_type = "s"  # openpyxl takes a text starting with "=" for a formula
    if value.startswith(FORMULA_PREFIXES):
        cell.quotePrefix = True  # as Excel marks a typed apostrophe: editing keeps it a text


# --- Finding cells by label (also used by tests to look at a filled file) ----------------
def key(text) -> str:
    """A label compared without diacritics, case or punctuation."""
    text = unicodedata.normalize("NFD", str(text)).replace("đ", "d").replace("Đ", "D")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


def find_label(ws: Worksheet, label: str):
    wanted = key(label)
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and key(cell.value) == wanted:
                return cell
    raise LookupError(f"label {label!r} not found on sheet {ws.title!r}")


def value_cell(ws: Worksheet, label: str):
    """The input cell of a label: the first cell to its right outside the label's merged
    range, else the cell below that range."""
    cell = find_label(ws, label)
    merged = next((m for m in ws.merged_cells.ranges if cell.coordinate in m), None)
    right = merged.max_col + 1 if merged else cell.column + 1
    below = merged.max_row + 1 if merged else cell.row + 1
    if right <= ws.max_column:
        return ws.cell(cell.row, right)
    return ws.cell(below, cell.column)


def table_columns(ws: Worksheet, *labels: str) -> dict[str, int]:
    """Column numbers of table header labels (all on one row)."""
    cells = {label: find_label(ws, label) for label in labels}
    rows = {c.row for c in cells.values()}
    if len(rows) != 1:
        raise LookupError(f"labels {labels} are not on one header row of {ws.title!r}")
    return {label: c.column for label, c in cells.items()}


def indicator_rows(ws: Worksheet) -> dict[str, int]:
    """Indicator code -> row on the report sheet."""
    code_label, result_label = TABLE["code"].text, TABLE["result"].text
    header = find_label(ws, result_label).row
    code_col = table_columns(ws, code_label, result_label)[code_label]
    rows = {}
    for row in range(header + 1, ws.max_row + 1):
        code = ws.cell(row, code_col).value
        if code is None:
            break
        rows[str(code).strip()] = row
    return rows


def _fill_communes(wb, communes: dict[str, list]) -> None:
    ws = wb[SHEET_COMMUNES]
    code_label, district_label, commune_label = (COMMUNE_TABLE[name].text
                                                 for name in ("code", "district", "commune"))
    cols = table_columns(ws, code_label, district_label, commune_label)
    name_at, district_at = LIST_COLUMNS["commune"] - 1, LIST_COLUMNS["district_of"] - 1
    district_of = {row[name_at]: row[district_at]
                   for row in wb[SHEET_LISTS].iter_rows(min_row=2, values_only=True) if row[name_at]}
    entries = [(code, item) for code, items in communes.items() for item in items]
    row = find_label(ws, commune_label).row + 1
    for code, item in entries:
        while ws.cell(row, cols[code_label]).value or ws.cell(row, cols[commune_label]).value:
            row += 1
        district, name = item if isinstance(item, tuple) else (None, item)
        _put(ws.cell(row, cols[code_label]), code)
        _put(ws.cell(row, cols[commune_label]), name)
        district_cell = ws.cell(row, cols[district_label])
        if district is not None:
            _put(district_cell, district)
        elif district_cell.value is None and name in district_of:
            _put(district_cell, district_of[name])
        row += 1
