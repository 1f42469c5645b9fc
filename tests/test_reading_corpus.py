"""A corpus of broken and hostile workbooks, each with the exact findings an upload gets.

Every case goes through `check_workbook`, the whole read-only path (preflight, sandboxed
read, reader, validation), and must yield exactly the listed (code, sheet, cell) findings.
Most cases start from the real template with one thing broken; the file-level ones come from
tests/hostile.py. Checking never writes: a store stays empty after the whole corpus.
"""
from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass, field

import openpyxl
import pytest
from openpyxl.styles import Font

from mdplan_core import vntext
from mdplan_core.layout import (
    COMMUNE_FIRST_ROW,
    HEADER,
    HEADER_FIRST_ROW,
    SHEET_COMMUNES,
    SHEET_REPORT,
    TABLE_FIRST_ROW,
    TABLE_HEADER_ROW,
)
from mdplan_core.plan import load_plan
from mdplan_core.report import Period
from mdplan_core.template import build_template
from mdplan_core.validation import check_workbook
from tests import hostile
from tests.fill import fill_template
from tests.libreoffice import written

REPORT, COMMUNES = SHEET_REPORT, SHEET_COMMUNES
PERIOD = Period(2017, 1, 3)
INDICATORS = ["CT1.1", "CT1.2", "CT1.3", "CT1.4", "CT1.5", "CT2.1", "CT3.1", "CT3.2", "CT4.1",
              "CT5.1", "CT5.2"]
ROW = {code: TABLE_FIRST_ROW + i for i, code in enumerate(INDICATORS)}
AFTER_TABLE = TABLE_FIRST_ROW + len(INDICATORS)  # the blank row that ends the table
_HEADER_ROW = {name: HEADER_FIRST_ROW + i for i, name in enumerate(HEADER)}


def value_cell(name: str) -> str:
    """The cell of a header value (column C), e.g. value_cell("year") == "C12"."""
    return f"C{_HEADER_ROW[name]}"


def label_cell(name: str) -> str:
    return f"A{_HEADER_ROW[name]}"


def result(code: str) -> str:
    return f"F{ROW[code]}"


C5 = f"C{COMMUNE_FIRST_ROW}"


@pytest.fixture(scope="module")
def plan():
    return load_plan()


def make_bases(plan) -> dict[str, bytes]:
    """Valid reports, a district's and an agency's, each with one result (CT1.1 = 2)."""
    def base(unit):
        return fill_template(build_template(plan, unit, PERIOD), results={"CT1.1": 2},
                             communes={}, media_text=None, reporter="Nguyễn Thị Hoa",
                             phone="0209 3870 123", report_date=dt.date(2017, 3, 28))
    return {"district": base("ubnd_061"), "agency": base("syt")}


@pytest.fixture(scope="module")
def bases(plan) -> dict[str, bytes]:
    return make_bases(plan)


def edit(changes: dict, base: str = "district", fonts: dict | None = None):
    """A builder: the base report with cells set ({(sheet, cell): value})."""
    def build(bases):
        wb = openpyxl.load_workbook(io.BytesIO(bases[base]))
        for (sheet, cell), value in changes.items():
            wb[sheet][cell] = value
        for (sheet, cell), font in (fonts or {}).items():
            wb[sheet][cell].font = Font(name=font)
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue()
    return build


def raw(make: Callable[[], bytes]):
    return lambda bases: make()


def divide_by_zero_report() -> bytes:
    """A result cell holding =1/0 (LibreOffice saves it, with the error as its value)."""
    return edit({(REPORT, result("CT2.1")): "=1/0"})(make_bases(load_plan()))


def hidden_report(bases):
    wb = openpyxl.load_workbook(io.BytesIO(bases["district"]))
    wb[REPORT].sheet_state = "hidden"
    wb.active = 1
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@dataclass(frozen=True)
class Case:
    id: str
    build: Callable
    expected: list[tuple[str, str | None, str | None]]
    filename: str = "bao-cao.xlsx"
    readable: bool = True  # a report comes out (its unit and period are known)
    ok: bool = field(default=None)  # None: ok when no expected finding is an error


def case(id, build, *expected, **kw) -> Case:
    return Case(id, build, list(expected), **kw)


