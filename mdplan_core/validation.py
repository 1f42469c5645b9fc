"""Validation: the rules a report must meet before it is stored, beyond being readable.

`validate` checks a `ParsedReport` against the plan (unit, period, counts) and the unit's
earlier periods. `check_workbook` is the whole read-only path an upload takes (preflight,
sandboxed read, reader, validation); the CLI `check` command and the upload page call it.
Nothing here writes anything.
"""
from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from . import counting, vntext
from .findings import Finding, error, has_errors, warning
from .reader import ReportCells, read_report_with_cells
from .report import ParsedReport, Period
from .sandbox import read_workbook_safely

# Every message an officer can see from validation. `{...}` fields are filled with str.format.
MESSAGES = {
    "unit.unknown": (
        "Đơn vị '{unit}' không có trong danh sách đơn vị báo cáo của kế hoạch. Hãy dùng mẫu "
        "báo cáo tải từ mdplan cho đúng đơn vị."),
    "period.outside_plan": (
        "Kỳ báo cáo {period} không thuộc năm kế hoạch {year}. Hãy sửa 'Năm kế hoạch' thành "
        "{year}, hoặc tải mẫu báo cáo của đúng kỳ."),
    "period.overlap": (
        "Kỳ báo cáo {period} trùng một phần với kỳ {others} đã nộp của đơn vị này, nên kết quả "
        "sẽ bị tính hai lần. Hãy báo cáo đúng kỳ đã nộp (để thay thế báo cáo cũ) hoặc chọn một "
        "kỳ không trùng."),
    "value.negative": (
        "Kết quả của {indicator} là {value}: không được là số âm. Hãy ghi số {unit} đạt được "
        "trong kỳ (ghi 0 nếu không thực hiện)."),
    "value.fraction": (
        "Kết quả của {indicator} là {value}: phải là số nguyên (số {unit}). Hãy ghi một số "
        "nguyên, ví dụ {rounded}."),
    "value.above_100": (
        "Kết quả của {indicator} là {value}: một tỉ lệ phần trăm không thể lớn hơn 100. Hãy ghi "
        "tỉ lệ đạt được, từ 0 đến 100."),
    "value.implausible": (
        "Kết quả của {indicator} là {value} {unit}, hơn 10 lần chỉ tiêu cả năm của toàn tỉnh "
        "({target} {unit}). Hãy kiểm tra lại, có thể đã gõ thừa chữ số."),
    "value.implausible/period": (
        "Kết quả của {indicator} là {value} {unit} trong kỳ {period}, gấp {ratio} lần phần chỉ "
        "tiêu của toàn tỉnh cho kỳ này ({share} {unit}, tức {months}/12 chỉ tiêu năm {target} "
        "{unit}) và hơn cả chỉ tiêu cả năm của toàn tỉnh. Hãy kiểm tra lại, có thể đã gõ thừa "
        "chữ số hoặc ghi số lũy kế thay cho số trong kỳ."),
    "report.empty": (
        "Báo cáo chưa có số liệu nào. Hãy điền cột 'Kết quả trong kỳ' (ghi 0 nếu không thực "
        "hiện) hoặc liệt kê các xã, phường, thị trấn ở trang tính 'Xã, phường'."),
    "indicator.unknown": "Chỉ tiêu '{code}' không có trong kế hoạch.",
    "indicator.duplicate": "Chỉ tiêu {code} được báo cáo hai lần. Hãy giữ lại một hàng.",
    "commune.unknown": "Mã xã '{commune}' không có trong danh mục xã, phường, thị trấn năm {year}.",
    "commune.not_in_district": "{commune} không thuộc {district}.",
    "text.too_long": (
        "{what}{place} dài {length} ký tự, quá {limit} ký tự mà một ô Excel chứa được; phần "
        "thừa sẽ bị mất. Hãy rút gọn nội dung này."),
    "place": " ở ô {cell}",
    "what.reporter": "'Người báo cáo'",
    "what.phone": "'Số điện thoại'",
    "what.note": "Ghi chú của {code}",
    "what.media_text": "'Nội dung chuyên trang, chuyên mục'",
}

