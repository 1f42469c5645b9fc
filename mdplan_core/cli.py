"""The command line: `python -m mdplan_core COMMAND`. Every command calls the same core
functions the dashboard uses."""
from __future__ import annotations

import argparse
import json
import sys

import pandas as pd


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


def cmd_plan(args) -> int:
    from .plan import load_plan

    plan = load_plan(args.plan_file)
    _print_tables(plan.tables(), args.json)
    return 0


def _print_findings(name: str, findings) -> None:
    for f in findings:
        where = "!".join(x for x in (f.sheet, f.cell) if x)
        print(f"{name}: {f.severity} {f.code} {where}: {f.message}")


def _finding_dicts(findings) -> list[dict]:
    return [f.as_dict() for f in findings]


def cmd_template(args) -> int:
    from .plan import load_plan
    from .report import Period
    from .template import build_template

    plan = load_plan(args.plan_file)
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
    from .plan import load_plan
    from .validation import check_workbook

    plan = load_plan(args.plan_file)
    store = _store() if args.against_store else None
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


def _store():
    from .store import Store

    return Store.open()


def cmd_import(args) -> int:
    from .intake import import_file
    from .plan import load_plan

    plan = load_plan(args.plan_file)
    store = _store()
    outcomes = []
    for path in args.files:
        with open(path, "rb") as f:
            outcomes.append(import_file(f.read(), path, user=args.user, plan=plan, store=store))
    if args.json:
        json.dump([{"file": o.filename, "outcome": o.outcome,
                    "submission_id": o.saved.submission_id if o.saved else None,
                    "version": o.saved.version if o.saved else None,
                    "findings": _finding_dicts(o.findings)} for o in outcomes],
                  sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        for o in outcomes:
            _print_findings(o.filename, o.findings)
            version = f" (phiên bản {o.saved.version})" if o.saved and o.saved.version else ""
            print(f"{o.filename}: {o.outcome}{version}")
    return 0 if all(o.outcome != "refused" for o in outcomes) else 1


def cmd_history(args) -> int:
    table = _store().history(args.unit)
    columns = ["submission_id", "unit_code", "year", "start_month", "end_month", "version",
               "status", "uploaded_by", "uploaded_at", "filename", "sha256"]
    _print_tables({"history": table[columns]}, args.json)
    return 0


def cmd_progress(args) -> int:
    import datetime as dt

    from . import progress
    from .plan import load_plan

    plan = load_plan(args.plan_file)
    store = _store()
    as_of = dt.date.fromisoformat(args.as_of) if args.as_of else dt.date(plan.year, 12, 31)
    values, communes = store.values_in_force(plan.year), store.communes_in_force(plan.year)
    if args.by == "indicator":
        table = progress.by_indicator(plan, values, communes, as_of).drop(columns=["text"])
    else:
        table = progress.by_group(plan, values, communes, as_of, by=f"{args.by}_code")
    _print_tables({f"progress by {args.by}, as of {as_of.isoformat()}": table}, args.json)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m mdplan_core",
        description="mdplan: monitor the Bắc Kạn 2017 plan and the reports against it.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--plan-file", default=None,
                        help="a plan YAML file (default: MDPLAN_PLAN_FILE or the Bắc Kạn 2017 plan)")

    p = sub.add_parser("plan", parents=[common], help="print the plan's tables (tasks, indicators, agencies, ...)")
    p.add_argument("--json", action="store_true", help="print JSON for scripts")
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
    p.add_argument("--user", required=True, help="who is uploading")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("history", parents=[common], help="list submissions and their versions")
    p.add_argument("--unit", default=None)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_history)

    p = sub.add_parser("progress", parents=[common], help="targets against actuals to a date")
    p.add_argument("--as-of", default=None, help="YYYY-MM-DD (default: the end of the plan year)")
    p.add_argument("--by", choices=["indicator", "district", "unit"], default="indicator")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_progress)

    return parser


def main(argv=None) -> int:
    from .plan import PlanFileError

    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except PlanFileError as exc:
        print(exc, file=sys.stderr)
        return 2
    except BrokenPipeError:  # e.g. piped into `head`
        return 0
