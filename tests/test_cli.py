import dataclasses
import datetime as dt
import json
import subprocess
import sys

import argon2
import openpyxl
import pytest
import sqlalchemy as sa

from mdplan_core import accounts
from mdplan_core.cli import main
from mdplan_core.plan import load_plan
from mdplan_core.report import Period
from mdplan_core.settings import Settings
from mdplan_core.store import Store, submissions
from mdplan_core.template import build_template
from tests.fill import fill_template

PLAN = load_plan()


def run_cli(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "mdplan_core", *args], input=stdin, check=False,
                          capture_output=True, text=True, encoding="utf-8")


def test_help_lists_the_commands():
    out = run_cli("--help")
    assert out.returncode == 0
    for command in ("plan", "template", "check", "import", "rollback", "history", "progress", "audit", "user",
                    "demo", "export", "summary"):
        assert command in out.stdout


def test_plan_json_is_machine_readable(capsys):
    assert main(["plan", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [r["code"] for r in data["indicators"]] == [
        "CT1.1", "CT1.2", "CT1.3", "CT1.4", "CT1.5", "CT2.1", "CT3.1", "CT3.2", "CT4.1", "CT5.1", "CT5.2"]
    assert data["tasks"][3]["start"].startswith("2017-06-01")
    assert len(data["communes"]) == 122
    assert {r["agency_id"]: r["1"] for r in data["responsibility"]}["sldtbxh"] == "lead"


def test_plan_prints_tables(capsys):
    assert main(["plan"]) == 0
    out = capsys.readouterr().out
    assert "== indicators (11) ==" in out and "Phạm Duy Hưng" in out


def test_broken_plan_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("plan_year: 2017\nagencies: [\n", encoding="utf-8")
    out = run_cli("plan", "check", str(bad))
    assert out.returncode == 2
    assert "dòng" in out.stderr and "Traceback" not in out.stderr


def test_plan_check_says_what_a_good_file_holds(capsys):
    assert main(["plan", "check", "data/plans/hanoi-2026.yaml"]) == 0
    assert "hanoi-2026 (07/KH-UBND · Hà Nội 2026)" in capsys.readouterr().out


def test_plan_list_and_plan_by_id(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MDPLAN_DATA_DIR", str(tmp_path))
    assert main(["plan", "--json", "list"]) == 0
    listed = {p["id"]: p for p in json.loads(capsys.readouterr().out)["plans"]}
    assert listed["hanoi-2026"]["reporting_level"] == "commune" and listed["hanoi-2026"]["units"] > 126
    assert listed["backan-2017"]["document"] == "1180/QĐ-UBND"
    assert main(["plan", "--json", "--plan", "hanoi-2026"]) == 0
    assert len(json.loads(capsys.readouterr().out)["places"]) == 126
    assert not any(tmp_path.iterdir())  # reading plans makes no database
    assert main(["plan", "--plan", "khong-co"]) == 2
    assert "backan-2017" in capsys.readouterr().err


def test_plan_add_needs_an_admin_and_is_audited(cli_store, tmp_path, capsys):
    text = open("data/plans/backan-2017.yaml", encoding="utf-8").read()
    path = tmp_path / "bk-2018.yaml"
    path.write_text(text.replace("id: backan-2017", "id: backan-2018").replace("period: 2017", "period: 2018")
                    .replace("2017-", "2018-"), encoding="utf-8")
    assert main(["plan", "add", str(path), "--user", "lanhdao"]) == 2
    assert main(["plan", "add", str(path), "--user", "quantri"]) == 0
    assert "Đã thêm kế hoạch backan-2018" in capsys.readouterr().out
    assert audit_since_setup(cli_store) == [("quantri", "plan_add")]
    assert main(["plan", "list"]) == 0 and "backan-2018" in capsys.readouterr().out


def _imported_on(at: dt.datetime) -> None:
    """Move every stored upload to `at`, as if the CLI had imported it then."""
    store = Store.open(Settings.from_env())
    with store.engine.begin() as conn:
        conn.execute(sa.update(submissions).values(uploaded_at=at))
    store.dispose()


def test_template_check_import_history_progress(tmp_path, monkeypatch):
    """The reporting loop from the command line, as a person would run it."""
    env = {"MDPLAN_DATA_DIR": str(tmp_path / "var")}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    for account in (["canbo.babe", "--role", "officer", "--unit", "ubnd_061"], ["lanhdao", "--role", "leader"]):
        out = run_cli("user", "add", *account, "--password-stdin", stdin="mật khẩu đủ dài\n")
        assert out.returncode == 0, out.stderr
    blank = tmp_path / "ba-be.xlsx"
    out = run_cli("template", "--unit", "ubnd_061", "--period", "2017-01..2017-03", "-o", str(blank))
    assert out.returncode == 0, out.stderr

    assert run_cli("check", str(blank)).returncode == 1  # an empty report cannot be imported
    filled = tmp_path / "filled.xlsx"
    filled.write_bytes(fill_template(blank.read_bytes(), {"CT1.1": 3, "CT4.1": "2 cuộc"},
                                     communes={"CT1.3": ["Chợ Rã"]}))
    out = run_cli("check", str(filled), "--json")
    assert out.returncode == 0
    findings = json.loads(out.stdout)[str(filled)]["findings"]
    assert [(f["code"], f["cell"]) for f in findings] == [("value.unit_suffix", "F28")]

    out = run_cli("import", str(filled), "--user", "canbo.babe", "--json")
    assert out.returncode == 0 and json.loads(out.stdout)[0]["outcome"] == "stored"
    history = json.loads(run_cli("history", "--json").stdout)
    assert [(h["plan_id"], h["unit_code"], h["version"], h["status"]) for h in history["history"]] == [
        ("backan-2017", "ubnd_061", 1, "in_force")]
    assert json.loads(run_cli("history", "--unit", "ubnd_061", "--json").stdout) == history
    assert json.loads(run_cli("history", "--plan", "hanoi-2026", "--json").stdout)["history"] == []
    # The review date is what was known that day: a report imported today was unknown in 2017.
    table = json.loads(run_cli("progress", "--as-of", "2017-12-31", "--json").stdout)
    assert {r["code"]: r["actual"] for r in next(iter(table.values()))}["CT1.1"] == 0
    _imported_on(dt.datetime(2017, 4, 5, 9, tzinfo=dt.UTC))  # as if it had come on 5/4/2017
    table = json.loads(run_cli("progress", "--as-of", "2017-12-31", "--json").stdout)
    actual = {r["code"]: r["actual"] for r in next(iter(table.values()))}
    assert (actual["CT1.1"], actual["CT4.1"], actual["CT1.3"]) == (3, 2, 1)
    out = run_cli("progress", "--as-of", "2018-02-01")
    assert out.returncode == 2 and "phải từ 01/01/2017 đến 31/01/2018" in out.stderr

    # The refused empty file was never imported, so the log holds the one upload only.
    audit = json.loads(run_cli("audit", "--json").stdout)["audit"]
    audit = [a for a in audit if a["action"] != "user_add"]
    assert [(a["actor"], a["action"], a["unit_code"]) for a in audit] == [("canbo.babe", "upload", "ubnd_061")]
    assert json.loads(audit[0]["detail"])["filename"] == "filled.xlsx"
    out = run_cli("audit", "--action", "login", "--json")
    assert out.returncode == 0 and json.loads(out.stdout)["audit"] == []

    # The year-end summary: the Q1 report counts once its quarter has ended and it has arrived (5/4).
    def summary_ct11(as_of):
        book = tmp_path / f"tong-hop-{as_of}.xlsx"
        out = run_cli("summary", "--as-of", as_of, "-o", str(book), "--user", "lanhdao")
        assert out.returncode == 0, out.stderr
        sheet = openpyxl.load_workbook(book)["Theo chỉ tiêu"]
        return next(r for r in sheet.iter_rows(values_only=True) if r[0] == "CT1.1")[5]

    assert (summary_ct11("2017-04-04"), summary_ct11("2017-04-05")) == (0, 3)


def test_template_for_an_unknown_unit_is_refused(tmp_path):
    out = run_cli("template", "--unit", "ubnd_999", "--period", "2017-01..2017-03", "-o", str(tmp_path / "x.xlsx"))
    assert out.returncode == 2 and "ubnd_999" in out.stderr


# --- Writes name a real, active account ------------------------------------------------------------
PASSWORD = "mật khẩu đủ dài"
Q1 = "2017-01..2017-03"


@pytest.fixture
def cli_store(store, monkeypatch, tmp_path):
    """The CLI pointed at a test store holding one account of each kind, plus a disabled officer."""
    cheap = dataclasses.asdict(argon2.profiles.CHEAPEST)
    cheap.pop("version")
    monkeypatch.setattr(accounts, "PASSWORD_HASHER", argon2.PasswordHasher(**cheap))
    monkeypatch.setenv("MDPLAN_DATA_DIR", str(tmp_path / "cli"))
    monkeypatch.setenv("MDPLAN_DATABASE_URL", store.url)
    for username, role, unit in (("quantri", "admin", None), ("lanhdao", "leader", None),
                                 ("canbo.babe", "officer", "ubnd_061"), ("canbo.cu", "officer", "ubnd_061")):
        accounts.add_user(store, username, PASSWORD, role, units=PLAN, unit_code=unit, actor="setup")
    accounts.disable_user(store, "canbo.cu", actor="setup")
    return store


def workbook(tmp_path, unit="ubnd_061", results=None) -> str:
    path = tmp_path / f"{unit}-{len(list(tmp_path.glob('*.xlsx')))}.xlsx"
    path.write_bytes(fill_template(build_template(PLAN, unit, Period.parse(Q1)),
                                   results or {"CT1.1": 2, "CT4.1": 1}, communes={}))
    return str(path)


def audit_since_setup(store) -> list[tuple[str, str]]:
    return [(a.actor, a.action) for a in store.audit().itertuples() if a.actor != "setup"]


@pytest.mark.parametrize("username, why", [
    ("ghost", "Không có tài khoản 'ghost'"),
    ("canbo.cu", "đã bị vô hiệu hóa"),
    ("lanhdao", "Vai trò Lãnh đạo không được phép nộp báo cáo"),
])
def test_import_is_refused_for_an_unknown_disabled_or_read_only_account(cli_store, tmp_path, capsys,
                                                                        username, why):
    assert main(["import", workbook(tmp_path), "--user", username]) == 2
    err = capsys.readouterr().err
    assert why in err and "Không có gì được lưu" in err
    assert cli_store.history(None).empty and audit_since_setup(cli_store) == []


def test_an_officer_imports_only_their_own_unit(cli_store, tmp_path, capsys):
    assert main(["import", workbook(tmp_path, unit="ubnd_058"), "--user", "canbo.babe"]) == 1
    assert "unit.not_allowed" in capsys.readouterr().out
    assert cli_store.history(None).empty
    assert audit_since_setup(cli_store) == [("canbo.babe", "upload_refused")]

    assert main(["import", workbook(tmp_path), "--user", "CanBo.BaBe", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["outcome"] == "stored"
    history = cli_store.history(None)
    assert list(zip(history["unit_code"], history["uploaded_by"])) == [("ubnd_061", "canbo.babe")]


def test_an_admin_imports_for_any_unit(cli_store, tmp_path):
    assert main(["import", workbook(tmp_path, unit="ubnd_058"), "--user", "quantri"]) == 0
    assert list(cli_store.history(None)["uploaded_by"]) == ["quantri"]


def test_import_of_a_missing_file_stores_nothing(cli_store, tmp_path, capsys):
    assert main(["import", workbook(tmp_path), str(tmp_path / "khong-co.xlsx"), "--user", "quantri"]) == 2
    assert "Không có tệp" in capsys.readouterr().err
    assert cli_store.history(None).empty


def test_rollback_is_for_admins_only(cli_store, tmp_path, capsys):
    for value in (2, 5):
        assert main(["import", workbook(tmp_path, results={"CT1.1": value}), "--user", "canbo.babe"]) == 0
    capsys.readouterr()
    rollback = ["rollback", "--unit", "ubnd_061", "--period", Q1, "--version", "1", "--user"]

    for username, why in (("canbo.babe", "không được phép khôi phục"), ("ghost", "Không có tài khoản"),
                          ("lanhdao", "không được phép khôi phục")):
        assert main([*rollback, username]) == 2
        assert why in capsys.readouterr().err
    assert list(cli_store.history(None)["status"]) == ["superseded", "in_force"]
    assert ("canbo.babe", "rollback") not in audit_since_setup(cli_store)

    assert main([*rollback, "quantri"]) == 0
    assert "Đã khôi phục lần nộp thứ 1" in capsys.readouterr().out
    assert list(cli_store.history(None)["status"]) == ["in_force", "rolled_back"]
    assert audit_since_setup(cli_store)[0] == ("quantri", "rollback")


@pytest.mark.parametrize("args, code, why", [
    (["--version", "9"], 1, "Không có lần nộp thứ 9"),
    (["--period", "2017-1..quý 2"], 2, "Kỳ báo cáo '2017-1..quý 2' không hợp lệ"),
    (["--unit", "ubnd_999"], 2, "Đơn vị 'ubnd_999' không có"),
])
def test_rollback_explains_a_bad_request(cli_store, capsys, args, code, why):
    request = {"--unit": "ubnd_061", "--period": Q1, "--version": "1"}
    request.update(dict(zip(args[::2], args[1::2])))
    assert main(["rollback", "--user", "quantri", *(x for pair in request.items() for x in pair)]) == code
    out = capsys.readouterr()
    assert why in out.out + out.err
    assert audit_since_setup(cli_store) == []


@pytest.mark.parametrize("command", ["export", "summary"])
def test_an_export_names_a_real_account_or_the_os_user(cli_store, tmp_path, capsys, command):
    output = tmp_path / "out.xlsx"
    assert main([command, "-o", str(output), "--user", "ghost"]) == 2
    assert "Không có tài khoản 'ghost'" in capsys.readouterr().err and not output.exists()
    assert main([command, "-o", str(output), "--user", "canbo.cu"]) == 2
    assert not output.exists()
    assert main([command, "-o", str(output), "--user", "LanhDao"]) == 0
    sheet = openpyxl.load_workbook(output)["Bộ lọc" if command == "export" else "Thông tin"]
    assert ("Người xuất", "lanhdao") in {row[:2] for row in sheet.iter_rows(values_only=True)}


def test_user_commands_act_as_the_os_user_and_say_so():
    out = run_cli("user", "--help")
    assert out.returncode == 0 and "cli:<os user>" in out.stdout
