"""The project installs as a package (pyproject.toml): `python -m mdplan_core` and the `mdplan`
script work from any directory, the sandbox's worker finds the package without help, and
requirements.txt lists what pyproject.toml declares."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
NOT_INSTALLED = ("mdplan is not installed in this Python: run `make install` "
                 "(pip install -e '.[test]')")


def requirement_lines(text: str) -> list[str]:
    return [line.split("#")[0].strip() for line in text.splitlines() if line.split("#")[0].strip()]


def normalised(requirement: str) -> str:
    name, rest = re.match(r"([A-Za-z0-9_.\-\[\]]+)(.*)", requirement.replace(" ", "")).groups()
    return re.sub(r"[-_.]+", "-", name).lower() + rest


def test_requirements_txt_lists_what_pyproject_declares():
    declared = PYPROJECT["project"]["dependencies"] + PYPROJECT["project"]["optional-dependencies"]["test"]
    listed = requirement_lines((ROOT / "requirements.txt").read_text(encoding="utf-8"))
    assert sorted(map(normalised, listed)) == sorted(map(normalised, declared))


@pytest.fixture(scope="module")
def outside(tmp_path_factory) -> dict:
    """Where a command runs: a directory outside the checkout, with no PYTHONPATH help."""
    try:
        dist = metadata.distribution("mdplan")
    except metadata.PackageNotFoundError:
        pytest.fail(NOT_INSTALLED, pytrace=False)
    assert dist.read_text("entry_points.txt") and "mdplan_core.cli:main" in dist.read_text("entry_points.txt")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return {"cwd": tmp_path_factory.mktemp("elsewhere"), "env": env, "capture_output": True,
            "text": True, "timeout": 300}


def test_python_m_mdplan_core_runs_from_any_directory(outside):
    done = subprocess.run([sys.executable, "-m", "mdplan_core", "--help"], **outside)
    assert done.returncode == 0, done.stderr
    assert "template" in done.stdout and "import" in done.stdout


def test_the_mdplan_script_runs_the_cli(outside):
    script = Path(sys.executable).with_name("mdplan")
    assert script.exists(), NOT_INSTALLED
    done = subprocess.run([str(script), "plan", "--json"], **outside)
    assert done.returncode == 0, done.stderr
    assert "CT1.1" in done.stdout
    assert subprocess.run([str(script), "no-such-command"], **outside).returncode == 2


def test_a_sandboxed_read_works_from_any_directory(outside):
    code = ("import io, openpyxl\n"
            "from mdplan_core.sandbox import read_workbook_safely\n"
            "wb = openpyxl.Workbook(); wb.active['B2'] = 'xin chào'; buf = io.BytesIO(); wb.save(buf)\n"
            "book, findings = read_workbook_safely(buf.getvalue(), 'a.xlsx')\n"
            "print(findings, book.sheets[0].rows)\n")
    done = subprocess.run([sys.executable, "-c", code], **outside)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[] [[None, None], [None, 'xin chào']]"
