"""The store, on SQLite and (with MDPLAN_TEST_DATABASE_URL) PostgreSQL: see conftest.py."""
from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import json
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mdplan_core import store as store_module
from mdplan_core.findings import error, warning
from mdplan_core.migrations import head_revision
from mdplan_core.report import Period
from mdplan_core.settings import Settings
from mdplan_core.store import SaveResult, Store, metadata
from tests.store_worker import sample_bytes, sample_report, save

REPO_ROOT = Path(__file__).resolve().parent.parent
Q1, Q2 = Period(2017, 1, 3), Period(2017, 4, 6)
DISTRICT, AGENCY = "061", "SO_LDTBXH"
TABLES = ["files", "submissions", "submission_values", "submission_places", "audit_log"]


def snapshot(store: Store) -> dict[str, list[tuple]]:
    """Every row of every table, in a stable order: to show that nothing changed."""
    with store.engine.connect() as conn:
        return {name: [tuple(row) for row in conn.execute(
                    sa.select(metadata.tables[name]).order_by(*metadata.tables[name].primary_key))]
                for name in TABLES}


def statuses(store: Store, unit_code: str = DISTRICT) -> dict[int, str]:
    history = store.history(None, unit_code)
    return dict(zip(history["version"], history["status"]))


def audit_actions(store: Store) -> list[str]:
    return store.audit()["action"].tolist()[::-1]  # oldest first


# --- Writes ----------------------------------------------------------------------------------------
def test_store_then_revise_keeps_both_in_history_with_their_bytes(store):
    first = save(store, DISTRICT, Q1, payload=1)
    assert (first.outcome, first.version, first.superseded_id, first.findings) == ("stored", 1, None, ())

    second = save(store, DISTRICT, Q1, payload=2, filename="bao-cao-sua.xlsx")
    assert (second.outcome, second.version, second.superseded_id) == ("revised", 2, first.submission_id)
    assert statuses(store) == {1: "superseded", 2: "in_force"}

    history = store.history(None)
    assert list(history["filename"]) == [f"bao-cao-{DISTRICT}-{Q1}.xlsx", "bao-cao-sua.xlsx"]
    assert set(history["uploaded_by"]) == {"officer"}
    assert list(history["size"]) == [len(sample_bytes(DISTRICT, Q1, 1)), len(sample_bytes(DISTRICT, Q1, 2))]
    assert str(history["uploaded_at"].dtype) == "datetime64[us, UTC]"
    assert store.original_file(first.submission_id) == (f"bao-cao-{DISTRICT}-{Q1}.xlsx",
                                                        sample_bytes(DISTRICT, Q1, 1))
    assert store.original_file(second.submission_id) == ("bao-cao-sua.xlsx", sample_bytes(DISTRICT, Q1, 2))

    # Only the revision counts.
    values = store.values("backan-2017", 2017)
    assert set(values["submission_id"]) == {second.submission_id}
    assert values.set_index("indicator_code").loc["1.1", "value"] == 4
    assert audit_actions(store) == ["upload", "revision"]
    revision = json.loads(store.audit(limit=1)["detail"].iloc[0])
    assert revision["superseded_id"] == first.submission_id and revision["version"] == 2


def test_byte_identical_reupload_changes_nothing_and_says_so(store):
    first = save(store, DISTRICT, Q1, payload=1)
    before = snapshot(store)
    again = save(store, DISTRICT, Q1, payload=1, filename="ten-khac.xlsx")
    assert (again.outcome, again.submission_id, again.version) == ("unchanged", first.submission_id, 1)
    assert [f.code for f in again.findings] == ["upload.unchanged"]
    assert "Quý I/2017" in again.findings[0].message
    after = snapshot(store)
    assert {t: after[t] for t in TABLES if t != "audit_log"} == {t: before[t] for t in TABLES if t != "audit_log"}
    assert audit_actions(store) == ["upload", "unchanged"]


def test_bytes_of_a_superseded_version_make_a_new_revision(store):
    save(store, DISTRICT, Q1, payload=1)
    save(store, DISTRICT, Q1, payload=2)
    back = save(store, DISTRICT, Q1, payload=1)
    assert (back.outcome, back.version) == ("revised", 3)
    assert store.history(None)["sha256"].nunique() == 2  # the bytes are kept once


