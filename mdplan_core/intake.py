"""The one path an upload takes into the store, for the dashboard and the CLI alike:
check (preflight, sandboxed read, reader, validation), then one transaction in the store."""
from __future__ import annotations

import logging
from dataclasses import dataclass

from . import accounts
from .findings import Finding, error
from .store import SaveResult, Store
from .validation import CheckResult, check_workbook
from .vntext import clean_text

log = logging.getLogger(__name__)

MESSAGES = {
    "unit.not_allowed": (
        "Tệp này là báo cáo của {unit}, nhưng tài khoản của bạn chỉ được nộp báo cáo cho "
        "{allowed}. Hãy tải mẫu báo cáo của đơn vị mình."),
}


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
                 allowed_unit: str | None = None, user: str | None = None) -> CheckResult:
    """What the upload would be told, without storing anything. `allowed_unit` binds an
    officer to their own unit: a file naming another unit is refused, whatever the form said.
    `user` is only for the log."""
    filename = clean_text(filename, single_line=True)  # a browser sends any name it is given
    check = _check(data, filename, plan, store, allowed_unit)
    if not check.ok:
        _log_refusal("upload checked, has errors", check, data, filename, user)
    return check


def _check(data: bytes, filename: str, plan, store: Store, allowed_unit: str | None) -> CheckResult:
    check = check_workbook(data, filename, plan, store)
    report = check.report
    if report is not None and allowed_unit is not None and report.unit_code != allowed_unit:
        refusal = error("unit.not_allowed", MESSAGES["unit.not_allowed"].format(
            unit=plan.unit(report.unit_code).name, allowed=plan.unit(allowed_unit).name),
            file=filename)
        check = CheckResult(report, [*check.findings, refusal], False, check.cells)
    return check


def import_file(data: bytes, filename: str, *, user: str, plan, store: Store,
                allowed_unit: str | None = None, uploaded_at=None) -> ImportOutcome:
    """Check a workbook and store it when it has no errors; audit a refusal."""
    filename = clean_text(filename, single_line=True)
    check = _check(data, filename, plan, store, allowed_unit)
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
           uploaded_at=None) -> ImportOutcome:
    """An upload from a logged-in user: the role is checked here again, on the server, and
    an officer's file must name the officer's own unit."""
    accounts.require(user, accounts.Action.UPLOAD, upload_scope(user), plan)
    return import_file(data, filename, user=user.username, plan=plan, store=store,
                       allowed_unit=upload_scope(user), uploaded_at=uploaded_at)
