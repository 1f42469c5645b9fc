"""Guards for rules the team relies on: the engine never imports streamlit, and the README's
settings table and command list say what the code does."""
from __future__ import annotations

import argparse
import ast
import re
import subprocess
import sys
from pathlib import Path

from mdplan_core.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent
ENGINE = ROOT / "mdplan_core"
README = (ROOT / "README.md").read_text(encoding="utf-8")

# Importing these has effects: __main__ runs the CLI, migrations/env.py runs a migration.
NOT_IMPORTED = {"mdplan_core.__main__", "mdplan_core.migrations.env"}


def engine_modules() -> list[str]:
    names = []
    for path in sorted(ENGINE.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        if name not in NOT_IMPORTED:
            names.append(name)
    return names


def section(title: str) -> str:
    """The README text under the `## title` heading, up to the next `## ` heading."""
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", README, re.M | re.S)
    assert match, f"README has no '## {title}' section"
    return match.group(1)


# --- the engine never imports streamlit -------------------------------------------------------

def test_importing_every_engine_module_loads_no_streamlit():
    modules = engine_modules()
    assert "mdplan_core.store" in modules and "mdplan_core.migrations.versions.0001_store" in modules
    code = ("import importlib, sys\n"
            f"for name in {modules!r}:\n"
            "    importlib.import_module(name)\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'streamlit'))\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_no_engine_source_names_streamlit_in_an_import():
    offenders = []
    for path in sorted(ENGINE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            if any(n.split(".")[0] == "streamlit" for n in names):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


# --- the README's settings table ---------------------------------------------------------------

def test_readme_settings_table_lists_exactly_the_settings_read():
    source = (ENGINE / "settings.py").read_text(encoding="utf-8")
    read = set(re.findall(r"""["'](MDPLAN_[A-Z0-9_]+)["']""", source))
    documented = set(re.findall(r"^\| `(MDPLAN_[A-Z0-9_]+)` \|", section("Configuration"), re.M))
    assert read, "no MDPLAN_* setting found in mdplan_core/settings.py"
    assert sorted(read - documented) == [], "settings missing from the README's table"
    assert sorted(documented - read) == [], "README documents settings the code never reads"


# --- the README's command list -----------------------------------------------------------------

def subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    [action] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(action.choices)


def test_readme_command_list_matches_the_cli():
    lines = re.findall(r"^python -m mdplan_core (\S+)(.*)$", section("The command line"), re.M)
    documented = {name for name, _ in lines}
    commands = subcommands(build_parser())
    assert sorted(set(commands) - documented) == [], "commands missing from the README's list"
    assert sorted(documented - set(commands)) == [], "README lists commands the CLI does not have"
    # Nested actions (user add|list|...) are written as one alternation.
    for name, rest in lines:
        nested = subcommands(commands[name]) if any(
            isinstance(a, argparse._SubParsersAction) for a in commands[name]._actions) else {}
        if nested:
            written = set(rest.split()[0].split("|"))
            assert written == set(nested), f"README's `{name}` actions differ from the CLI's"


def test_readme_names_the_console_script_declared_in_pyproject():
    import tomllib

    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    assert scripts == {"mdplan": "mdplan_core.cli:main"}
    assert "`mdplan --help`" in section("The command line")