IMPLAUSIBLE_FACTOR = 10  # a value above this many times the yearly target is likely a typo
# A value for part of the year above this many times the province's share of the target for
# that part, and above the province's whole yearly target, is likely a typo or a year-to-date
# total: 1.200 people in one quarter against 500 a year.
PERIOD_FACTOR = 2
# Reader findings that mean values were lost: the report may look empty because of them.
_VALUE_AREAS = {"value", "indicator", "commune", "district"}


@dataclass(frozen=True)
class CheckResult:
    """What an upload would be: the report (None when unreadable), every finding, and
    whether it may be stored (no error findings). `cells` says where the reader found things."""

    report: ParsedReport | None
    findings: list[Finding]
    ok: bool
    cells: ReportCells | None = None


def validate(report: ParsedReport, plan, *, existing_periods: Iterable[Period] = (),
             cells: ReportCells | None = None, filename: str | None = None) -> list[Finding]:
    """The semantic findings on `report`. `existing_periods` are the periods of the same unit
    already in force; `cells` (from `read_report_with_cells`) places findings on their cells."""
    cells = cells or ReportCells()
    out: list[Finding] = []

    def add(make, code, where, /, **fields):
        out.append(make(code, MESSAGES[code].format(**fields), file=filename, **where))

    units = plan.reporting_units
    unit_row = units[units["code"] == report.unit_code]
    if unit_row.empty:
        add(error, "unit.unknown", cells.at_header("unit_code" if "unit_code" in cells.header
                                                   else "unit"), unit=report.unit_code)
    period = report.period
    if period.year != plan.year:
        add(error, "period.outside_plan", cells.at_header("year"),
            period=period.label, year=plan.year)
    overlapping = sorted({p for p in existing_periods if p != period and p.overlaps(period)})
    if overlapping:
        add(error, "period.overlap", cells.at_period(), period=period.label,
            others=", ".join(p.label for p in overlapping))

    if report.is_empty:
        add(error, "report.empty", cells.at_table())
    out += _check_lengths(report, cells, filename)

    indicators = {row["code"]: row for row in plan.indicators.to_dict("records")}
    seen: set[str] = set()
    for value in report.values:
        code = value.indicator_code
        where = cells.at_value(code)
        indicator = indicators.get(code)
        if indicator is None:
            add(error, "indicator.unknown", where, code=code)
            continue
        if code in seen:
            add(error, "indicator.duplicate", where, code=code)
        seen.add(code)
        out += _check_value(value, indicator, where, filename, period)
        if counting.names_places(plan, indicator):
            district = None if unit_row.empty else unit_row.iloc[0]["place_code"]
            district = district if isinstance(district, str) else None  # agencies: any
            out += _check_communes(value, plan, district, cells, filename)
    return out


def _label(indicator) -> str:
    return f"{indicator['code']} ({indicator['name']})"


def _check_value(value, indicator, where: dict, filename, period: Period) -> list[Finding]:
    number = value.value
    if number is None or (isinstance(number, float) and math.isnan(number)):
        return []
    number = vntext.whole_if_near(number)  # a count computed by a formula elsewhere
    fields = {"indicator": _label(indicator), "value": vntext.show_number(number),
              "unit": indicator["unit"]}
    out = []
    if number < 0:
        out.append(error("value.negative", MESSAGES["value.negative"].format(**fields),
                         file=filename, **where))
    way = counting.way(indicator)
    if way.integer_values and isinstance(number, float) and not number.is_integer():
        rounded = vntext.format_number(max(0, round(number)))
        out.append(error("value.fraction", MESSAGES["value.fraction"].format(
            rounded=rounded, **fields), file=filename, **where))
    if way.max_value is not None and number > way.max_value:
        out.append(error("value.above_100", MESSAGES["value.above_100"].format(**fields),
                         file=filename, **where))
    out += _check_plausible(number, indicator, way, fields, where, filename, period)
    return out


