"""The safe spreadsheet writer: a typed text is always a text, never a formula; times are
Vietnam's wall clock; rows never exceed Excel's height limit."""
import datetime as dt
import io
from zoneinfo import ZoneInfo

import numpy as np
import openpyxl
import pandas as pd
import pytest

from mdplan_core import xlsxout
from mdplan_core.xlsxout import (
    FONT,
    cell_value,
    cell_width,
    is_dangerous,
    label_rows,
    put_cell,
    row_height,
    wrapped_lines,
)

PREFIXES = ["=", "+", "-", "@", "\t", "\r"]


def written(value):
    """The cell `put_cell` writes, as a spreadsheet program reads it back."""
    wb = openpyxl.Workbook()
    put_cell(wb.active, 1, 1, value, FONT)
    out = io.BytesIO()
    wb.save(out)
    return openpyxl.load_workbook(out).active.cell(1, 1)


def test_harmless_texts_are_left_alone():
    assert not any(is_dangerous(x) for x in ["Chợ Rã", " =1", "1-2", "a@b", "", None, -3, 3.5])
    assert all(is_dangerous(p + "x") for p in PREFIXES)


@pytest.mark.parametrize("prefix", PREFIXES, ids=["equals", "plus", "minus", "at", "tab", "cr"])
def test_a_text_that_looks_like_a_formula_stays_a_text(prefix):
    cell = written(prefix + "SUM(1,2)")
    shown = "\n" if prefix == "\r" else prefix  # a CR in a cell is a line break
    assert (cell.data_type, cell.value, cell.quotePrefix) == ("s", shown + "SUM(1,2)", True)


def test_control_characters_xml_cannot_hold_are_dropped():
    assert written("Chợ\x00 Rã\x1b\r\n2017").value == "Chợ Rã\n2017"


def test_a_moment_is_written_as_vietnams_wall_clock_time():
    moment = dt.datetime(2017, 12, 14, 2, 30, tzinfo=dt.UTC)
    assert written(moment).value == dt.datetime(2017, 12, 14, 9, 30)
    assert written(pd.Timestamp("2017-12-14 09:30", tz=ZoneInfo("Asia/Ho_Chi_Minh"))).value == \
        dt.datetime(2017, 12, 14, 9, 30)


@pytest.mark.parametrize("missing", [None, pd.NA, pd.NaT, float("nan")])
def test_a_missing_value_leaves_the_cell_empty(missing):
    assert cell_value(missing) is None
    assert written(missing).value is None


def test_numpy_scalars_become_plain_numbers():
    assert type(cell_value(np.int64(3))) is int and written(np.int64(-3)).value == -3


def test_widths_count_the_longest_line_and_shown_separators():
    assert cell_width(1234567) == len("1.234.567") + 1
    assert cell_width("ngắn\nmột dòng dài hơn") == len("một dòng dài hơn")
    assert cell_width(None) == 0


def test_wrapped_lines_and_row_heights():
    assert wrapped_lines("a" * 100, 10) == 12  # 9 characters a line: Times New Roman is narrow
    assert wrapped_lines("a\nb", 50) == 2 and wrapped_lines(3, 5) == 1


def test_row_height_counts_lines_up_to_the_limit():
    assert row_height(1) == xlsxout.LINE_HEIGHT
    assert row_height(3, 2) == 3 * xlsxout.LINE_HEIGHT + 2
    assert row_height(1000, 4) == xlsxout.MAX_ROW_HEIGHT == 409


def test_label_rows_write_a_bold_label_beside_its_wrapped_value():
    ws = openpyxl.Workbook().active
    label_rows(ws, [("Số dòng", 1234), ("Ghi chú", "dài " * 100)], fit_width=20)
    assert ws["A3"].font.b and ws["B3"].number_format == xlsxout.NUMBER_FORMAT
    assert ws["B4"].alignment.wrap_text and ws["B4"].value == "dài " * 100
    assert ws.row_dimensions[4].height == row_height(wrapped_lines("dài " * 100, 20), 2)
    unfitted = openpyxl.Workbook().active
    label_rows(unfitted, [("Ghi chú", "dài " * 100)])
    assert unfitted.row_dimensions[3].height is None
