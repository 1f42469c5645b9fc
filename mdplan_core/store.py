"""The store: every uploaded report, every revision of it, its original file, and the audit log.

A re-upload for the same unit and period is a revision: the one in force becomes
`superseded` and stays in history. Two in-force periods of one unit never overlap,
or the same results would be counted twice. Every write is one transaction, so an
upload lands whole (with its original bytes) or changes nothing.

Concurrency: on SQLite, write transactions start with `BEGIN IMMEDIATE`, so writers
queue on the database lock (up to `busy_timeout`) instead of failing when a read
lock cannot be upgraded. On PostgreSQL, a write for a unit first takes a
transaction-scoped advisory lock on that unit, so the overlap check and the version
numbering see every earlier write of that unit. In both, a partial unique index
allows only one in-force submission per unit and period.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.engine import Connection, Engine

from mdplan_core.findings import Finding, error, has_errors, warning
from mdplan_core.report import ParsedReport, Period
from mdplan_core.settings import Settings
from mdplan_core.vntext import clean_text

# --- Messages (Vietnamese, shown to officers and staff) -------------------------------------------
MSG_OVERLAP_ONE = ("Kỳ báo cáo {new} trùng một phần với kỳ {old} đã nộp. "
                   "Hãy nộp đúng kỳ đó (để thay thế) hoặc chọn kỳ không trùng.")
MSG_OVERLAP_MANY = ("Kỳ báo cáo {new} trùng một phần với các kỳ {old} đã nộp. "
                    "Hãy nộp đúng một trong các kỳ đó (để thay thế) hoặc chọn kỳ không trùng.")
MSG_UNCHANGED = ("Tệp này giống hệt báo cáo kỳ {period} đang có hiệu lực (lần nộp thứ {version}). "
                 "Không có gì thay đổi.")
MSG_NO_VERSION = "Không có lần nộp thứ {version} của báo cáo kỳ {period} của đơn vị {unit}."
MSG_ALREADY_IN_FORCE = "Lần nộp thứ {version} của báo cáo kỳ {period} đang có hiệu lực. Không có gì thay đổi."
MSG_OTHER_KIND = ("Cơ sở dữ liệu này đã được đánh dấu là {current}; không thể đánh dấu lại là {wanted}.")

# --- Schema ----------------------------------------------------------------------------------------
# Migrations 0001–0004 create exactly this; tests compare the two, so change both together.

IN_FORCE, SUPERSEDED, ROLLED_BACK = "in_force", "superseded", "rolled_back"
STATUSES = (IN_FORCE, SUPERSEDED, ROLLED_BACK)
# What a database is, once something has written into it (store_meta "kind"); see installation.py.
DEMO, PRODUCTION = "demo", "production"
KINDS = (DEMO, PRODUCTION)
_KIND_LABELS = {DEMO: "cơ sở dữ liệu minh họa", PRODUCTION: "cơ sở dữ liệu thật"}


class UTCDateTime(sa.types.TypeDecorator):
    """A timestamp that goes in and comes out as a tz-aware UTC datetime on every backend.

    SQLite has no time zones, so UTC is stored there as a naive value.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("timestamps must be timezone-aware")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


metadata = sa.MetaData(naming_convention={
    "pk": "pk_%(table_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
})

files = sa.Table(
    "files", metadata,
    sa.Column("sha256", sa.String(64), primary_key=True),
    sa.Column("bytes", sa.LargeBinary, nullable=False),  # the upload exactly as sent
)

