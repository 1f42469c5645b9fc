"""The store's migrations, on SQLite and (with MDPLAN_TEST_DATABASE_URL) PostgreSQL.

Databases at an old revision are filled with plain SQL in the shape that revision has (as
the code of its time wrote them), not through today's Store, whose writes need the newest
schema. After an upgrade every row must still be there, unchanged.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest
import sqlalchemy as sa
from alembic import command

from mdplan_core import accounts, installation
from mdplan_core.migrations import alembic_config, head_revision
from mdplan_core.plan import load_plan
from mdplan_core.report import Period
from mdplan_core.settings import Settings
from mdplan_core.store import DEMO, Store
from tests.store_worker import save

PLAN = load_plan()
T0 = dt.datetime(2017, 4, 7, 2, 30, tzinfo=dt.UTC)
OLD_TABLES = ["files", "submissions", "submission_values", "submission_communes", "audit_log"]
TABLES_0002 = [*OLD_TABLES, "users", "allocations"]
NEW_TABLES = ["files", "submissions", "submission_values", "submission_places", "audit_log", "users",
              "allocations", "store_meta", "plans"]
ARGON2_HASH = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"


# --- Filling a database at an old revision ----------------------------------------------------------
def _at(conn, moment: dt.datetime):
    # The store keeps UTC as naive values on SQLite (store.UTCDateTime).
    return moment.replace(tzinfo=None) if conn.dialect.name == "sqlite" else moment


def _table(conn, name: str) -> sa.Table:
    return sa.Table(name, sa.MetaData(), autoload_with=conn)


def _submission(conn, unit: str, district: str | None, months: tuple[int, int], version: int,
                status: str, *, by: str, at: dt.datetime, payload: bytes) -> int:
    """One upload as revision 0001/0002 stored it: file, submission, values, communes, audit."""
    sha = hashlib.sha256(payload).hexdigest()
    conn.execute(_table(conn, "files").insert().values(sha256=sha, bytes=payload))
    table = _table(conn, "submissions")
    sid = conn.execute(table.insert().returning(table.c.id).values(
        unit_code=unit, district_code=district, year=2017, start_month=months[0],
        end_month=months[1], version=version, status=status, uploaded_by=by, uploaded_at=_at(conn, at),
        filename=f"Báo cáo {unit} lần {version}.xlsx", sha256=sha, size=len(payload),
        reporter="Nguyễn Thị Hoà" if version == 1 else None, phone="0209 3870 123",
        report_date=at.date(), findings=json.dumps([{"code": "value.unit_suffix"}]))).scalar_one()
    conn.execute(_table(conn, "submission_values").insert(), [
        {"submission_id": sid, "indicator_code": "CT1.1", "district_code": district,
         "value": float(sid), "text": None, "note": "- hai lớp"},
        {"submission_id": sid, "indicator_code": "CT1.5", "district_code": district,
         "value": None, "text": "=chuyên mục", "note": None},
    ])
    conn.execute(_table(conn, "submission_communes").insert().values(
        submission_id=sid, indicator_code="CT1.3", commune_code="01891"))
    period = f"2017-{months[0]:02d}..2017-{months[1]:02d}"
    _audit(conn, by, "upload" if version == 1 else "revision", unit, at, submission_id=sid,
           version=version, period=period, filename=f"Báo cáo {unit} lần {version}.xlsx",
           sha256=sha, size=len(payload), superseded_id=sid - 1 if version > 1 else None)
    return sid


def _audit(conn, actor: str, action: str, unit: str | None, at: dt.datetime, **detail) -> None:
    conn.execute(_table(conn, "audit_log").insert().values(
        at=_at(conn, at), actor=actor, action=action, unit_code=unit,
        detail=json.dumps(detail, ensure_ascii=False, sort_keys=True)))


def _user(conn, username: str, role: str, unit: str | None, *, actor: str) -> None:
    conn.execute(_table(conn, "users").insert().values(
        username=username, display_name=f"Tên {username}", role=role, unit_code=unit,
        password_hash=ARGON2_HASH, active=True, failed_logins=len(username) % 3, locked_until=None,
        created_at=_at(conn, T0), password_changed_at=_at(conn, T0)))
    _audit(conn, actor, "user_add", unit, T0, username=username, role=role, display_name=f"Tên {username}")


def _real_offices(conn) -> None:
    """What a real office's database holds at 0002: reports, a revision, accounts, allocations."""
    _submission(conn, "ubnd_061", "061", (1, 3), 1, "superseded", by="canbo.babe", at=T0,
                payload=b"PK\x03\x04 first " + bytes(range(256)))
    _submission(conn, "ubnd_061", "061", (1, 3), 2, "in_force", by="canbo.babe",
                at=T0 + dt.timedelta(days=2), payload=b"PK\x03\x04 second")
    _submission(conn, "sldtbxh", None, (1, 3), 1, "in_force", by="nguyen.van.a",
                at=T0 + dt.timedelta(days=3), payload=b"PK\x03\x04 third")
    _user(conn, "quantri", "admin", None, actor="cli:root")  # a real admin may take this name
    _user(conn, "canbo.babe", "officer", "ubnd_061", actor="quantri")
    _audit(conn, "canbo.babe", "login", "ubnd_061", T0, role="officer", rehashed=False)
    conn.execute(_table(conn, "allocations").insert().values(
        indicator_code="CT1.1", district_code="061", target=3, updated_by="quantri",
        updated_at=_at(conn, T0)))


