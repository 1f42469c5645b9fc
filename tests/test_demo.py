"""The demo year: built by filling the real template and uploading it through the upload path."""
import datetime as dt
import json

import pytest

from mdplan_core import accounts, completeness, demo, progress
from mdplan_core.cli import main
from mdplan_core.demo import DemoError, hanoi_script, load_demo, script, uploads_until
from mdplan_core.export import consolidated
from mdplan_core.intake import import_file
from mdplan_core.plan import load_plan
from mdplan_core.plans import catalogue
from mdplan_core.report import Period
from mdplan_core.store import DEMO, PRODUCTION
from mdplan_core.template import build_template
from tests.fill import fill_template

PLAN = load_plan()
PLANS = catalogue()
HANOI = PLANS.get("hanoi-2026")
DEC31, JAN31 = dt.date(2017, 12, 31), dt.date(2018, 1, 31)
TODAY = dt.date(2026, 12, 3)  # the day the demo is loaded


def test_the_script_is_deterministic_and_covers_the_story():
    uploads = script()
    assert uploads == script()
    assert [u.at for u in uploads] == sorted(u.at for u in uploads)
    assert all(u.at.year == 2017 and u.at.utcoffset() == dt.timedelta(hours=7) for u in uploads)
    units = {u.unit for u in uploads}
    assert {u.code for u in PLAN.units} - units == {demo.NEVER_REPORTS}
    assert units >= {"sldtbxh", "ca_tinh", "stttt", "sgddt", "syt", "dai_ptth", "bao_backan",
                     "hlhpn", "tinh_doan"}
    periods = [(u.unit, u.period) for u in uploads]
    revised = {p for p in periods if periods.count(p) > 1}
    assert ("ubnd_061", Period(2017, 4, 6)) in revised
    monthly = {u.unit for u in uploads if u.period.start_month == u.period.end_month}
    assert monthly == {"ubnd_058", "ubnd_066"}
    assert len(uploads) == len({u.filename for u in uploads})