def test_overlapping_period_is_refused_and_nothing_is_written(store):
    save(store, DISTRICT, Q1)
    before = snapshot(store)
    refused = save(store, DISTRICT, Period(2017, 2, 4))
    expected = error("period.overlap",
                     "Kỳ báo cáo Tháng 2–4/2017 trùng một phần với kỳ Quý I/2017 đã nộp. "
                     "Hãy nộp đúng kỳ đó (để thay thế) hoặc chọn kỳ không trùng.",
                     file=f"bao-cao-{DISTRICT}-2017-02..2017-04.xlsx")
    assert refused == SaveResult("refused", findings=(expected,))
    assert snapshot(store) == before
    assert store.check_overlap("backan-2017", DISTRICT, Period(2017, 2, 4)) == dataclasses.replace(expected, file=None)


def test_overlap_check_names_every_overlapping_period(store):
    save(store, DISTRICT, Period(2017, 1, 1))
    save(store, DISTRICT, Period(2017, 3, 3))
    finding = store.check_overlap("backan-2017", DISTRICT, Q1)
    assert "các kỳ Tháng 1/2017, Tháng 3/2017" in finding.message


@pytest.mark.parametrize("unit_code, period", [
    (DISTRICT, Q2),                  # adjacent period
    (DISTRICT, Q1),                  # the same period: a revision, not an overlap
    ("062", Period(2017, 2, 4)),     # another unit
    (DISTRICT, Period(2018, 2, 4)),  # another year
])
def test_no_overlap(store, unit_code, period):
    save(store, DISTRICT, Q1)
    assert store.check_overlap("backan-2017", unit_code, period) is None
    assert not save(store, unit_code, period, payload=5).refused


def test_rollback_puts_an_earlier_version_back_in_force(store):
    v1 = save(store, DISTRICT, Q1, payload=1)
    v2 = save(store, DISTRICT, Q1, payload=2)
    result = store.rollback("backan-2017", DISTRICT, Q1, 1, user="staff")
    assert result == SaveResult("rolled_back", v1.submission_id, 1, v2.submission_id)
    assert statuses(store) == {1: "in_force", 2: "rolled_back"}
    assert set(store.values("backan-2017", 2017)["submission_id"]) == {v1.submission_id}
    entry = store.audit(limit=1).iloc[0]
    assert (entry["action"], entry["actor"], entry["unit_code"]) == ("rollback", "staff", DISTRICT)
    assert json.loads(entry["detail"])["rolled_back_version"] == 2

    # The next upload supersedes the restored version and numbers on from the latest.
    v3 = save(store, DISTRICT, Q1, payload=3)
    assert (v3.version, v3.superseded_id) == (3, v1.submission_id)
    assert statuses(store) == {1: "superseded", 2: "rolled_back", 3: "in_force"}


def test_rollback_refuses_a_missing_version_and_changes_nothing(store):
    save(store, DISTRICT, Q1)
    before = snapshot(store)
    refused = store.rollback("backan-2017", DISTRICT, Q1, 7, user="staff")
    assert refused.outcome == "refused"
    assert refused.findings == (error("rollback.no_such_version",
                                      "Không có lần nộp thứ 7 của báo cáo kỳ Quý I/2017 của đơn vị 061."),)
    assert store.rollback("backan-2017", DISTRICT, Q1, 1, user="staff").outcome == "unchanged"
    assert snapshot(store) == before


