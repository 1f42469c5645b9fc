"""The suite's own rules.

- The committed LibreOffice files (tests/fixtures/libreoffice/) are what LibreOffice writes
  today from what our code builds today: a change to the template or the filler that the files
  miss fails here, and `python -m tests.libreoffice NAME` rewrites them.
- A test that needs a program beyond Python skips without it, saying how to install it, and
  fails without it in CI.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from mdplan_core.workbook import read_workbook
from tests import libreoffice

FILES = [(name, fmt) for name, (_, formats) in libreoffice.SOURCES.items() for fmt in formats]


def test_every_committed_file_has_a_source():
    committed = {p.name for p in libreoffice.FIXTURES.iterdir()}
    assert committed == {f"{name}.{fmt}" for name, fmt in FILES}


@pytest.fixture(scope="module")
def sources() -> dict[str, bytes]:
    return {name: libreoffice.source(name) for name in libreoffice.SOURCES}


@pytest.mark.requires("soffice")
@pytest.mark.parametrize("name, fmt", FILES, ids=[f"{n}.{f}" for n, f in FILES])
def test_committed_file_reads_as_a_fresh_conversion(sources, name, fmt):
    fresh = libreoffice.convert(sources[name], fmt, suffix=".xlsx")
    committed = libreoffice.written(name, fmt)
    filename = f"{name}.{fmt}"
    assert read_workbook(committed, filename) == read_workbook(fresh, filename), (
        f"{filename} is out of date: run `python -m tests.libreoffice {name}`")


# --- tests that need a program --------------------------------------------------------------

pytest_plugins = ["pytester"]

NEEDS_ALL = """
import pytest

@pytest.mark.requires("soffice")
def test_lo(): pass

@pytest.mark.requires("chromium")
def test_browser(): pass

@pytest.fixture(params=__import__("conftest").BACKENDS)
def backend(request): return request.param

def test_store(backend): pass
"""


@pytest.fixture
def bare_machine(pytester, monkeypatch):
    """A test module needing each program, under our conftest, with no program on PATH."""
    pytester.makeconftest((Path(__file__).parent / "conftest.py").read_text(encoding="utf-8"))
    pytester.makepyfile(test_needs=NEEDS_ALL)
    monkeypatch.setenv("PATH", str(pytester.mkdir("empty-bin")))
    monkeypatch.delenv("MDPLAN_TEST_DATABASE_URL", raising=False)
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).resolve().parent.parent))  # installed or not
    return pytester


def test_a_missing_program_skips_with_how_to_install_it(bare_machine, monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    run = bare_machine.runpytest_subprocess("-rs")
    run.assert_outcomes(passed=1, skipped=3)  # test_store[sqlite] runs
    run.stdout.fnmatch_lines_random([
        "SKIPPED*needs LibreOffice (soffice): apt-get install -y libreoffice-calc-nogui",
        "SKIPPED*needs Chromium: apt-get install -y chromium",
        "SKIPPED*needs PostgreSQL: apt-get install -y postgresql, then set MDPLAN_TEST_DATABASE_URL*",
    ])


def test_in_ci_a_missing_program_fails(bare_machine, monkeypatch):
    monkeypatch.setenv("CI", "true")
    run = bare_machine.runpytest_subprocess()
    run.assert_outcomes(passed=1, errors=3)  # failed at setup
    run.stdout.fnmatch_lines(["*CI must run every test, but this one needs*"])
