"""What a sandboxed read may cost the server: the worker returns only what the reader can use
(the template's read caps) and never more than RESULT_MAX_BYTES. The sandbox's isolation
itself (crashes, timeouts, memory) is tested in test_preflight.py."""
from __future__ import annotations

import io
import pickle

import openpyxl

from mdplan_core import sandbox
from mdplan_core.layout import READ_MAX_CELLS, READ_MAX_COLS, READ_MAX_ROWS
from mdplan_core.sandbox import RESULT_MAX_BYTES, read_workbook_safely, run_isolated
from mdplan_core.workbook import ReadLimits, read_workbook
from tests import hostile

MB = 1024 * 1024
# What one upload may hand the server: the caps make a workbook's read a few hundred KB.
PAYLOAD_BOUND = 1 * MB


def cells(book) -> int:
    return sum(len(row) for sheet in book.sheets for row in sheet.rows)


def test_hostile_shared_strings_come_back_cut_to_the_read_caps():
    """600 000 shared-string cells within every preflight limit: the whole grid pickled to
    about 13 MB (52 MB and 600 MB of server memory at the issue's 2.4 million cells)."""
    data = hostile.shared_strings_xlsx(rows=6_000, cols=100)

    book, findings = read_workbook_safely(data, "bao-cao.xlsx")

    assert book is not None
    payload = len(pickle.dumps((book, findings), protocol=pickle.HIGHEST_PROTOCOL))
    assert payload <= PAYLOAD_BOUND
    [sheet] = book.sheets
    assert len(sheet.rows) == READ_MAX_ROWS
    assert {len(row) for row in sheet.rows} == {READ_MAX_COLS}
    assert sheet.rows[0][0].startswith("Ghi chú số")
    [cut] = findings
    assert (cut.code, cut.severity, cut.sheet) == ("file.beyond_read_area", "warning", "Báo cáo")
    assert "A1:AB650" in cut.message


def test_read_caps_follow_the_template():
    assert (READ_MAX_ROWS, READ_MAX_COLS) == (650, 28)
    assert READ_MAX_CELLS == 10 * READ_MAX_ROWS * READ_MAX_COLS


def workbook(*shapes: tuple[int, int]) -> bytes:
    """One sheet per (rows, cols), every cell filled."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for i, (rows, cols) in enumerate(shapes):
        ws = wb.create_sheet(f"S{i}")
        for r in range(rows):
            ws.append([f"{i}:{r}:{c}" for c in range(cols)])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_limits_cut_rows_columns_and_then_whole_sheets():
    data = workbook((3, 3), (3, 2), (1, 1))

    book = read_workbook(data, "x.xlsx", ReadLimits(rows=2, cols=2, cells=6))

    assert [s.rows for s in book.sheets] == [
        [["0:0:0", "0:0:1"], ["0:1:0", "0:1:1"]],
        [["1:0:0", "1:0:1"]],  # two cells left of the budget: one row
        [],
    ]
    assert cells(book) <= 6
    assert [(f.code, f.sheet) for f in book.findings] == [
        ("file.beyond_read_area", "S0"), ("file.beyond_read_area", "S1"),
        ("file.sheet_not_read", "S2")]
    assert "A1:B2" in book.findings[0].message and "A1:B1" in book.findings[1].message


def test_a_workbook_within_the_limits_is_read_whole_without_a_warning():
    data = workbook((2, 2))

    book = read_workbook(data, "x.xlsx", ReadLimits(rows=2, cols=2, cells=4))

    assert book.sheets[0].rows == [["0:0:0", "0:0:1"], ["0:1:0", "0:1:1"]]
    assert book.findings == []


def test_merges_outside_the_read_area_are_dropped():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = "x"
    ws["Z1"] = "far"
    ws.merge_cells("A1:B1")
    ws.merge_cells("X10:Y12")
    buf = io.BytesIO()
    wb.save(buf)

    book = read_workbook(buf.getvalue(), "x.xlsx", ReadLimits(rows=5, cols=5, cells=25))

    assert [m.ref for m in book.sheets[0].merged] == ["A1:B1"]


def test_a_result_over_the_cap_becomes_a_finding():
    result = run_isolated("tests.hostile:return_text", 2 * MB, max_result_bytes=1 * MB)

    assert not result.ok
    assert result.finding.code == "file.too_much_content"
    assert "1 MB" in result.finding.message
    assert run_isolated("tests.hostile:return_text", 1000,
                        max_result_bytes=1 * MB).value == "x" * 1000


def test_a_worker_writing_past_the_cap_is_stopped():
    """Bypassing pickle does not help a subverted reader: its files are capped too."""
    result = run_isolated("tests.hostile:flood_stdout", 64, max_result_bytes=1 * MB)

    assert not result.ok
    assert result.finding.code == "file.reader_crashed"
    assert "File too large" in result.detail  # EFBIG: Python ignores SIGXFSZ


def test_the_result_cap_is_far_above_a_real_report():
    book, findings = read_workbook_safely(hostile.real_xlsx(rows=200), "bao-cao.xlsx")

    assert findings == []
    assert len(pickle.dumps(book)) < RESULT_MAX_BYTES // 100
    assert sandbox.RESULT_MAX_BYTES == 8 * MB
