"""Plans side by side: every report, value, allocation and plan-related audit entry is keyed by
plan, places replace districts, and plan files added through the app are kept in the store.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03

Hand-written, like 0001–0003 (tests check the tables agree with mdplan_core.store).

Until this revision mdplan knew one plan, Bắc Kạn 2017 (`data/plans/backan-2017.yaml`, id
"backan-2017"), so every existing report, allocation and audit entry about reports or
allocations is that plan's. Nothing else changes: ids, versions, statuses, files and values
come through as they were.

- submissions: + plan_id (part of the unique keys), district_code -> place_code.
- submission_values: district_code -> place_code.
- submission_communes -> submission_places, commune_code -> place_code.
- allocations: + plan_id (part of the primary key), district_code -> place_code.
- audit_log: + plan_id, set on the entries that concern the plan. The log is append-only;
  its triggers are set aside for that one UPDATE inside this migration's transaction only.
- plans: plan files an administrator added through the app.
- users: + province_code, an officer's province (Bắc Kạn's, "06", for every officer so far).

SQLite cannot change a table's keys in place, so submissions and allocations are rebuilt
there (new table, copy, drop, rename) with foreign keys deferred to the commit.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

LEGACY_PLAN = "backan-2017"
# The audit actions that concern a plan's reports or allocations.
PLAN_ACTIONS = ("upload", "revision", "unchanged", "upload_refused", "rollback", "allocations_save")

APPEND_ONLY_SQLITE = [
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
]


def _submissions(name: str, meta: sa.MetaData) -> sa.Table:
    return sa.Table(
        name, meta,
        sa.Column("id", sa.Integer, nullable=False, autoincrement=True),
        sa.Column("plan_id", sa.String(64), nullable=False),
        sa.Column("unit_code", sa.String(64), nullable=False),
        sa.Column("place_code", sa.String(16), nullable=True),
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
        sa.Column("demo", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.PrimaryKeyConstraint("id", name="pk_submissions"),
        sa.ForeignKeyConstraint(["sha256"], ["files.sha256"], name="fk_submissions_sha256_files"),
        sa.UniqueConstraint("plan_id", "unit_code", "year", "start_month", "end_month", "version",
                            name="uq_submissions_plan_unit_period_version"),
        sa.CheckConstraint("status IN ('in_force', 'superseded', 'rolled_back')",
                           name="ck_submissions_status"),
        sa.CheckConstraint("1 <= start_month AND start_month <= end_month AND end_month <= 12",
                           name="ck_submissions_months"),
        sa.CheckConstraint("version >= 1", name="ck_submissions_version"),
    )


def _allocations(name: str, meta: sa.MetaData) -> sa.Table:
    return sa.Table(
        name, meta,
        sa.Column("plan_id", sa.String(64), nullable=False),
        sa.Column("indicator_code", sa.String(64), nullable=False),
        sa.Column("place_code", sa.String(16), nullable=False),
        sa.Column("target", sa.Integer, nullable=False),
        sa.Column("updated_by", sa.Text, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("plan_id", "indicator_code", "place_code", name="pk_allocations"),
        sa.CheckConstraint("target >= 0", name="ck_allocations_target"),
    )


def _in_force_index() -> None:
    op.create_index("ux_submissions_in_force", "submissions",
                    ["plan_id", "unit_code", "year", "start_month", "end_month"], unique=True,
                    sqlite_where=sa.text("status = 'in_force'"),
                    postgresql_where=sa.text("status = 'in_force'"))
    op.create_index("ix_submissions_plan_year_status", "submissions", ["plan_id", "year", "status"])


def _rebuild_sqlite(old: str, build, copy_columns: dict[str, str], children: tuple[str, ...] = ()) -> None:
    """Replace SQLite table `old` by `build(name)`, copying rows (new column <- SQL expression).

    Foreign keys stay on (a migration runs inside a transaction, where SQLite cannot turn them
    off), so the rows of the tables that point at `old` are set aside while it is replaced."""
    for child in children:
        op.execute(f"CREATE TEMP TABLE _kept_{child} AS SELECT * FROM {child}")
        op.execute(f"DELETE FROM {child}")
    temp = f"_new_{old}"
    meta = sa.MetaData()
    sa.Table("files", meta, sa.Column("sha256", sa.String(64), primary_key=True))  # for the FK
    build(temp, meta).create(op.get_bind())
    targets = ", ".join(copy_columns)
    sources = ", ".join(copy_columns.values())
    op.execute(f"INSERT INTO {temp} ({targets}) SELECT {sources} FROM {old}")
    op.execute(f"DROP TABLE {old}")
    op.execute(f"ALTER TABLE {temp} RENAME TO {old}")
    for child in children:
        op.execute(f"INSERT INTO {child} SELECT * FROM _kept_{child}")
        op.execute(f"DROP TABLE _kept_{child}")


def upgrade() -> None:
    sqlite = op.get_context().dialect.name == "sqlite"
    legacy = f"'{LEGACY_PLAN}'"
    op.drop_index("ux_submissions_in_force", table_name="submissions")
    op.drop_index("ix_submissions_year_status", table_name="submissions")
    if sqlite:
        same = ["id", "unit_code", "year", "start_month", "end_month", "version", "status",
                "uploaded_by", "uploaded_at", "filename", "sha256", "size", "reporter", "phone",
                "report_date", "findings", "demo"]
        _rebuild_sqlite("submissions", _submissions,
                        {**{c: c for c in same}, "plan_id": legacy, "place_code": "district_code"},
                        children=("submission_values", "submission_communes"))
        _rebuild_sqlite("allocations", _allocations,
                        {"plan_id": legacy, "indicator_code": "indicator_code",
                         "place_code": "district_code", "target": "target",
                         "updated_by": "updated_by", "updated_at": "updated_at"})
    else:
        op.add_column("submissions", sa.Column("plan_id", sa.String(64)))
        op.execute(f"UPDATE submissions SET plan_id = {legacy}")
        op.alter_column("submissions", "plan_id", nullable=False)
        op.alter_column("submissions", "district_code", new_column_name="place_code")
        op.drop_constraint("uq_submissions_unit_period_version", "submissions", type_="unique")
        op.create_unique_constraint("uq_submissions_plan_unit_period_version", "submissions",
                                    ["plan_id", "unit_code", "year", "start_month", "end_month", "version"])
        op.add_column("allocations", sa.Column("plan_id", sa.String(64)))
        op.execute(f"UPDATE allocations SET plan_id = {legacy}")
        op.alter_column("allocations", "plan_id", nullable=False)
        op.alter_column("allocations", "district_code", new_column_name="place_code")
        op.drop_constraint("pk_allocations", "allocations", type_="primary")
        op.create_primary_key("pk_allocations", "allocations", ["plan_id", "indicator_code", "place_code"])
    _in_force_index()

    op.execute("ALTER TABLE submission_values RENAME COLUMN district_code TO place_code")
    op.execute("ALTER TABLE submission_communes RENAME TO submission_places")
    op.execute("ALTER TABLE submission_places RENAME COLUMN commune_code TO place_code")
    if not sqlite:
        op.execute("ALTER TABLE submission_places RENAME CONSTRAINT pk_submission_communes "
                   "TO pk_submission_places")
        op.execute("ALTER TABLE submission_places RENAME CONSTRAINT "
                   "fk_submission_communes_submission_id_submissions "
                   "TO fk_submission_places_submission_id_submissions")

    op.add_column("audit_log", sa.Column("plan_id", sa.String(64)))
    actions = ", ".join(f"'{a}'" for a in PLAN_ACTIONS)
    if sqlite:
        op.execute("DROP TRIGGER audit_log_no_update")
        op.execute(f"UPDATE audit_log SET plan_id = {legacy} WHERE action IN ({actions})")
        op.execute(APPEND_ONLY_SQLITE[0])
    else:
        op.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update_delete")
        op.execute(f"UPDATE audit_log SET plan_id = {legacy} WHERE action IN ({actions})")
        op.execute("ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update_delete")
    op.create_index("ix_audit_log_plan", "audit_log", ["plan_id", "id"])

    # An officer reports in their own province's plans only (the same agency id, e.g. a
    # department, may report in plans of other provinces). Every officer so far is Bắc Kạn's.
    op.add_column("users", sa.Column("province_code", sa.String(8)))
    op.execute("UPDATE users SET province_code = '06' WHERE role = 'officer'")

    op.create_table(
        "plans",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("text", sa.Text, nullable=False),  # the plan file as uploaded (UTF-8 YAML)
        sa.Column("filename", sa.Text, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("added_by", sa.Text, nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_plans"),
    )


def downgrade() -> None:
    """Back to one plan: refused while the store holds anything of another plan."""
    conn = op.get_bind()
    others = conn.execute(sa.text(
        "SELECT count(*) FROM submissions WHERE plan_id <> :p"), {"p": LEGACY_PLAN}).scalar_one()
    others += conn.execute(sa.text(
        "SELECT count(*) FROM allocations WHERE plan_id <> :p"), {"p": LEGACY_PLAN}).scalar_one()
    if others:
        raise RuntimeError(f"the store holds {others} rows of plans other than {LEGACY_PLAN}; "
                           "revision 0003 cannot hold them")
    sqlite = op.get_context().dialect.name == "sqlite"
    op.drop_table("plans")
    if sqlite:
        op.execute("ALTER TABLE users DROP COLUMN province_code")
    else:
        op.drop_column("users", "province_code")
    op.drop_index("ix_audit_log_plan", table_name="audit_log")
    if sqlite:
        op.execute("ALTER TABLE audit_log DROP COLUMN plan_id")
    else:
        op.drop_column("audit_log", "plan_id")
    if not sqlite:
        op.execute("ALTER TABLE submission_places RENAME CONSTRAINT pk_submission_places "
                   "TO pk_submission_communes")
        op.execute("ALTER TABLE submission_places RENAME CONSTRAINT "
                   "fk_submission_places_submission_id_submissions "
                   "TO fk_submission_communes_submission_id_submissions")
    op.execute("ALTER TABLE submission_places RENAME COLUMN place_code TO commune_code")
    op.execute("ALTER TABLE submission_places RENAME TO submission_communes")
    op.execute("ALTER TABLE submission_values RENAME COLUMN place_code TO district_code")
    op.drop_index("ux_submissions_in_force", table_name="submissions")
    op.drop_index("ix_submissions_plan_year_status", table_name="submissions")
    if sqlite:
        _downgrade_sqlite()
    else:
        op.drop_constraint("uq_submissions_plan_unit_period_version", "submissions", type_="unique")
        op.alter_column("submissions", "place_code", new_column_name="district_code")
        op.drop_column("submissions", "plan_id")
        op.create_unique_constraint("uq_submissions_unit_period_version", "submissions",
                                    ["unit_code", "year", "start_month", "end_month", "version"])
        op.drop_constraint("pk_allocations", "allocations", type_="primary")
        op.alter_column("allocations", "place_code", new_column_name="district_code")
        op.drop_column("allocations", "plan_id")
        op.create_primary_key("pk_allocations", "allocations", ["indicator_code", "district_code"])
    op.create_index("ux_submissions_in_force", "submissions",
                    ["unit_code", "year", "start_month", "end_month"], unique=True,
                    sqlite_where=sa.text("status = 'in_force'"),
                    postgresql_where=sa.text("status = 'in_force'"))
    op.create_index("ix_submissions_year_status", "submissions", ["year", "status"])


def _downgrade_sqlite() -> None:
    def old_submissions(name, meta):
        table = _submissions(name, sa.MetaData())
        table = sa.Table(
            name, meta,
            *[sa.Column("district_code" if c.name == "place_code" else c.name, c.type,
                        nullable=c.nullable, autoincrement=c.autoincrement,
                        server_default=c.server_default)
              for c in table.columns if c.name != "plan_id"],
            sa.PrimaryKeyConstraint("id", name="pk_submissions"),
            sa.ForeignKeyConstraint(["sha256"], ["files.sha256"], name="fk_submissions_sha256_files"),
            sa.UniqueConstraint("unit_code", "year", "start_month", "end_month", "version",
                                name="uq_submissions_unit_period_version"),
            *[sa.CheckConstraint(c.sqltext, name=c.name) for c in table.constraints
              if isinstance(c, sa.CheckConstraint)],
        )
        return table

    def old_allocations(name, meta):
        return sa.Table(
            name, meta,
            sa.Column("indicator_code", sa.String(64), nullable=False),
            sa.Column("district_code", sa.String(16), nullable=False),
            sa.Column("target", sa.Integer, nullable=False),
            sa.Column("updated_by", sa.Text, nullable=False),
            sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("indicator_code", "district_code", name="pk_allocations"),
            sa.CheckConstraint("target >= 0", name="ck_allocations_target"),
        )

    same = ["id", "unit_code", "year", "start_month", "end_month", "version", "status",
            "uploaded_by", "uploaded_at", "filename", "sha256", "size", "reporter", "phone",
            "report_date", "findings", "demo"]
    _rebuild_sqlite("submissions", old_submissions,
                    {**{c: c for c in same}, "district_code": "place_code"},
                    children=("submission_values", "submission_communes"))
    _rebuild_sqlite("allocations", old_allocations,
                    {"indicator_code": "indicator_code", "district_code": "place_code",
                     "target": "target", "updated_by": "updated_by", "updated_at": "updated_at"})
