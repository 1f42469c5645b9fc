"""Comparing years (indicators linked by `continues:`, and the years of a plan for several years)
and a plan's results on today's map; the page «So sánh các năm»."""
from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from mdplan_core import compare, installation, intake, views
from mdplan_core.places import load_places
from mdplan_core.plans import catalogue
from mdplan_core.report import Period
from mdplan_core.settings import PLANS_DIR, Settings
from mdplan_core.store import Store
from mdplan_core.template import build_template
from tests.fill import fill_template

ROOT = Path(__file__).resolve().parent.parent
FIRST = (PLANS_DIR / "backan-2017.yaml").read_text(encoding="utf-8")
TODAY = dt.date(2026, 1, 15)  # on the post-2025 map: Bắc Kạn is part of Thái Nguyên


def next_year(text: str = FIRST, *, plan_id: str = "backan-2018", period: str = "2018",
              linked: bool = True) -> str:
    """The 2017 plan as a plan of a later year: every indicator continues its 2017 one, but
    CT2.1 is renumbered CT2.9 and CT5.2 starts afresh (no `continues:`)."""
    text = text.replace("id: backan-2017", f"id: {plan_id}").replace("2017", period)
    text = text.replace("period: " + period, f'period: "{period}"')
    if linked:
        text = re.sub(r"(?m)^(  - code: (CT\S+)\n)",
                      lambda m: m.group(1) + ("" if m.group(2) == "CT5.2" else
                                              f'    continues: "backan-2017:{m.group(2)}"\n'), text)
        text = text.replace("  - code: CT2.1\n", "  - code: CT2.9\n")
    return text


@pytest.fixture
def folder(tmp_path):
    plans = tmp_path / "plans"
    plans.mkdir()
    (plans / "backan-2017.yaml").write_text(FIRST, encoding="utf-8")
    (plans / "backan-2018.yaml").write_text(next_year(), encoding="utf-8")
    return plans


def send(store, plan, unit: str, period: Period, results: dict, communes: dict | None = None) -> None:
    data = fill_template(build_template(plan, unit, period), results, communes=communes or {})
    out = intake.import_file(data, f"{unit}-{period}.xlsx", user="quantri", plan=plan, store=store)
    assert out.outcome == "stored", out.findings


def test_years_side_by_side_follow_the_continues_links(folder, store):
    known = catalogue(folder=folder)
    first, second = known.get("backan-2017"), known.get("backan-2018")
    send(store, first, "ubnd_061", Period(2017, 1, 3), {"CT1.1": 2, "CT2.1": 1}, {"CT1.3": ["Phúc Lộc"]})
    send(store, first, "ubnd_058", Period(2017, 10, 12), {"CT1.1": 3}, {"CT1.3": ["Nông Thượng"]})
    send(store, second, "ubnd_061", Period(2018, 1, 3), {"CT1.1": 4, "CT2.9": 2, "CT5.2": 6},
         {"CT1.3": ["Phúc Lộc"]})
    send(store, second, "ubnd_061", Period(2018, 7, 9), {"CT1.1": 5})  # ends after the review date

    comparison = compare.compare_years(known, second, compare.store_reader(store), dt.date(2018, 6, 30))
    assert [p.id for p in comparison.plans] == ["backan-2017", "backan-2018"]
    assert [(c.label, c.day) for c in comparison.columns] == [("2017", dt.date(2017, 12, 31)),
                                                             ("2018", dt.date(2018, 6, 30))]
    wide = comparison.wide()
    wide.index = comparison.chains["codes"]
    # A 2017 year counts to its end; the running 2018 to the review date (Q3 not yet in).
    assert wide.loc["CT1.1"].tolist() == [10, 5, 10, 4]
    assert wide.loc["CT1.3"].tolist() == [10, 2, 10, 1]  # distinct communes, each year on its own
    # Linked by the reference, not by the code: CT2.1 became CT2.9.
    assert wide.loc["CT2.1 → CT2.9"].tolist() == [2, 1, 2, 2]
    assert "CT2.1" not in wide.index and "CT2.9" not in wide.index
    # CT5.2 of 2018 continues nothing: two chains, each with one year.
    fresh = comparison.chains[comparison.chains["codes"] == "CT5.2"]
    assert len(fresh) == 2
    assert sorted(comparison.cells[comparison.cells["code"] == "CT5.2"]["year"]) == [2017, 2018]
    # The chosen plan's indicators come first, in its order.
    assert comparison.chains["codes"].iloc[0] == "CT1.1"

    shown = views.years_table(comparison).set_index("Mã")
    assert shown.at["CT1.1", "2017 · Kết quả"] == "5"
    assert shown.at["CT1.1", "2018 · Kết quả đến 30/06/2018"] == "4"
    assert shown.at["CT1.5", "2017 · Chỉ tiêu"] == "—"  # qualitative: no target


