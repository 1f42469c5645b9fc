import datetime as dt

import pandas as pd
import pytest

from mdplan_core import progress
from mdplan_core.plan import load_plan
from mdplan_core.report import ParsedReport, Period, ReportValue
from tests.frames import communes_frame, values_frame

PLAN = load_plan()
MAR, JUN, DEC = dt.date(2017, 3, 1), dt.date(2017, 6, 1), dt.date(2017, 12, 31)


@pytest.mark.parametrize("as_of, expected", [
    (dt.date(2017, 2, 28), 0.0),           # before the schedule starts
    (MAR, 10 * 1 / 306),                    # the first day counts
    (dt.date(2017, 7, 31), 10 * 153 / 306),  # straight line, by days
    (DEC, 10.0),
    (dt.date(2018, 1, 5), 10.0),
])
def test_expected_to_date_follows_the_schedule(as_of, expected):
    assert progress.expected_to_date(10, MAR, DEC, as_of) == pytest.approx(expected)


def test_expected_is_undefined_without_a_target():
    assert pd.isna(progress.expected_to_date(None, MAR, DEC, DEC))


def save(store, unit, period, values, district):
    report = ParsedReport(unit, Period.parse(period), values)
    result = store.save_report(report, plan_id="backan-2017", place_code=district,
                               data=repr(values).encode() + period.encode(),
                               filename="r.xlsx", user="test")
    assert not result.refused


def test_by_indicator_sums_and_counts_distinct_communes(store):
    save(store, "ubnd_061", "2017-01..2017-03", [
        ReportValue("CT1.1", 2), ReportValue("CT1.2", 80),
        ReportValue("CT1.3", 2, communes=("01888", "01891")),
        ReportValue("CT1.5", 3, text="3 tin trên Đài huyện")], "061")
    save(store, "ubnd_061", "2017-04..2017-06", [
        ReportValue("CT1.1", 1), ReportValue("CT1.3", 1, communes=("01888",))], "061")
    save(store, "ubnd_058", "2017-01..2017-06", [
        ReportValue("CT1.1", 4), ReportValue("CT1.3", 1, communes=("01834",)),
        ReportValue("CT4.1", 16)], "058")
    # A revision replaces the earlier numbers; it does not add to them.
    save(store, "ubnd_061", "2017-04..2017-06", [
        ReportValue("CT1.1", 3), ReportValue("CT1.3", 1, communes=("01888",))], "061")

    table = progress.by_indicator(PLAN, store.values("backan-2017", 2017), store.communes("backan-2017", 2017), DEC)
    row = table.set_index("code")
    assert row.at["CT1.1", "actual"] == 2 + 3 + 4
    assert row.at["CT1.2", "actual"] == 80
    assert row.at["CT1.3", "actual"] == 3  # 01888 twice counts once
    assert row.at["CT4.1", "actual"] == 16 and row.at["CT4.1", "status"] == "met"
    assert row.at["CT1.1", "status"] == "behind"  # 9 of 10 at the end of the year
    assert row.at["CT1.5", "status"] == "qualitative" and row.at["CT1.5", "actual"] == 3
    assert row.at["CT1.5", "text"] == "3 tin trên Đài huyện"
    assert row.at["CT1.1", "pct_target"] == pytest.approx(0.9)
    assert row.at["CT2.1", "actual"] == 0 and row.at["CT2.1", "status"] == "behind"

    # On 31/03 only the first quarter has ended; task 4 has not started yet.
    march = progress.by_indicator(PLAN, store.values("backan-2017", 2017), store.communes("backan-2017", 2017),
                                  dt.date(2017, 3, 31)).set_index("code")
    assert march.at["CT1.1", "actual"] == 2
    assert march.at["CT4.1", "actual"] == 0 and march.at["CT4.1", "status"] == "not_started"
    assert march.at["CT1.1", "status"] == "on_track"  # 2 against 10*31/306 expected

    by_district = progress.by_group(PLAN, store.values("backan-2017", 2017), store.communes("backan-2017", 2017),
                                    DEC, by="place_code")
    ct11 = by_district[by_district["indicator_code"] == "CT1.1"].set_index("place_code")
    assert ct11.at["061", "actual"] == 5 and ct11.at["058", "actual"] == 4
    assert ct11.at["061", "share"] == pytest.approx(5 / 9)


