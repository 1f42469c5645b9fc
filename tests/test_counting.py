"""The ways of counting: the registry, and the new ways end to end on a small plan (template,
reader, validation, store, progress, export), written into a temporary directory."""
from __future__ import annotations

import datetime as dt
import io
import re
import tokenize
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from mdplan_core import counting, export, progress, summary, views
from mdplan_core.plan import PlanFileError, load_plan
from mdplan_core.report import Period
from mdplan_core.template import SHEET_REPORT, build_template
from mdplan_core.validation import check_workbook
from tests.fill import fill_template, indicator_rows
from tests.frames import NO_ALLOCATIONS, communes_frame, values_frame

ROOT = Path(__file__).resolve().parent.parent
REAL_TEXT = (ROOT / "data" / "plans" / "backan-2017.yaml").read_text(encoding="utf-8")
DEC = dt.date(2017, 12, 31)

# Three indicators of the kinds real plans use, added to the Bắc Kạn plan.
NEW_INDICATORS = """\
  - code: CT6.1
    task: 1
    name: "Xã, phường, thị trấn tổ chức tuyên truyền"
    unit: "xã, phường, thị trấn"
    target: 70
    aggregation: share_of_places
    text: "Trên 70% xã, phường, thị trấn tổ chức ít nhất một hình thức tuyên truyền."
  - code: CT6.2
    task: 1
    name: "Huyện, thành phố xây dựng kế hoạch"
    unit: "huyện, thành phố"
    aggregation: all_places
    level: district
    text: "8/8 huyện, thành phố xây dựng kế hoạch."
  - code: CT6.3
    task: 4
    name: "Tin báo về mại dâm được tiếp nhận, xử lý"
    unit: "%"
    target: 100
    aggregation: percent
    text: "100% tin báo được tiếp nhận, xử lý."
"""


def _write(tmp_path, text: str) -> Path:
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _with(indicators: str) -> str:
    anchor = "\n# IV. KINH PHÍ"
    assert anchor in REAL_TEXT
    return REAL_TEXT.replace(anchor, "\n" + indicators + anchor, 1)


@pytest.fixture
def plan(tmp_path):
    return load_plan(_write(tmp_path, _with(NEW_INDICATORS)))


# --- The registry --------------------------------------------------------------------------
def test_every_way_of_the_plan_schema_is_in_the_registry():
    from typing import get_args

    from mdplan_core import planfile as plan_module
    literal = get_args(plan_module.Aggregation)[0]
    assert set(get_args(literal)) == set(counting.NAMES)


def test_the_old_name_distinct_communes_is_read_as_distinct_places(plan):
    ct13 = plan.indicator("CT1.3")
    assert ct13.aggregation == "distinct_places" and ct13.level == "commune"
    assert counting.way("distinct_communes") is counting.way("distinct_places")
    assert counting.label(ct13) == "Số xã không trùng"


def test_places_are_named_below_the_reporting_level_only(plan):
    # Bắc Kạn reports by district: communes are named on the places sheet, a district
    # answers for itself.
    assert counting.named_codes(plan) == ["CT1.3", "CT3.1", "CT6.1"]
    assert counting.input_kind(plan, "CT6.2") == "own_place"
    assert counting.input_kind(plan, "CT6.3") == "rate"
    assert counting.input_kind(plan, "CT1.5") == "items"
    assert counting.input_kind(plan, "CT1.1") == "count"


def test_targets_of_the_new_ways(plan):
    targets = plan.indicators.set_index("code")["target"]
    assert targets["CT6.1"] == 70 and targets["CT6.3"] == 100
    assert targets["CT6.2"] == len(plan.places_at("district")) == 8  # every district
    assert plan.indicator("CT6.2").target is None  # as the file writes it


@pytest.mark.parametrize("way, target, message", [
    ("percent", "120", "tỉ lệ phần trăm: target phải từ 0 đến 100, không phải 120"),
    ("share_of_places", "101", "target phải từ 0 đến 100"),
    ("percent", "null", "chỉ tiêu kiểu 'percent' cần số chỉ tiêu (target)"),
    ("qualitative", "3", "chỉ tiêu định tính (qualitative) không có số chỉ tiêu"),
])
def test_plan_file_targets_are_checked_by_way(tmp_path, way, target, message):
    text = NEW_INDICATORS.replace("target: 100\n    aggregation: percent",
                                  f"target: {target}\n    aggregation: {way}")
    with pytest.raises(PlanFileError) as caught:
        load_plan(_write(tmp_path, _with(text)))
    assert caught.value.field == "indicators[13].target"
    assert message in caught.value.message


def test_a_level_the_plan_does_not_know_is_refused(tmp_path):
    with pytest.raises(PlanFileError) as caught:
        load_plan(_write(tmp_path, _with(NEW_INDICATORS.replace("level: district", "level: village"))))
    assert caught.value.field == "indicators[12].level"
    assert "'village' không hợp lệ" in caught.value.message


