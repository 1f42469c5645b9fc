"""Demo or real: the census of a database, the refusals, the CLI's writes and the dashboard,
on SQLite and (with MDPLAN_TEST_DATABASE_URL) PostgreSQL: see conftest.py."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from mdplan_core import accounts, installation
from mdplan_core.cli import main
from mdplan_core.installation import WrongDatabase
from mdplan_core.plan import load_plan
from mdplan_core.plans import catalogue
from mdplan_core.report import Period
from mdplan_core.settings import Settings
from mdplan_core.store import DEMO, PRODUCTION
from mdplan_core.template import build_template
from tests.fill import fill_template
from tests.store_worker import save

APP = str(Path(__file__).resolve().parent.parent / "dashboard.py")
PLAN = load_plan()
# Every unit of the demo plans: the demo accounts include officers of Bắc Kạn and of Hà Nội.
DEMO_UNITS = {u.code for plan in catalogue() for u in plan.units}
PASSWORD = "mật khẩu đủ dài"


def demo_database(store, tmp_path):
    """What demo mode leaves: demo accounts, and a report uploaded in the demo."""
    accounts.ensure_demo_accounts(store, PLAN, Settings.from_env({"MDPLAN_DATA_DIR": str(tmp_path),
                                                                   "MDPLAN_DEMO": "1"}))
    save(store, "061", Period(2017, 1, 3))
    return store


def real_database(store):
    """What a real office's database holds: its own admin, and a report."""
    accounts.add_user(store, "nguyen.van.a", PASSWORD, "admin", units=PLAN, actor="cli:root")
    save(store, "061", Period(2017, 1, 3))
    return store


# --- The census and the refusals ----------------------------------------------------------------
def test_an_empty_database_is_neither(store):
    found = installation.census(store)
    assert not found.is_demo and not found.is_real
    assert installation.refusal(store, demo=False) is None and installation.refusal(store, demo=True) is None


def test_a_real_install_refuses_a_demo_database_and_says_how_to_start_clean(store, tmp_path):
    demo_database(store, tmp_path)
    assert store.kind() == DEMO and store.history(None)["demo"].all()
    assert installation.is_demo(store)
    message = installation.refusal(store, demo=False)
    assert message.startswith("Bản cài đặt thật (MDPLAN_DEMO=0) không dùng cơ sở dữ liệu")
    assert "được đánh dấu là cơ sở dữ liệu minh họa" in message and "1 lần nộp báo cáo mẫu" in message
    assert "tài khoản mẫu canbo.babe, lanhdao, quantri" in message
    assert "MDPLAN_DATABASE_URL" in message
    if store.engine.dialect.name == "sqlite":
        assert f"xóa tệp `{store.engine.url.database}`" in message
    else:
        assert "***" in message and ":mdplan@" not in message  # never the password
    with pytest.raises(WrongDatabase):
        installation.claim(store, demo=False)
    # Demo mode serves it, also after the demo's admin made an account of its own.
    accounts.add_user(store, "thu.nghiem", PASSWORD, "leader", units=PLAN, actor="quantri")
    assert installation.refusal(store, demo=True) is None


def test_demo_accounts_alone_make_a_database_demo(store, tmp_path):
    """A database where demo mode only created the accounts, before anything was marked."""
    for username, password, role, unit in accounts.DEMO_ACCOUNTS:
        accounts.add_user(store, username, password, role, units=DEMO_UNITS, unit_code=unit,
                          actor=accounts.DEMO_ACTOR)
    assert store.kind() is None
    assert ("tài khoản mẫu canbo.babe, canbo.badinh, canbo.congan.hn, lanhdao, quantri"
            in installation.refusal(store, demo=False))


def test_demo_mode_refuses_a_real_database(store):
    real_database(store)
    assert not installation.is_demo(store)
    assert installation.refusal(store, demo=False) is None
    message = installation.refusal(store, demo=True)
    assert "vì đó là dữ liệu thật: 1 lần nộp báo cáo thật; 1 tài khoản không phải tài khoản mẫu" in message
    assert "var/demo.sqlite3" in message
    with pytest.raises(WrongDatabase):
        installation.claim(store, demo=True)
    assert store.kind() is None


def test_a_real_admin_named_quantri_is_not_a_demo_account(store):
    accounts.add_user(store, "quantri", PASSWORD, "admin", units=PLAN, actor="cli:root")
    assert installation.census(store).demo_accounts == ()
    assert installation.refusal(store, demo=False) is None