def test_a_year_not_begun_has_targets_and_no_results(folder, store):
    known = catalogue(folder=folder)
    comparison = compare.compare_years(known, known.get("backan-2017"), compare.store_reader(store),
                                       dt.date(2017, 5, 1))
    assert [c.day for c in comparison.columns] == [dt.date(2017, 5, 1), None]
    ct11 = comparison.cells[comparison.cells["code"] == "CT1.1"].set_index("year")
    assert ct11.at[2018, "target"] == 10 and pd.isna(ct11.at[2018, "actual"])


def test_the_years_of_one_plan_for_several_years(tmp_path, store):
    text = next_year(plan_id="backan-2018-2019", period="2018", linked=False)
    text = text.replace('period: "2018"', 'period: "2018-2019"')
    text = text.replace("    target: 10\n    aggregation: sum\n",
                        "    target: 10\n    targets_by_year: {2018: 4}\n    aggregation: sum\n", 1)
    (tmp_path / "multi.yaml").write_text(text, encoding="utf-8")
    known = catalogue(folder=tmp_path)
    plan = known.get("backan-2018-2019")
    assert plan.multi_year
    send(store, plan.for_year(2018), "ubnd_061", Period(2018, 1, 3), {"CT1.1": 3})
    send(store, plan.for_year(2019), "ubnd_061", Period(2019, 1, 3), {"CT1.1": 6})

    comparison = compare.compare_years(known, plan, compare.store_reader(store), TODAY)
    assert comparison.continues and len(comparison.plans) == 1
    labels = [c.label for c in comparison.columns]
    assert labels == ["2018 (giai đoạn 2018–2019)", "2019 (giai đoạn 2018–2019)"]
    ct11 = comparison.cells[comparison.cells["code"] == "CT1.1"].set_index("year")
    assert (ct11.at[2018, "target"], ct11.at[2018, "actual"], ct11.at[2018, "year_part"]) == (4, 3, True)
    # 2019 states no part of its own: the whole period's target, and the table says so.
    assert (ct11.at[2019, "target"], ct11.at[2019, "actual"], ct11.at[2019, "year_part"]) == (10, 6, False)
    shown = views.years_table(comparison).set_index("Mã")
    assert shown.at["CT1.1", f"{labels[1]} · Chỉ tiêu"] == "10 (cả giai đoạn)"
    assert shown.at["CT1.1", f"{labels[0]} · Chỉ tiêu"] == "4"


def test_a_plan_alone_and_links_that_lead_nowhere(tmp_path, store):
    alone = compare.compare_years(catalogue(), catalogue().get("backan-2017"), compare.store_reader(store), TODAY)
    assert not alone.continues and [p.id for p in alone.plans] == ["backan-2017"] and not alone.broken
    # The Hà Nội plan is of another province: never linked to Bắc Kạn's.
    assert "hanoi-2026" not in {p.id for p in alone.plans}

    (tmp_path / "backan-2017.yaml").write_text(FIRST, encoding="utf-8")
    text = next_year().replace('continues: "backan-2017:CT1.1"', 'continues: "backan-2016:CT1.1"')
    text = text.replace('continues: "backan-2017:CT1.2"', 'continues: "backan-2017:CT9.9"')
    (tmp_path / "backan-2018.yaml").write_text(text, encoding="utf-8")
    known = catalogue(folder=tmp_path)
    comparison = compare.compare_years(known, known.get("backan-2018"), compare.store_reader(store), TODAY)
    assert len(comparison.broken) == 2
    assert "không có kế hoạch 'backan-2016'" in comparison.broken[0]
    assert "không có chỉ tiêu 'CT9.9'" in comparison.broken[1]
    assert {"CT1.1", "CT1.2"} <= set(comparison.chains["codes"])  # each a chain of its own year


def test_a_later_plan_of_the_province_that_absorbed_it_can_continue_it():
    known = catalogue()
    backan, hanoi = known.get("backan-2017"), known.get("hanoi-2026")
    assert not compare.same_area(backan, hanoi)
    thai_nguyen = type("P", (), {"province_code": "19", "years": (2026, 2026)})()
    assert compare.same_area(backan, thai_nguyen)


