"""The one path an upload takes into the store, for the dashboard and the CLI alike:
check (preflight, sandboxed read, reader, validation), then one transaction in the store."""
from __future__ import annotations

import hashlib
import logging
import math
from dataclasses import dataclass

import pandas as pd

from . import accounts, counting
from .findings import Finding, error
from .report import ParsedReport, Period
from .store import SaveResult, Store
from .validation import CheckResult, check_workbook
from .vntext import clean_text

log = logging.getLogger(__name__)

MESSAGES = {
    "unit.not_allowed": (
        "Tệp này là báo cáo của {unit}, nhưng tài khoản của bạn chỉ được nộp báo cáo cho "
        "{allowed}. Hãy tải mẫu báo cáo của đơn vị mình."),
    "unit.not_chosen": (
        "Tệp này là báo cáo của {unit}, nhưng đơn vị đang chọn là {chosen}. Nếu muốn nộp báo "
        "cáo này, hãy chọn {unit} ở ô «Đơn vị báo cáo» phía trên; nếu không, hãy nộp tệp của "
        "{chosen}."),
    # One banner per kind of problem a refused file has, each saying what to do.
    "problem.too_large": (
        "Tệp quá lớn hoặc có vùng dữ liệu quá rộng, chưa thể lưu. Hãy xóa các trang tính và "
        "các ô thừa, lưu lại rồi nộp lại."),
    "problem.file": (
        "Không đọc được tệp này như một bảng tính, chưa thể lưu. Hãy làm theo hướng dẫn bên "
        "dưới rồi nộp lại."),
    "problem.template": (
        "Tệp không theo mẫu báo cáo của kế hoạch này, chưa thể lưu. Hãy tải mẫu ở mục 1, chép "
        "số liệu vào mẫu rồi nộp lại."),
    "problem.unit": "Tệp là báo cáo của một đơn vị khác, chưa thể lưu. Xem hướng dẫn bên dưới.",
    "problem.overlap": (
        "Kỳ báo cáo của tệp trùng một phần với kỳ đơn vị đã nộp, chưa thể lưu. Hãy nộp đúng kỳ "
        "đã nộp (để thay thế báo cáo cũ) hoặc một kỳ không trùng."),
    "problem.cells": "Tệp có lỗi, chưa thể lưu. Hãy sửa các ô được chỉ ra rồi nộp lại.",
}
# Which kind of problem an error finding is, by the start of its code; the rest are cells.
PROBLEM_KINDS = (
    ("too_large", ("file.too_large", "file.sheet_too_large", "file.zip_bomb", "file.too_many_entries")),
    ("file", ("file.",)),
    ("template", ("template.",)),
    ("unit", ("unit.not_allowed", "unit.not_chosen")),
    ("overlap", ("period.overlap",)),
)


@dataclass(frozen=True)
class ImportOutcome:
    filename: str
    check: CheckResult
    saved: SaveResult | None

    @property
    def outcome(self) -> str:
        """stored | revised | unchanged | refused"""
        return self.saved.outcome if self.saved else "refused"

    @property
    def findings(self) -> list[Finding]:
        return list(self.check.findings) + list(self.saved.findings if self.saved else ())


def check_upload(data: bytes, filename: str, *, plan, store: Store,
                 allowed_unit: str | None = None, chosen_unit: str | None = None,
                 user: str | None = None) -> CheckResult:
    """What the upload would be told, without storing anything. `allowed_unit` binds an
    officer to their own unit: a file naming another unit is refused, whatever the form said.
    `chosen_unit` is the unit an administrator has selected on the page: a file of another
    unit is refused too, so what is saved is always the unit shown. `user` is only for the log."""
    filename = clean_text(filename, single_line=True)  # a browser sends any name it is given
    check = _check(data, filename, plan, store, allowed_unit, chosen_unit)
    if not check.ok:
        _log_refusal("upload checked, has errors", check, data, filename, user)
    return check


