"""Fill a report template in code, the way an officer would fill it by hand.

Used by the demo (`demo.py`), which builds its year of reports by filling the real template
and uploading it, and by the tests. Cells are found by their labels (as the reader finds
them), not by fixed positions, so a filled file is what an officer produces: values typed
into the input cells only. Values are written as given, so callers can also produce the
mistakes officers make (text such as "10 lớp", negative numbers, names that are not communes).
"""
from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata

from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from .report import Period

__all__ = ["REPORT", "COMMUNES", "LISTS", "META", "DEFAULT", "fill_template", "key",
           "find_label", "value_cell", "table_columns", "indicator_rows"]

REPORT, COMMUNES, LISTS, META = "Báo cáo", "Xã, phường", "Danh mục", "_mdplan"
DEFAULT = object()  # "use the usual value"; None means "leave the cell blank"


def fill_template(xlsx_bytes: bytes, results: dict[str, object] | None = None,
                  communes: dict[str, list] | None = None, media_text: str | None = None,
                  reporter: str | None = "Nguyễn Thị Hoa", phone: str | None = "0209 3875 123",
                  report_date: dt.date | str | None = DEFAULT,
                  notes: dict[str, str] | None = None) -> bytes:
    """The template with the officer's entries, as xlsx bytes.

    - `results`: indicator code -> value for `Kết quả trong kỳ` (a value given for a
      distinct_communes code replaces its formula, as an officer's own copy might).
    - `communes`: indicator code -> commune names (or `(district name, commune name)`) for
      the sheet `Xã, phường`; the district of a bare name is taken from `Danh mục` when the
      unit is a provincial agency.
    - `report_date`: a date, a text (written as typed text), None (blank) or, by default,
      the day after the period ends.
    """
    wb = load_workbook(io.BytesIO(xlsx_bytes))
    ws = wb[REPORT]
    if report_date is DEFAULT:
        report_date = Period.parse(_meta(wb)["period"]).end + dt.timedelta(days=1)
    for label, value in (("Người báo cáo", reporter), ("Số điện thoại", phone),
                         ("Ngày báo cáo", report_date)):
        if value is not None:
            value_cell(ws, label).value = value

    table = table_columns(ws, "Mã chỉ tiêu", "Kết quả trong kỳ", "Ghi chú")
    rows = indicator_rows(ws)
    for code, value in (results or {}).items():
        ws.cell(rows[code], table["Kết quả trong kỳ"], value)
    for code, note in (notes or {}).items():
        ws.cell(rows[code], table["Ghi chú"], note)
    if media_text is not None:
        value_cell(ws, "Nội dung chuyên trang, chuyên mục").value = media_text
    if communes:
        _fill_communes(wb, communes)

    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


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
    header = find_label(ws, "Kết quả trong kỳ").row
    code_col = table_columns(ws, "Mã chỉ tiêu", "Kết quả trong kỳ")["Mã chỉ tiêu"]
    rows = {}
    for row in range(header + 1, ws.max_row + 1):
        code = ws.cell(row, code_col).value
        if code is None:
            break
        rows[str(code).strip()] = row
    return rows


def _fill_communes(wb, communes: dict[str, list]) -> None:
    ws = wb[COMMUNES]
    cols = table_columns(ws, "Mã chỉ tiêu", "Huyện, thành phố", "Xã, phường, thị trấn")
    district_of = {row[0]: row[2] for row in wb[LISTS].iter_rows(min_row=2, values_only=True)
                   if row[0]}
    entries = [(code, item) for code, items in communes.items() for item in items]
    row = find_label(ws, "Xã, phường, thị trấn").row + 1
    for code, item in entries:
        while (ws.cell(row, cols["Mã chỉ tiêu"]).value
               or ws.cell(row, cols["Xã, phường, thị trấn"]).value):
            row += 1
        district, name = item if isinstance(item, tuple) else (None, item)
        ws.cell(row, cols["Mã chỉ tiêu"], code)
        ws.cell(row, cols["Xã, phường, thị trấn"], name)
        district_cell = ws.cell(row, cols["Huyện, thành phố"])
        if district is not None:
            district_cell.value = district
        elif district_cell.value is None and name in district_of:
            district_cell.value = district_of[name]
        row += 1


def _meta(wb) -> dict[str, str]:
    return {str(k): str(v) for k, v in wb[META].iter_rows(values_only=True) if k}