def test_demo_data_mixed_with_real_data_is_served_by_neither(store, tmp_path):
    real_database(store)
    for username, password, role, unit in accounts.DEMO_ACCOUNTS:
        accounts.add_user(store, username, password, role, units=DEMO_UNITS, unit_code=unit,
                          actor=accounts.DEMO_ACTOR)
    assert installation.refusal(store, demo=False) and installation.refusal(store, demo=True)


def test_claim_marks_an_empty_database_once_and_for_good(store):
    installation.claim(store, demo=False)
    assert store.kind() == PRODUCTION
    installation.claim(store, demo=False)
    with pytest.raises(WrongDatabase, match="được đánh dấu là cơ sở dữ liệu thật"):
        installation.claim(store, demo=True)
    with pytest.raises(ValueError, match="không thể đánh dấu lại"):
        store.mark(DEMO)
    assert store.kind() == PRODUCTION


# --- The command line ---------------------------------------------------------------------------
@pytest.fixture
def cli_env(store, monkeypatch, tmp_path):
    monkeypatch.setenv("MDPLAN_DATA_DIR", str(tmp_path / "cli"))
    monkeypatch.setenv("MDPLAN_DATABASE_URL", store.url)
    monkeypatch.setenv("MDPLAN_DEMO", "0")
    return store


def test_cli_writes_of_a_real_install_refuse_a_demo_database(cli_env, tmp_path, capsys, monkeypatch):
    store = demo_database(cli_env, tmp_path)
    before = (store.history(None), store.audit(), accounts.list_users(store))
    path = tmp_path / "q2.xlsx"
    path.write_bytes(fill_template(build_template(PLAN, "ubnd_062", Period(2017, 4, 6)), results={"CT1.1": 1}))
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    for args in (["import", str(path), "--user", "quantri"],
                 ["user", "add", "nguyen.van.a", "--role", "admin", "--password-stdin"],
                 ["user", "disable", "lanhdao"]):
        assert main(args) == 2
        err = capsys.readouterr().err
        assert "không dùng cơ sở dữ liệu" in err and "Traceback" not in err
    after = (store.history(None), store.audit(), accounts.list_users(store))
    assert all(a.equals(b) for a, b in zip(before, after))
    # Reading is not writing: the history can still be looked at.
    assert main(["history"]) == 0


def test_the_first_cli_write_of_a_real_install_marks_the_database(cli_env, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["user", "add", "nguyen.van.a", "--role", "admin", "--password-stdin"]) == 0
    assert cli_env.kind() == PRODUCTION
    monkeypatch.setenv("MDPLAN_DEMO", "1")
    assert main(["user", "disable", "nguyen.van.a"]) == 2
    assert "Chế độ minh họa không ghi" in capsys.readouterr().err
    assert accounts.get_user(cli_env, "nguyen.van.a").active


# --- The dashboard ------------------------------------------------------------------------------
def dashboard(store, monkeypatch, tmp_path, demo: str) -> AppTest:
    monkeypatch.setenv("MDPLAN_DATA_DIR", str(tmp_path / "app"))
    monkeypatch.setenv("MDPLAN_DATABASE_URL", store.url)
    monkeypatch.setenv("MDPLAN_DEMO", demo)
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception, at.exception
    return at


def test_a_real_install_shows_only_a_message_over_a_demo_database(store, monkeypatch, tmp_path):
    demo_database(store, tmp_path)
    at = dashboard(store, monkeypatch, tmp_path, demo="0")
    assert [t.value for t in at.title] == ["mdplan không thể mở cơ sở dữ liệu này"]
    assert len(at.error) == 1 and at.error[0].value == installation.refusal(store, demo=False)
    assert "Để bắt đầu với một cơ sở dữ liệu sạch" in at.error[0].value
    assert not at.text_input and not at.button and not at.table and not at.warning  # no login form


def test_a_real_install_serves_its_own_database(store, monkeypatch, tmp_path):
    real_database(store)
    at = dashboard(store, monkeypatch, tmp_path, demo="0")
    assert at.title[0].value == "Đăng nhập mdplan" and len(at.text_input) == 2 and not at.error


def test_demo_mode_shows_only_a_message_over_a_real_database(store, monkeypatch, tmp_path):
    real_database(store)
    at = dashboard(store, monkeypatch, tmp_path, demo="1")
    assert "Chế độ minh họa không ghi" in at.error[0].value and not at.text_input
    assert list(accounts.list_users(store)["username"]) == ["nguyen.van.a"]  # no demo account added