def _check(data: bytes, filename: str, plan, store: Store, allowed_unit: str | None,
           chosen_unit: str | None = None) -> CheckResult:
    check = check_workbook(data, filename, plan, store)
    report = check.report
    if report is None:
        return check
    refusal = None
    if allowed_unit is not None and report.unit_code != allowed_unit:
        refusal = error("unit.not_allowed", MESSAGES["unit.not_allowed"].format(
            unit=plan.unit(report.unit_code).name, allowed=plan.unit(allowed_unit).name),
            file=filename)
    elif chosen_unit is not None and report.unit_code != chosen_unit and _known(plan, report.unit_code):
        refusal = error("unit.not_chosen", MESSAGES["unit.not_chosen"].format(
            unit=plan.unit(report.unit_code).name, chosen=plan.unit(chosen_unit).name),
            file=filename)
    if refusal is not None:
        check = CheckResult(report, [*check.findings, refusal], False, check.cells)
    return check


def _known(plan, unit_code: str) -> bool:
    return bool((plan.reporting_units["code"] == unit_code).any())


def import_file(data: bytes, filename: str, *, user: str, plan, store: Store,
                allowed_unit: str | None = None, chosen_unit: str | None = None,
                uploaded_at=None) -> ImportOutcome:
    """Check a workbook and store it when it has no errors; audit a refusal."""
    filename = clean_text(filename, single_line=True)
    check = _check(data, filename, plan, store, allowed_unit, chosen_unit)
    report = check.report
    if not check.ok:
        store.record_audit(user, "upload_refused", report.unit_code if report else None,
                           plan_id=plan.id, filename=filename, codes=[f.code for f in check.findings if f.is_error])
        _log_refusal("upload refused", check, data, filename, user)
        return ImportOutcome(filename, check, None)
    warnings = [f for f in check.findings if not f.is_error]
    saved = store.save_report(report, plan_id=plan.id, place_code=plan.unit(report.unit_code).place_code,
                              data=data, filename=filename, user=user, findings=warnings,
                              uploaded_at=uploaded_at)
    log.info("upload %s: %s user=%s file=%r bytes=%d version=%s warnings=%d%s", saved.outcome,
             _where(report), user, filename, len(data), saved.version, len(warnings),
             "".join(f" {f.code}" for f in saved.findings))
    return ImportOutcome(filename, check, saved)


def _where(report) -> str:
    return f"unit={report.unit_code} period={report.period}" if report else "unit=? period=?"


def _log_refusal(what: str, check: CheckResult, data: bytes, filename: str, user) -> None:
    codes = sorted({f.code for f in check.findings if f.is_error})
    log.info("%s: %s user=%s file=%r bytes=%d errors=%s", what, _where(check.report),
             user or "-", filename, len(data), ",".join(codes))


def upload_scope(user: accounts.User | None) -> str | None:
    """The unit a user may upload for: an officer's own unit, or None (any) for an admin.
    (For nobody, None too: `accounts.require` then refuses.)"""
    return user.unit_code if user is not None and user.role == accounts.Role.OFFICER else None


def submit(data: bytes, filename: str, *, user: accounts.User | None, plan, store: Store,
           chosen_unit: str | None = None, uploaded_at=None) -> ImportOutcome:
    """An upload from a logged-in user: the role is checked here again, on the server, an
    officer's file must name the officer's own unit, and a file must name `chosen_unit`
    (the unit selected on the page) when one is given."""
    accounts.require(user, accounts.Action.UPLOAD, upload_scope(user), plan)
    return import_file(data, filename, user=user.username, plan=plan, store=store,
                       allowed_unit=upload_scope(user), chosen_unit=chosen_unit,
                       uploaded_at=uploaded_at)


# --- What a page says about a checked file ----------------------------------------------
def problems(findings) -> list[str]:
    """One banner per kind of error the findings hold (too large, not a workbook, not the
    template, another unit, an overlapping period, cells to fix), each saying what to do.
    "Sửa các ô" is said only when cells are at fault."""
    kinds = []
    for f in findings:
        if f.is_error:
            kind = next((k for k, prefixes in PROBLEM_KINDS if f.code.startswith(prefixes)), "cells")
            if kind not in kinds:
                kinds.append(kind)
    order = [k for k, _ in PROBLEM_KINDS] + ["cells"]
    return [MESSAGES[f"problem.{k}"] for k in sorted(kinds, key=order.index)]