# --- Today's map ---------------------------------------------------------------------------
def test_2017_results_on_todays_map(store):
    plan = catalogue().get("backan-2017")
    send(store, plan, "ubnd_061", Period(2017, 1, 3), {"CT1.1": 2}, {"CT1.3": ["Phúc Lộc"]})
    send(store, plan, "ubnd_058", Period(2017, 4, 6), {"CT1.1": 3}, {"CT1.3": ["Nông Thượng"]})
    values, communes = store.values(plan.id, 2017), store.communes(plan.id, 2017)
    assert compare.province_change(plan, TODAY) == ("tỉnh Bắc Kạn", ["tỉnh Thái Nguyên"])

    frame = compare.on_todays_map(plan, values, communes, dt.date(2017, 12, 31), "CT1.3", TODAY)
    named = frame[frame["source"] == "named"].set_index("from_name")
    # A commune named in a 2017 report lands on its successor in Thái Nguyên, whole.
    assert named.loc["Xã Nông Thượng", ["to_code", "to_name", "share"]].tolist() == ["01843", "Phường Bắc Kạn",
                                                                                     "whole"]
    assert named.loc["Xã Phúc Lộc", ["to_name", "share", "destinations"]].tolist() == ["Xã Phúc Lộc", "whole", 1]
    tree = load_places()
    assert tree.get("01843", TODAY)["parent_id"] == "19@2025-07-01"

    frame = compare.on_todays_map(plan, values, communes, dt.date(2017, 12, 31), "CT1.1", TODAY)
    own = frame[frame["source"] == "place"]
    ba_be = own[own["from_code"] == "061"]
    # Ba Bể's result is not split between the communes it went to: each row carries all of it.
    assert set(ba_be["actual"]) == {2.0} and set(ba_be["share"]) == {"part"}
    assert ba_be["destinations"].iloc[0] == len(ba_be) > 1
    assert set(own.loc[own["from_code"] == "066", "actual"]) == {0.0}  # Na Rì sent nothing
    assert not (frame["source"] == "named").any()  # CT1.1 names no places

    table = views.todays_map_table(frame, plan.indicator("CT1.1"), year=2017).set_index("Địa bàn năm 2017")
    assert table.at["Huyện Ba Bể", "Kết quả"] == "2"
    assert table.at["Huyện Ba Bể", "Ghi chú"].startswith(f"Nay thuộc {len(ba_be)} xã, phường; kết quả là của cả huyện")
    # Xã Phong Quang took in parts of Thành phố Bắc Kạn and of Bạch Thông: both are listed.
    today = views.todays_places_table(frame, plan.indicator("CT1.1"), year=2017, query="phong quang")
    assert len(today) == 1
    assert today.iloc[0, 2] == "Thành phố Bắc Kạn (một phần): 3; Huyện Bạch Thông (một phần): 0"


def test_a_divided_commune_keeps_its_result_whole(tmp_path, store):
    """A commune divided between two new places: both are named, with main and part shares,
    and the table says its result was not split."""
    shutil.copytree(ROOT / "data" / "places", tmp_path / "places")
    path = tmp_path / "places" / "successions.csv"
    text = path.read_text(encoding="utf-8")
    old = "01852,01843@2025-07-01,2025-07-01,merged,,\n"
    assert old in text
    path.write_text(text.replace(old, "01852,01843@2025-07-01,2025-07-01,divided,1,\n"
                                      "01852,01849@2025-07-01,2025-07-01,divided,,\n"), encoding="utf-8")
    tree = load_places(tmp_path / "places")
    plan = catalogue().get("backan-2017")
    send(store, plan, "ubnd_058", Period(2017, 4, 6), {"CT1.1": 3}, {"CT1.3": ["Nông Thượng"]})
    frame = compare.on_todays_map(plan, store.values(plan.id, 2017), store.communes(plan.id, 2017),
                                  dt.date(2017, 12, 31), "CT1.3", TODAY, tree=tree)
    named = frame[frame["source"] == "named"]
    assert sorted(zip(named["to_name"], named["share"])) == [("Phường Bắc Kạn", "main"), ("Xã Phong Quang", "part")]
    assert set(named["destinations"]) == {2}
    row = views.todays_map_table(frame, plan.indicator("CT1.3"), year=2017).set_index("Địa bàn năm 2017")
    assert row.at["Xã Nông Thượng", "Nay thuộc"] == "Phường Bắc Kạn (phần chính); Xã Phong Quang (một phần)"
    assert row.at["Xã Nông Thượng", "Ghi chú"].startswith("Nay thuộc 2 xã, phường; kết quả là của cả xã cũ")


