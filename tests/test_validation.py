"""Validation rules, one by one, and `check_workbook`, the read-only path of an upload."""
from __future__ import annotations

import datetime as dt
import io
import re

import openpyxl
import pytest

from mdplan_core.plan import load_plan
from mdplan_core.reader import ReportCells
from mdplan_core.report import ParsedReport, Period, ReportValue
from mdplan_core.template import build_template
from mdplan_core.validation import MESSAGES, CheckResult, check_workbook, validate
from tests import hostile
from tests.fill import fill_template

Q1 = Period(2017, 1, 3)
UNIT = "ubnd_061"  # UBND huyện Ba Bể
CELLS = ReportCells(report_sheet="Báo cáo", commune_sheet="Xã, phường",
                    header={"unit": "C10", "unit_code": "C11", "year": "C12",
                            "start_month": "C13", "end_month": "C14"},
                    values={"CT1.1": "F20", "CT1.2": "F21", "CT1.3": "F22", "CT1.5": "F24"},
                    table="F19", communes={("CT1.3", "02173"): "C5"})


@pytest.fixture(scope="module")
def plan():
    return load_plan()


def report(*values, unit=UNIT, period=Q1) -> ParsedReport:
    return ParsedReport(unit, period, list(values) or [ReportValue("CT1.1", 2)])


def found(findings) -> list[tuple[str, str, str | None, str | None]]:
    return [(f.code, f.severity, f.sheet, f.cell) for f in findings]


def test_a_sound_report_has_no_findings(plan):
    sound = report(ReportValue("CT1.1", 2), ReportValue("CT1.2", 60),
                   ReportValue("CT1.3", 1, communes=("01888",)),
                   ReportValue("CT1.5", 3, text="Hai bài báo, một phóng sự"))
    assert validate(sound, plan, existing_periods=[Period(2017, 4, 6)], cells=CELLS) == []


def test_unknown_unit(plan):
    assert found(validate(report(unit="ubnd_999"), plan, cells=CELLS)) == [
        ("unit.unknown", "error", "Báo cáo", "C11")]


def test_period_outside_the_plan_year(plan):
    findings = validate(report(period=Period(2018, 1, 3)), plan, cells=CELLS)
    assert found(findings) == [("period.outside_plan", "error", "Báo cáo", "C12")]
    assert "2017" in findings[0].message


@pytest.mark.parametrize("existing, clash", [
    ([Period(2017, 1, 3)], False),                      # the same period: a revision
    ([Period(2017, 4, 6), Period(2017, 7, 7)], False),  # after it
    ([Period(2016, 1, 3)], False),                      # another year
    ([Period(2017, 3, 5)], True),
    ([Period(2017, 1, 1)], True),                       # inside it
    ([Period(2016, 12, 12), Period(2017, 1, 12)], True),
])
def test_periods_of_one_unit_must_not_overlap(plan, existing, clash):
    findings = validate(report(), plan, existing_periods=existing, cells=CELLS)
    assert found(findings) == ([("period.overlap", "error", "Báo cáo", "C13")] if clash else [])


def test_an_overlap_names_every_clashing_period(plan):
    findings = validate(report(period=Period(2017, 2, 5)), plan,
                        existing_periods=[Period(2017, 1, 3), Period(2017, 4, 6)])
    assert [f.code for f in findings] == ["period.overlap"]
    assert "Quý I/2017" in findings[0].message and "Quý II/2017" in findings[0].message


def test_negative_count(plan):
    findings = validate(report(ReportValue("CT1.1", -2)), plan, cells=CELLS)
    assert found(findings) == [("value.negative", "error", "Báo cáo", "F20")]
    assert "-2" in findings[0].message


@pytest.mark.parametrize("value, codes", [
    (2.5, ["value.fraction"]),
    (-0.5, ["value.negative", "value.fraction"]),
    (2.0, []),
])
def test_fractional_count(plan, value, codes):
    findings = validate(report(ReportValue("CT1.2", value)), plan, cells=CELLS)
    assert [f.code for f in findings] == codes
    assert all(f.cell == "F21" for f in findings)


