"""The store: submissions, their original files, values, communes, and the append-only audit log.

Revision ID: 0001
Revises:
Create Date: 2024-11-29

Hand-written: a migration is frozen history, so it spells its tables out instead of
importing them from mdplan_core.store (tests check the two agree).

Note for later migrations: on SQLite, a batch ("move and copy") operation on audit_log
recreates the table and drops its triggers; recreate them after it.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

APPEND_ONLY_SQLITE = [
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
]
APPEND_ONLY_POSTGRESQL = [
    """CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'audit_log is append-only (% refused)', TG_OP;
    END
    $$""",
    "CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log "
    "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()",
    "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()",
]


def upgrade() -> None:
    op.create_table(
        "files",
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("bytes", sa.LargeBinary, nullable=False),
        sa.PrimaryKeyConstraint("sha256", name="pk_files"),
    )
    op.create_table(
        "submissions",
        sa.Column("id", sa.Integer, nullable=False, autoincrement=True),
        sa.Column("unit_code", sa.String(64), nullable=False),
        sa.Column("district_code", sa.String(16), nullable=True),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("start_month", sa.Integer, nullable=False),
        sa.Column("end_month", sa.Integer, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("uploaded_by", sa.Text, nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("filename", sa.Text, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("reporter", sa.Text, nullable=True),
        sa.Column("phone", sa.Text, nullable=True),
        sa.Column("report_date", sa.Date, nullable=True),
        sa.Column("findings", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_submissions"),
        sa.ForeignKeyConstraint(["sha256"], ["files.sha256"], name="fk_submissions_sha256_files"),
        sa.UniqueConstraint("unit_code", "year", "start_month", "end_month", "version",
                            name="uq_submissions_unit_period_version"),
        sa.CheckConstraint("status IN ('in_force', 'superseded', 'rolled_back')",
                           name="ck_submissions_status"),
        sa.CheckConstraint("1 <= start_month AND start_month <= end_month AND end_month <= 12",
                           name="ck_submissions_months"),
        sa.CheckConstraint("version >= 1", name="ck_submissions_version"),
    )
    # At most one submission in force per unit and period.
    op.create_index("ux_submissions_in_force", "submissions",
                    ["unit_code", "year", "start_month", "end_month"], unique=True,
                    sqlite_where=sa.text("status = 'in_force'"),
                    postgresql_where=sa.text("status = 'in_force'"))
    op.create_index("ix_submissions_year_status", "submissions", ["year", "status"])

    op.create_table(
        "submission_values",
        sa.Column("submission_id", sa.Integer, nullable=False),
        sa.Column("indicator_code", sa.String(64), nullable=False),
        sa.Column("district_code", sa.String(16), nullable=True),
        sa.Column("value", sa.Double, nullable=True),
        sa.Column("text", sa.Text, nullable=True),
        sa.Column("note", sa.Text, nullable=True),
        sa.PrimaryKeyConstraint("submission_id", "indicator_code", name="pk_submission_values"),
        sa.ForeignKeyConstraint(["submission_id"], ["submissions.id"],
                                name="fk_submission_values_submission_id_submissions"),
    )
    op.create_table(
        "submission_communes",
        sa.Column("submission_id", sa.Integer, nullable=False),
        sa.Column("indicator_code", sa.String(64), nullable=False),
        sa.Column("commune_code", sa.String(16), nullable=False),
        sa.PrimaryKeyConstraint("submission_id", "indicator_code", "commune_code",
                                name="pk_submission_communes"),
        sa.ForeignKeyConstraint(["submission_id"], ["submissions.id"],
                                name="fk_submission_communes_submission_id_submissions"),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, nullable=False, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("unit_code", sa.String(64), nullable=True),
        sa.Column("detail", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])

    dialect = op.get_context().dialect.name
    for statement in {"sqlite": APPEND_ONLY_SQLITE, "postgresql": APPEND_ONLY_POSTGRESQL}[dialect]:
        op.execute(statement)


def downgrade() -> None:
    op.drop_table("audit_log")  # drops its triggers with it
    if op.get_context().dialect.name == "postgresql":
        op.execute("DROP FUNCTION audit_log_append_only()")
    op.drop_table("submission_communes")
    op.drop_table("submission_values")
    op.drop_table("submissions")
    op.drop_table("files")