def _check_plausible(number, indicator, way, fields: dict, where: dict, filename,
                     period: Period) -> list[Finding]:
    """A warning for a value far above the province's target for the year, or for the period
    (its months' share of the yearly target)."""
    target = indicator["target"]
    if way.max_value is not None or target is None or _missing(target) or target <= 0:
        return []
    shown_target = vntext.show_number(target)
    if number > IMPLAUSIBLE_FACTOR * target:
        return [warning("value.implausible", MESSAGES["value.implausible"].format(
            target=shown_target, **fields), file=filename, **where)]
    months = period.end_month - period.start_month + 1
    share = target * months / 12
    if months < 12 and way.is_summed and number > target and number > PERIOD_FACTOR * share:
        return [warning("value.implausible", MESSAGES["value.implausible/period"].format(
            period=period.label, ratio=vntext.show_number(round(number / share, 1)),
            share=vntext.show_number(round(share, 1)), months=months, target=shown_target,
            **fields), file=filename, **where)]
    return []


def _check_lengths(report: ParsedReport, cells: ReportCells, filename) -> list[Finding]:
    """Texts longer than a cell holds: refused, since any workbook mdplan writes of them (the
    web form's, an export) would cut them without a word."""
    texts = [("reporter", {}, report.reporter, cells.at_header("reporter")),
             ("phone", {}, report.phone, cells.at_header("phone"))]
    texts += [("note", {"code": v.indicator_code}, v.note, cells.at_note(v.indicator_code))
              for v in report.values]
    media = next((v.text for v in report.values if v.text), None)  # one text, on each item
    texts.append(("media_text", {}, media, cells.at_media()))
    out = []
    for what, fields, text, where in texts:
        if isinstance(text, str) and len(text) > vntext.CELL_TEXT_LIMIT:
            out.append(error("text.too_long", MESSAGES["text.too_long"].format(
                what=MESSAGES[f"what.{what}"].format(**fields),
                length=vntext.format_number(len(text)),
                limit=vntext.format_number(vntext.CELL_TEXT_LIMIT),
                place=MESSAGES["place"].format(cell=where["cell"]) if where["cell"] else ""),
                file=filename, **where))
    return out


def _check_communes(value, plan, district: str | None, cells: ReportCells,
                    filename) -> list[Finding]:
    """Commune codes must exist in the plan year's list and, for a district's report, lie in
    that district. The reader only hands over such codes; this guards other producers."""
    communes = plan.communes.set_index("code")
    districts = plan.places.set_index("code")["name"]
    out = []
    for code in value.communes:
        where = cells.at_commune(value.indicator_code, code)
        if code not in communes.index:
            out.append(error("commune.unknown", MESSAGES["commune.unknown"].format(
                commune=code, year=plan.year), file=filename, **where))
        elif district is not None and communes.at[code, "place_code"] != district:
            name = f"{communes.at[code, 'type']} {communes.at[code, 'name']}"
            out.append(error("commune.not_in_district", MESSAGES["commune.not_in_district"].format(
                commune=name, district=districts[district]), file=filename, **where))
    return out


def _missing(x) -> bool:
    try:
        return bool(x != x)
    except (TypeError, ValueError):
        return True


def check_workbook(data: bytes, filename: str, plan, store=None) -> CheckResult:
    """Everything an upload would be told, without storing anything: preflight, a sandboxed
    read, the reader, then validation (against the unit's periods in force, when a store is
    given). `ok` is True when no finding is an error."""
    raw, findings = read_workbook_safely(data, filename)
    findings = list(findings)
    if raw is None:
        return CheckResult(None, findings, not has_errors(findings))
    read = read_report_with_cells(raw, plan, filename=filename)
    findings += read.findings
    report = read.report
    if report is not None:
        existing = []
        if store is not None:
            existing = store.in_force_periods(plan.id, report.unit_code, report.period.year)
        checked = validate(report, plan, existing_periods=existing, cells=read.cells,
                           filename=filename)
        if any(f.is_error and f.code.split(".")[0] in _VALUE_AREAS for f in read.findings):
            # Values the reader could not read are already named; "empty" would mislead.
            checked = [f for f in checked if f.code != "report.empty"]
        findings += checked
    return CheckResult(report, findings, not has_errors(findings), read.cells)
