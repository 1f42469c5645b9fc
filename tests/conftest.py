"""Shared fixtures and the rule for tests that need a program beyond Python.

A test that needs LibreOffice, Chromium or PostgreSQL carries `@pytest.mark.requires(PROGRAM)`.
Where the program is missing the test skips, and its reason says how to install it. In CI
(`CI=true`, as `.ci/run` sets it) such a test fails instead, so nothing is silently left out.

The store runs on each backend: SQLite always (a file under tmp_path); PostgreSQL when
MDPLAN_TEST_DATABASE_URL is set (recipe in shared/TESTING.md), each test in its own schema,
dropped after. When the variable is set and the server cannot be reached, the tests fail.
"""
from __future__ import annotations

import os
import shutil
import uuid

import pytest
import sqlalchemy as sa

from mdplan_core.settings import Settings
from mdplan_core.store import Store, normalise_url

# The tests are written against mdplan's first plan; tests of how a plan is chosen set it themselves.
os.environ.setdefault("MDPLAN_PLAN", "backan-2017")

PG_ENV = "MDPLAN_TEST_DATABASE_URL"
PG_URL = os.environ.get(PG_ENV, "")
IN_CI = os.environ.get("CI", "").lower() in ("true", "1", "yes")

# program -> (is it here?, how to get it)
PROGRAMS = {
    "soffice": (lambda: shutil.which("soffice") or shutil.which("libreoffice"),
                "needs LibreOffice (soffice): apt-get install -y libreoffice-calc-nogui"),
    "chromium": (lambda: shutil.which("chromium"),
                 "needs Chromium: apt-get install -y chromium"),
    "postgresql": (lambda: PG_URL,
                   f"needs PostgreSQL: apt-get install -y postgresql, then set {PG_ENV} "
                   "(.ci/run shows how)"),
}


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "requires(program): the test needs soffice, chromium or postgresql; it skips "
                   "without it, and fails without it when CI is set")


@pytest.hookimpl(tryfirst=True)  # before fixtures are set up
def pytest_runtest_setup(item):
    for mark in item.iter_markers("requires"):
        [program] = mark.args
        available, reason = PROGRAMS[program]
        if available():
            continue
        if IN_CI:
            pytest.fail(f"CI must run every test, but this one {reason}", pytrace=False)
        pytest.skip(reason)


BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.requires("postgresql"))]


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path):
    """The URL of an empty database, on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'mdplan.sqlite3'}"
        return
    schema = f"test_{uuid.uuid4().hex[:16]}"
    admin = sa.create_engine(normalise_url(PG_URL), poolclass=sa.pool.NullPool)
    try:
        with admin.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    except sa.exc.OperationalError as exc:
        pytest.fail(f"{PG_ENV} is set but PostgreSQL cannot be reached: {exc}", pytrace=False)
    # Every connection made from this URL (also by worker processes) lives in the schema.
    url = sa.make_url(normalise_url(PG_URL)).update_query_dict({"options": f"-csearch_path={schema}"})
    yield url.render_as_string(hide_password=False)
    with admin.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def store(database_url, tmp_path):
    """A migrated, empty store, opened the way the app opens it."""
    settings = Settings.from_env({"MDPLAN_DATA_DIR": str(tmp_path / "data"),
                                  "MDPLAN_DATABASE_URL": database_url})
    opened = Store.open(settings)
    yield opened
    opened.dispose()
