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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m mdplan_core",
        description="mdplan: monitor the Bắc Kạn 2017 plan and the reports against it.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("plan", help="print the plan's tables (tasks, indicators, agencies, ...)")
    p.add_argument("--json", action="store_true", help="print JSON for scripts")
    p.add_argument("--plan-file", default=None, help="a plan YAML file (default: the configured plan)")
    p.set_defaults(func=cmd_plan)
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
