"""Plans side by side: the catalogue of plan files and plans added in the app, and a third plan for
another province and year that takes a plan file and no code change."""
from __future__ import annotations

import datetime as dt

import pytest

from mdplan_core import intake, plans, progress
from mdplan_core.planfile import PlanFileError
from mdplan_core.plans import Catalogue, add_plan, catalogue
from mdplan_core.report import Period
from mdplan_core.settings import PLANS_DIR
from mdplan_core.template import build_template
from tests.fill import fill_template

# A small plan of Tuyên Quang (code 08 on today's map) for 2027, reporting by commune.
THIRD = """\
id: tuyenquang-2027
period: 2027
province: "Tuyên Quang"
province_code: "08"
reporting_level: commune
title: "Kế hoạch thử nghiệm của tỉnh Tuyên Quang năm 2027"
decision:
  number: "01/KH-TEST"
  date: 2026-12-01
  issuer: "Ủy ban nhân dân tỉnh (kế hoạch viết cho kiểm thử)"
  title: "KẾ HOẠCH THỬ NGHIỆM"
  signer: {name: "Người ký thử", position: "Chủ tịch"}
purpose: "Kiểm thử một kế hoạch thứ ba."
agencies:
  - {id: cat, name: "Công an tỉnh", short_name: "Công an tỉnh", kind: police}
  - {id: ubnd_xa, name: "UBND các xã, phường", short_name: "UBND xã, phường", kind: commune_committees}
tasks:
  - number: 1
    title: "Tuyên truyền"
    lead: cat
    cooperating: [ubnd_xa]
    schedule: {as_written: "Cả năm 2027", start: 2027-01-01, end: 2027-12-31}
indicators:
  - {code: "1.1", task: 1, name: "Buổi tuyên truyền", unit: "buổi", target: 40, aggregation: sum,
     text: "Tổ chức 40 buổi tuyên truyền"}
funding:
  text: "Ngân sách tỉnh"
  sources: [{id: ns, text: "Ngân sách tỉnh"}]
duties:
  - {clause: "1", title_vi: "Công an tỉnh", agencies: [cat], summary_en: "Police lead"}
reporting:
  deadline: {month: 12, day: 10}
  via: cat
  to: cat
  standing_agency: cat
reporting_units:
  places: all
  agencies: [cat]
"""


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "backan-2017.yaml").write_bytes((PLANS_DIR / "backan-2017.yaml").read_bytes())
    (tmp_path / "tuyenquang-2027.yaml").write_text(THIRD, encoding="utf-8")
    return tmp_path


def test_the_shipped_plans_side_by_side():
    known = catalogue()
    assert {"backan-2017", "hanoi-2026"} <= set(known.plans)
    hanoi, backan = known.get("hanoi-2026"), known.get("backan-2017")
    assert (hanoi.reporting_level, hanoi.province_code, len(hanoi.places)) == ("commune", "01", 126)
    assert (backan.reporting_level, len(backan.places)) == ("district", 8)
    assert known.default(dt.date(2026, 12, 3)).id == "hanoi-2026"
    assert known.default(dt.date(2017, 5, 1)).id == "backan-2017"  # none runs in 2017 but it


def test_a_third_plan_takes_a_file_and_no_code_change(folder, store):
    known = catalogue(folder=folder)
    plan = known.get("tuyenquang-2027")
    assert plan.reporting_level == "commune" and len(plan.places) > 100
    commune = plan.units[0]
    assert commune.code.startswith("ubnd_") and commune.name.startswith("UBND ")
    q1 = Period(2027, 1, 3)
    data = fill_template(build_template(plan, commune.code, q1), results={"1.1": 3})
    out = intake.import_file(data, "q1.xlsx", user="quantri", plan=plan, store=store)
    assert out.outcome == "stored", out.findings
    # It counts under its own plan only.
    values, communes = store.values(plan.id, 2027), store.communes(plan.id, 2027)
    table = progress.by_indicator(plan, values, communes, dt.date(2027, 12, 31)).set_index("code")
    assert table.at["1.1", "actual"] == 3
    assert store.values("backan-2017", 2027).empty and store.history("backan-2017").empty


def test_reports_of_one_plan_never_change_another(store):
    known = catalogue()
    backan = known.get("backan-2017")
    q1 = Period(2017, 1, 3)
    data = fill_template(build_template(backan, "ubnd_061", q1), results={"CT1.1": 2})
    assert intake.import_file(data, "bb.xlsx", user="quantri", plan=backan, store=store).outcome == "stored"
    other = catalogue().get("hanoi-2026")
    assert store.history(other.id).empty and store.values(other.id, 2017).empty
    assert store.audit(plan_id=other.id).empty and len(store.audit(plan_id=backan.id)) == 1


def test_duplicate_plan_ids_are_refused(folder):
    (folder / "copy.yaml").write_text(THIRD, encoding="utf-8")
    with pytest.raises(PlanFileError, match="tuyenquang-2027"):
        catalogue(folder=folder)


def test_an_admin_adds_a_plan_and_it_is_audited(folder, store):
    extra = THIRD.replace("tuyenquang-2027", "tuyenquang-2028").replace("period: 2027", "period: 2028")
    plan, added = add_plan(store, extra.encode(), "tq-2028.yaml", actor="quantri", folder=folder)
    assert added and plan.id == "tuyenquang-2028"
    assert "tuyenquang-2028" in catalogue(store, folder=folder).plans
    entry = store.audit(limit=1).iloc[0]
    assert (entry["action"], entry["plan_id"], entry["actor"]) == ("plan_add", "tuyenquang-2028", "quantri")
    # The same text again changes nothing; a shipped plan's id cannot be taken.
    again, added = add_plan(store, extra.encode(), "tq-2028.yaml", actor="quantri", folder=folder)
    assert (again.id, added, len(store.audit())) == (plan.id, False, 1)
    with pytest.raises(PlanFileError, match="tuyenquang-2027"):
        add_plan(store, THIRD.encode(), "x.yaml", actor="quantri", folder=folder)


def test_a_broken_plan_file_is_refused_with_its_line(store, folder):
    broken = THIRD.replace("reporting_level: commune", "reporting_level: xa")
    with pytest.raises(PlanFileError) as caught:
        add_plan(store, broken.encode(), "broken.yaml", actor="quantri", folder=folder)
    assert caught.value.line == 5 and caught.value.field == "reporting_level"
    with pytest.raises(PlanFileError, match="UTF-8"):
        plans.check_plan_file("id: kế hoạch".encode("utf-16"), "x.yaml")
    assert store.audit().empty


def test_an_unknown_plan_id_names_the_known_ones():
    with pytest.raises(KeyError, match="backan-2017"):
        catalogue().get("khong-co")
    assert isinstance(Catalogue({}), Catalogue)