def test_values_and_communes_in_force_and_with_history(store):
    district = save(store, DISTRICT, Q1, payload=1)
    agency = save(store, AGENCY, Q1, payload=2)
    save(store, DISTRICT, Period(2018, 1, 3))  # another year
    values = store.values("backan-2017", 2017)
    assert list(values.columns) == ["submission_id", "unit_code", "place_code", "start_month",
                                    "end_month", "indicator_code", "value", "text", "note", "version",
                                    "status", "uploaded_by", "uploaded_at", "demo"]
    assert len(values) == 10 and not values["demo"].any()  # an unmarked database: real data
    by_key = values.set_index(["unit_code", "indicator_code"])
    assert by_key.loc[(DISTRICT, "1.2"), "value"] == 10.5
    assert by_key.loc[(DISTRICT, "1.2"), "note"] == "ghi chú"
    assert by_key.loc[(DISTRICT, "1.5"), "text"] == "Chuyên mục trên Đài PT-TH tỉnh"
    assert by_key["value"].isna().sum() == 4  # 1.3 (communes only) and 2.1, for both units
    assert pd.isna(by_key.loc[(AGENCY, "1.1"), "place_code"])  # agencies are provincial

    communes = store.communes("backan-2017", 2017)
    assert list(communes.columns) == ["submission_id", "unit_code", "place_code", "start_month",
                                      "end_month", "indicator_code", "commune_code"]
    rows = communes.fillna({"place_code": "-"}).itertuples(index=False, name=None)
    assert sorted(rows) == sorted([  # each commune once, though the report named 01840 twice
        (district.submission_id, DISTRICT, DISTRICT, 1, 3, "1.3", "01840"),
        (district.submission_id, DISTRICT, DISTRICT, 1, 3, "1.3", "01843"),
        (agency.submission_id, AGENCY, "-", 1, 3, "1.3", "01840"),
        (agency.submission_id, AGENCY, "-", 1, 3, "1.3", "01843"),
    ])
    assert store.in_force_periods("backan-2017", DISTRICT, 2017) == [Q1]
    assert store.values("backan-2017", 2016).empty and list(store.values("backan-2017",
                                                                         2016).columns) == list(values.columns)

    # A revision: the reads in force show version 2 only; with history both versions.
    revised = save(store, DISTRICT, Q1, payload=3)
    now = store.values("backan-2017", 2017)
    assert set(now.loc[now["unit_code"] == DISTRICT, "submission_id"]) == {revised.submission_id}
    everything = store.values("backan-2017", 2017, history=True)
    mine = everything[everything["unit_code"] == DISTRICT]
    assert sorted(set(zip(mine["version"], mine["status"]))) == [(1, "superseded"), (2, "in_force")]
    assert len(everything) == 15  # 5 values per version, the other year left out
    with_old = store.communes("backan-2017", 2017, history=True)
    assert set(with_old["submission_id"]) == {district.submission_id, agency.submission_id,
                                               revised.submission_id}


