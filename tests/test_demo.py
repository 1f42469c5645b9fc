"""The demo year: built by filling the real template and uploading it through the upload path."""
import datetime as dt
import json

import pytest

from mdplan_core import accounts, completeness, demo, progress
from mdplan_core.cli import main
from mdplan_core.demo import DemoError, load_demo, script
from mdplan_core.export import consolidated
from mdplan_core.intake import import_file
from mdplan_core.plan import load_plan
from mdplan_core.report import Period
from mdplan_core.store import DEMO, PRODUCTION
from mdplan_core.template import build_template
from tests.fill import fill_template

PLAN = load_plan()
DEC31 = dt.date(2017, 12, 31)


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


def test_demo_loads_through_the_upload_path(store):
    summary = load_demo(store, PLAN, demo_mode=True)
    uploads = script()
    assert summary.loaded and summary.files == len(uploads)
    assert (summary.stored, summary.revised) == (len(uploads) - 2, 2)
    assert summary.never_reported == ("ubnd_060",)
    assert summary.with_warnings >= 2

    # Every file went through intake: the audit log has an upload or revision for each, no refusal.
    audit = store.audit()
    actions = audit["action"].value_counts()
    assert (actions["upload"], actions["revision"], actions["demo_loaded"]) == (summary.stored, 2, 1)
    assert "upload_refused" not in actions
    history = store.history(None)
    assert len(history) == len(uploads)
    assert set(history["uploaded_by"]) == {u.user for u in uploads}
    assert history["uploaded_at"].dt.year.eq(2017).all()
    # Demo data, in a database marked demo.
    assert history["demo"].all() and store.kind() == DEMO
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

    # Provincial totals at the end of the year: mostly met, some clearly behind.
    table = progress.by_indicator(PLAN, store.values("backan-2017", 2017), communes, DEC31).set_index("code")
    assert set(table["status"]) == {"met", "behind", "qualitative"}
    assert set(table.index[table["status"] == "behind"]) == {"CT1.4", "CT2.1", "CT5.2"}
    assert (table.at["CT1.3", "actual"], table.at["CT3.1", "actual"]) == (10, 5)
    assert table.at["CT1.5", "actual"] > 0 and "Pháp luật và đời sống" in table.at["CT1.5", "text"]
    media = consolidated(PLAN, store, 2017)
    media = media[media["indicator_code"] == "CT1.5"].dropna(subset=["text"])
    assert {"dai_ptth", "bao_backan"} <= set(media["unit_code"])

    # A second start of the app changes nothing.
    again = load_demo(store, PLAN, if_empty=True, demo_mode=True)
    assert not again.loaded and again.existing == len(uploads)
    assert len(store.history(None)) == len(uploads) and len(store.audit()) == len(audit)
    with pytest.raises(DemoError):
        load_demo(store, PLAN, demo_mode=True)


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
