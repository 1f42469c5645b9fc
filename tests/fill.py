"""Filling report templates in tests: `mdplan_core.filling`, with the tests' usual entries.

The filler itself takes the reporter, phone and report date from its caller (the web form, the
demo). Most tests do not care who reported, so here they default to one officer of the tests'
own and to the day after the period ends. None still leaves a cell blank.
"""
from __future__ import annotations

import datetime as dt
import io

from python_calamine import CalamineWorkbook

from mdplan_core import filling
from mdplan_core.filling import *  # noqa: F401,F403
from mdplan_core.layout import SHEET_META
from mdplan_core.report import Period

REPORTER = "Nguyễn Thị Hoa"
PHONE = "0209 3875 123"
DEFAULT = object()  # the day after the period ends


def fill_template(xlsx_bytes: bytes, results: dict[str, object] | None = None,
                  communes: dict[str, list] | None = None, media_text: str | None = None,
                  reporter: str | None = REPORTER, phone: str | None = PHONE,
                  report_date: dt.date | str | None = DEFAULT,
                  notes: dict[str, str] | None = None) -> bytes:
    """`filling.fill_template` with the tests' reporter, phone and report date by default."""
    if report_date is DEFAULT:
        report_date = template_period(xlsx_bytes).end + dt.timedelta(days=1)
    return filling.fill_template(xlsx_bytes, reporter=reporter, phone=phone,
                                 report_date=report_date, results=results, communes=communes,
                                 media_text=media_text, notes=notes)


def template_period(xlsx_bytes: bytes) -> Period:
    """The period a template was written for, from its `_mdplan` sheet."""
    rows = CalamineWorkbook.from_filelike(io.BytesIO(xlsx_bytes)).get_sheet_by_name(SHEET_META).to_python()
    return Period.parse({row[0]: row[1] for row in rows if len(row) >= 2}["period"])