def test_numbers_are_shown_the_vietnamese_way(plan):
    rows = plan.indicators.set_index("code")
    assert counting.show(rows.loc["CT1.2"], 1234) == "1.234"
    assert counting.show(rows.loc["CT6.1"], 12.5) == "12,5%"
    assert counting.show(rows.loc["CT6.3"], 100) == "100%"
    assert counting.show(rows.loc["CT6.3"], None) == ""
    table = views.plan_indicators(plan).set_index("Mã")["Cách tính"]
    assert table["CT6.1"] == "Tỉ lệ xã đạt (%)" and table["CT6.2"] == "Tất cả huyện"
    assert table["CT1.1"] == "Cộng dồn"


# --- Progress ------------------------------------------------------------------------------
def test_progress_of_the_new_ways(plan):
    communes = plan.communes
    ba_be = list(communes.loc[communes["place_code"] == "061", "code"][:3])
    values = values_frame([
        ("ubnd_061", "061", 1, 3, "CT6.2", 1),   # Ba Bể built its plan
        ("ubnd_058", "058", 1, 3, "CT6.2", 0),   # TP Bắc Kạn not yet
        ("ubnd_058", "058", 4, 6, "CT6.2", 1),   # ... then it did
        ("sldtbxh", None, 1, 3, "CT6.2", 1),     # an agency is no district: reaches nothing
        ("ubnd_061", "061", 1, 3, "CT6.3", 90),
        ("ubnd_061", "061", 4, 6, "CT6.3", 100),  # the latest report counts
        ("ubnd_058", "058", 1, 6, "CT6.3", 95.5),
        ("ubnd_061", "061", 1, 3, "CT6.1", 3),
    ])
    named = communes_frame([("ubnd_061", "061", 1, 3, "CT6.1", c) for c in ba_be]
                           + [("sldtbxh", None, 4, 6, "CT6.1", ba_be[0])])  # counted once
    table = progress.by_indicator(plan, values, named, DEC).set_index("code")

    assert table.at["CT6.1", "actual"] == pytest.approx(100 * 3 / 122)  # 3 of 122 communes
    assert table.at["CT6.1", "status"] == "behind"
    assert table.at["CT6.2", "actual"] == 2 and table.at["CT6.2", "target"] == 8
    assert table.at["CT6.3", "actual"] == 95.5  # the lowest of the latest reports
    assert table.at["CT6.3", "average"] == pytest.approx((100 + 95.5) / 2)
    assert table.at["CT6.3", "expected"] == 100  # a rate is not paced: due in full
    assert table.at["CT6.3", "status"] == "behind"

    # In March only the first quarter has ended; task 4 (CT6.3) starts in June.
    march = progress.by_indicator(plan, values, named, dt.date(2017, 3, 31)).set_index("code")
    assert march.at["CT6.2", "actual"] == 1
    assert march.at["CT6.3", "status"] == "not_started"

    by_district = progress.by_group(plan, values, named, DEC, by="place_code")
    rate = by_district[by_district["indicator_code"] == "CT6.3"].set_index("place_code")
    assert rate.at["061", "actual"] == 100 and pd.isna(rate.at["061", "share"])  # not additive
    share = by_district[by_district["indicator_code"] == "CT6.1"].set_index("place_code")
    assert share.at["061", "share"] == pytest.approx(1.0)

    monthly = progress.cumulative_by_month(plan, values, named, indicator=["CT6.2", "CT6.3"])
    at = monthly.set_index(["indicator_code", "month"])["actual"]
    assert (at["CT6.2", 3], at["CT6.2", 6]) == (1, 2)
    assert (at["CT6.3", 3], at["CT6.3", 6]) == (90, 95.5)
    pace = progress.pacing_by_month(plan, "CT6.3").set_index("month")["expected"]
    assert pace[5] == 0 and pace[6] == pace[12] == 100


def test_allocations_are_refused_for_ways_that_do_not_split(plan):
    from mdplan_core.allocations import allocation_grid, check_allocations
    grid = allocation_grid(plan, pd.DataFrame(columns=["indicator_code", "place_code", "target"]))
    assert {"CT6.1", "CT6.2", "CT6.3"}.isdisjoint(grid["indicator_code"])
    assert "CT1.3" in set(grid["indicator_code"])
    _, findings = check_allocations(plan, pd.DataFrame(
        {"indicator_code": ["CT6.3"], "place_code": ["061"], "target": [90]}))
    assert [f.code for f in findings] == ["allocation.not_allocatable"]
    assert "cách tính: Tỉ lệ % do đơn vị báo cáo" in findings[0].message


# --- End to end: template, reader, validation, store, progress, export -----------------------
def _report_sheet(xlsx: bytes):
    return load_workbook(io.BytesIO(xlsx))[SHEET_REPORT]


def test_template_rows_ask_for_each_way(plan):
    ws = _report_sheet(build_template(plan, "ubnd_061", Period(2017, 1, 3)))
    rows = indicator_rows(ws)
    validations = {str(c): dv for dv in ws.data_validations.dataValidation for c in dv.sqref.ranges}
    assert str(ws[f"F{rows['CT6.1']}"].value).startswith("=")  # counts the communes named
    own = validations[f"F{rows['CT6.2']}"]
    assert own.type == "whole" and "Ghi 1 nếu đơn vị đã đạt" in own.prompt
    rate = validations[f"F{rows['CT6.3']}"]
    assert (rate.type, rate.formula1, rate.formula2) == ("decimal", "0", "100")
    assert ws[f"E{rows['CT6.2']}"].value == 8
    assert ws[f"E{rows['CT6.1']}"].value == 70 and ws[f"E{rows['CT6.1']}"].number_format == '0"%"'


