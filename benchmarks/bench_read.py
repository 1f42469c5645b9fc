"""How much reading a small report costs, by path, against bare calamine; and what a hostile
upload costs the server with and without the read caps.

    .venv/bin/python benchmarks/bench_read.py [--repeat N] [--no-memory]

Prints the median time of each path and its ratio to the calamine baseline measured in
the same run, then the size of the result the worker sends back and the parent's peak
Python memory while taking it (tracemalloc), uncapped and capped, with their ratio.
Nothing here asserts a time.
"""
from __future__ import annotations

import argparse
import io
import pickle
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import openpyxl  # noqa: E402
import pandas as pd  # noqa: E402
from openpyxl.styles import Font  # noqa: E402
from python_calamine import CalamineWorkbook  # noqa: E402

from mdplan_core.layout import READ_MAX_CELLS, READ_MAX_COLS, READ_MAX_ROWS  # noqa: E402
from mdplan_core.preflight import preflight  # noqa: E402
from mdplan_core.sandbox import read_workbook_safely, run_isolated  # noqa: E402
from mdplan_core.workbook import ReadLimits, read_workbook  # noqa: E402
from tests.hostile import real_xlsx, shared_strings_xlsx  # noqa: E402


def with_legacy_font(data: bytes) -> bytes:
    """The same report with its village names in .VnTime, so the font pass runs."""
    wb = openpyxl.load_workbook(io.BytesIO(data))
    for (cell,) in wb.active.iter_rows(min_col=2, max_col=2, min_row=2):
        cell.font = Font(name=".VnTime")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def calamine_only(data: bytes):
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    return [book.get_sheet_by_name(n).to_python(skip_empty_area=False) for n in book.sheet_names]


def pandas_openpyxl(data: bytes):
    return pd.read_excel(io.BytesIO(data), sheet_name=None, header=None, engine="openpyxl")


def median_seconds(func, data: bytes, repeat: int) -> float:
    func(data)  # warm imports and caches
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func(data)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def payload_and_peak(data: bytes, limits: ReadLimits | None) -> tuple[int, int]:
    """(pickled result bytes, peak bytes the parent allocated to take it)."""
    tracemalloc.start()
    result = run_isolated("mdplan_core.workbook:try_read_workbook", data, "h.xlsx", limits,
                          timeout=120, max_result_bytes=1 << 30)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    if not result.ok:
        raise SystemExit(f"the hostile read failed: {result.detail}")
    return len(pickle.dumps(result.value, protocol=pickle.HIGHEST_PROTOCOL)), peak


def memory_per_upload() -> None:
    data = shared_strings_xlsx()
    print(f"\nhostile upload: 2,400,000 shared-string cells, {len(data):,} bytes")
    caps = ReadLimits(rows=READ_MAX_ROWS, cols=READ_MAX_COLS, cells=READ_MAX_CELLS)
    before = payload_and_peak(data, None)
    after = payload_and_peak(data, caps)
    for label, (payload, peak) in (("whole grid (before)", before), ("read caps (after)", after)):
        print(f"{label:34} result {payload / 2**20:8.2f} MB  parent peak {peak / 2**20:8.2f} MB")
    print(f"{'before / after':34} result {before[0] / after[0]:8.1f}x   parent peak "
          f"{before[1] / after[1]:8.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--no-memory", action="store_true",
                        help="skip the hostile upload (it takes about half a minute)")
    args = parser.parse_args()

    report = real_xlsx(rows=20)
    legacy = with_legacy_font(report)
    slow_repeat = max(3, args.repeat // 3)
    paths = [
        ("calamine (baseline)", calamine_only, report, args.repeat),
        ("preflight only", lambda d: preflight(d, "r.xlsx"), report, args.repeat),
        ("read_workbook, in process", lambda d: read_workbook(d, "r.xlsx"), report, args.repeat),
        ("read_workbook, .VnTime fonts", lambda d: read_workbook(d, "r.xlsx"), legacy,
         args.repeat),
        ("pandas.read_excel(openpyxl)", pandas_openpyxl, report, args.repeat),
        ("read_workbook_safely (sandbox)", lambda d: read_workbook_safely(d, "r.xlsx"), report,
         slow_repeat),
        ("read_workbook_safely, .VnTime", lambda d: read_workbook_safely(d, "r.xlsx"), legacy,
         slow_repeat),
    ]
    print(f"workbook: 21 rows x 5 columns, {len(report):,} bytes "
          f"({len(legacy):,} with .VnTime fonts)")
    baseline = None
    for label, func, data, repeat in paths:
        seconds = median_seconds(func, data, repeat)
        baseline = baseline or seconds
        print(f"{label:34} {seconds * 1000:9.2f} ms  {seconds / baseline:8.1f}x  (n={repeat})")
    if not args.no_memory:
        memory_per_upload()


if __name__ == "__main__":
    main()