def test_fraction_message_writes_the_number_the_vietnamese_way(plan):
    [finding] = validate(report(ReportValue("CT1.2", 12.5)), plan)
    assert "12,5" in finding.message


@pytest.mark.parametrize("code, value, implausible", [
    ("CT1.2", 5000, False),   # target 500: exactly 10x passes
    ("CT1.2", 5001, True),
    ("CT5.1", 11, True),      # target 1
    ("CT1.5", 10_000, False),  # qualitative: no target
])
def test_implausible_value_is_a_warning(plan, code, value, implausible):
    # A whole year's report: the period's share is the year's target.
    findings = validate(report(ReportValue(code, value), period=Period(2017, 1, 12)), plan,
                        cells=CELLS)
    assert found(findings) == ([("value.implausible", "warning", "Báo cáo", CELLS.values.get(code))]
                               if implausible else [])


def test_implausible_counts_communes_too(plan):
    ba_be = ("01888", "01891", "01894", "01897", "01900", "01903", "01906", "01909", "01912",
             "01915", "01918", "01921", "01924", "01927", "01930", "01933")
    many = ReportValue("CT3.1", len(ba_be), communes=ba_be)  # target 5; 16 is not above 50
    assert validate(report(many), plan) == []


@pytest.mark.parametrize("values, empty", [
    ([], True),
    ([ReportValue("CT1.1", None, note="Chưa tổ chức")], True),
    ([ReportValue("CT1.1", 0)], False),   # 0 is a result: nothing was done
    ([ReportValue("CT1.5", None, text="Một chuyên mục")], False),
    ([ReportValue("CT1.3", 1, communes=("01888",))], False),
])
def test_empty_report(plan, values, empty):
    findings = validate(ParsedReport(UNIT, Q1, values), plan, cells=CELLS)
    assert found(findings) == ([("report.empty", "error", "Báo cáo", "F19")] if empty else [])


def test_indicators_must_be_the_plans_and_listed_once(plan):
    findings = validate(report(ReportValue("CT9.9", 1), ReportValue("CT1.1", 1),
                               ReportValue("CT1.1", 2)), plan)
    assert [f.code for f in findings] == ["indicator.unknown", "indicator.duplicate"]


def test_communes_must_exist_and_lie_in_the_units_district(plan):
    value = ReportValue("CT1.3", 3, communes=("01888", "02173", "99999"))
    findings = validate(report(value), plan, cells=CELLS)
    assert found(findings) == [("commune.not_in_district", "error", "Xã, phường", "C5"),
                               ("commune.unknown", "error", "Báo cáo", "F22")]
    assert "Côn Minh" in findings[0].message and "Huyện Ba Bể" in findings[0].message


def test_an_agency_may_name_communes_of_any_district(plan):
    value = ReportValue("CT1.3", 2, communes=("01888", "02173"))
    assert validate(report(value, unit="syt"), plan) == []


def test_without_cells_findings_have_no_place_but_keep_the_file(plan):
    [finding] = validate(report(ReportValue("CT1.1", -1)), plan, filename="bc.xlsx")
    assert (finding.sheet, finding.cell, finding.file) == (None, None, "bc.xlsx")


def test_every_message_formats_in_vietnamese():
    assert all("{" not in m.split("}")[-1] for m in MESSAGES.values())
    assert all(any(ch in m for ch in "ăâđêôơưạảấầẩậắằẳặẹẻẽếềểệỉịọỏốồổộớờởợụủứừửựỳỵỷỹ")
               for m in MESSAGES.values())