# --- The page -----------------------------------------------------------------------------
APP = str(ROOT / "dashboard.py")
LEADER = ("lanhdao", "LanhDao@2017")
OFFICER = ("canbo.babe", "CanBo.BaBe@2017")


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory):
    """A demo database: a plan for 2018 continuing the 2017 one, and a few reports of each year."""
    path = tmp_path_factory.mktemp("compare")
    plans = path / "plans"
    plans.mkdir()
    (plans / "backan-2017.yaml").write_text(FIRST, encoding="utf-8")
    (plans / "backan-2018.yaml").write_text(next_year(), encoding="utf-8")
    store = Store.open(Settings.from_env({"MDPLAN_DATA_DIR": str(path), "MDPLAN_DEMO": "1"}))
    known = catalogue(folder=plans)
    store.mark(installation.DEMO)
    first = known.get("backan-2017")
    send(store, first, "ubnd_061", Period(2017, 1, 3), {"CT1.1": 2}, {"CT1.3": ["Phúc Lộc"]})
    send(store, first, "ubnd_058", Period(2017, 4, 6), {"CT1.1": 3})
    send(store, known.get("backan-2018"), "ubnd_061", Period(2018, 1, 3), {"CT1.1": 7})
    store.dispose()
    return path


@pytest.fixture
def env(demo_dir, monkeypatch):
    monkeypatch.setenv("MDPLAN_DATA_DIR", str(demo_dir))
    monkeypatch.setenv("MDPLAN_DEMO", "1")
    monkeypatch.delenv("MDPLAN_DATABASE_URL", raising=False)
    monkeypatch.delenv("MDPLAN_PLANS_DIR", raising=False)


def opened(account, plans_dir: Path | None, monkeypatch) -> AppTest:
    if plans_dir is not None:
        monkeypatch.setenv("MDPLAN_PLANS_DIR", str(plans_dir))
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.text_input[0].input(account[0])
    at.text_input[1].input(account[1])
    at.button[0].click().run()
    at.switch_page("pages/compare.py").run()
    assert not at.exception, at.exception
    return at


def texts(at) -> str:
    parts = [m.value for m in at.markdown] + [t.value for t in at.title] + [c.value for c in at.caption]
    parts += [i.value for i in at.info] + [w.value for w in at.warning] + [s.value for s in at.subheader]
    return "\n".join(str(p) for p in parts)


@pytest.mark.parametrize("account", [LEADER, OFFICER])
def test_page_shows_the_years_side_by_side(env, demo_dir, monkeypatch, account):
    at = opened(account, demo_dir / "plans", monkeypatch)
    assert at.title[0].value == "So sánh các năm"
    assert not at.error, [e.value for e in at.error]
    years = at.dataframe[0].value.set_index("Mã")
    assert (years.at["CT1.1", "2017 · Kết quả"], years.at["CT1.1", "2018 · Kết quả"]) == ("5", "7")
    assert years.at["CT2.1 → CT2.9", "2018 · Chỉ tiêu"] == "2"
    body = texts(at)
    assert "So sánh 2 năm của" in body and "Kết quả năm 2017 trên bản đồ hiện nay" in body
    assert "Tỉnh Bắc Kạn năm 2017 nay thuộc tỉnh Thái Nguyên" in body
    # Words follow the plan's reporting level: districts then, communes now.
    assert "Từng huyện năm 2017 và nơi nó thuộc ngày nay" in body


def test_page_says_plainly_when_a_plan_continues_none_and_still_maps_it(env, monkeypatch):
    at = opened(LEADER, None, monkeypatch)  # the shipped plans: nothing continues Bắc Kạn 2017
    assert not at.error
    assert "chưa nối tiếp kế hoạch nào và chưa có kế hoạch nào nối tiếp nó" in at.info[0].value
    at.selectbox(key="map-indicator").set_value("CT1.3").run()
    at.text_input(key="map-query").input("Phuc Loc").run()
    assert not at.exception
    today = at.dataframe[-1].value
    assert list(today["Xã, phường hiện nay"]) == ["Xã Phúc Lộc"]
    # A plan already on today's map has nothing to move.
    at.selectbox(key="plan_id").set_value("hanoi-2026").run()
    assert not at.exception and not at.error
    assert "đã ở trên bản đồ hành chính hiện nay" in texts(at)
