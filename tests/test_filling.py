"""The filler writes what its caller gives: no reporter, phone or date of its own."""
from __future__ import annotations

import ast
import datetime as dt
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from mdplan_core import filling
from mdplan_core.layout import HEADER, SHEET_REPORT
from mdplan_core.plan import load_plan
from mdplan_core.report import Period
from mdplan_core.template import build_template

Q1 = Period(2017, 1, 3)


@pytest.fixture(scope="module")
def template() -> bytes:
    return build_template(load_plan(), "ubnd_061", Q1)


def _header(data: bytes) -> dict[str, object]:
    ws = load_workbook(io.BytesIO(data))[SHEET_REPORT]
    return {name: filling.value_cell(ws, HEADER[name].text).value
            for name in ("reporter", "phone", "report_date")}


def test_the_reporter_phone_and_date_are_the_callers_to_give(template):
    with pytest.raises(TypeError):
        filling.fill_template(template, results={"CT1.1": 1})  # type: ignore[call-arg]


def test_nothing_given_leaves_the_header_blank(template):
    data = filling.fill_template(template, reporter=None, phone=None, report_date=None,
                                 results={"CT1.1": 1})

    assert _header(data) == {"reporter": None, "phone": None, "report_date": None}


def test_what_is_given_is_written(template):
    data = filling.fill_template(template, reporter="Hà Văn An", phone="0912 345 678",
                                 report_date=dt.date(2017, 4, 2))

    assert _header(data) == {"reporter": "Hà Văn An", "phone": "0912 345 678",
                             "report_date": dt.datetime(2017, 4, 2)}


def test_no_engine_module_imports_the_tests():
    """Production code never leans on test helpers: a helper may call the engine, not the
    other way round."""
    engine = Path(filling.__file__).resolve().parent
    offenders = []
    for path in sorted(engine.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level
                     else [])
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] == "tests"]
    assert offenders == []