def _rows(store: Store, tables: list[str], columns: dict[str, list[str]] | None = None) -> dict:
    """Every row of `tables` (only `columns` where given), ordered by primary key."""
    with store.engine.connect() as conn:
        out = {}
        for name in tables:
            table = _table(conn, name)
            cols = [table.c[c] for c in columns[name]] if columns else list(table.c)
            out[name] = [tuple(row) for row in conn.execute(
                sa.select(*cols).order_by(*table.primary_key.columns))]
        return out


def _columns(store: Store, tables: list[str]) -> dict[str, list[str]]:
    inspector = sa.inspect(store.engine)
    return {name: [c["name"] for c in inspector.get_columns(name)] for name in tables}


@pytest.fixture
def old(database_url):
    """An empty database, for a test to bring to an old revision."""
    store = Store(database_url)
    yield store
    store.dispose()


def _at_revision(store: Store, revision: str, fill) -> None:
    store.upgrade(revision)
    with store._write() as conn:
        fill(conn)


def _append_only(store: Store) -> None:
    if store.engine.dialect.name == "sqlite":
        with store.engine.connect() as conn:
            triggers = set(conn.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log'").scalars())
        assert triggers == {"audit_log_no_update", "audit_log_no_delete"}
    before = _rows(store, ["audit_log"])
    for statement in ("UPDATE audit_log SET actor = 'x'", "DELETE FROM audit_log"):
        with pytest.raises(sa.exc.DatabaseError, match="append-only"):
            with store.engine.begin() as conn:
                conn.execute(sa.text(statement))
    assert _rows(store, ["audit_log"]) == before


# --- 0001 -> head ------------------------------------------------------------------------------------
def test_upgrade_from_0001_keeps_every_row_and_the_audit_triggers(old, tmp_path):
    def fill(conn):
        _submission(conn, "ubnd_061", "061", (1, 3), 1, "superseded", by="officer", at=T0,
                    payload=bytes(range(256)))
        _submission(conn, "ubnd_061", "061", (1, 3), 2, "in_force", by="officer", at=T0, payload=b"x")
        _audit(conn, "admin", "login", None, T0)

    _at_revision(old, "0001", fill)
    columns = _columns(old, OLD_TABLES)
    before = _rows(old, OLD_TABLES)
    old.upgrade("0003")
    assert _rows(old, OLD_TABLES, columns) == before
    old.upgrade()
    assert old.revision() == head_revision() == "0004"
    assert old.kind() is None and not old.history(None)["demo"].any()
    _append_only(old)
    # The app starting on it again changes nothing either.
    kept = _rows(old, NEW_TABLES)
    Store.open(Settings.from_env({"MDPLAN_DATABASE_URL": old.url, "MDPLAN_DATA_DIR": str(tmp_path)})).dispose()
    assert _rows(old, NEW_TABLES) == kept


# --- 0002 -> 0003: demo flag and store_meta -----------------------------------------------------------
def test_upgrade_from_0002_keeps_a_real_offices_data_unchanged(old):
    _at_revision(old, "0002", _real_offices)
    columns = _columns(old, TABLES_0002)
    before = _rows(old, TABLES_0002)
    old.upgrade("0003")
    assert _rows(old, TABLES_0002, columns) == before  # every row, every value, nothing added
    assert old.kind() is None and _rows(old, ["store_meta"]) == {"store_meta": []}
    old.upgrade()
    history = old.history(None)
    assert list(history["submission_id"]) == [3, 1, 2]
    assert history["demo"].dtype == bool and not history["demo"].any()
    assert not old.values("backan-2017", 2017, history=True)["demo"].any()
    assert old.kind() is None and _rows(old, ["store_meta"]) == {"store_meta": []}
    _append_only(old)
    # It is a real office's database: a real install serves it, demo mode does not touch it.
    assert installation.refusal(old, demo=False) is None
    assert installation.census(old).real_submissions == 3
    assert "3 lần nộp báo cáo thật" in installation.refusal(old, demo=True)
    # And today's store writes into it: a new upload is real data too.
    assert save(old, "062", Period(2017, 1, 3)).outcome == "stored"
    assert not old.history(None)["demo"].any()


def test_upgrade_from_0002_marks_a_database_the_demo_loader_filled(old):
    """Today's `make run` filled var/mdplan.sqlite3 with the demo year and demo accounts; a
    real install must recognise it after the upgrade."""
    def fill(conn):
        _submission(conn, "ubnd_061", "061", (1, 3), 1, "superseded", by="canbo.babe", at=T0,
                    payload=b"demo 1")
        _submission(conn, "ubnd_061", "061", (1, 3), 2, "in_force", by="canbo.babe", at=T0, payload=b"demo 2")
        _audit(conn, "mdplan-demo", "demo_loaded", None, T0, files=2, stored=1, revised=1)
        _user(conn, "quantri", "admin", None, actor=accounts.DEMO_ACTOR)
        # Afterwards someone uploaded a report of their own: not demo data.
        _submission(conn, "sldtbxh", None, (1, 3), 1, "in_force", by="nguyen.van.a",
                    at=T0 + dt.timedelta(days=1), payload=b"real")

    _at_revision(old, "0002", fill)
    columns = _columns(old, TABLES_0002)
    before = _rows(old, TABLES_0002)
    old.upgrade("0003")
    after = _rows(old, TABLES_0002, columns)
    assert {name: rows for name, rows in after.items() if name != "audit_log"} == \
        {name: rows for name, rows in before.items() if name != "audit_log"}
    assert after["audit_log"][:len(before["audit_log"])] == before["audit_log"]
    old.upgrade()
    added = old.audit(limit=1).iloc[0]
    assert (added["actor"], added["action"]) == ("migration 0003", "store_marked")
    assert old.kind() == DEMO
    history = old.history(None).set_index("submission_id")
    assert history["demo"].to_dict() == {1: True, 2: True, 3: False}
    refused = installation.refusal(old, demo=False)
    assert refused is not None and "2 lần nộp báo cáo mẫu" in refused and "quantri" in refused
    _append_only(old)


# --- Downgrades ---------------------------------------------------------------------------------------
def test_downgrade_0003_drops_the_demo_flag_and_keeps_the_data(store):
    save(store, "061", Period(2017, 1, 3), payload=1)
    save(store, "061", Period(2017, 1, 3), payload=2)
    store.mark(DEMO)
    with store.engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0003")
    before = _rows(store, OLD_TABLES, {**_columns(store, OLD_TABLES),
                                       "submissions": [c for c in _columns(store, ["submissions"])["submissions"]
                                                       if c != "demo"]})
    with store.engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0002")
    assert "store_meta" not in sa.inspect(store.engine).get_table_names()
    assert "demo" not in _columns(store, ["submissions"])["submissions"]
    assert _rows(store, OLD_TABLES, _columns(store, OLD_TABLES)) == before
    _append_only(store)
    store.upgrade()
    assert store.kind() is None and len(store.history(None)) == 2


def test_downgrade_to_0001_drops_only_the_new_tables(store):
    store.record_audit("admin", "login")
    with store.engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0001")
    tables = set(sa.inspect(store.engine).get_table_names())
    assert not {"users", "allocations", "store_meta"} & tables and "audit_log" in tables
    assert len(_rows(store, ["audit_log"])["audit_log"]) == 1
    store.upgrade()
    assert store.revision() == head_revision()


def test_downgrade_to_base_and_back(store):
    with store.engine.begin() as conn:
        command.downgrade(alembic_config(conn), "base")
    assert store.revision() is None
    assert not set(TABLES_0002) & set(sa.inspect(store.engine).get_table_names())
    store.upgrade()
    assert save(store, "061", Period(2017, 1, 3)).outcome == "stored"


# --- 0003 -> 0004: everything keyed by plan -----------------------------------------------------------
def test_upgrade_from_0003_puts_a_real_offices_data_under_the_first_plan(old):
    _at_revision(old, "0002", _real_offices)
    old.upgrade("0003")
    before = _rows(old, [*TABLES_0002, "store_meta"])
    old.upgrade()
    assert old.revision() == "0004"
    after = _rows(old, NEW_TABLES)
    columns = _columns(old, NEW_TABLES)

    def named(table, rows):
        return [dict(zip(columns[table], row)) for row in rows]

    def without(row, *names):
        return {k: v for k, v in row.items() if k not in names}

    submissions = named("submissions", after["submissions"])
    old_columns = _columns_of_0003()
    old_submissions = [dict(zip(old_columns["submissions"], row)) for row in before["submissions"]]
    assert {row["plan_id"] for row in submissions} == {"backan-2017"}
    assert [without(row, "plan_id") for row in submissions] == [
        {("place_code" if k == "district_code" else k): v for k, v in row.items()} for row in old_submissions]
    assert after["submission_values"] == before["submission_values"]
    assert after["submission_places"] == before["submission_communes"]
    assert after["files"] == before["files"]
    # Every officer so far is Bắc Kạn's; the others have no province.
    assert [row[:-1] for row in after["users"]] == before["users"]
    assert [(r["username"], r["province_code"]) for r in named("users", after["users"])] == [
        ("quantri", None), ("canbo.babe", "06")]
    assert after["store_meta"] == before["store_meta"] and after["plans"] == []
    allocations = named("allocations", after["allocations"])
    assert [(r["plan_id"], r["indicator_code"], r["place_code"], r["target"]) for r in allocations] == \
        [("backan-2017", "CT1.1", "061", 3)]
    # The audit log keeps every entry as it was; those about reports now name the plan.
    audit = named("audit_log", after["audit_log"])
    assert [without(row, "plan_id") for row in audit] == \
        [dict(zip(old_columns["audit_log"], row)) for row in before["audit_log"]]
    assert {(row["action"], row["plan_id"]) for row in audit} == {
        ("upload", "backan-2017"), ("revision", "backan-2017"), ("user_add", None), ("login", None)}
    _append_only(old)
    # Today's store reads and writes it, and another plan's report of the same unit and period
    # is a report of its own.
    assert list(old.history("backan-2017")["submission_id"]) == [3, 1, 2]
    assert old.history("hanoi-2026").empty
    assert save(old, "ubnd_061", Period(2017, 1, 3), plan_id="other-2017", place_code="061").outcome == "stored"
    assert save(old, "ubnd_061", Period(2017, 1, 3), plan_id="backan-2017", place_code="061",
                payload=9).outcome == "revised"
    assert len(old.history("other-2017")) == 1 and len(old.history("backan-2017")) == 4


def _columns_of_0003() -> dict[str, list[str]]:
    return {"submissions": ["id", "unit_code", "district_code", "year", "start_month", "end_month", "version",
                            "status", "uploaded_by", "uploaded_at", "filename", "sha256", "size", "reporter",
                            "phone", "report_date", "findings", "demo"],
            "audit_log": ["id", "at", "actor", "action", "unit_code", "detail"]}


def test_downgrade_0004_refuses_while_another_plan_has_reports(store):
    save(store, "061", Period(2017, 1, 3), plan_id="hanoi-2026")
    with pytest.raises(RuntimeError, match="hanoi-2026|plans other than"):
        with store.engine.begin() as conn:
            command.downgrade(alembic_config(conn), "0003")
    assert store.revision() == "0004" and len(store.history(None)) == 1


def test_downgrade_0004_and_back_keeps_the_first_plans_data(store):
    save(store, "061", Period(2017, 1, 3), payload=1)
    save(store, "061", Period(2017, 1, 3), payload=2)
    before = _rows(store, NEW_TABLES)
    with store.engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0003")
    assert "plans" not in sa.inspect(store.engine).get_table_names()
    assert "district_code" in _columns(store, ["submissions"])["submissions"]
    store.upgrade()
    assert _rows(store, NEW_TABLES) == before
    _append_only(store)
