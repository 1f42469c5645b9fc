"""The command line: `python -m mdplan_core COMMAND`. Every command calls the same core
functions the dashboard uses.

A command that writes reports (`import`, `rollback`) acts as an existing, active account named
with `--user`, checked by the same core function as the page that does it. Only `user ...`, the
operator's bootstrap tool on the server, acts as the OS user (`cli:<os user>`)."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pandas as pd

MESSAGES = {
    "account.unknown": ("Không có tài khoản '{username}'. --user phải là tên đăng nhập của một tài khoản "
                        "có thật (xem: python -m mdplan_core user list). Không có gì được lưu."),
    "account.denied": "Tài khoản '{username}': {reason} Không có gì được lưu.",
    "file.missing": "Không có tệp {path}. Không có gì được lưu.",
    "file.unreadable": "Không đọc được tệp {path} ({reason}). Không có gì được lưu.",
    "period.bad": "Kỳ báo cáo '{period}' không hợp lệ: hãy ghi dạng 2017-01..2017-03, hoặc 2017-05 cho một tháng.",
    "unit.unknown": "Đơn vị '{unit}' không có trong danh sách đơn vị báo cáo của kế hoạch.",
    "rollback.done": "Đã khôi phục lần nộp thứ {version} của báo cáo {period} của {unit}.",
    "plan.ok": "{path}: tệp kế hoạch hợp lệ: {id} ({label}), {units} đơn vị báo cáo, {indicators} chỉ tiêu.",
    "plan.added": "Đã thêm kế hoạch {id} ({label}).",
    "plan.same": "Kế hoạch {id} ({label}) đã có với đúng nội dung này; không có gì thay đổi.",
    "as_of.bad": "Ngày xem xét '{value}' không hợp lệ: hãy ghi dạng NĂM-THÁNG-NGÀY, ví dụ 2017-12-31.",
    "as_of.range": "Ngày xem xét của {plan} phải từ {first} đến {last}, không phải {day}.",
}


class Refused(Exception):
    """A command refused before it wrote anything: the message goes to stderr, exit status 2."""


def _print_tables(tables: dict[str, pd.DataFrame], as_json: bool) -> None:
    if as_json:
        out = {name: json.loads(df.to_json(orient="records", date_format="iso", force_ascii=False))
               for name, df in tables.items()}
        json.dump(out, sys.stdout, ensure_ascii=False, indent=2)
        print()
        return
    with pd.option_context("display.max_rows", None, "display.max_columns", None,
                           "display.width", 250, "display.max_colwidth", 50):
        for name, df in tables.items():
            print(f"== {name} ({len(df)}) ==")
            print(df.to_string(index=False))
            print()


def _as_of(args, plan, store):
    """--as-of, or the app's default review date (today clipped to `progress.review_range`);
    the totals and reporting status are what was known at the end of that day."""
    import datetime as dt

    from . import progress

    uploads = store.history(plan.id)
    first, last = progress.review_range(plan, uploads)
    if not args.as_of:
        return progress.review_default(plan, history=uploads)
    try:
        day = dt.date.fromisoformat(args.as_of)
    except ValueError:
        raise Refused(MESSAGES["as_of.bad"].format(value=args.as_of)) from None
    if not first <= day <= last:
        raise Refused(MESSAGES["as_of.range"].format(plan=plan.label, first=f"{first:%d/%m/%Y}",
                                                     last=f"{last:%d/%m/%Y}", day=f"{day:%d/%m/%Y}"))
    return day


def _plan(args, store=None):
    """The plan `--plan` names (default: MDPLAN_PLAN, else one that runs this year), among the
    plan files and the plans added through the app."""
    from .plans import catalogue
    from .settings import Settings

    plans = catalogue(store if store is not None else _existing_store())
    wanted = args.plan or Settings.from_env().plan
    try:
        return plans.get(wanted) if wanted else plans.default()
    except KeyError as exc:
        raise Refused(exc.args[0]) from None


def cmd_plan(args) -> int:
    from .plans import catalogue, check_plan_file

    action = args.plan_command or "show"
    if action == "list":
        rows = [{"id": p.id, "province": p.province, "period": p.period_label,
                 "reporting_level": p.reporting_level, "document": p.decision.number,
                 "title": p.title, "units": len(p.units), "source": str(p.path)}
                for p in catalogue(_existing_store())]
        _print_tables({"plans": pd.DataFrame(rows)}, args.json)
        return 0
    if action in ("check", "add"):
        path = Path(args.file)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise Refused(MESSAGES["file.unreadable"].format(path=path, reason=exc.strerror or exc)) from None
        if action == "check":
            plan = check_plan_file(data, str(path))
            print(MESSAGES["plan.ok"].format(path=path, id=plan.id, label=plan.label, units=len(plan.units),
                                             indicators=len(plan.indicators)))
            return 0
        store = _store(write=True)
        user = _account(store, args.user)
        from . import actions
        from .accounts import PermissionDenied
        try:
            plan, added = actions.add_plan(store, user, data, path.name)
        except PermissionDenied as exc:
            raise _denied(user, exc) from None
        print(MESSAGES["plan.added" if added else "plan.same"].format(id=plan.id, label=plan.label))
        return 0
    _print_tables(_plan(args).tables(), args.json)
    return 0


def _print_findings(name: str, findings) -> None:
    for f in findings:
        where = "!".join(x for x in (f.sheet, f.cell) if x)
        print(f"{name}: {f.severity} {f.code} {where}: {f.message}")


def _finding_dicts(findings) -> list[dict]:
    return [f.as_dict() for f in findings]


def cmd_template(args) -> int:
    from .report import Period
    from .template import build_template

    plan = _plan(args)
    try:
        data = build_template(plan, args.unit, Period.parse(args.period))
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    with open(args.output, "wb") as f:
        f.write(data)
    print(f"{args.output}: {len(data)} bytes")
    return 0


def cmd_check(args) -> int:
    from .validation import check_workbook

    store = _store() if args.against_store else None
    plan = _plan(args, store)
    results = {}
    for path in args.files:
        with open(path, "rb") as f:
            results[path] = check_workbook(f.read(), path, plan, store)
    if args.json:
        json.dump({p: {"ok": r.ok, "unit": r.report.unit_code if r.report else None,
                       "period": str(r.report.period) if r.report else None,
                       "findings": _finding_dicts(r.findings)} for p, r in results.items()},
                  sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        for path, r in results.items():
            _print_findings(path, r.findings)
            print(f"{path}: {'có thể nhập' if r.ok else 'KHÔNG thể nhập'}")
    return 0 if all(r.ok for r in results.values()) else 1


def _store(*, write: bool = False):
    """The store of the settings; for a command that writes, only a database this mode may
    write into (`installation.claim` raises WrongDatabase, which `main` reports)."""
    from . import installation
    from .settings import Settings
    from .store import Store

    settings = Settings.from_env()
    store = Store.open(settings)
    if write:
        installation.claim(store, demo=settings.demo)
    return store


def _existing_store():
    """The store, when its database exists (a command that only reads plans makes none)."""
    from .settings import Settings

    url = Settings.from_env().database_url
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
        return None
    return _store()


def _account(store, username: str):
    """The account `--user` names, as stored now; refused when there is none."""
    from . import accounts

    user = accounts.get_user(store, username)
    if user is None:
        raise Refused(MESSAGES["account.unknown"].format(username=accounts.normalise_username(username)))
    return user


def _denied(user, exc) -> Refused:
    return Refused(MESSAGES["account.denied"].format(username=user.username, reason=exc.message))


def _reader(store, username: str | None) -> str:
    """Who an export names: the `--user` account, which must exist and may view, or the OS user."""
    from . import accounts

    if username is None:
        return _cli_actor()
    user = _account(store, username)
    try:
        accounts.require(user, accounts.Action.VIEW)
    except accounts.PermissionDenied as exc:
        raise _denied(user, exc) from None
    return user.username


def cmd_import(args) -> int:
    from .accounts import PermissionDenied
    from .intake import submit

    plan = _plan(args)
    store = _store(write=True)
    user = _account(store, args.user)
    files = []
    for path in args.files:
        try:
            files.append((path, Path(path).read_bytes()))
        except FileNotFoundError:
            raise Refused(MESSAGES["file.missing"].format(path=path)) from None
        except OSError as exc:
            raise Refused(MESSAGES["file.unreadable"].format(path=path, reason=exc.strerror or exc)) from None
    outcomes = []
    for path, data in files:
        # The upload page's path: the role is checked, and an officer may store only their own unit.
        # The store keeps the file's own name, as the dashboard does, not the operator's path.
        try:
            outcomes.append((path, submit(data, Path(path).name, user=user, plan=plan, store=store)))
        except PermissionDenied as exc:  # whatever the file: the first one raises, nothing stored
            raise _denied(user, exc) from None
    if args.json:
        json.dump([{"file": path, "outcome": o.outcome,
                    "submission_id": o.saved.submission_id if o.saved else None,
                    "version": o.saved.version if o.saved else None,
                    "findings": _finding_dicts(o.findings)} for path, o in outcomes],
                  sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        for path, o in outcomes:
            _print_findings(path, o.findings)
            version = f" (phiên bản {o.saved.version})" if o.saved and o.saved.version else ""
            print(f"{path}: {o.outcome}{version}")
    return 0 if all(o.outcome != "refused" for _, o in outcomes) else 1


def cmd_rollback(args) -> int:
    from . import actions
    from .accounts import PermissionDenied
    from .report import Period

    plan = _plan(args)
    store = _store(write=True)
    user = _account(store, args.user)
    try:
        period = Period.parse(args.period)
    except ValueError:
        raise Refused(MESSAGES["period.bad"].format(period=args.period)) from None
    try:
        unit = plan.unit(args.unit)
    except KeyError:
        raise Refused(MESSAGES["unit.unknown"].format(unit=args.unit)) from None
    try:
        result = actions.rollback(store, plan, user, unit.code, period, args.version)
    except PermissionDenied as exc:
        raise _denied(user, exc) from None
    _print_findings(f"{unit.code} {period}", result.findings)
    if result.outcome == "rolled_back":
        print(MESSAGES["rollback.done"].format(version=result.version, period=period.label, unit=unit.name))
    return 1 if result.refused else 0


def cmd_history(args) -> int:
    store = _store()
    table = store.history(_plan(args, store).id, args.unit)
    columns = ["submission_id", "plan_id", "unit_code", "year", "start_month", "end_month", "version",
               "status", "uploaded_by", "uploaded_at", "filename", "sha256"]
    _print_tables({"history": table[columns]}, args.json)
    return 0


def cmd_audit(args) -> int:
    table = _store().audit(args.limit, actor=args.actor, actions=args.action)
    _print_tables({"audit": table}, args.json)
    return 0


def cmd_progress(args) -> int:
    from . import progress

    plan = _plan(args)
    store = _store()
    as_of = _as_of(args, plan, store)
    values, communes = progress.known_data(store, plan, as_of)
    if args.by == "indicator":
        table = progress.by_indicator(plan, values, communes, as_of).drop(columns=["text"])
    else:
        table = progress.by_group(plan, values, communes, as_of, by=f"{args.by}_code")
    _print_tables({f"progress by {args.by}, as of {as_of.isoformat()}": table}, args.json)
    return 0


def _cli_actor() -> str:
    """Who the audit log names for a CLI action: "cli:<os user>"."""
    import getpass
    import os

    try:
        name = getpass.getuser()
    except (KeyError, OSError):  # a container user with no passwd entry
        name = str(os.getuid())
    return f"cli:{name}"


def _new_password(args) -> str | None:
    """The new password: one line from stdin (--password-stdin), or typed twice."""
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    import getpass

    first = getpass.getpass("Mật khẩu mới: ")
    if getpass.getpass("Nhập lại mật khẩu: ") != first:
        print("Hai lần nhập mật khẩu không khớp. Không có gì thay đổi.", file=sys.stderr)
        return None
    return first


def cmd_user(args) -> int:
    from . import accounts

    store = _store(write=args.user_command != "list")
    actor = _cli_actor()
    try:
        if args.user_command == "list":
            _print_tables({"users": accounts.list_users(store).drop(columns=["id"])}, args.json)
            return 0
        if args.user_command == "add":
            plan = _plan(args)
            password = _new_password(args)
            if password is None:
                return 1
            user = accounts.add_user(store, args.username, password, args.role, units=plan,
                                     unit_code=args.unit, display_name=args.name, actor=actor)
            unit = f", {plan.unit(user.unit_code).name}" if user.unit_code else ""
            print(f"Đã tạo tài khoản {user.username} ({accounts.ROLE_LABELS[user.role]}{unit}).")
        elif args.user_command == "disable":
            accounts.disable_user(store, args.username, actor=actor)
            print(f"Đã vô hiệu hóa tài khoản {accounts.normalise_username(args.username)}.")
        elif args.user_command == "enable":
            accounts.enable_user(store, args.username, actor=actor)
            print(f"Đã mở lại tài khoản {accounts.normalise_username(args.username)}.")
        elif args.user_command == "reset-password":
            password = _new_password(args)
            if password is None:
                return 1
            accounts.reset_password(store, args.username, password, actor=actor)
            print(f"Đã đặt lại mật khẩu cho tài khoản {accounts.normalise_username(args.username)}.")
    except accounts.AccountError as exc:
        print(exc.message, file=sys.stderr)
        return 1
    return 0


def cmd_demo(args) -> int:
    from .demo import DemoError, load_demo
    from .plans import catalogue
    from .settings import Settings

    store = _store()
    # Every plan the demo has a story for, unless --plan names one.
    plans = _plan(args, store) if args.plan else catalogue(store)
    try:
        summary = load_demo(store, plans, if_empty=args.if_empty, demo_mode=Settings.from_env().demo)
    except DemoError as exc:
        print(exc, file=sys.stderr)
        return 1
    print("\n".join(summary.lines()))
    return 0


def cmd_summary(args) -> int:
    import datetime as dt

    from . import allocations, installation, progress, summary

    plan = _plan(args)
    store = _store()
    exported_by = _reader(store, args.user)
    as_of = _as_of(args, plan, store)
    data = summary.summary_xlsx(plan, *progress.known_data(store, plan, as_of), store.history(plan.id),
                                allocations.get_allocations(store, plan.id), as_of=as_of,
                                exported_at=dt.datetime.now(dt.UTC), exported_by=exported_by,
                                demo=installation.is_demo(store))
    Path(args.output).write_bytes(data)
    print(f"{args.output}: bảng tổng hợp đến ngày {as_of:%d/%m/%Y}, {len(data)} bytes")
    return 0


def cmd_export(args) -> int:
    import datetime as dt

    from . import export, installation

    plan = _plan(args)
    try:
        filters = export.Filters(tasks=args.task, indicators=args.indicator,
                                 places=args.district, units=args.unit, periods=args.period,
                                 statuses=args.status, include_history=args.history, year=args.year)
    except ValueError as exc:  # a period that does not parse
        print(exc, file=sys.stderr)
        return 2
    problems = filters.problems(plan)
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 2
    fmt = args.format or Path(args.output).suffix.lstrip(".").lower()
    if fmt not in ("xlsx", "csv"):
        print("Hãy chọn --format xlsx hoặc --format csv.", file=sys.stderr)
        return 2
    store = _store()
    exported_by = _reader(store, args.user)
    table = filters.select(plan, store)
    data = export.export(table, filters, fmt, plan=plan, exported_at=dt.datetime.now(dt.UTC),
                         exported_by=exported_by, demo=installation.is_demo(store))
    Path(args.output).write_bytes(data)
    print(f"{args.output}: {len(table)} dòng, {len(data)} bytes")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m mdplan_core",
        description="mdplan: monitor the Bắc Kạn 2017 plan and the reports against it.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--plan", default=None, metavar="ID",
                        help="the plan's id (see: plan list; default: MDPLAN_PLAN, else a plan that runs this year)")

    p = sub.add_parser("plan", parents=[common],
                       help="the plans: print one's tables (default), list them, check or add a plan file")
    p.add_argument("--json", action="store_true", help="print JSON for scripts")
    plan_actions = p.add_subparsers(dest="plan_command", metavar="ACTION")
    plan_actions.add_parser("show", parents=[common], help="print the plan's tables (tasks, indicators, ...)")
    plan_actions.add_parser("list", parents=[common], help="list every plan: id, province, period, document")
    u = plan_actions.add_parser("check", parents=[common], help="validate a plan file; errors name the line")
    u.add_argument("file")
    u = plan_actions.add_parser("add", parents=[common],
                                help="validate a plan file and keep it in the database (admins)")
    u.add_argument("file")
    u.add_argument("--user", required=True, help="the account doing it: an existing, active admin")
    p.set_defaults(func=cmd_plan)

    p = sub.add_parser("template", parents=[common], help="write the Excel template of one unit and period")
    p.add_argument("--unit", required=True, help="reporting unit code, e.g. ubnd_061 or sldtbxh")
    p.add_argument("--period", required=True, help="e.g. 2017-01..2017-03")
    p.add_argument("-o", "--output", required=True, help="the .xlsx file to write")
    p.set_defaults(func=cmd_template)

    p = sub.add_parser("check", parents=[common], help="read and validate workbooks without storing anything")
    p.add_argument("files", nargs="+")
    p.add_argument("--json", action="store_true")
    p.add_argument("--against-store", action="store_true",
                   help="also check periods against the reports already stored")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("import", parents=[common], help="check and store workbooks (the upload path)")
    p.add_argument("files", nargs="+")
    p.add_argument("--user", required=True,
                   help="the uploading account: an existing, active officer (own unit only) or admin")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("rollback", parents=[common],
                       help="put an earlier version of a unit's report for a period back in force")
    p.add_argument("--user", required=True, help="the account doing it: an existing, active admin")
    p.add_argument("--unit", required=True, help="reporting unit code, e.g. ubnd_061")
    p.add_argument("--period", required=True, help="e.g. 2017-01..2017-03")
    p.add_argument("--version", type=int, required=True, help="the version to put back (see: history --unit)")
    p.set_defaults(func=cmd_rollback)

    p = sub.add_parser("history", parents=[common], help="list submissions and their versions")
    p.add_argument("--unit", default=None)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_history)

    p = sub.add_parser("audit", parents=[common], help="print the audit log, newest first")
    p.add_argument("--limit", type=int, default=50, help="how many entries (default 50)")
    p.add_argument("--actor", default=None, help="only this user's entries")
    p.add_argument("--action", action="append", default=None,
                   help="only this action, e.g. login_failed, revision; repeatable")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_audit)

    p = sub.add_parser("progress", parents=[common], help="targets against actuals to a date")
    p.add_argument("--as-of", default=None, help="YYYY-MM-DD: what was known at the end of that day "
                   "(default: today, within the plan year and its January)")
    p.add_argument("--by", choices=["indicator", "place", "unit"], default="indicator",
                   help="per indicator, per place of the plan's reporting level, or per unit")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_progress)

    p = sub.add_parser("user", parents=[common],
                       help="manage user accounts (add, list, disable, enable, reset-password); the "
                            "operator's tool on the server, logged as cli:<os user>, no --user needed",
                       description="Manage user accounts. This is the operator's bootstrap tool on the "
                                   "server (the first admin is made this way), so it takes no --user: "
                                   "the audit log names the OS user, as cli:<os user>.")
    users = p.add_subparsers(dest="user_command", required=True, metavar="ACTION")
    u = users.add_parser("add", help="create an account; the first admin of an install is made this way")
    u.add_argument("username")
    u.add_argument("--role", required=True, help="leader, officer or admin")
    u.add_argument("--unit", default=None, help="an officer's reporting unit code, e.g. ubnd_061")
    u.add_argument("--name", default=None, help="the name shown in the app (default: the username)")
    u.add_argument("--password-stdin", action="store_true", help="read the password from one line of stdin")
    u = users.add_parser("list", help="print every account (never a password)")
    u.add_argument("--json", action="store_true")
    u = users.add_parser("disable", help="stop an account from logging in")
    u.add_argument("username")
    u = users.add_parser("enable", help="let a disabled account log in again (also lifts a lockout)")
    u.add_argument("username")
    u = users.add_parser("reset-password", help="set a new password (also lifts a lockout)")
    u.add_argument("username")
    u.add_argument("--password-stdin", action="store_true", help="read the password from one line of stdin")
    p.set_defaults(func=cmd_user)

    p = sub.add_parser("demo", parents=[common],
                       help="load the demo reports of every plan with a demo (Bắc Kạn 2017, Hà Nội 2026; --plan: one) "
                            "through the upload path (demo mode only: MDPLAN_DEMO=1)")
    p.add_argument("--if-empty", action="store_true",
                   help="do nothing when the database already holds reports (else that is an error)")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("export", parents=[common], help="export the consolidated table to Excel or CSV")
    p.add_argument("--year", type=int, default=None, help="plan year (default: the plan's)")
    p.add_argument("--task", type=int, action="append", help="task number; repeat for several")
    p.add_argument("--indicator", action="append", help="indicator code, e.g. CT1.1; repeatable")
    p.add_argument("--district", action="append", help="district code, e.g. 061; repeatable")
    p.add_argument("--unit", action="append", help="reporting unit code, e.g. ubnd_061; repeatable")
    p.add_argument("--period", action="append", help="e.g. 2017-01..2017-03; repeatable")
    p.add_argument("--status", action="append", choices=["in_force", "superseded", "rolled_back"],
                   help="submission status; repeatable (any but in_force implies --history)")
    p.add_argument("--history", action="store_true", help="include superseded and rolled-back versions")
    p.add_argument("--format", choices=["xlsx", "csv"], default=None,
                   help="file format (default: from the output file's extension)")
    p.add_argument("-o", "--output", required=True, help="the file to write")
    p.add_argument("--user", default=None,
                   help="who exports, for the 'Bộ lọc' sheet: an existing, active account (default: cli:<os user>)")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("summary", parents=[common],
                       help="write the year-end summary workbook (per indicator, per district, reporting)")
    p.add_argument("--as-of", default=None, help="YYYY-MM-DD: what was known at the end of that day "
                   "(default: today, within the plan year and its January)")
    p.add_argument("-o", "--output", required=True, help="the .xlsx file to write")
    p.add_argument("--user", default=None,
                   help="who exports, for the 'Thông tin' sheet: an existing, active account (default: cli:<os user>)")
    p.set_defaults(func=cmd_summary)
    return parser


def main(argv=None) -> int:
    from .installation import WrongDatabase
    from .planfile import PlanFileError
    from .settings import Settings, configure_logging

    args = build_parser().parse_args(argv)
    try:
        configure_logging(Settings.from_env())
    except ValueError as exc:  # a setting that makes no sense
        print(exc, file=sys.stderr)
        return 2
    try:
        return args.func(args)
    except Refused as exc:
        print(exc, file=sys.stderr)
        return 2
    except PlanFileError as exc:
        print(exc, file=sys.stderr)
        return 2
    except WrongDatabase as exc:  # demo data and a real install never share a database
        print(exc.message, file=sys.stderr)
        return 2
    except BrokenPipeError:  # e.g. piped into `head`
        return 0