def can_be_fixed_in_cells(findings) -> bool:
    """Whether every error is one of cells: only then is what was read worth previewing."""
    return problems(findings) in ([], [MESSAGES["problem.cells"]])


@dataclass(frozen=True)
class Change:
    """One value a file changes against the report in force: `what` is "value", "communes",
    "note", "text" (of an indicator `code`), or "reporter", "phone", "report_date" (code "")."""
    code: str
    what: str
    old: object
    new: object


@dataclass(frozen=True)
class AgainstInForce:
    """A checked report against the version in force for the same unit and period."""
    version: int | None      # the version in force; None: the file is the first for its period
    same_file: bool          # byte for byte the file in force: the store will not save it
    changes: list[Change]

    @property
    def replaces(self) -> bool:
        return self.version is not None

    @property
    def identical(self) -> bool:
        """Nothing would change: the same file, or the same numbers and texts."""
        return self.replaces and (self.same_file or not self.changes)


def against_in_force(plan, store: Store, report: ParsedReport, data: bytes) -> AgainstInForce:
    """What saving `report` would change in the version in force for its unit and period."""
    history = store.history(plan.id, report.unit_code)
    p = report.period
    current = history[(history["year"] == p.year) & (history["start_month"] == p.start_month)
                      & (history["end_month"] == p.end_month) & (history["status"] == "in_force")]
    if current.empty:
        return AgainstInForce(None, False, [])
    sub = current.iloc[0]
    submission = int(sub["submission_id"])
    if sub["sha256"] == hashlib.sha256(data).hexdigest():
        return AgainstInForce(int(sub["version"]), True, [])
    values = store.values(plan.id, p.year, history=True)
    values = values[values["submission_id"] == submission].set_index("indicator_code")
    communes = store.communes(plan.id, p.year, history=True)
    communes = communes[communes["submission_id"] == submission]
    named = communes.groupby("indicator_code")["commune_code"].apply(sorted).to_dict()

    changes = []
    for what, old, new in (("reporter", _text(sub["reporter"]), report.reporter),
                           ("phone", _text(sub["phone"]), report.phone),
                           ("report_date", sub["report_date"].date() if pd.notna(sub["report_date"]) else None,
                            report.report_date)):
        if (old or None) != (new or None):
            changes.append(Change("", what, old, new))
    new_values = {v.indicator_code: v for v in report.values}
    counted = set(counting.named_codes(plan))  # their number is the length of their list
    for code in plan.indicators["code"]:
        row = values.loc[code] if code in values.index else None
        v = new_values.get(code)
        pairs = (("value", _number(row["value"]) if row is not None else None, _number(v.value) if v else None),
                 ("communes", named.get(code, []), sorted(dict.fromkeys(v.communes)) if v else []),
                 ("text", _text(row["text"]) if row is not None else None, _text(v.text) if v else None),
                 ("note", _text(row["note"]) if row is not None else None, _text(v.note) if v else None))
        changes += [Change(code, what, old, new) for what, old, new in pairs
                    if old != new and not (what == "value" and code in counted)]
    return AgainstInForce(int(sub["version"]), False, changes)


def _number(x):
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return None
    return int(x) if float(x).is_integer() else float(x)


def _text(x) -> str | None:
    return (x.strip() or None) if isinstance(x, str) else None


def open_periods(plan, history: pd.DataFrame, unit_code: str) -> dict[str, Period]:
    """`plan.offered_periods()` without those overlapping a period the unit has in force
    (its own periods stay: a report is revised by sending the same period again).
    `history` is `Store.history` of the plan."""
    mine = history[(history["unit_code"] == unit_code) & (history["year"] == plan.year)
                   & (history["status"] == "in_force")]
    filed = {Period(int(r.year), int(r.start_month), int(r.end_month)) for r in mine.itertuples()}
    return {label: p for label, p in plan.offered_periods().items()
            if not any(q != p and q.overlaps(p) for q in filed)}
