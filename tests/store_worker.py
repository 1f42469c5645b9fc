"""A separate process that writes to the store, for the multi-process tests in test_store.py.

    python -m tests.store_worker save URL UNIT PERIOD PAYLOAD
        Connects, prints READY, waits for a line on stdin (the start signal), saves one
        report, and prints the SaveResult as JSON.
    python -m tests.store_worker hang URL UNIT PERIOD PAYLOAD
        Starts saving one report. Once the submission row is written, with the transaction
        still open, prints READY and blocks reading stdin, waiting to be killed.

Run from the repository root. PAYLOAD is an integer that makes the report and its bytes distinct.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import sys

from mdplan_core import store as store_module
from mdplan_core.report import ParsedReport, Period, ReportValue


def sample_report(unit_code: str, period: Period, payload: int = 0) -> ParsedReport:
    return ParsedReport(
        unit_code=unit_code,
        period=period,
        values=[
            ReportValue("1.1", payload + 2),
            ReportValue("1.2", payload * 10 + 0.5, note="ghi chú"),
            ReportValue("1.3", communes=("01840", "01843", "01840")),
            ReportValue("1.5", 1, text="Chuyên mục trên Đài PT-TH tỉnh"),
            ReportValue("2.1", None),
        ],
        reporter="Nguyễn Thị Hoà",
        phone="0209 3870 123",
        report_date=dt.date(period.year, period.end_month, 28),
    )


def sample_bytes(unit_code: str, period: Period, payload: int = 0) -> bytes:
    """Stand-in for an uploaded workbook: distinct per unit, period and payload, with
    bytes that do not survive a text round-trip."""
    return f"PK\x03\x04 {unit_code} {period} #{payload} ".encode() + bytes(range(256))


def save(store: store_module.Store, unit_code: str, period: Period, payload: int = 0, *,
         user: str = "officer", **kwargs) -> store_module.SaveResult:
    place_code = kwargs.pop("place_code", unit_code if unit_code.isdigit() else None)
    return store.save_report(
        sample_report(unit_code, period, payload), plan_id=kwargs.pop("plan_id", "backan-2017"),
        place_code=place_code,
        data=kwargs.pop("data", None) or sample_bytes(unit_code, period, payload),
        filename=kwargs.pop("filename", f"bao-cao-{unit_code}-{period}.xlsx"), user=user, **kwargs)


def main(mode: str, url: str, unit_code: str, period_text: str, payload_text: str) -> None:
    store = store_module.Store(url)
    period, payload = Period.parse(period_text), int(payload_text)
    if mode == "save":
        store.engine.connect().close()  # connected before the start signal
        print("READY", flush=True)
        sys.stdin.readline()
        result = save(store, unit_code, period, payload, user=f"worker-{payload}")
        print(json.dumps(dataclasses.asdict(result), ensure_ascii=False), flush=True)
    elif mode == "hang":
        def insert_values_then_hang(conn, submission_id, *args):
            print("READY", submission_id, flush=True)
            sys.stdin.readline()
            raise SystemExit("stdin closed before the test killed this worker")

        store_module._insert_values = insert_values_then_hang
        save(store, unit_code, period, payload, user=f"worker-{payload}")
    else:
        raise SystemExit(f"unknown mode {mode!r}")


if __name__ == "__main__":
    main(*sys.argv[1:])
