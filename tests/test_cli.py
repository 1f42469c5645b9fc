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
    assert "plan" in out.stdout


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
