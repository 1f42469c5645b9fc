"""Alembic environment: runs the migrations on the store's own connection.

`Store.upgrade()` hands its connection over in `config.attributes["connection"]`, with a
write transaction already open and locked; from the command line the store is opened
from settings the same way.
"""
from __future__ import annotations

from alembic import context

from mdplan_core.store import Store, metadata

config = context.config


def run_on(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        # SQLite can only alter tables by copying them ("batch" mode).
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_offline() -> None:
    context.configure(url=Store().url, target_metadata=metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_offline()
elif config.attributes.get("connection") is not None:
    run_on(config.attributes["connection"])
else:
    store = Store()
    try:
        with store._migrating() as conn:
            run_on(conn)
    finally:
        store.dispose()
