import json
import subprocess
import sys

from mdplan_core.cli import main


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "mdplan_core", *args],
                          capture_output=True, text=True, encoding="utf-8")


def test_help_lists_the_commands():
    out = run_cli("--help")
    assert out.returncode == 0
    for command in ("plan", "template", "check", "import", "history", "progress", "audit", "user", "demo",
                    "export", "summary"):
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
    out = run_cli("plan", "--plan-file", str(bad))
    assert out.returncode == 2
    assert "dòng" in out.stderr and "Traceback" not in out.stderr


def test_template_check_import_history_progress(tmp_path, monkeypatch):
    """The reporting loop from the command line, as a person would run it."""
    from tests.fill import fill_template

    env = {"MDPLAN_DATA_DIR": str(tmp_path / "var")}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
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
    assert [(h["unit_code"], h["version"], h["status"]) for h in history["history"]] == [
        ("ubnd_061", 1, "in_force")]
    table = json.loads(run_cli("progress", "--as-of", "2017-12-31", "--json").stdout)
    actual = {r["code"]: r["actual"] for r in next(iter(table.values()))}
    assert (actual["CT1.1"], actual["CT4.1"], actual["CT1.3"]) == (3, 2, 1)

    # The refused empty file was never imported, so the log holds the one upload only.
    audit = json.loads(run_cli("audit", "--json").stdout)["audit"]
    assert [(a["actor"], a["action"], a["unit_code"]) for a in audit] == [("canbo.babe", "upload", "ubnd_061")]
    assert json.loads(audit[0]["detail"])["filename"] == "filled.xlsx"
    out = run_cli("audit", "--action", "login", "--json")
    assert out.returncode == 0 and json.loads(out.stdout)["audit"] == []

    # The year-end summary: the Q1 report counts once its quarter has ended, not before.
    import openpyxl

    def summary_ct11(as_of):
        book = tmp_path / f"tong-hop-{as_of}.xlsx"
        out = run_cli("summary", "--as-of", as_of, "-o", str(book), "--user", "quantri")
        assert out.returncode == 0, out.stderr
        sheet = openpyxl.load_workbook(book)["Theo chỉ tiêu"]
        return next(r for r in sheet.iter_rows(values_only=True) if r[0] == "CT1.1")[5]

    assert (summary_ct11("2017-03-30"), summary_ct11("2017-03-31")) == (0, 3)


def test_template_for_an_unknown_unit_is_refused(tmp_path):
    out = run_cli("template", "--unit", "ubnd_999", "--period", "2017-01..2017-03", "-o", str(tmp_path / "x.xlsx"))
    assert out.returncode == 2 and "ubnd_999" in out.stderr