R, X = REPORT, COMMUNES
CASES = [
    # --- the file itself (preflight, from tests/hostile.py) ---
    case("zero-bytes", raw(hostile.zero_bytes), ("file.empty", None, None), readable=False),
    case("random-bytes", raw(hostile.random_bytes), ("file.not_a_workbook", None, None),
         readable=False),
    case("csv-named-xlsx", raw(hostile.csv_bytes), ("file.wrong_extension", None, None),
         readable=False),
    case("pdf-named-xlsx", raw(hostile.pdf_bytes), ("file.wrong_extension", None, None),
         readable=False),
    case("zip-not-a-workbook", raw(hostile.non_workbook_zip), ("file.not_a_workbook", None, None),
         readable=False),
    case("truncated-upload", raw(hostile.truncated_xlsx), ("file.truncated", None, None),
         readable=False),
    case("encrypted-ods", raw(hostile.encrypted_ods), ("file.encrypted", None, None),
         filename="bao-cao.ods", readable=False),
    case("cell-at-xfd1048576", raw(hostile.sparse_corner_xlsx),
         ("file.sheet_too_large", R, "XFD1048576"), readable=False),
    case("too-many-zip-entries", raw(hostile.many_entries_xlsx),
         ("file.too_many_entries", None, None), readable=False),
    # --- not our template ---
    case("another-programs-workbook", raw(hostile.real_xlsx),
         ("template.not_recognised", None, None), readable=False),
    case("report-sheet-hidden", hidden_report, ("template.not_recognised", None, None),
         readable=False),
    case("no-result-column", edit({(R, f"F{TABLE_HEADER_ROW}"): None}),
         ("template.not_recognised", R, f"A{TABLE_HEADER_ROW}"), readable=False),
    case("no-code-or-name-column",
         edit({(R, f"A{TABLE_HEADER_ROW}"): None, (R, f"C{TABLE_HEADER_ROW}"): None}),
         ("template.not_recognised", R, f"B{TABLE_HEADER_ROW}"), readable=False),
    # --- the header block ---
    case("no-from-month-label", edit({(R, label_cell("start_month")): None}),
         ("header.missing", R, None), readable=False),
    case("year-left-blank", edit({(R, value_cell("year")): None}),
         ("header.missing", R, label_cell("year")), readable=False),
    case("no-unit-at-all",
         edit({(R, value_cell("unit")): None, (R, value_cell("unit_code")): None}),
         ("header.missing", R, label_cell("unit")), readable=False),
    case("unit-not-in-province",
         edit({(R, value_cell("unit_code")): None,
               (R, value_cell("unit")): "UBND huyện Hà Quảng"}),
         ("unit.unknown", R, value_cell("unit")), readable=False),
    case("unit-code-invented",
         edit({(R, value_cell("unit_code")): "ubnd_999", (R, value_cell("unit")): None}),
         ("unit.unknown", R, value_cell("unit_code")), readable=False),
    case("unit-code-and-name-disagree", edit({(R, value_cell("unit")): "UBND huyện Na Rì"}),
         ("unit.mismatch", R, value_cell("unit")), readable=False),
    case("month-13", edit({(R, value_cell("start_month")): 13}),
         ("period.invalid", R, value_cell("start_month")), readable=False),
    case("months-reversed",
         edit({(R, value_cell("start_month")): 5, (R, value_cell("end_month")): 3}),
         ("period.invalid", R, value_cell("end_month")), readable=False),
    case("year-as-words", edit({(R, value_cell("year")): "năm nay"}),
         ("period.invalid", R, value_cell("year")), readable=False),
    case("year-outside-plan", edit({(R, value_cell("year")): 2018}),
         ("period.outside_plan", R, value_cell("year"))),
    case("date-month-first", edit({(R, value_cell("report_date")): "12/25/2017"}),
         ("date.invalid", R, value_cell("report_date"))),
    case("date-day-32", edit({(R, value_cell("report_date")): "32/01/2017"}),
         ("date.invalid", R, value_cell("report_date"))),
    case("reporter-in-tcvn3",
         edit({(R, value_cell("reporter")): vntext.unicode_to_tcvn3("Nguyễn Thị Hoa")},
              fonts={(R, value_cell("reporter")): ".VnTime"}),
         ("text.legacy_encoding", R, value_cell("reporter"))),
    # --- the indicator table ---
    case("result-in-words", edit({(R, result("CT1.2")): "mười"}),
         ("value.not_a_number", R, result("CT1.2"))),
    case("result-english-thousands", edit({(R, result("CT1.2")): "1,234.5"}),
         ("value.not_a_number", R, result("CT1.2"))),
    case("result-true", edit({(R, result("CT1.2")): True}),
         ("value.not_a_number", R, result("CT1.2"))),
    case("result-a-date", edit({(R, result("CT1.2")): dt.datetime(2017, 3, 1)}),
         ("value.not_a_number", R, result("CT1.2"))),
    case("result-ref-error", edit({(R, result("CT1.4")): "#REF!"}),
         ("value.formula_error", R, result("CT1.4"))),
    case("result-formula-divides-by-zero", raw(lambda: written("corpus-divide-by-zero", "xlsx")),
         ("value.formula_error", R, result("CT2.1"))),
    case("media-count-na", edit({(R, result("CT1.5")): "#N/A"}),
         ("value.formula_error", R, result("CT1.5"))),
    case("result-with-unit", edit({(R, result("CT1.1")): "2 lớp"}),
         ("value.unit_suffix", R, result("CT1.1"))),
    case("result-dot-decimal", edit({(R, result("CT1.2")): "12.5"}),
         ("value.ambiguous", R, result("CT1.2")), ("value.fraction", R, result("CT1.2"))),
    case("result-negative", edit({(R, result("CT1.1")): -2}),
         ("value.negative", R, result("CT1.1"))),
    case("result-fraction", edit({(R, result("CT1.1")): "2,5"}),
         ("value.fraction", R, result("CT1.1"))),
    case("result-implausible", edit({(R, result("CT1.2")): 6000}),
         ("value.implausible", R, result("CT1.2"))),
    case("nothing-filled", edit({(R, result("CT1.1")): None}),
         ("report.empty", R, f"F{TABLE_HEADER_ROW}")),
    case("unknown-code-row", edit({(R, f"A{AFTER_TABLE}"): "CT9.9", (R, f"F{AFTER_TABLE}"): 3}),
         ("indicator.unknown", R, f"A{AFTER_TABLE}")),
    case("unknown-name-row",
         edit({(R, f"C{AFTER_TABLE}"): "Chỉ tiêu tự đặt", (R, f"F{AFTER_TABLE}"): 3}),
         ("indicator.unknown", R, f"C{AFTER_TABLE}")),
    case("indicator-twice", edit({(R, f"A{AFTER_TABLE}"): "CT1.1", (R, f"F{AFTER_TABLE}"): 4}),
         ("indicator.duplicate", R, f"A{AFTER_TABLE}")),
    case("commune-count-without-list", edit({(R, result("CT1.3")): 3}),
         ("commune.list_missing", R, result("CT1.3"))),
    # --- the commune list ---
    case("commune-invented", edit({(X, "A5"): "CT1.3", (X, C5): "Xã Không Tồn Tại"}),
         ("commune.unknown", X, C5)),
    case("commune-of-another-district", edit({(X, "A5"): "CT1.3", (X, C5): "Côn Minh"}),
         ("commune.not_in_district", X, C5)),
    case("commune-twice", edit({(X, "A5"): "CT1.3", (X, C5): "Chợ Rã",
                                (X, "A6"): "CT1.3", (X, "C6"): "TT Chợ Rã"}),
         ("commune.duplicate", X, "C6")),
    case("commune-for-a-sum-indicator", edit({(X, "A5"): "CT1.1", (X, C5): "Chợ Rã"}),
         ("commune.indicator_invalid", X, "A5")),
    case("commune-without-indicator", edit({(X, C5): "Chợ Rã"}),
         ("commune.indicator_invalid", X, "A5")),
    case("agency-district-unknown",
         edit({(X, "A5"): "CT1.3", (X, "B5"): "Huyện Hà Quảng", (X, C5): "Chợ Rã"}, base="agency"),
         ("district.unknown", X, "B5")),
    case("agency-commune-outside-named-district",
         edit({(X, "A5"): "CT3.1", (X, "B5"): "Huyện Ba Bể", (X, C5): "Côn Minh"}, base="agency"),
         ("commune.not_in_district", X, C5)),
]