submissions = sa.Table(
    "submissions", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("plan_id", sa.String(64), nullable=False),  # migration 0004
    sa.Column("unit_code", sa.String(64), nullable=False),
    # The place whose People's Committee reported (district or commune); NULL for agencies.
    sa.Column("place_code", sa.String(16)),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("start_month", sa.Integer, nullable=False),
    sa.Column("end_month", sa.Integer, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("uploaded_by", sa.Text, nullable=False),
    sa.Column("uploaded_at", UTCDateTime, nullable=False),
    sa.Column("filename", sa.Text, nullable=False),
    sa.Column("sha256", sa.String(64), sa.ForeignKey("files.sha256"), nullable=False),
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("reporter", sa.Text),
    sa.Column("phone", sa.Text),
    sa.Column("report_date", sa.Date),
    sa.Column("findings", sa.Text, nullable=False),  # JSON list of the warnings it carried
    # Demo data (migration 0003): set for every upload into a database marked demo.
    sa.Column("demo", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.UniqueConstraint("plan_id", "unit_code", "year", "start_month", "end_month", "version",
                        name="uq_submissions_plan_unit_period_version"),
    sa.CheckConstraint("status IN ('in_force', 'superseded', 'rolled_back')",
                       name="ck_submissions_status"),
    sa.CheckConstraint("1 <= start_month AND start_month <= end_month AND end_month <= 12",
                       name="ck_submissions_months"),
    sa.CheckConstraint("version >= 1", name="ck_submissions_version"),
    sa.Index("ux_submissions_in_force", "plan_id", "unit_code", "year", "start_month", "end_month",
             unique=True, sqlite_where=sa.text("status = 'in_force'"),
             postgresql_where=sa.text("status = 'in_force'")),
    sa.Index("ix_submissions_plan_year_status", "plan_id", "year", "status"),
)

submission_values = sa.Table(
    "submission_values", metadata,
    sa.Column("submission_id", sa.Integer, sa.ForeignKey("submissions.id"), primary_key=True),
    sa.Column("indicator_code", sa.String(64), primary_key=True),
    sa.Column("place_code", sa.String(16)),
    sa.Column("value", sa.Double),
    sa.Column("text", sa.Text),
    sa.Column("note", sa.Text),
)

# The places a report names for an indicator that counts places (communes reached, ...).
submission_places = sa.Table(
    "submission_places", metadata,
    sa.Column("submission_id", sa.Integer, sa.ForeignKey("submissions.id"), primary_key=True),
    sa.Column("indicator_code", sa.String(64), primary_key=True),
    sa.Column("place_code", sa.String(16), primary_key=True),
)

# Append-only: triggers created by migration 0001 refuse UPDATE and DELETE.
audit_log = sa.Table(
    "audit_log", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Column("actor", sa.Text, nullable=False),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("unit_code", sa.String(64)),
    sa.Column("detail", sa.Text, nullable=False),  # JSON object
    sa.Column("plan_id", sa.String(64)),  # migration 0004: set on entries that concern a plan
    sa.Index("ix_audit_log_at", "at"),
    sa.Index("ix_audit_log_actor", "actor", "id"),  # migration 0003
    sa.Index("ix_audit_log_plan", "plan_id", "id"),  # migration 0004
)

# Migration 0002 creates these two; accounts.py and allocations.py own their rows.
users = sa.Table(
    "users", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("username", sa.String(64), nullable=False),  # lowercase NFC
    sa.Column("display_name", sa.Text, nullable=False),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("unit_code", sa.String(64)),  # an officer's reporting unit; NULL for the others
    sa.Column("province_code", sa.String(8)),  # migration 0004: an officer's province
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("failed_logins", sa.Integer, nullable=False),
    sa.Column("locked_until", UTCDateTime),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("password_changed_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("username", name="uq_users_username"),
    sa.CheckConstraint("role IN ('leader', 'officer', 'admin')", name="ck_users_role"),
    sa.CheckConstraint("(role = 'officer' AND unit_code IS NOT NULL) OR (role <> 'officer' AND unit_code IS NULL)",
                       name="ck_users_unit"),
    sa.CheckConstraint("password_hash LIKE '$argon2id$%'", name="ck_users_password_hash"),
    sa.CheckConstraint("failed_logins >= 0", name="ck_users_failed_logins"),
)

# A place's share of a provincial target, set by an admin. No row: no allocation.
allocations = sa.Table(
    "allocations", metadata,
    sa.Column("plan_id", sa.String(64), primary_key=True),  # migration 0004
    sa.Column("indicator_code", sa.String(64), primary_key=True),
    sa.Column("place_code", sa.String(16), primary_key=True),
    sa.Column("target", sa.Integer, nullable=False),
    sa.Column("updated_by", sa.Text, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.CheckConstraint("target >= 0", name="ck_allocations_target"),
)

# Migration 0004: plan files an administrator added through the app (the shipped ones are files).
plans = sa.Table(
    "plans", metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("text", sa.Text, nullable=False),  # the plan file as uploaded (UTF-8 YAML)
    sa.Column("filename", sa.Text, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("added_by", sa.Text, nullable=False),
    sa.Column("added_at", UTCDateTime, nullable=False),
)

# Migration 0003: facts about the database itself, one row per key ("kind": demo or production).
store_meta = sa.Table(
    "store_meta", metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

# --- Results ---------------------------------------------------------------------------------------
Outcome = Literal["stored", "revised", "unchanged", "refused", "rolled_back"]


@dataclass(frozen=True)
class SaveResult:
    """What a write did. `findings` holds the store's own findings (why it refused, or
    that nothing changed); the caller's validation findings are its own."""

    outcome: Outcome
    submission_id: int | None = None
    version: int | None = None
    superseded_id: int | None = None  # the submission that stopped being in force
    findings: tuple[Finding, ...] = ()

    @property
    def refused(self) -> bool:
        return self.outcome == "refused"


# --- Engine ----------------------------------------------------------------------------------------
_WRITE = "mdplan_write"  # execution option: this connection's transaction will write
_BUSY_TIMEOUT_MS = 30_000
_PG_UNIT_LOCK = 1836  # advisory-lock namespace (two-key form) for per-unit write locks


def normalise_url(url: str) -> str:
    """The URL as SQLAlchemy should get it (PostgreSQL through psycopg 3)."""
    # psycopg 3 is the only PostgreSQL driver installed; plain URLs would pick psycopg2.
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _make_engine(url: str) -> Engine:
    url_obj = sa.make_url(normalise_url(url))
    backend = url_obj.get_backend_name()
    if backend == "sqlite":
        database = url_obj.database
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url_obj, connect_args={"timeout": _BUSY_TIMEOUT_MS / 1000})
        _configure_sqlite(engine)
        return engine
    if backend == "postgresql":
        return sa.create_engine(url_obj, pool_pre_ping=True)
    raise ValueError(f"unsupported database {backend!r}: use sqlite or postgresql+psycopg")


def _configure_sqlite(engine: Engine) -> None:
    @sa.event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        # SQLAlchemy emits BEGIN itself (below), so sqlite3 must not.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if cursor.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def on_begin(conn):
        # A deferred transaction that reads and then writes cannot wait for the write
        # lock (SQLite returns "database is locked" at once), so writers take it up front.
        immediate = conn.get_execution_options().get(_WRITE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _json(obj) -> str:
    return json.dumps(_cleaned(obj), ensure_ascii=False, sort_keys=True, default=str)


def _cleaned(obj):
    """obj with every text in it made storable (`clean_text`), for the JSON columns."""
    if isinstance(obj, str):
        return clean_text(obj)
    if isinstance(obj, dict):
        return {_cleaned(k): _cleaned(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_cleaned(v) for v in obj]
    return obj


def _unclean(**texts) -> list[str]:
    """The names of the texts that hold a character `clean_text` would change."""
    return [name for name, text in texts.items()
            if isinstance(text, str) and clean_text(text) != text]


# --- The store -------------------------------------------------------------------------------------
class Store:
    def __init__(self, url: str | None = None):
        self.url = normalise_url(url or Settings.from_env().database_url)
        self.engine = _make_engine(self.url)

    @classmethod
    def open(cls, settings: Settings | None = None) -> Store:
        """The app's entry point: make the data dir, connect, bring the schema up to date."""
        settings = settings or Settings.from_env()
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        store = cls(settings.database_url)
        store.upgrade()
        return store

    def dispose(self) -> None:
        self.engine.dispose()

    # -- schema --
    def upgrade(self, revision: str = "head") -> None:
        """Run the Alembic migrations up to `revision`, in one locked transaction, so two
        processes starting at once do not both migrate."""
        from alembic import command

        from mdplan_core.migrations import alembic_config

        with self._migrating() as conn:
            command.upgrade(alembic_config(conn), revision)

    def revision(self) -> str | None:
        """The Alembic revision the database is at (None when empty)."""
        from alembic.runtime.migration import MigrationContext

        with self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    @contextmanager
    def _migrating(self) -> Iterator[Connection]:
        """The write transaction migrations run in, serialised across processes."""
        with self._write() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext('mdplan.migrations'))"))
            yield conn

    @contextmanager
    def _write(self, lock_unit: str | None = None) -> Iterator[Connection]:
        """One write transaction; commits on success, rolls back on any exception."""
        with self.engine.connect() as conn:
            conn.execution_options(**{_WRITE: True})
            with conn.begin():
                if lock_unit is not None and conn.dialect.name == "postgresql":
                    conn.execute(sa.text(f"SELECT pg_advisory_xact_lock({_PG_UNIT_LOCK}, hashtext(:unit))"),
                                 {"unit": lock_unit})
                yield conn

    @contextmanager
    def transaction(self, lock: str | None = None) -> Iterator[Transaction]:
        """A write transaction for the modules that own their own tables (accounts,
        allocations): their statements and audit entries commit together or not at all.
        `lock` serialises writers of the same thing on PostgreSQL (SQLite has one writer)."""
        with self._write(lock_unit=lock) as conn:
            yield Transaction(conn)

    # -- what the database is --
    def kind(self) -> str | None:
        """DEMO or PRODUCTION once marked (installation.py decides when); None before."""
        with self.engine.connect() as conn:
            return _kind(conn)

    def mark(self, kind: str) -> None:
        """Record what this database is. A database never changes kind: marking a demo
        database as production (or the reverse) raises ValueError."""
        if kind not in KINDS:
            raise ValueError(f"unknown kind {kind!r}; expected one of {KINDS}")
        with self._write(lock_unit="#store_meta") as conn:
            current = _kind(conn)
            if current is None:
                conn.execute(sa.insert(store_meta).values(key="kind", value=kind))
            elif current != kind:
                raise ValueError(MSG_OTHER_KIND.format(current=_KIND_LABELS.get(current, current),
                                                       wanted=_KIND_LABELS[kind]))

    def submission_counts(self) -> dict[bool, int]:
        """How many submissions are demo data (True) and how many are not (False)."""
        s = submissions.c
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(s.demo, sa.func.count()).group_by(s.demo)).all()
        counts = {True: 0, False: 0}
        counts.update({bool(demo): count for demo, count in rows})
        return counts

    # -- writes --
    def save_report(self, report: ParsedReport, *, plan_id: str, place_code: str | None, data: bytes,
                    filename: str, user: str, findings: Iterable[Finding] = (),
                    uploaded_at: dt.datetime | None = None) -> SaveResult:
        """Store an upload for plan `plan_id`, as a new report or a revision of the one in force
        for that unit and period. `place_code` is the reporting place (None for an agency).

        `findings` are the (warning-only) validation findings the upload carried; they are
        kept with it. `uploaded_at` defaults to now (demo data and tests may set it).
        """
        findings = tuple(findings)
        if has_errors(findings):
            raise ValueError("a report with error findings must not be stored")
        codes = [v.indicator_code for v in report.values]
        if len(codes) != len(set(codes)):
            raise ValueError("a report must not list an indicator twice")
        if uploaded_at is not None and uploaded_at.tzinfo is None:
            raise ValueError("uploaded_at must be timezone-aware")
        # The readers and the web form clean typed text; one left means a path that does not.
        unclean = _unclean(filename=filename, user=user, reporter=report.reporter, phone=report.phone,
                           **{f"note {v.indicator_code}": v.note for v in report.values},
                           **{f"text {v.indicator_code}": v.text for v in report.values})
        if unclean:
            raise ValueError(f"control characters in {', '.join(unclean)}: clean with vntext.clean_text")
        at = utc_now() if uploaded_at is None else uploaded_at
        sha256 = hashlib.sha256(data).hexdigest()
        unit, period = report.unit_code, report.period
        key = _Key(plan_id, unit)

        with self._write(lock_unit=key.lock) as conn:
            # Checked inside the write transaction, so racing uploads cannot both pass.
            clash = _overlap_finding(conn, key, period, file=filename)
            if clash is not None:
                return SaveResult("refused", findings=(clash,))
            current = _in_force(conn, key, period)
            if current is not None and current.sha256 == sha256:
                _audit(conn, at, user, "unchanged", unit, plan_id=plan_id, submission_id=current.id,
                       version=current.version, period=str(period), filename=filename, sha256=sha256)
                message = MSG_UNCHANGED.format(period=period.label, version=current.version)
                return SaveResult("unchanged", current.id, current.version,
                                  findings=(warning("upload.unchanged", message, file=filename),))

            version = _next_version(conn, key, period)
            demo = _kind(conn) == DEMO
            _insert_file(conn, sha256, data)
            if current is not None:
                _set_status(conn, current.id, SUPERSEDED)
            submission_id = conn.execute(sa.insert(submissions).values(
                plan_id=plan_id, unit_code=unit, place_code=place_code, year=period.year,
                start_month=period.start_month, end_month=period.end_month, version=version,
                status=IN_FORCE, uploaded_by=user, uploaded_at=at, filename=filename,
                sha256=sha256, size=len(data), reporter=report.reporter, phone=report.phone,
                report_date=report.report_date, findings=_json([f.as_dict() for f in findings]),
                demo=demo,
            ).returning(submissions.c.id)).scalar_one()
            action = "upload" if current is None else "revision"
            _audit(conn, at, user, action, unit, plan_id=plan_id, submission_id=submission_id, version=version,
                   period=str(period), filename=filename, sha256=sha256, size=len(data),
                   superseded_id=None if current is None else current.id)
            _insert_values(conn, submission_id, report, place_code)

        return SaveResult("stored" if current is None else "revised", submission_id, version,
                          None if current is None else current.id)

    def rollback(self, plan_id: str, unit_code: str, period: Period, to_version: int, *,
                 user: str, reason: str | None = None, at: dt.datetime | None = None) -> SaveResult:
        """Put an earlier version of a unit's report for `period` back in force, at `at`
        (default: now); the one in force becomes `rolled_back`. `reason` (why, as the person
        wrote it) goes to the audit."""
        at = at or utc_now()
        key = _Key(plan_id, unit_code)
        with self._write(lock_unit=key.lock) as conn:
            target = conn.execute(
                sa.select(submissions.c.id, submissions.c.version)
                .where(_same_period(key, period), submissions.c.version == to_version)
            ).one_or_none()
            if target is None:
                message = MSG_NO_VERSION.format(version=to_version, period=period.label, unit=unit_code)
                return SaveResult("refused", findings=(error("rollback.no_such_version", message),))
            current = _in_force(conn, key, period)
            if current is not None and current.id == target.id:
                message = MSG_ALREADY_IN_FORCE.format(version=to_version, period=period.label)
                return SaveResult("unchanged", target.id, to_version,
                                  findings=(warning("rollback.already_in_force", message),))
            if current is not None:
                _set_status(conn, current.id, ROLLED_BACK)
            _set_status(conn, target.id, IN_FORCE)
            _audit(conn, at, user, "rollback", unit_code, plan_id=plan_id, submission_id=target.id,
                   version=to_version, period=str(period),
                   rolled_back_id=None if current is None else current.id,
                   rolled_back_version=None if current is None else current.version,
                   **({"note": reason} if reason else {}))
        return SaveResult("rolled_back", target.id, to_version, None if current is None else current.id)

    def record_audit(self, actor: str, action: str, unit_code: str | None = None, *,
                     plan_id: str | None = None, at: dt.datetime | None = None, **detail) -> int:
        """Append one entry to the audit log (logins, user management, ...), at `at` (default:
        now); `plan_id` when the entry concerns a plan. Returns its id."""
        with self._write() as conn:
            return _audit(conn, at or utc_now(), actor, action, unit_code, plan_id=plan_id, **detail)

    # -- reads --
    def check_overlap(self, plan_id: str, unit_code: str, period: Period) -> Finding | None:
        """The finding that would refuse an upload of `period` for this unit, if any."""
        with self.engine.connect() as conn:
            return _overlap_finding(conn, _Key(plan_id, unit_code), period)

    def in_force_periods(self, plan_id: str, unit_code: str, year: int) -> list[Period]:
        s = submissions.c
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(s.year, s.start_month, s.end_month)
                .where(s.plan_id == plan_id, s.unit_code == unit_code, s.year == year,
                       s.status == IN_FORCE)
                .order_by(s.start_month)
            ).all()
        return [Period(*row) for row in rows]

    def history(self, plan_id: str | None, unit_code: str | None = None, *,
                known_on: dt.datetime | None = None) -> pd.DataFrame:
        """Every submission of a plan (of every plan when `plan_id` is None), in force or not,
        ordered by unit, period and version; with `known_on`, only those uploaded by then
        (their status is today's)."""
        s = submissions.c
        stmt = sa.select(
            s.id.label("submission_id"), s.plan_id, s.unit_code, s.place_code,
            s.year, s.start_month, s.end_month, s.version, s.status, s.uploaded_by, s.uploaded_at,
            s.filename, s.sha256, s.size, s.reporter, s.phone, s.report_date, s.findings, s.demo,
        ).order_by(s.plan_id, s.unit_code, s.year, s.start_month, s.end_month, s.version)
        if plan_id is not None:
            stmt = stmt.where(s.plan_id == plan_id)
        if unit_code is not None:
            stmt = stmt.where(s.unit_code == unit_code)
        if known_on is not None:
            stmt = stmt.where(s.uploaded_at <= known_on)
        return self.frame(stmt, _HISTORY_DTYPES)

    def values(self, plan_id: str, year: int, *, history: bool = False,
               known_on: dt.datetime | None = None) -> pd.DataFrame:
        """One row per stored value of a plan's `year`: of the submissions in force, or with
        `history` of every version, each row carrying its submission's version and status.
        With `known_on` (an aware instant), of the submissions that were in force then
        (`known_at`), as if nothing later had been uploaded or rolled back."""
        s, v = submissions.c, submission_values.c
        stmt = (
            sa.select(s.id.label("submission_id"), s.unit_code, v.place_code,
                      s.start_month, s.end_month, v.indicator_code, v.value, v.text, v.note,
                      s.version, s.status, s.uploaded_by, s.uploaded_at, s.demo)
            .join_from(submissions, submission_values, v.submission_id == s.id)
            .where(*_of_year(plan_id, year, history, known_on, self.engine.dialect.name))
            .order_by(s.unit_code, s.start_month, s.version, v.indicator_code)
        )
        return self.frame(stmt, _VALUES_DTYPES)

    def communes(self, plan_id: str, year: int, *, history: bool = False,
                 known_on: dt.datetime | None = None) -> pd.DataFrame:
        """One row per place named in a plan's `year`: by the submissions in force, or with
        `history` by every version, or with `known_on` by those in force at that instant."""
        s, c = submissions.c, submission_places.c
        stmt = (
            sa.select(s.id.label("submission_id"), s.unit_code, s.place_code,
                      s.start_month, s.end_month, c.indicator_code, c.place_code.label("commune_code"))
            .join_from(submissions, submission_places, c.submission_id == s.id)
            .where(*_of_year(plan_id, year, history, known_on, self.engine.dialect.name))
            .order_by(s.unit_code, s.start_month, c.submission_id, c.indicator_code,
                      c.place_code)
        )
        return self.frame(stmt, _COMMUNES_DTYPES)

    def original_file(self, submission_id: int) -> tuple[str, bytes]:
        """The file name and the exact bytes that were uploaded."""
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(submissions.c.filename, files.c.bytes)
                .join_from(submissions, files, files.c.sha256 == submissions.c.sha256)
                .where(submissions.c.id == submission_id)
            ).one_or_none()
        if row is None:
            raise KeyError(f"no submission {submission_id}")
        return row.filename, bytes(row.bytes)

    def audit(self, limit: int | None = None, *, actor: str | None = None,
              actions: list[str] | None = None, plan_id: str | None = None) -> pd.DataFrame:
        """The audit log, newest first, optionally of one actor, some actions or the entries
        about one plan only; `detail` is JSON text."""
        a = audit_log.c
        stmt = sa.select(a.id, a.at, a.actor, a.action, a.unit_code, a.plan_id,
                         a.detail).order_by(a.id.desc())
        if actor is not None:
            stmt = stmt.where(a.actor == actor)
        if plan_id is not None:
            stmt = stmt.where(a.plan_id == plan_id)
        if actions is not None:
            stmt = stmt.where(a.action.in_(actions))
        if limit is not None:
            stmt = stmt.limit(limit)
        return self.frame(stmt, _AUDIT_DTYPES)

    def frame(self, stmt, dtypes: dict[str, str]) -> pd.DataFrame:
        """The rows of a SELECT as a DataFrame with these dtypes."""
        with self.engine.connect() as conn:
            result = conn.execute(stmt)
            frame = pd.DataFrame(result.all(), columns=list(result.keys()), dtype=object)
        return frame.astype(dtypes)


def _of_year(plan_id: str, year: int, history: bool, known_on: dt.datetime | None = None,
             dialect: str = "sqlite") -> list:
    """The filter of a read: the plan and year, and unless `history` the submissions in force
    only (now, or at `known_on`)."""
    where = [submissions.c.plan_id == plan_id, submissions.c.year == year]
    if history:
        return where
    if known_on is not None:
        return where + [submissions.c.id.in_(known_at(plan_id, year, known_on, dialect))]
    return where + [submissions.c.status == IN_FORCE]


def _json_integer(column, key: str, dialect: str):
    """An integer of a JSON text column (the audit log's `detail`), read in SQL."""
    if dialect == "postgresql":
        return sa.cast(sa.cast(column, pg_dialect.JSONB)[key].astext, sa.Integer)
    return sa.func.json_extract(column, f"$.{key}")  # SQLite: CAST AS JSON would make it a number


def known_at(plan_id: str, year: int, at: dt.datetime, dialect: str):
    """A SELECT of the ids of the submissions of a plan's `year` that were in force at `at`:
    per unit and period, the subject of the latest event by then, an upload (which puts
    its version in force) or a rollback (which puts the version it names back)."""
    s, a = submissions.c, audit_log.c
    period = [s.unit_code, s.start_month, s.end_month]
    uploads = sa.select(s.id.label("submission_id"), *period, s.uploaded_at.label("at")).where(
        s.plan_id == plan_id, s.year == year, s.uploaded_at <= at)
    target = _json_integer(a.detail, "submission_id", dialect)
    rollbacks = (sa.select(s.id.label("submission_id"), *period, a.at.label("at"))
                 .join_from(audit_log, submissions, s.id == target)
                 .where(a.action == "rollback", s.plan_id == plan_id, s.year == year, a.at <= at))
    events = sa.union_all(uploads, rollbacks).subquery()
    e = events.c
    latest = sa.func.row_number().over(
        partition_by=[e.unit_code, e.start_month, e.end_month],
        order_by=[e.at.desc(), e.submission_id.desc()]).label("latest")
    ranked = sa.select(e.submission_id, latest).subquery()
    return sa.select(ranked.c.submission_id).where(ranked.c.latest == 1)


_HISTORY_DTYPES = {
    "submission_id": "int64", "plan_id": "str", "unit_code": "str", "place_code": "str", "year": "int64",
    "start_month": "int64", "end_month": "int64", "version": "int64", "status": "str",
    "uploaded_by": "str", "uploaded_at": "datetime64[us, UTC]", "filename": "str", "sha256": "str",
    "size": "int64", "reporter": "str", "phone": "str", "report_date": "datetime64[us]",
    "findings": "str", "demo": "bool",
}
_VALUES_DTYPES = {
    "submission_id": "int64", "unit_code": "str", "place_code": "str", "start_month": "int64",
    "end_month": "int64", "indicator_code": "str", "value": "float64", "text": "str", "note": "str",
    "version": "int64", "status": "str", "uploaded_by": "str", "uploaded_at": "datetime64[us, UTC]",
    "demo": "bool",
}
_COMMUNES_DTYPES = {
    "submission_id": "int64", "unit_code": "str", "place_code": "str", "start_month": "int64",
    "end_month": "int64", "indicator_code": "str", "commune_code": "str",
}
_AUDIT_DTYPES = {
    "id": "int64", "at": "datetime64[us, UTC]", "actor": "str", "action": "str",
    "unit_code": "str", "plan_id": "str", "detail": "str",
}


class Transaction:
    """One open write transaction (`Store.transaction`)."""

    def __init__(self, conn: Connection):
        self._conn = conn

    def execute(self, stmt, parameters=None):
        return self._conn.execute(stmt, parameters)

    def audit(self, at: dt.datetime | None, actor: str, action: str, unit_code: str | None = None, *,
              plan_id: str | None = None, **detail) -> int:
        """Append an audit entry in this transaction, at `at` (None: now); returns its id."""
        return _audit(self._conn, at or utc_now(), actor, action, unit_code, plan_id=plan_id, **detail)


# --- Statements used inside write transactions -----------------------------------------------------
def _kind(conn: Connection) -> str | None:
    return conn.execute(sa.select(store_meta.c.value).where(store_meta.c.key == "kind")).scalar_one_or_none()


@dataclass(frozen=True)
class _Key:
    """A unit's reports under one plan: what versions, overlaps and write locks are about."""
    plan_id: str
    unit_code: str

    @property
    def lock(self) -> str:
        return f"{self.plan_id}:{self.unit_code}"

    def where(self):
        s = submissions.c
        return sa.and_(s.plan_id == self.plan_id, s.unit_code == self.unit_code)


def _same_period(key: _Key, period: Period):
    s = submissions.c
    return sa.and_(key.where(), s.year == period.year,
                   s.start_month == period.start_month, s.end_month == period.end_month)


def _in_force(conn: Connection, key: _Key, period: Period):
    s = submissions.c
    return conn.execute(
        sa.select(s.id, s.version, s.sha256).where(_same_period(key, period), s.status == IN_FORCE)
    ).one_or_none()


def _overlap_finding(conn: Connection, key: _Key, period: Period,
                     file: str | None = None) -> Finding | None:
    s = submissions.c
    rows = conn.execute(
        sa.select(s.year, s.start_month, s.end_month)
        .where(key.where(), s.year == period.year, s.status == IN_FORCE,
               s.start_month <= period.end_month, s.end_month >= period.start_month,
               sa.not_(sa.and_(s.start_month == period.start_month, s.end_month == period.end_month)))
        .order_by(s.start_month)
    ).all()
    if not rows:
        return None
    labels = ", ".join(Period(*row).label for row in rows)
    template = MSG_OVERLAP_ONE if len(rows) == 1 else MSG_OVERLAP_MANY
    return error("period.overlap", template.format(new=period.label, old=labels), file=file)


def _next_version(conn: Connection, key: _Key, period: Period) -> int:
    latest = conn.execute(
        sa.select(sa.func.max(submissions.c.version)).where(_same_period(key, period))
    ).scalar_one()
    return (latest or 0) + 1


def _insert_file(conn: Connection, sha256: str, data: bytes) -> None:
    # Content-addressed: the same bytes uploaded twice are kept once.
    dialect = {"sqlite": sqlite_dialect, "postgresql": pg_dialect}[conn.dialect.name]
    conn.execute(dialect.insert(files).values(sha256=sha256, bytes=data)
                 .on_conflict_do_nothing(index_elements=[files.c.sha256]))


def _set_status(conn: Connection, submission_id: int, status: str) -> None:
    conn.execute(sa.update(submissions).where(submissions.c.id == submission_id).values(status=status))


def _insert_values(conn: Connection, submission_id: int, report: ParsedReport,
                   place_code: str | None) -> None:
    values = [
        {"submission_id": submission_id, "indicator_code": v.indicator_code,
         "place_code": place_code, "text": v.text, "note": v.note,
         "value": None if v.value is None or math.isnan(v.value) else float(v.value)}
        for v in report.values
    ]
    places = [
        {"submission_id": submission_id, "indicator_code": v.indicator_code, "place_code": code}
        for v in report.values for code in dict.fromkeys(v.communes)
    ]
    if values:
        conn.execute(sa.insert(submission_values), values)
    if places:
        conn.execute(sa.insert(submission_places), places)


def _audit(conn: Connection, at: dt.datetime, actor: str, action: str, unit_code: str | None,
           plan_id: str | None = None, **detail) -> int:
    # An actor may be an attempted login name: cleaned, never refused.
    actor, unit_code = clean_text(actor, single_line=True), clean_text(unit_code, single_line=True)
    return conn.execute(
        sa.insert(audit_log).values(at=at, actor=actor, action=action, unit_code=unit_code,
                                    plan_id=plan_id, detail=_json(detail)).returning(audit_log.c.id)
    ).scalar_one()