def test_a_report_on_the_new_ways_goes_from_template_to_export(plan, store):
    names = list(plan.communes.loc[plan.communes["place_code"] == "061", "name"][:2])
    template = build_template(plan, "ubnd_061", Period(2017, 6, 6))
    filled = fill_template(template, results={"CT6.2": 1, "CT6.3": "97,5"},
                           communes={"CT6.1": names})
    checked = check_workbook(filled, "ba-be.xlsx", plan)
    assert checked.ok, [f.message for f in checked.findings]
    values = {v.indicator_code: v for v in checked.report.values}
    assert values["CT6.3"].value == 97.5 and values["CT6.2"].value == 1
    assert len(values["CT6.1"].communes) == 2

    saved = store.save_report(checked.report, plan_id=plan.id, place_code="061", data=filled,
                              filename="ba-be.xlsx", user="test")
    assert not saved.refused
    table = progress.by_indicator(plan, store.values(plan.id, 2017), store.communes(plan.id, 2017),
                                  DEC).set_index("code")
    assert table.at["CT6.1", "actual"] == pytest.approx(100 * 2 / 122)
    assert table.at["CT6.2", "actual"] == 1
    assert table.at["CT6.3", "actual"] == 97.5

    rows = export.consolidated(plan, store).set_index("indicator_code")
    assert rows.at["CT6.1", "commune_count"] == 2
    assert rows.at["CT6.3", "value"] == 97.5

    # The summary workbook writes targets and results in % as percentages.
    data = summary.summary_xlsx(plan, store.values(plan.id, 2017), store.communes(plan.id, 2017),
                                store.history(plan.id),
                                NO_ALLOCATIONS, as_of=DEC, exported_by="test",
                                exported_at=dt.datetime(2018, 1, 2, tzinfo=dt.UTC))
    ws = load_workbook(io.BytesIO(data))["Theo chỉ tiêu"]
    row = next(r for r in ws.iter_rows() if r[0].value == "CT6.3")
    target, actual = row[4], row[5]
    assert (target.value, target.number_format) == (1, "0%")
    assert (actual.value, actual.number_format) == (0.975, "0.0%")
    count = next(r for r in ws.iter_rows() if r[0].value == "CT6.2")
    assert (count[4].value, count[5].value, count[4].number_format) == (8, 1, "#,##0")


def test_a_percentage_above_100_is_refused(plan):
    template = build_template(plan, "ubnd_061", Period(2017, 6, 6))
    checked = check_workbook(fill_template(template, results={"CT6.3": 120}), "x.xlsx", plan)
    assert not checked.ok
    assert [f.code for f in checked.findings if f.is_error] == ["value.above_100"]


# --- The guard: no module but counting.py compares the names of the ways -----------------------
WAY_NAMES = set(counting.NAMES) | set(counting.ALIASES)
# The same words with another meaning: a progress status and a number format of the summary.
OTHER_MEANINGS = {("mdplan_core/progress.py", "qualitative"), ("mdplan_core/labels.py", "qualitative"),
                  ("mdplan_core/summary.py", "percent")}
SCHEMA = {"mdplan_core/counting.py", "mdplan_core/plan.py", "mdplan_core/planfile.py"}
COMPARISON = re.compile(r"aggregation\W.*(==|!=|\bin\b|\.isin\(|\.eq\(|\.ne\()|(==|!=)[^#]*aggregation")


def _engine_and_pages():
    files = [*sorted((ROOT / "mdplan_core").rglob("*.py")), *sorted((ROOT / "pages").glob("*.py")),
             ROOT / "dashboard.py"]
    return [f for f in files if "migrations" not in f.parts
            and f.relative_to(ROOT).as_posix() not in SCHEMA]


def test_no_module_but_counting_names_the_ways():
    found = []
    for path in _engine_and_pages():
        where = path.relative_to(ROOT).as_posix()
        with path.open(encoding="utf-8") as f:
            for tok in tokenize.generate_tokens(f.readline):
                if tok.type != tokenize.STRING:
                    continue
                text = re.sub(r"^[rbuf]*", "", tok.string, flags=re.I).strip("'\"")
                if text in WAY_NAMES and (where, text) not in OTHER_MEANINGS:
                    found.append(f"{where}:{tok.start[0]}: {tok.string}")
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if COMPARISON.search(line):
                found.append(f"{where}:{n}: {line.strip()}")
    assert found == []


def test_the_guard_sees_a_comparison(tmp_path):
    line = '    numeric = plan.indicators[plan.indicators["aggregation"] != "qualitative"]'
    assert COMPARISON.search(line)
    assert not COMPARISON.search('    out = plan.indicators[["code", "aggregation"]].copy()')