def test_submission_keeps_its_warnings_reporter_and_time(store):
    at = dt.datetime(2017, 4, 5, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    note = warning("value.large", "Giá trị lớn bất thường.", sheet="Báo cáo", cell="D12")
    save(store, DISTRICT, Q1, findings=[note], uploaded_at=at)
    row = store.history(None).iloc[0]
    assert json.loads(row["findings"]) == [note.as_dict()]
    assert row["uploaded_at"] == at  # same instant, in UTC
    assert str(row["uploaded_at"].tz) == "UTC"
    assert (row["reporter"], row["phone"]) == ("Nguyễn Thị Hoà", "0209 3870 123")
    assert row["report_date"] == dt.datetime(2017, 3, 28)


def test_programmer_errors_raise(store):
    with pytest.raises(ValueError):
        save(store, DISTRICT, Q1, findings=[error("x", "lỗi")])
    with pytest.raises(ValueError):
        save(store, DISTRICT, Q1, uploaded_at=dt.datetime(2017, 1, 1))
    with pytest.raises(KeyError):
        store.original_file(12345)
    assert store.history(None).empty


@pytest.mark.parametrize("change", [
    {"filename": "bao\x00cao.xlsx"}, {"user": "can\x1bbo"}, {"reporter": "Nguyễn\x00"},
    {"phone": "0209\r\n3870"}, {"note": "ghi\x0bchú"}, {"text": "Chuyên mục\x85"},
], ids=lambda change: next(iter(change)))
def test_text_with_a_control_character_is_never_stored(store, change):
    # The readers and the web form clean it first; a path that does not is refused, on SQLite
    # (which would store it) as on PostgreSQL (which refuses NUL with a DataError).
    field, text = next(iter(change.items()))
    report = sample_report(DISTRICT, Q1)
    if field in ("reporter", "phone"):
        report = dataclasses.replace(report, **change)
    elif field in ("note", "text"):
        report = dataclasses.replace(report, values=[
            dataclasses.replace(v, **{field: text}) if getattr(v, field) else v for v in report.values])
    kwargs = change if field in ("filename", "user") else {}
    with pytest.raises(ValueError, match=field):
        store.save_report(report, plan_id="backan-2017", place_code=DISTRICT, data=sample_bytes(DISTRICT, Q1),
                          **{"filename": "bc.xlsx", "user": "officer", **kwargs})
    assert store.history(None).empty and store.audit().empty


def test_the_audit_log_stores_control_characters_cleaned(store):
    store.record_audit("khach\x00\x1b", "login_failed", "061\x00", reason="a\x00b", names=["c\x9fd"])
    row = store.audit().iloc[0]
    assert (row["actor"], row["unit_code"]) == ("khach", "061")
    assert json.loads(row["detail"]) == {"reason": "ab", "names": ["cd"]}


def test_record_audit_and_limit(store):
    first = store.record_audit("admin", "login", role="staff")
    second = store.record_audit("khach", "login_failed", unit_code=None, reason="mật khẩu sai")
    assert second > first
    log = store.audit()
    assert list(log["action"]) == ["login_failed", "login"]
    assert json.loads(log["detail"].iloc[0]) == {"reason": "mật khẩu sai"}
    assert len(store.audit(limit=1)) == 1


@pytest.mark.parametrize("statement", [
    "UPDATE audit_log SET actor = 'someone else'",
    "DELETE FROM audit_log",
])
def test_audit_log_is_append_only(store, statement):
    store.record_audit("admin", "login")
    before = snapshot(store)
    with pytest.raises(sa.exc.DatabaseError, match="append-only"):
        with store.engine.begin() as conn:
            conn.execute(sa.text(statement))
    assert snapshot(store) == before


def test_audit_log_cannot_be_truncated_on_postgresql(store):
    if store.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no TRUNCATE (its DELETE trigger covers it)")
    store.record_audit("admin", "login")
    with pytest.raises(sa.exc.DatabaseError, match="append-only"):
        with store.engine.begin() as conn:
            conn.execute(sa.text("TRUNCATE audit_log"))
    assert len(store.audit()) == 1


# --- Schema and migrations -------------------------------------------------------------------------
def test_open_creates_the_data_dir_and_migrates_an_empty_database(tmp_path, database_url):
    data_dir = tmp_path / "new" / "data"
    store = Store.open(Settings.from_env({"MDPLAN_DATA_DIR": str(data_dir),
                                          "MDPLAN_DATABASE_URL": database_url}))
    try:
        assert data_dir.is_dir()
        assert store.revision() == head_revision() == "0004"
        assert set(TABLES) <= set(sa.inspect(store.engine).get_table_names())
        assert store.history(None).empty and store.audit().empty
    finally:
        store.dispose()


def test_default_database_is_sqlite_in_the_data_dir(tmp_path):
    settings = Settings.from_env({"MDPLAN_DATA_DIR": str(tmp_path / "var")})
    store = Store.open(settings)
    try:
        assert (tmp_path / "var" / "mdplan.sqlite3").is_file()
        with store.engine.connect() as conn:
            pragmas = {name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
                       for name in ("journal_mode", "busy_timeout", "foreign_keys")}
        assert pragmas == {"journal_mode": "wal", "busy_timeout": 30000, "foreign_keys": 1}
    finally:
        store.dispose()


def test_schema_matches_the_models(store):
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata)
    assert diff == []


# Upgrades and downgrades with data in the database: tests/test_migrations.py.