def test_communes_count_in_their_own_district_whoever_reports_them(store):
    save(store, "ubnd_061", "2017-01..2017-03", [ReportValue("CT3.1", 2, communes=("01888", "01891"))], "061")
    # A provincial agency names a commune of TP Bắc Kạn and one already counted for Ba Bể.
    save(store, "sldtbxh", "2017-01..2017-03", [ReportValue("CT3.1", 2, communes=("01834", "01888"))], None)
    values, communes = store.values("backan-2017", 2017), store.communes("backan-2017", 2017)
    total = progress.by_indicator(PLAN, values, communes, DEC).set_index("code")
    assert total.at["CT3.1", "actual"] == 3
    ct31 = progress.by_group(PLAN, values, communes, DEC, by="place_code")
    ct31 = ct31[ct31["indicator_code"] == "CT3.1"].set_index("place_code")["actual"].to_dict()
    assert ct31 == {"058": 1, "061": 2}
    by_unit = progress.by_group(PLAN, values, communes, DEC, by="unit_code")
    by_unit = by_unit[by_unit["indicator_code"] == "CT3.1"].set_index("unit_code")["actual"].to_dict()
    assert by_unit == {"sldtbxh": 2, "ubnd_061": 2}


def test_an_empty_store_gives_zero_actuals_not_errors():
    values = pd.DataFrame(columns=progress.VALUE_COLUMNS)
    communes = pd.DataFrame(columns=progress.COMMUNE_COLUMNS)
    table = progress.by_indicator(PLAN, values, communes, DEC)
    assert (table["actual"] == 0).all()
    assert progress.by_group(PLAN, values, communes, DEC, by="place_code").empty


# --- Places at any level ---------------------------------------------------------------------
def test_rank_places_ranks_by_share_of_own_target_and_ties_share_a_rank():
    places = pd.DataFrame({"place_code": ["a", "b", "c", "d"],
                           "place_name": ["Xã Ân", "Xã Bình", "Xã Cát", "Xã Dương"],
                           "actual": [3.0, 6.0, 3.0, 9.0], "target": [6.0, 12.0, 3.0, None],
                           "expected": [4.0, 4.0, 1.0, None]})
    ranked = progress.rank_places(places)
    assert ranked["place_code"].tolist() == ["c", "b", "a", "d"]  # equal shares: more done first
    assert ranked["rank"].tolist() == [1, 2, 2, pd.NA]
    assert ranked["value"].tolist()[:3] == [1.0, 0.5, 0.5] and pd.isna(ranked["value"].iloc[3])
    assert ranked["status"].tolist()[:3] == ["met", "on_track", "behind"] and pd.isna(ranked["status"].iloc[3])
    counts = progress.rank_places(places.drop(columns=["target", "expected"]))
    assert counts["place_code"].tolist() == ["d", "b", "a", "c"] and counts["status"].isna().all()
    assert counts["rank"].tolist() == [1, 2, 3, 3]


def test_place_progress_gives_each_place_its_allocation_and_the_part_due():
    allocations = pd.DataFrame({"indicator_code": ["CT1.1"], "place_code": ["061"], "target": [6]})
    matrix = progress.place_matrix(PLAN, values_frame([]), communes_frame([]), allocations, JUN)
    rows = progress.place_progress(PLAN, matrix, JUN).set_index(["place_code", "indicator_code"])
    task = PLAN.task(PLAN.indicators.set_index("code").at["CT1.1", "task"]).schedule
    due = progress.expected_to_date(6, task.start, task.end, JUN, whole_units=True)  # classes: whole
    assert rows.loc[("061", "CT1.1"), ["target", "expected"]].tolist() == pytest.approx([6, due])
    assert rows.loc[("061", "CT1.1"), "place_name"] == "Huyện Ba Bể"
    assert rows.loc[("058", "CT1.1"), ["target", "expected"]].isna().all()
    overall = progress.overall_by_place(rows.reset_index()).set_index("place_code")
    assert overall.loc["061", ["actual", "target"]].tolist() == [0, 1]
    assert overall.loc["061", "expected"] == pytest.approx(due / 6)
    assert overall.loc["058", ["actual", "target", "expected"]].isna().all()


# --- issue 9: asof ---
VN = dt.timezone(dt.timedelta(hours=7))


def test_the_review_date_runs_to_the_end_of_january_of_the_next_year():
    assert progress.review_range(PLAN) == (dt.date(2017, 1, 1), dt.date(2018, 1, 31))
    assert progress.review_default(PLAN, dt.date(2026, 12, 3)) == dt.date(2018, 1, 31)
    assert progress.review_default(PLAN, dt.date(2018, 1, 15)) == dt.date(2018, 1, 15)
    assert progress.review_default(PLAN, dt.date(2016, 5, 1)) == dt.date(2017, 1, 1)
    assert progress.end_of_day(dt.date(2018, 1, 15)) == dt.datetime(2018, 1, 15, 23, 59, 59, 999999, tzinfo=VN)


