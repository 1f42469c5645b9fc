"""The safe spreadsheet writer that the export, the summary workbook and the filler share:
cells, fonts, column widths and row heights.

Every text cell an officer or a user could have typed is neutralised against formula
injection (CSV/DDE): a text starting with = + - @ tab or CR must never become a formula
in the spreadsheet program that opens the file.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill

from .settings import LOCAL_TZ
from .vntext import format_number

FONT_NAME = "Times New Roman"
NUMBER_FORMAT = "#,##0"  # Excel shows the separators of the reader's locale
MIN_WIDTH = 6
LINE_HEIGHT = 15  # points per line of 11 pt text
MAX_ROW_HEIGHT = 409  # points: Excel refuses a taller row
FONT = Font(name=FONT_NAME, size=11)
BOLD = Font(name=FONT_NAME, size=11, bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")

# Texts a spreadsheet program may read as a formula (OWASP "CSV injection").
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def is_dangerous(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def cell_value(value):
    """A table value as a plain Python value (None for missing)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def local_naive(moment: dt.datetime) -> dt.datetime:
    """Spreadsheets have no time zones: write Vietnam's wall-clock time."""
    return moment.astimezone(LOCAL_TZ).replace(tzinfo=None) if moment.tzinfo else moment


def _xlsx_text(text: str) -> str:
    # XML cannot hold most control characters, and a bare CR is read back as LF anyway.
    return ILLEGAL_CHARACTERS_RE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def put_cell(ws, row: int, col: int, value, font: Font):
    """Write one cell; a text is always a text, never a formula."""
    value = cell_value(value)
    dangerous = is_dangerous(value)
    if isinstance(value, str):
        value = _xlsx_text(value)
    if isinstance(value, dt.datetime):
        value = local_naive(value)
    cell = ws.cell(row, col, value)
    if isinstance(value, str):
        # openpyxl turns a str starting with "=" into a formula; force a string cell, and mark
        # it the way Excel marks a typed leading apostrophe, so editing it keeps it a text.
        cell.data_type = "s"
        if dangerous or value.startswith(FORMULA_PREFIXES):
            cell.quotePrefix = True
    cell.font = font
    return cell


def cell_width(value) -> int:
    if value is None:
        return 0
    if isinstance(value, dt.datetime):
        return 16
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return len(format_number(value)) + 1
    return max((len(line) for line in str(value).splitlines()), default=0)


def wrapped_lines(value, width: int) -> int:
    """How many lines a wrapped text takes in a column `width` characters wide."""
    if not isinstance(value, str):
        return 1
    per_line = max(1, int(width * 1.15) - 2)  # Times New Roman is narrower than the width unit
    return sum(max(1, -(-len(line) // per_line)) for line in value.split("\n"))


def row_height(lines: int, padding: int = 0) -> int:
    """Points for a row of `lines` wrapped lines, within Excel's limit (a longer text is still
    all in the cell; the row scrolls)."""
    return min(LINE_HEIGHT * lines + padding, MAX_ROW_HEIGHT)


def label_rows(ws, lines, *, first_row: int = 3, fit_width: int | None = None) -> None:
    """(label, value) rows of a sheet that says what its workbook is: the label in bold, the
    value wrapped beside it. With `fit_width` (the value column's width) each row's height
    fits its value."""
    for i, (label, value) in enumerate(lines, start=first_row):
        put_cell(ws, i, 1, label, BOLD).alignment = Alignment(vertical="top")
        cell = put_cell(ws, i, 2, value, FONT)
        cell.alignment = Alignment(vertical="top", wrap_text=True, horizontal="left")
        if isinstance(value, int):
            cell.number_format = NUMBER_FORMAT
        if fit_width:
            ws.row_dimensions[i].height = row_height(wrapped_lines(value, fit_width), 2)