def _expected_ok(c: Case) -> bool:
    if c.ok is not None:
        return c.ok
    warnings = {"value.unit_suffix", "value.implausible", "commune.duplicate",
                "text.legacy_encoding", "date.invalid"}
    return all(code in warnings for code, _, _ in c.expected)


def test_the_corpus_is_large_and_its_ids_unique():
    assert len(CASES) >= 30
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("c", CASES, ids=[c.id for c in CASES])
def test_case_gets_exactly_its_findings(plan, bases, c):
    data = c.build(bases)
    checked = check_workbook(data, c.filename, plan)
    assert [(f.code, f.sheet, f.cell) for f in checked.findings] == c.expected
    assert checked.ok is _expected_ok(c)
    assert (checked.report is not None) is c.readable
    for f in checked.findings:
        assert f.message and f.file == c.filename
        assert f.severity == ("warning" if f.code in {"value.unit_suffix", "value.implausible",
                                                      "value.ambiguous", "commune.duplicate",
                                                      "text.legacy_encoding", "date.invalid"}
                                      else "error")


def test_checking_the_corpus_writes_nothing(plan, bases, store):
    for c in CASES:
        checked = check_workbook(c.build(bases), c.filename, plan, store=store)
        assert [(f.code, f.sheet, f.cell) for f in checked.findings] == c.expected, c.id
    assert store.history(None).empty
    assert store.audit().empty
    assert store.values("backan-2017", PERIOD.year).empty
