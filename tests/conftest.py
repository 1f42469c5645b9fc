"""Shared fixtures: a store on each backend.

SQLite always runs (a file under tmp_path). PostgreSQL runs when MDPLAN_TEST_DATABASE_URL
is set (recipe in shared/TESTING.md); each test then gets its own schema, dropped after.
When the variable is set and the server cannot be reached, the tests fail: they never skip.
"""
from __future__ import annotations

import os
import uuid

import pytest
import sqlalchemy as sa

from mdplan_core.settings import Settings
from mdplan_core.store import Store, normalise_url

PG_ENV = "MDPLAN_TEST_DATABASE_URL"
PG_URL = os.environ.get(PG_ENV, "")
PG_SKIP_REASON = (f"PostgreSQL not tested: set {PG_ENV}, e.g. "
                  "postgresql+psycopg://mdplan:mdplan@127.0.0.1:5432/mdplan_test (see shared/TESTING.md)")

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.skipif(not PG_URL, reason=PG_SKIP_REASON))]


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