def test_a_target_missed_when_the_period_is_over_is_missed_not_behind():
    values = values_frame([("ubnd_061", "061", 1, 12, "CT1.1", 9), ("ubnd_061", "061", 1, 12, "CT4.1", 15)])
    no_communes = communes_frame([])
    on_last_day = progress.by_indicator(PLAN, values, no_communes, DEC).set_index("code")
    after = progress.by_indicator(PLAN, values, no_communes, dt.date(2018, 1, 10)).set_index("code")
    assert on_last_day.at["CT1.1", "status"] == "behind" and not on_last_day.at["CT1.1", "ended"]
    assert after.at["CT1.1", "status"] == "missed" and after.at["CT1.1", "ended"]
    assert after.at["CT4.1", "status"] == "met"  # met stays met
    assert after.at["CT1.4", "status"] == "missed"  # nothing reported at all
    assert progress.overall_status(on_last_day) == "behind"
    assert progress.overall_status(after) == "missed"


def test_expected_to_date_of_whole_units_is_a_whole_number():
    two_models = PLAN.task(2).schedule  # CT2.1: 2 mô hình, 1/3 to 31/12
    june_30 = dt.date(2017, 6, 30)
    assert progress.expected_to_date(2, two_models.start, two_models.end, june_30) == pytest.approx(0.797, abs=1e-3)
    assert progress.expected_to_date(2, two_models.start, two_models.end, june_30, whole_units=True) == 1
    table = progress.by_indicator(PLAN, values_frame([]), communes_frame([]), june_30).set_index("code")
    assert table.at["CT2.1", "expected"] == 1 and table.at["CT1.2", "expected"] % 1 == 0  # mô hình, người
    assert table.at["CT3.1", "expected"] % 1 == 0  # xã, phường
    assert list(progress.whole([0.49, 0.5, 4.4, 4.6])) == [0, 1, 4, 5]


def test_not_behind_for_a_fraction_of_an_inspection():
    # CT4.1: 15 cuộc from 1/6 to 31/12; on 30/7 the straight line is at 4,2.
    july_30 = dt.date(2017, 7, 30)
    task = PLAN.task(4).schedule
    assert progress.expected_to_date(15, task.start, task.end, july_30) == pytest.approx(4.206, abs=1e-3)
    values = values_frame([("ca_tinh", None, 6, 6, "CT4.1", 4)])
    row = progress.by_indicator(PLAN, values, communes_frame([]), july_30).set_index("code").loc["CT4.1"]
    assert (row["expected"], row["status"]) == (4, "on_track")
    behind = values_frame([("ca_tinh", None, 6, 6, "CT4.1", 3)])
    assert progress.by_indicator(PLAN, behind, communes_frame([]), july_30).set_index("code").at[
        "CT4.1", "status"] == "behind"  # a whole inspection behind


def test_a_late_report_counts_in_the_totals_from_the_day_it_arrived(store):
    """Ngân Sơn's missing Q3 arrives on 15/01/2018: unknown on 14/01, counted from 15/01."""
    report = ParsedReport("ubnd_062", Period(2017, 7, 9), [ReportValue("CT1.1", 2), ReportValue("CT1.2", 70)])
    store.save_report(report, plan_id="backan-2017", place_code="062", data=b"ngan-son-q3",
                      filename="Ngan Son quy III-2017.xlsx", user="canbo.nganson",
                      uploaded_at=dt.datetime(2018, 1, 15, 8, tzinfo=VN))
    before = progress.by_indicator(PLAN, *progress.known_data(store, PLAN, dt.date(2018, 1, 14)), dt.date(2018, 1, 14))
    after = progress.by_indicator(PLAN, *progress.known_data(store, PLAN, dt.date(2018, 1, 15)), dt.date(2018, 1, 15))
    assert before.set_index("code").at["CT1.2", "actual"] == 0
    assert after.set_index("code").at["CT1.2", "actual"] == 70


def test_the_review_date_reaches_the_latest_upload_of_the_year():
    # A report of 2017 sent in March 2018 must stay within some review date's reach.
    uploads = pd.DataFrame({"year": [2017, 2017, 2016],
                            "uploaded_at": pd.to_datetime(["2017-05-02 03:00", "2018-03-09 20:00",
                                                           "2019-01-01 00:00"], utc=True)})
    assert progress.review_range(PLAN, uploads) == (dt.date(2017, 1, 1), dt.date(2018, 3, 10))  # Vietnam time
    assert progress.review_default(PLAN, dt.date(2026, 12, 3), uploads) == dt.date(2018, 3, 10)
    assert progress.review_range(PLAN, uploads.iloc[:1]) == (dt.date(2017, 1, 1), dt.date(2018, 1, 31))