# --- Atomicity -------------------------------------------------------------------------------------
def test_a_failure_midway_leaves_the_store_exactly_as_it_was(store, monkeypatch):
    save(store, DISTRICT, Q1, payload=1)
    before = snapshot(store)
    reached = []

    def fail(conn, submission_id, *args):
        # By now the file, the superseding UPDATE, the submission and its audit entry are written.
        written = conn.execute(sa.select(sa.func.count()).select_from(store_module.submissions)).scalar()
        reached.append((submission_id, written))
        raise RuntimeError("disk full")

    monkeypatch.setattr(store_module, "_insert_values", fail)
    with pytest.raises(RuntimeError, match="disk full"):
        save(store, DISTRICT, Q1, payload=2)
    assert reached and reached[0][1] == 2
    assert snapshot(store) == before
    monkeypatch.undo()
    assert save(store, DISTRICT, Q1, payload=2).version == 2


def _worker(mode: str, url: str, unit_code: str, period: Period, payload: int) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.store_worker", mode, url, unit_code, str(period), str(payload)],
        cwd=REPO_ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_killing_a_writer_midway_leaves_the_store_as_it_was_and_writable(store):
    save(store, DISTRICT, Q1, payload=1)
    before = snapshot(store)
    worker = _worker("hang", store.url, DISTRICT, Q1, payload=2)
    try:
        line = worker.stdout.readline()  # the worker is inside its transaction once this arrives
        assert line.startswith("READY"), worker.stderr.read()
        assert snapshot(store) == before  # readers are not blocked, and see nothing uncommitted
    finally:
        worker.kill()
        worker.wait()
        for stream in (worker.stdin, worker.stdout, worker.stderr):
            stream.close()
    assert worker.returncode == -signal.SIGKILL
    assert snapshot(store) == before
    if store.engine.dialect.name == "sqlite":
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    revised = save(store, DISTRICT, Q1, payload=3)  # waits for the dead writer's lock, if any
    assert (revised.outcome, revised.version) == ("revised", 2)


# --- Concurrency -----------------------------------------------------------------------------------
def _in_threads(count: int, call) -> list:
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(i):
        barrier.wait()
        try:
            results[i] = call(i)
        except BaseException as exc:  # reported below, with the others
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    failures = [r for r in results if isinstance(r, BaseException)]
    assert not failures, failures
    return results


def test_concurrent_revisions_of_one_period_from_threads(store):
    results = _in_threads(8, lambda i: save(store, DISTRICT, Q1, payload=i))
    assert sorted(r.version for r in results) == list(range(1, 9))
    assert sorted(r.outcome for r in results) == ["revised"] * 7 + ["stored"]
    assert statuses(store) == {**{v: "superseded" for v in range(1, 8)}, 8: "in_force"}
    assert sorted(audit_actions(store)) == ["revision"] * 7 + ["upload"]
    # Each revision superseded exactly the one before it.
    assert sorted(r.superseded_id for r in results if r.superseded_id) == sorted(
        r.submission_id for r in results if r.version < 8)


def test_concurrent_uploads_of_different_units_from_threads(store):
    units = [f"06{i}" for i in range(8)]
    results = _in_threads(8, lambda i: save(store, units[i], Q1, payload=i))
    assert {r.outcome for r in results} == {"stored"}
    assert sorted(store.history(None)["unit_code"]) == units
    assert len(store.values("backan-2017", 2017)) == 8 * 5