def test_a_text_longer_than_a_cell_holds_is_refused(plan):
    long = "x" * 32_768
    cells = ReportCells(report_sheet="Báo cáo", header={"reporter": "C15"},
                        notes={"CT1.1": "G20"}, media_text="C32")
    findings = validate(ParsedReport(UNIT, Q1, [ReportValue("CT1.1", 2, note=long),
                                                 ReportValue("CT1.5", 1, text=long)],
                                     reporter=long, phone="x" * 32_767), plan, cells=cells)
    assert found(findings) == [("text.too_long", "error", "Báo cáo", cell)
                               for cell in ("C15", "G20", "C32")]
    assert "ô G20 dài 32.768 ký tự" in findings[1].message and "32.767" in findings[1].message
    assert findings[1].message.startswith("Ghi chú của CT1.1")


# --- check_workbook ----------------------------------------------------------------------------

def filled(plan, period=Q1) -> bytes:
    return fill_template(build_template(plan, UNIT, period), results={"CT1.1": 2},
                         communes={"CT1.3": ["Chợ Rã"]}, media_text=None,
                         reporter="Hoàng Văn Nam", phone="0912345678",
                         report_date=dt.date(2017, 3, 30))


def test_check_workbook_reads_and_validates(plan):
    checked = check_workbook(filled(plan), "bc.xlsx", plan)
    assert isinstance(checked, CheckResult)
    assert checked.ok and checked.findings == []
    assert checked.report.unit_code == UNIT and checked.report.period == Q1
    assert checked.report.value("CT1.1").value == 2
    assert checked.report.value("CT1.3").communes == ("01888",)
    assert checked.cells.at_value("CT1.1") == {"sheet": "Báo cáo", "cell": "F20"}


def test_check_workbook_stops_at_a_file_that_is_not_a_workbook(plan):
    checked = check_workbook(b"", "bc.xlsx", plan)
    assert (checked.report, checked.ok) == (None, False)
    assert [f.code for f in checked.findings] == ["file.empty"]


def test_check_workbook_places_validation_findings_on_cells(plan):
    wb = openpyxl.load_workbook(io.BytesIO(filled(plan)))
    wb["Báo cáo"]["F21"] = -40
    wb["Báo cáo"]["F28"] = 400
    out = io.BytesIO()
    wb.save(out)
    checked = check_workbook(out.getvalue(), "bc.xlsx", plan)
    assert not checked.ok
    assert found(checked.findings) == [("value.negative", "error", "Báo cáo", "F21"),
                                       ("value.implausible", "warning", "Báo cáo", "F28")]


def test_unreadable_values_do_not_also_say_the_report_is_empty(plan):
    wb = openpyxl.load_workbook(io.BytesIO(filled(plan)))
    wb["Báo cáo"]["F20"] = "hai"
    for row in range(5, 10):
        wb["Xã, phường"][f"C{row}"] = None
    out = io.BytesIO()
    wb.save(out)
    checked = check_workbook(out.getvalue(), "bc.xlsx", plan)
    assert [f.code for f in checked.findings] == ["value.not_a_number"]


def test_check_workbook_refuses_a_period_overlapping_one_in_force(plan, store):
    first = filled(plan, period=Period(2017, 1, 2))
    stored = check_workbook(first, "t1-2.xlsx", plan, store=store)
    assert stored.ok
    store.save_report(stored.report, plan_id=plan.id, place_code="061", data=first, filename="t1-2.xlsx",
                      user="bababe")
    history = store.history(None)

    checked = check_workbook(filled(plan), "q1.xlsx", plan, store=store)
    assert not checked.ok
    assert found(checked.findings) == [("period.overlap", "error", "Báo cáo", "C13")]
    assert "Tháng 1–2/2017" in checked.findings[0].message
    # The same period again is a revision, not an overlap.
    assert check_workbook(first, "t1-2.xlsx", plan, store=store).ok
    assert store.history(None).equals(history)  # checking wrote nothing


