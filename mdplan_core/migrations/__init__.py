"""Alembic migrations of the store's schema, run programmatically by `Store.upgrade()`.

New revision (from the repo root):
    .venv/bin/alembic -c mdplan_core/migrations/alembic.ini revision -m "add users"
then name the file `versions/NNNN_<slug>.py` with `revision = "NNNN"`, and write it by hand.
"""
from __future__ import annotations

from pathlib import Path

from alembic.config import Config

HERE = Path(__file__).resolve().parent


def alembic_config(connection=None) -> Config:
    """An Alembic config for this folder; with `connection`, migrations run on it, inside
    its open transaction."""
    cfg = Config(str(HERE / "alembic.ini"))
    cfg.set_main_option("script_location", str(HERE))
    cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    """The newest revision: what `Store.upgrade()` brings a database to."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()