def test_the_hanoi_story_is_deterministic_and_stops_at_the_load_day():
    uploads = hanoi_script()
    assert uploads == hanoi_script()
    assert [u.at for u in uploads] == sorted(u.at for u in uploads)
    assert all(u.at.year == 2026 and u.at.utcoffset() == dt.timedelta(hours=7) for u in uploads)
    units = {u.unit for u in uploads}
    assert units <= {u.code for u in HANOI.units}
    assert {"syt", "ca_tp", "sgddt", "tand"} <= units  # every department of the plan
    communes = {u for u in units if u.startswith("ubnd_")}
    assert 10 <= len(communes) < len(HANOI.communes)  # a realistic set, not all 126
    periods = [(u.unit, u.period) for u in uploads]
    assert {p for p in periods if periods.count(p) > 1} == {("ubnd_00070", Period(2026, 4, 6))}
    assert len(uploads) == len({u.filename for u in uploads})
    # Only what has arrived by the load day: no upload after it, no period that starts after it.
    for today, last_quarter in ((dt.date(2026, 8, 1), 2), (TODAY, 3)):
        sent = uploads_until("hanoi-2026", today)
        assert sent == [u for u in uploads if u.at.date() <= today]
        assert all(dt.date(2026, u.period.start_month, 1) <= today for u in sent)
        quarters = {u.period.end_month // 3 for u in sent if u.period.end_month - u.period.start_month == 2}
        assert quarters == set(range(1, last_quarter + 1))


def test_demo_loads_both_plans_through_the_upload_path(store):
    summary = load_demo(store, PLANS, today=TODAY, demo_mode=True)
    assert summary.loaded and [p.plan_id for p in summary.plans] == ["backan-2017", "hanoi-2026"]
    backan, hanoi = summary.of("backan-2017"), summary.of("hanoi-2026")
    uploads, hanoi_uploads = script(), uploads_until("hanoi-2026", TODAY)
    assert backan.files == len(uploads) and hanoi.files == len(hanoi_uploads)
    assert (backan.stored, backan.revised) == (len(uploads) - 2, 2)
    assert (hanoi.stored, hanoi.revised) == (len(hanoi_uploads) - 1, 1)
    assert backan.never_reported == ("ubnd_060",)
    assert backan.with_warnings >= 2 and hanoi.with_warnings >= 1
    assert (backan.as_of, hanoi.as_of) == (JAN31, TODAY)  # the app's default review dates

    # Every file went through intake: the audit log has an upload or revision for each, no refusal,
    # each under its plan; one entry says what the demo loaded per plan.
    audit = store.audit()
    actions = audit["action"].value_counts()
    assert (actions["upload"], actions["revision"], actions["demo_loaded"]) == (backan.stored + hanoi.stored, 3, 1)
    assert "upload_refused" not in actions
    uploaded = audit[audit["action"].isin(["upload", "revision"])]
    assert uploaded["plan_id"].value_counts().to_dict() == {"backan-2017": len(uploads),
                                                            "hanoi-2026": len(hanoi_uploads)}
    [loaded] = audit.loc[audit["action"] == "demo_loaded", "detail"].map(json.loads)
    assert (loaded["today"], loaded["stored"]) == ("2026-12-03", backan.stored + hanoi.stored)
    assert loaded["plans"]["backan-2017"] == {"files": len(uploads), "stored": backan.stored, "revised": 2,
                                              "as_of": "2018-01-31"}
    assert loaded["plans"]["hanoi-2026"]["files"] == len(hanoi_uploads)
    assert len(store.history(None)) == len(uploads) + len(hanoi_uploads)
    assert store.kind() == DEMO and store.history(None)["demo"].all()
    _check_backan(store, uploads, backan)
    _check_hanoi(store, hanoi_uploads, hanoi)

    # A second start of the app changes nothing.
    again = load_demo(store, PLANS, today=TODAY, if_empty=True, demo_mode=True)
    assert not again.loaded and again.existing == len(uploads) + len(hanoi_uploads)
    assert len(store.history(None)) == again.existing and len(store.audit()) == len(audit)
    with pytest.raises(DemoError):
        load_demo(store, PLAN, demo_mode=True)


def _check_backan(store, uploads, summary):
    history = store.history("backan-2017")
    assert len(history) == len(uploads)
    assert set(history["uploaded_by"]) == {u.user for u in uploads}
    assert history["uploaded_at"].dt.year.eq(2017).all() and history["year"].eq(2017).all()
    superseded = history[history["status"] == "superseded"]
    assert set(superseded["unit_code"]) == {"ubnd_061", "ca_tinh"}
    # Warnings raised by the officers' habits are kept with their uploads.
    codes = {f["code"] for text in history["findings"] for f in json.loads(text)}
    assert {"value.unit_suffix", "commune.duplicate"} <= codes

    # Completeness: exactly one unit never reported; some reports arrived late.
    status = completeness.report_status(PLAN, history, DEC31)
    nothing = status.groupby("unit_code")["status"].agg(lambda s: set(s) == {completeness.MISSING})
    assert list(nothing[nothing].index) == ["ubnd_060"]
    late = status[status["status"] == completeness.LATE]
    assert {"ubnd_062", "ubnd_066", "stttt"} <= set(late["unit_code"])
    assert summary.late == len(late) and summary.on_time + summary.late + summary.missing == len(status)

    # Communes come from the reference list, whatever the spelling typed.
    communes = store.communes("backan-2017", 2017)
    assert set(communes["commune_code"]) <= set(PLAN.communes["code"])
    assert "01891" in set(communes["commune_code"])  # "xa Banh Trach" is xã Bành Trạch
    ct13 = communes[communes["indicator_code"] == "CT1.3"]
    assert len(ct13) > ct13["commune_code"].nunique() == 10  # named again in a later period

    # Provincial totals at the end of the year: mostly met, some clearly behind; nothing of the
    # Hà Nội reports (which also have CT1.3, CT3.1, and departments syt, sgddt, tand) counts here.
    values = store.values("backan-2017", 2017)
    assert values["uploaded_at"].dt.year.eq(2017).all()
    table = progress.by_indicator(PLAN, values, communes, DEC31).set_index("code")
    assert set(table["status"]) == {"met", "behind", "qualitative"}
    assert set(table.index[table["status"] == "behind"]) == {"CT1.4", "CT2.1", "CT5.2"}
    assert (table.at["CT1.3", "actual"], table.at["CT3.1", "actual"]) == (10, 5)
    assert table.at["CT1.5", "actual"] > 0 and "Pháp luật và đời sống" in table.at["CT1.5", "text"]
    media = consolidated(PLAN, store, 2017)
    media = media[media["indicator_code"] == "CT1.5"].dropna(subset=["text"])
    assert {"dai_ptth", "bao_backan"} <= set(media["unit_code"])
    assert store.values("backan-2017", 2026).empty


def _check_hanoi(store, uploads, summary):
    # The Hà Nội numbers come from the files uploaded: each is kept as sent.
    history = store.history("hanoi-2026")
    assert sorted(history["filename"]) == sorted(u.filename for u in uploads)
    assert set(history["uploaded_by"]) == {u.user for u in uploads}
    first = history.iloc[0]
    assert store.original_file(int(first["submission_id"]))[0] == first["filename"]
    # Nothing after the load day: no upload, no period that starts after it.
    arrived = history["uploaded_at"].dt.tz_convert("Asia/Ho_Chi_Minh").dt.date
    assert arrived.max() <= TODAY and history["year"].eq(2026).all()
    assert history["start_month"].max() <= TODAY.month
    assert store.values("hanoi-2026", 2017).empty

    # Reporting status at the load day: Q1–Q3 are due (Q4 is due 15/12); some late, some missing.
    status = completeness.report_status(HANOI, history, TODAY)
    assert set(status["period"]) == {"Quý I/2026", "Quý II/2026", "Quý III/2026"}
    assert summary.on_time + summary.late + summary.missing == len(status)
    by_unit = status.set_index(["unit_code", "period"])["status"]
    assert by_unit["ubnd_00376", "Quý I/2026"] == completeness.LATE
    assert by_unit["ca_tp", "Quý II/2026"] == completeness.LATE
    assert by_unit["ubnd_09022", "Quý II/2026"] == completeness.MISSING  # reported Q1 only
    assert by_unit["ubnd_00004", "Quý III/2026"] == completeness.ON_TIME
    reporting = {u.unit for u in uploads}
    assert summary.units_reporting == len(reporting)
    assert len(summary.never_reported) == len(HANOI.units) - len(reporting)

    # City totals at the load day, against the plan's targets.
    values = store.values("hanoi-2026", 2026)
    assert set(values["unit_code"]) == reporting and values["uploaded_at"].dt.year.eq(2026).all()
    table = progress.by_indicator(HANOI, values, store.communes("hanoi-2026", 2026), TODAY).set_index("code")
    in_force = values.groupby("indicator_code")["value"].sum()
    for code in ("CT1.4", "CT1.5", "CT1.6", "CT1.7", "CT2.1", "CT4.2", "CT4.3"):
        assert table.at[code, "actual"] == in_force[code]
        assert 0.5 * table.at[code, "target"] < table.at[code, "actual"] < 1.05 * table.at[code, "target"]
    assert (table.at["CT4.2", "actual"], table.at["CT4.3", "actual"]) == (82, 70)
    # Share of the city's 126 communes and wards that reported doing it.
    reached = values[(values["indicator_code"] == "CT1.1") & (values["value"] > 0)]["unit_code"].nunique()
    assert table.at["CT1.1", "actual"] == pytest.approx(100 * reached / 126) and reached >= 10
    assert table.at["CT4.1", "actual"] == 100 and table.at["CT4.1", "status"] == "met"
    assert table.at["CT1.2", "status"] == "qualitative" and "kênh Hà Nội 1" in table.at["CT1.2", "text"]
    assert {"met", "behind"} <= set(table["status"])


def test_demo_needs_a_plan_it_has_a_story_for(store):
    with pytest.raises(DemoError, match="Chỉ có dữ liệu mẫu cho các kế hoạch: backan-2017, hanoi-2026"):
        load_demo(store, [], demo_mode=True)
    assert store.history(None).empty and store.kind() is None


def test_demo_loads_only_in_demo_mode(store):
    with pytest.raises(DemoError, match="MDPLAN_DEMO=1"):
        load_demo(store, PLAN)
    with pytest.raises(DemoError, match="MDPLAN_DEMO=1"):
        load_demo(store, PLAN, if_empty=True)
    assert store.history(None).empty and store.kind() is None and store.audit().empty


def test_demo_refuses_a_database_with_real_accounts_or_marked_production(store):
    accounts.add_user(store, "nguyen.van.a", "mật khẩu đủ dài", "admin", units=PLAN, actor="cli:root")
    for if_empty in (False, True):
        with pytest.raises(DemoError, match="1 tài khoản không phải tài khoản mẫu"):
            load_demo(store, PLAN, if_empty=if_empty, demo_mode=True)
    assert store.history(None).empty and store.kind() is None


def test_demo_refuses_an_empty_database_marked_production(store):
    store.mark(PRODUCTION)
    with pytest.raises(DemoError, match="được đánh dấu là cơ sở dữ liệu thật"):
        load_demo(store, PLAN, demo_mode=True)
    assert store.history(None).empty and store.kind() == PRODUCTION


@pytest.fixture
def cli_store(store, monkeypatch, tmp_path):
    monkeypatch.setenv("MDPLAN_DATA_DIR", str(tmp_path / "cli"))
    monkeypatch.setenv("MDPLAN_DATABASE_URL", store.url)
    monkeypatch.setenv("MDPLAN_DEMO", "1")
    return store


def test_cli_demo_refuses_a_database_with_real_reports(cli_store, capsys):
    data = fill_template(build_template(PLAN, "ubnd_061", Period(2017, 1, 3)), results={"CT1.1": 1})
    assert import_file(data, "q1.xlsx", user="canbo.babe", plan=PLAN, store=cli_store).outcome == "stored"
    before = cli_store.audit()
    for args in (["demo", "--if-empty"], ["demo"]):
        assert main(args) == 1
        err = capsys.readouterr().err
        assert "Chế độ minh họa không ghi dữ liệu mẫu" in err and "1 lần nộp báo cáo thật" in err
        assert "var/demo.sqlite3" in err
    assert len(cli_store.history(None)) == 1 and not cli_store.history(None)["demo"].any()
    assert cli_store.kind() is None and cli_store.audit().equals(before)


def test_cli_demo_refuses_without_demo_mode(cli_store, capsys, monkeypatch):
    monkeypatch.setenv("MDPLAN_DEMO", "0")
    assert main(["demo", "--if-empty"]) == 1
    assert "Chỉ nạp dữ liệu mẫu khi bật chế độ minh họa (MDPLAN_DEMO=1)" in capsys.readouterr().err
    assert cli_store.history(None).empty and cli_store.kind() is None


def test_cli_demo_if_empty_leaves_a_demo_store_with_reports_alone(cli_store, capsys):
    cli_store.mark(DEMO)
    data = fill_template(build_template(PLAN, "ubnd_061", Period(2017, 1, 3)), results={"CT1.1": 1})
    assert import_file(data, "q1.xlsx", user="canbo.babe", plan=PLAN, store=cli_store).outcome == "stored"
    assert cli_store.history(None)["demo"].all()  # an upload into a demo database is demo data
    assert main(["demo", "--if-empty"]) == 0
    assert "không nạp dữ liệu mẫu" in capsys.readouterr().out
    assert main(["demo"]) == 1
    assert "chỉ nạp vào cơ sở dữ liệu trống" in capsys.readouterr().err
    assert len(cli_store.history(None)) == 1