def test_check_workbook_refuses_a_note_longer_than_a_cell_holds(plan):
    # openpyxl cuts a long text, so the file is written short and the text put in afterwards.
    data = fill_template(build_template(plan, UNIT, Q1), results={"CT1.1": 2},
                         notes={"CT1.1": "GHI_CHU_DAI", "CT1.2": "GHI_CHU_VUA"})
    data = hostile.replace_text(hostile.replace_text(data, "GHI_CHU_DAI", "Lớp" * 13_334),
                                "GHI_CHU_VUA", "x" * 32_767)
    checked = check_workbook(data, "bc.xlsx", plan)
    assert not checked.ok and checked.report.value("CT1.1").note == "Lớp" * 13_334
    assert found(checked.findings) == [("text.too_long", "error", "Báo cáo", "G20")]
    assert "40.002 ký tự" in checked.findings[0].message


# --- issue 9: reading ---

def test_a_count_within_1e9_of_a_whole_number_is_that_number(plan):
    computed = report(ReportValue("CT1.1", 90 * 0.7 / 21))  # 2.9999999999999996
    assert computed.values[0].value != 3
    assert validate(computed, plan, cells=CELLS) == []


@pytest.mark.parametrize("value, shown", [(2.5, "2,5"), (2 / 3, "0,667"), (1234.5, "1.234,5")])
def test_a_fraction_is_shown_as_written_never_with_six_decimals(plan, value, shown):
    findings = validate(report(ReportValue("CT1.1", value)), plan, cells=CELLS)
    assert [f.code for f in findings][0] == "value.fraction"
    assert f"là {shown}:" in findings[0].message
    assert not any(re.search(r"\d,\d{4,}", f.message) for f in findings)


def test_no_finding_of_a_whole_check_prints_six_decimals(plan):
    findings = validate(report(ReportValue("CT1.2", -62.99999999999999)), plan, cells=CELLS)
    assert [f.code for f in findings] == ["value.negative"]
    assert "là -63:" in findings[0].message


@pytest.mark.parametrize("period, value, implausible", [
    (Period(2017, 7, 9), 1200, True),    # a quarter: 9,6 times the province's 125
    (Period(2017, 7, 9), 500, False),    # not above the province's yearly 500
    (Period(2017, 1, 9), 600, False),    # nine months: not above twice its 375
    (Period(2017, 7, 7), 501, True),     # one month
    (Period(2017, 1, 12), 1200, False),  # the year: only the tenfold rule
])
def test_a_value_implausible_for_the_period_is_a_warning(plan, period, value, implausible):
    findings = validate(report(ReportValue("CT1.2", value), period=period), plan, cells=CELLS)
    assert found(findings) == ([("value.implausible", "warning", "Báo cáo", "F21")]
                               if implausible else [])
    if implausible and value == 1200:
        message = findings[0].message
        assert "1.200 người trong kỳ Quý III/2017" in message and "gấp 9,6 lần" in message
        assert "125 người" in message and "3/12 chỉ tiêu năm 500 người" in message


def test_a_small_yearly_target_does_not_make_every_quarter_implausible(plan):
    # CT5.1: 1 lớp a year; one class in a quarter is not above the yearly target.
    assert validate(report(ReportValue("CT5.1", 1)), plan, cells=CELLS) == []
    assert [f.code for f in validate(report(ReportValue("CT5.1", 3)), plan, cells=CELLS)] == [
        "value.implausible"]


def test_an_xls_count_computed_by_a_formula_passes_the_whole_check(plan):
    wb = openpyxl.load_workbook(io.BytesIO(filled(plan)))
    wb["Báo cáo"]["F21"] = 62.99999999999999  # =90*70%, as Excel 97 keeps it
    out = io.BytesIO()
    wb.save(out)
    checked = check_workbook(out.getvalue(), "bc.xlsx", plan)
    assert checked.ok and checked.findings == []
    assert checked.report.value("CT1.2").value == 63


def test_no_validation_message_says_sheet():
    assert not [key for key, message in MESSAGES.items() if "sheet" in message.lower()]