def test_concurrent_overlapping_uploads_let_exactly_one_through(store):
    periods = [Period(2017, 1 + i % 4, 4 + i // 4) for i in range(8)]  # all share April
    results = _in_threads(8, lambda i: save(store, DISTRICT, periods[i], payload=i))
    assert sorted(r.outcome for r in results) == ["refused"] * 7 + ["stored"]
    assert len(store.history(None)) == 1


def test_concurrent_revisions_from_processes(store):
    workers = [_worker("save", store.url, DISTRICT, Q1, payload=i) for i in range(8)]
    try:
        for worker in workers:
            line = worker.stdout.readline()
            assert line.strip() == "READY", worker.stderr.read()
        for worker in workers:  # the start signal, to all at once
            worker.stdin.write("GO\n")
            worker.stdin.flush()
        outputs = [worker.communicate(timeout=300) for worker in workers]
    finally:
        for worker in workers:
            worker.kill()
            worker.wait()
    for worker, (_out, err) in zip(workers, outputs):
        assert worker.returncode == 0, err
        assert "database is locked" not in err
    results = [json.loads(out.splitlines()[-1]) for out, _err in outputs]
    assert sorted(r["version"] for r in results) == list(range(1, 9))
    assert statuses(store) == {**{v: "superseded" for v in range(1, 8)}, 8: "in_force"}
    assert sorted(store.history(None)["uploaded_by"]) == sorted(f"worker-{i}" for i in range(8))


# --- Against a model -------------------------------------------------------------------------------
_units = itertools.count()
months = st.tuples(st.integers(1, 4), st.integers(1, 4)).map(sorted)
operations = st.lists(st.one_of(
    st.tuples(st.just("upload"), months, st.integers(0, 2)),
    st.tuples(st.just("rollback"), months, st.integers(1, 3)),
), max_size=8)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=operations)
def test_store_agrees_with_a_simple_model(store, ops):
    unit = f"U{next(_units)}"  # a fresh unit per example, on the one store
    versions: dict[tuple, list[int]] = {}  # period -> payload of each version
    in_force: dict[tuple, int] = {}  # period -> version in force
    for kind, (start, end), arg in ops:
        period, key = Period(2017, start, end), (start, end)
        if kind == "upload":
            if any(other != key and other[0] <= end and start <= other[1] for other in in_force):
                expected = "refused"
            elif key in in_force and versions[key][in_force[key] - 1] == arg:
                expected = "unchanged"
            else:
                expected = "revised" if key in in_force else "stored"
                versions.setdefault(key, []).append(arg)
                in_force[key] = len(versions[key])
            result = save(store, unit, period, payload=arg)
        else:
            if arg > len(versions.get(key, [])):
                expected = "refused"
            elif in_force.get(key) == arg:
                expected = "unchanged"
            else:
                expected = "rolled_back"
                in_force[key] = arg
            result = store.rollback("backan-2017", unit, period, arg, user="staff")
        assert result.outcome == expected, (kind, key, arg)
        if expected != "refused":
            assert result.version == in_force[key]
    assert store.in_force_periods("backan-2017", unit, 2017) == [Period(2017, *key) for key in sorted(in_force)]
    history = store.history(None, unit)
    in_force_rows = history[history["status"] == "in_force"]
    assert sorted(zip(in_force_rows["start_month"], in_force_rows["end_month"], in_force_rows["version"])) == \
        sorted((*key, version) for key, version in in_force.items())
    assert len(history) == sum(len(v) for v in versions.values())


# --- issue 9: asof ---
VN = dt.timezone(dt.timedelta(hours=7))


def test_reads_known_on_a_day_take_the_version_in_force_then(store):
    """Upload, revision, rollback: a read as of an instant sees the version in force then, in
    values, places and history alike; later uploads and rollbacks do not count yet."""
    t1, t2, t3 = (dt.datetime(2017, 4, d, 9, tzinfo=VN) for d in (5, 12, 20))
    first = save(store, DISTRICT, Q1, payload=1, uploaded_at=t1)
    second = save(store, DISTRICT, Q1, payload=2, uploaded_at=t2)
    save(store, DISTRICT, Q2, payload=3, uploaded_at=t3)
    store.rollback("backan-2017", DISTRICT, Q1, 1, user="quantri", at=t3)

    def known(at):
        values = store.values("backan-2017", 2017, known_on=at)
        return sorted(set(zip(values["start_month"], values["submission_id"])))

    day = dt.timedelta(days=1)
    assert known(t1 - day) == [] and store.communes("backan-2017", 2017, known_on=t1 - day).empty
    assert known(t1) == [(1, first.submission_id)]
    assert known(t2 + day) == [(1, second.submission_id)]  # the revision, before the rollback
    assert store.communes("backan-2017", 2017, known_on=t2 + day)["submission_id"].unique().tolist() == [
        second.submission_id]
    assert known(t3)[0] == (1, first.submission_id)  # rolled back to version 1 that day
    assert len(known(t3)) == 2
    assert len(store.history("backan-2017", known_on=t2 + day)) == 2
    # Today's read is unchanged: the versions in force now.
    now = store.values("backan-2017", 2017)
    assert set(now["submission_id"]) == {s for _, s in known(t3 + day)}
