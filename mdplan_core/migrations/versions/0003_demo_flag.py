"""Demo or real: store_meta records what a database is, and submissions.demo marks demo data.
Also an index of the audit log by actor, for counting failed logins.

Revision ID: 0003
Revises: 0002
Create Date: 2025-01-10

Hand-written, like 0001 and 0002 (tests check the tables agree with mdplan_core.store).

Every existing submission keeps its values and gets demo = false, and the database stays
unmarked: a real office's data comes through unchanged. One exception: a database the
demo loader wrote into before this revision (today's `make run` made `var/mdplan.sqlite3`
that way) is recognised by the loader's "demo_loaded" audit entry. It is marked demo, and
the submissions the loader stored (the uploads audited before that entry; the loader only
ran on an empty database) get demo = true, so a real install refuses to serve it. Later
uploads in such a database keep demo = false: they may be an office's real reports.

Only columns are added, no batch operation: on SQLite that would recreate the tables and,
for audit_log, drop its append-only triggers. audit_log only gets an INSERT.
"""
from __future__ import annotations

import datetime as dt
import json

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# The tables as this revision sees them (frozen: not imported from mdplan_core.store).
submissions = sa.table("submissions", sa.column("id", sa.Integer), sa.column("demo", sa.Boolean))
audit_log = sa.table("audit_log", sa.column("id", sa.Integer), sa.column("at", sa.DateTime),
                     sa.column("actor", sa.Text), sa.column("action", sa.String),
                     sa.column("unit_code", sa.String), sa.column("detail", sa.Text))
store_meta = sa.table("store_meta", sa.column("key", sa.String), sa.column("value", sa.Text))


def upgrade() -> None:
    op.create_table(
        "store_meta",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_store_meta"),
    )
    # The server default fills every existing row with false.
    op.add_column("submissions", sa.Column("demo", sa.Boolean, nullable=False,
                                           server_default=sa.false()))
    # A login name's newest failures are looked up by actor (accounts: unknown names are counted
    # in the audit log); without this index that lookup scans the whole log.
    op.create_index("ix_audit_log_actor", "audit_log", ["actor", "id"])
    _mark_a_database_the_demo_loader_filled()


def _mark_a_database_the_demo_loader_filled() -> None:
    conn = op.get_bind()
    loaded = conn.execute(sa.select(sa.func.min(audit_log.c.id))
                          .where(audit_log.c.action == "demo_loaded")).scalar()
    if loaded is None:
        return
    details = conn.execute(sa.select(audit_log.c.detail).where(
        audit_log.c.id < loaded, audit_log.c.action.in_(["upload", "revision"]))).scalars()
    ids = sorted({json.loads(detail)["submission_id"] for detail in details})
    for start in range(0, len(ids), 500):
        conn.execute(sa.update(submissions).where(submissions.c.id.in_(ids[start:start + 500]))
                     .values(demo=True))
    conn.execute(sa.insert(store_meta).values(key="kind", value="demo"))
    at = dt.datetime.now(dt.UTC)
    if conn.dialect.name == "sqlite":  # the store keeps UTC as naive values there
        at = at.replace(tzinfo=None)
    conn.execute(sa.insert(audit_log).values(
        at=at, actor="migration 0003", action="store_marked", unit_code=None,
        detail=json.dumps({"demo_submissions": len(ids), "kind": "demo"}, sort_keys=True)))


def downgrade() -> None:
    op.drop_index("ix_audit_log_actor", table_name="audit_log")
    if op.get_context().dialect.name == "sqlite":
        # SQLite 3.35+ drops a column in place; a batch copy of submissions would trip on
        # the foreign keys that point at it.
        op.execute("ALTER TABLE submissions DROP COLUMN demo")
    else:
        op.drop_column("submissions", "demo")
    op.drop_table("store_meta")
