"""Reporting completeness (DHIS2-style reporting rates) and the reporting schedule it uses.

The schedule's checks live here, next to the only code that reads the schedule.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mdplan_core import completeness
from mdplan_core.plan import PlanFileError, load_plan
from mdplan_core.report import ParsedReport, Period, ReportValue

PLAN_FILE = Path(__file__).resolve().parent.parent / "data" / "plans" / "backan-2017.yaml"
PLAN = load_plan(PLAN_FILE)
N_UNITS = len(PLAN.reporting_units)  # 8 district committees + 19 agencies
JULY_20 = dt.date(2017, 7, 20)


def upload(unit, start, end, at, version=1, year=2017):
    """One row of Store.history(None); `at` is a UTC time written as text."""
    return {"unit_code": unit, "year": year, "start_month": start, "end_month": end,
            "version": version, "uploaded_at": pd.Timestamp(at, tz="UTC")}


def history(*rows):
    frame = pd.DataFrame(list(rows), columns=["unit_code", "year", "start_month", "end_month",
                                              "version", "uploaded_at"])
    return frame.astype({"uploaded_at": "datetime64[us, UTC]", "start_month": "int64",
                         "end_month": "int64", "year": "int64", "version": "int64"})


def row(table, unit, period):
    hit = table[(table["unit_code"] == unit) & (table["period"] == period)]
    assert len(hit) == 1
    return hit.iloc[0]


# --- The schedule in the plan file ----------------------------------------------------------
def test_quarterly_schedule_from_the_plan_file():
    periods = PLAN.expected_periods
    assert list(periods.columns) == ["period", "months_label", "start_month", "end_month", "due"]
    assert list(periods["period"]) == ["Quý I/2017", "Quý II/2017", "Quý III/2017", "Quý IV/2017"]
    assert list(zip(periods["start_month"], periods["end_month"])) == [(1, 3), (4, 6), (7, 9), (10, 12)]
    assert [d.date() for d in periods["due"]] == [
        dt.date(2017, 4, 10), dt.date(2017, 7, 10), dt.date(2017, 10, 10), dt.date(2017, 12, 15)]
    # The last due date is the decision's own deadline (V.2.1).
    assert periods["due"].iloc[-1].date() == PLAN.report_due_date
    assert periods["months_label"].iloc[0] == "Tháng 1–3/2017"


def test_schedule_says_it_is_not_from_the_decision():
    note = PLAN.reporting.schedule.source_note
    assert "không có trong Quyết định" in note and "1180/QĐ-UBND" in note
    assert "15/12" in note and "Sở Lao động - Thương binh và Xã hội" in note
    text = PLAN_FILE.read_text(encoding="utf-8")
    assert "KHÔNG có trong Quyết định 1180/QĐ-UBND" in text  # the YAML comment


def _edited(tmp_path, old, new, count=1):
    text = PLAN_FILE.read_text(encoding="utf-8")
    assert text.count(old) >= count, old
    path = tmp_path / "plan.yaml"
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return path


def _line(path, needle):
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                if needle in line)


def _error(path) -> PlanFileError:
    with pytest.raises(PlanFileError) as info:
        load_plan(path)
    return info.value


def test_period_outside_the_plan_year_is_refused(tmp_path):
    path = _edited(tmp_path, 'months: "2017-04..2017-06"', 'months: "2018-04..2018-06"')
    err = _error(path)
    assert err.field == "reporting.schedule.periods[1].months"
    assert err.line == _line(path, "2018-04..2018-06")
    assert "không nằm trong giai đoạn của kế hoạch (2017)" in err.message


def test_due_date_must_come_after_the_period_starts(tmp_path):
    path = _edited(tmp_path, "due: 2017-07-10", "due: 2017-03-31")
    err = _error(path)
    assert err.field == "reporting.schedule.periods[1].due"
    assert err.line == _line(path, "due: 2017-03-31")
    assert "hạn nộp 2017-03-31 phải sau ngày bắt đầu kỳ (2017-04-01)" in err.message


def test_overlapping_periods_are_refused(tmp_path):
    path = _edited(tmp_path, 'months: "2017-04..2017-06"', 'months: "2017-03..2017-06"')
    err = _error(path)
    assert err.field == "reporting.schedule.periods[1].months"
    assert "trùng tháng với kỳ 2017-01..2017-03" in err.message


def test_unreadable_period_is_explained(tmp_path):
    err = _error(_edited(tmp_path, 'months: "2017-07..2017-09"', 'months: "quý 3"'))
    assert err.field == "reporting.schedule.periods[2].months"
    assert "'quý 3' không phải kỳ báo cáo hợp lệ" in err.message


def test_duplicate_period_label_is_refused(tmp_path):
    err = _error(_edited(tmp_path, 'label: "Quý II/2017"', 'label: "Quý I/2017"'))
    assert err.field == "reporting.schedule.periods[1].label"
    assert "tên kỳ báo cáo 'Quý I/2017' bị trùng" in err.message


def test_without_a_schedule_only_the_decision_deadline_applies(tmp_path):
    text = PLAN_FILE.read_text(encoding="utf-8")
    start = text.index("  schedule:\n    source_note:")
    end = text.index("\n\n", start)
    path = tmp_path / "plan.yaml"
    path.write_text(text[:start] + text[end + 1:], encoding="utf-8")
    plan = load_plan(path)
    assert plan.reporting.schedule is None
    periods = plan.expected_periods
    assert list(periods["period"]) == ["Cả năm 2017"]
    assert (periods.at[0, "start_month"], periods.at[0, "end_month"]) == (1, 12)
    assert periods.at[0, "due"].date() == dt.date(2017, 12, 15)
    table = completeness.report_status(plan, history(), dt.date(2017, 12, 15))
    assert len(table) == N_UNITS and set(table["status"]) == {"missing"}
    assert "Ghi chú" not in completeness.reminder_text(plan, table, dt.date(2017, 12, 15))


# --- Status of each expected report -----------------------------------------------------------
def test_expected_reports_are_every_unit_times_the_periods_due():
    table = completeness.report_status(PLAN, history(), JULY_20)
    assert list(table.columns) == completeness.STATUS_COLUMNS
    assert len(table) == N_UNITS * 2  # Q1 and Q2 are due by 20/07; Q3 is not
    assert set(table["period"]) == {"Quý I/2017", "Quý II/2017"}
    assert list(table["unit_code"].drop_duplicates()) == list(PLAN.reporting_units["code"])
    assert (table["status"] == "missing").all() and table["arrived"].isna().all()
    assert row(table, "ubnd_061", "Quý I/2017")["days_late"] == 101  # 10/04 -> 20/07


def test_a_period_is_due_on_its_due_date():
    assert set(completeness.report_status(PLAN, history(), dt.date(2017, 4, 10))["period"]) == {"Quý I/2017"}
    assert completeness.report_status(PLAN, history(), dt.date(2017, 4, 9)).empty


def test_on_time_late_and_missing():
    h = history(
        upload("ubnd_061", 1, 3, "2017-04-05 02:00"),                       # on time
        upload("ubnd_061", 4, 6, "2017-07-15 02:00"),                       # 5 days late
        upload("ubnd_058", 1, 3, "2017-04-10 16:59"),                       # 23:59 in Vietnam: on time
        upload("ubnd_060", 1, 3, "2017-04-10 17:00"),                       # 00:00 on 11/04: late
        upload("sldtbxh", 1, 2, "2017-03-01 02:00"),                        # March never sent
    )
    table = completeness.report_status(PLAN, h, JULY_20)
    assert row(table, "ubnd_061", "Quý I/2017")[["status", "days_late"]].tolist() == ["on_time", 0]
    assert row(table, "ubnd_061", "Quý I/2017")["arrived"] == pd.Timestamp("2017-04-05")
    assert row(table, "ubnd_061", "Quý II/2017")[["status", "days_late"]].tolist() == ["late", 5]
    assert row(table, "ubnd_058", "Quý I/2017")["status"] == "on_time"
    assert row(table, "ubnd_060", "Quý I/2017")[["status", "days_late"]].tolist() == ["late", 1]
    assert row(table, "ubnd_060", "Quý I/2017")["arrived"] == pd.Timestamp("2017-04-11")
    partial = row(table, "sldtbxh", "Quý I/2017")
    assert partial["status"] == "missing" and pd.isna(partial["arrived"])


def test_three_monthly_reports_cover_a_quarter_and_arrive_with_the_last():
    h = history(upload("syt", 1, 1, "2017-02-01 02:00"), upload("syt", 2, 2, "2017-03-02 02:00"),
                upload("syt", 3, 3, "2017-04-12 02:00"))
    r = row(completeness.report_status(PLAN, h, JULY_20), "syt", "Quý I/2017")
    assert (r["status"], r["arrived"], r["days_late"]) == ("late", pd.Timestamp("2017-04-12"), 2)


def test_one_report_can_cover_several_periods():
    # A half-year report sent on 05/07: late for Q1, on time for Q2.
    table = completeness.report_status(PLAN, history(upload("stp", 1, 6, "2017-07-05 02:00")), JULY_20)
    assert row(table, "stp", "Quý I/2017")[["status", "days_late"]].tolist() == ["late", 86]
    assert row(table, "stp", "Quý II/2017")["status"] == "on_time"


def test_revisions_do_not_move_the_arrival():
    h = history(upload("ca_tinh", 1, 3, "2017-04-01 02:00", version=1),
                upload("ca_tinh", 1, 3, "2017-06-01 02:00", version=2))
    r = row(completeness.report_status(PLAN, h, JULY_20), "ca_tinh", "Quý I/2017")
    assert (r["status"], r["arrived"]) == ("on_time", pd.Timestamp("2017-04-01"))


def test_an_upload_after_the_review_date_does_not_count_yet():
    h = history(upload("ubnd_062", 1, 3, "2017-08-01 02:00"))
    assert row(completeness.report_status(PLAN, h, JULY_20), "ubnd_062", "Quý I/2017")["status"] == "missing"
    later = completeness.report_status(PLAN, h, dt.date(2017, 8, 1))
    assert row(later, "ubnd_062", "Quý I/2017")[["status", "days_late"]].tolist() == ["late", 113]


def test_other_years_and_unknown_units_are_ignored():
    h = history(upload("ubnd_063", 1, 3, "2017-04-01 02:00", year=2016),
                upload("not_a_unit", 1, 3, "2017-04-01 02:00"))
    table = completeness.report_status(PLAN, h, JULY_20)
    assert row(table, "ubnd_063", "Quý I/2017")["status"] == "missing"
    assert "not_a_unit" not in set(table["unit_code"])


@settings(max_examples=60, deadline=None)
@given(cuts=st.sets(st.integers(2, 6), max_size=5),
       days=st.lists(st.integers(0, 200), min_size=6, max_size=6),
       as_of_day=st.integers(90, 250))
def test_status_matches_a_month_by_month_reading(cuts, days, as_of_day):
    """Months 1..6 sent in any contiguous pieces, each on any day: a quarter's arrival is
    the last of its months' arrivals, counted only when every month has arrived by as_of."""
    year_start = dt.date(2017, 1, 1)
    bounds = [1, *sorted(cuts), 7]
    pieces = [(a, b - 1) for a, b in zip(bounds, bounds[1:])]
    sent = {piece: year_start + dt.timedelta(days=d) for piece, d in zip(pieces, days)}
    as_of = year_start + dt.timedelta(days=as_of_day)
    h = history(*[upload("hnd", a, b, f"{day} 03:00") for (a, b), day in sent.items()])
    table = completeness.report_status(PLAN, h, as_of)

    month_arrival = {m: day for (a, b), day in sent.items() for m in range(a, b + 1) if day <= as_of}
    for period in PLAN.expected_periods.itertuples():
        if period.due.date() > as_of:
            assert not ((table["period"] == period.period).any())
            continue
        got = row(table, "hnd", period.period)
        months = range(period.start_month, period.end_month + 1)
        if all(m in month_arrival for m in months):
            arrived = max(month_arrival[m] for m in months)
            assert got["arrived"].date() == arrived
            assert got["status"] == ("on_time" if arrived <= period.due.date() else "late")
        else:
            assert got["status"] == "missing"


# --- Rates, summary, reminder ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def july():
    h = history(
        upload("ubnd_061", 1, 3, "2017-04-05 02:00"), upload("ubnd_061", 4, 6, "2017-07-15 02:00"),
        upload("ubnd_058", 1, 6, "2017-07-01 02:00"), upload("syt", 1, 3, "2017-04-01 02:00"))
    return completeness.report_status(PLAN, h, JULY_20)


def test_rates_per_unit_and_overall(july):
    rates = completeness.rates(july)
    assert list(rates.columns) == completeness.RATE_COLUMNS
    assert len(rates) == N_UNITS + 1
    unit = rates.set_index("unit_code")
    assert unit.loc["ubnd_061", ["expected", "on_time", "late", "missing"]].tolist() == [2, 1, 1, 0]
    assert unit.loc["ubnd_061", "rate"] == 1.0 and unit.loc["ubnd_061", "on_time_rate"] == 0.5
    assert unit.loc["ubnd_061", "late_periods"] == "Quý II/2017: nộp muộn 5 ngày"
    assert unit.loc["ubnd_058", ["on_time", "late"]].tolist() == [1, 1]
    assert unit.loc["syt", "missing_periods"] == "Quý II/2017"
    assert unit.loc["ubnd_060", "missing_periods"] == "Quý I/2017, Quý II/2017"
    total = rates[rates["is_total"]].iloc[0]
    assert total["unit_name"] == "Tất cả đơn vị"
    assert total[["expected", "on_time", "late", "missing"]].tolist() == [54, 3, 2, 49]
    assert total["rate"] == pytest.approx(5 / 54) and total["on_time_rate"] == pytest.approx(3 / 54)


def test_rates_when_nothing_is_due():
    rates = completeness.rates(completeness.report_status(PLAN, history(), dt.date(2017, 1, 31)))
    assert len(rates) == 1 and rates["is_total"].all()
    assert rates.iloc[0]["expected"] == 0 and pd.isna(rates.iloc[0]["rate"])


def test_summary(july):
    s = completeness.summary(july)
    assert {k: s[k] for k in ("expected", "received", "on_time", "late", "missing")} == {
        "expected": 54, "received": 5, "on_time": 3, "late": 2, "missing": 49}
    assert s["rate"] == pytest.approx(5 / 54)
    assert s["periods"] == ["Quý I/2017", "Quý II/2017"]
    assert (s["units"], s["units_complete"], s["units_missing"]) == (27, 2, 25)


def test_reminder_names_who_has_not_sent_what(july):
    text = completeness.reminder_text(PLAN, july, JULY_20)
    lines = text.splitlines()
    assert lines[0] == "Đến ngày 20/07/2017, các đơn vị sau chưa gửi báo cáo:"
    assert lines[1] == ("1. UBND huyện Pác Nặm: Quý I/2017 (tháng 1–3/2017), hạn 10/04/2017, quá hạn "
                        "101 ngày; Quý II/2017 (tháng 4–6/2017), hạn 10/07/2017, quá hạn 10 ngày.")
    assert "2. UBND huyện Ngân Sơn:" in lines[2]
    assert "Sở Y tế: Quý II/2017 (tháng 4–6/2017), hạn 10/07/2017, quá hạn 10 ngày." in text
    assert "Ba Bể" not in text and "thành phố Bắc Kạn" not in text  # they sent everything
    assert ("Đề nghị các đơn vị khẩn trương gửi báo cáo về Ủy ban nhân dân tỉnh "
            "(qua Sở Lao động - Thương binh và Xã hội).") in text
    assert lines[-1].startswith("Ghi chú: Lịch báo cáo theo quý là quy định điều hành")


def test_a_unit_is_told_what_it_still_owes(july):
    owing, text = completeness.unit_reminder(PLAN, july, "ubnd_060", JULY_20)  # Pác Nặm
    assert owing
    assert text == ("Đến ngày 20/07/2017, đơn vị còn thiếu báo cáo: Quý I/2017 (tháng 1–3/2017), hạn "
                    "10/04/2017, quá hạn 101 ngày; Quý II/2017 (tháng 4–6/2017), hạn 10/07/2017, "
                    "quá hạn 10 ngày.")
    owing, text = completeness.unit_reminder(PLAN, july, "ubnd_061", JULY_20)  # Ba Bể sent both
    assert not owing
    assert text == ("Đến ngày 20/07/2017, đơn vị đã gửi đủ báo cáo các kỳ đã đến hạn (Quý I/2017, "
                    "Quý II/2017). Kỳ sắp đến hạn: Quý III/2017, hạn 10/10/2017.")
    nothing = completeness.report_status(PLAN, history(), dt.date(2017, 3, 1))
    assert completeness.unit_reminder(PLAN, nothing, "ubnd_061", dt.date(2017, 3, 1)) == (
        False, "Đến ngày 01/03/2017, chưa có kỳ báo cáo nào đến hạn. Kỳ sắp đến hạn: Quý I/2017, hạn 10/04/2017.")

def test_reminder_on_the_due_date_and_when_all_sent():
    h = history(*[upload(code, 1, 3, "2017-04-01 02:00") for code in PLAN.reporting_units["code"]
                  if code != "tand"])
    due_day = completeness.report_status(PLAN, h, dt.date(2017, 4, 10))
    lines = completeness.reminder_text(PLAN, due_day, dt.date(2017, 4, 10)).splitlines()
    assert lines[1] == "1. Tòa án nhân dân tỉnh: Quý I/2017 (tháng 1–3/2017), hạn 10/04/2017, đến hạn hôm nay."
    assert not lines[2].startswith("2.")  # nobody else is listed

    complete = history(*[upload(code, 1, 3, "2017-04-01 02:00") for code in PLAN.reporting_units["code"]])
    table = completeness.report_status(PLAN, complete, dt.date(2017, 5, 1))
    assert completeness.reminder_text(PLAN, table, dt.date(2017, 5, 1)).splitlines()[0] == (
        "Đến ngày 01/05/2017, tất cả 27 đơn vị đã gửi báo cáo các kỳ đã đến hạn (Quý I/2017).")


def test_reminder_before_anything_is_due():
    table = completeness.report_status(PLAN, history(), dt.date(2017, 3, 1))
    assert completeness.reminder_text(PLAN, table, dt.date(2017, 3, 1)).splitlines()[0] == (
        "Đến ngày 01/03/2017, chưa có kỳ báo cáo nào đến hạn. "
        "Kỳ sắp đến hạn: Quý I/2017, hạn 10/04/2017.")


# --- From the store -----------------------------------------------------------------------------
def test_status_from_the_store_history(store):
    def save(unit, district, period, at, value):
        report = ParsedReport(unit, Period.parse(period), [ReportValue("CT1.1", value)])
        result = store.save_report(report, plan_id="backan-2017", place_code=district,
                                   data=f"{unit}{period}{value}".encode(),
                                   filename="r.xlsx", user="test", uploaded_at=at)
        assert not result.refused

    utc = dt.UTC
    save("ubnd_061", "061", "2017-01..2017-03", dt.datetime(2017, 4, 9, 3, tzinfo=utc), 1)
    save("ubnd_061", "061", "2017-01..2017-03", dt.datetime(2017, 5, 20, 3, tzinfo=utc), 2)  # revision
    save("ubnd_061", "061", "2017-04", dt.datetime(2017, 5, 3, 3, tzinfo=utc), 1)
    save("ubnd_061", "061", "2017-05..2017-06", dt.datetime(2017, 7, 11, 3, tzinfo=utc), 1)
    table = completeness.report_status(PLAN, store.history(None), JULY_20)
    assert row(table, "ubnd_061", "Quý I/2017")[["status", "days_late"]].tolist() == ["on_time", 0]
    q2 = row(table, "ubnd_061", "Quý II/2017")
    assert (q2["status"], q2["arrived"], q2["days_late"]) == ("late", pd.Timestamp("2017-07-11"), 1)


# --- issue 9: asof ---
# Ngân Sơn as in the demo: Q1, Q2 and Q4 late, Q3 missing at the end of 2017, then sent on 15/01/2018.
NGAN_SON = history(upload("ubnd_062", 1, 3, "2017-04-24 02:00"), upload("ubnd_062", 4, 6, "2017-07-19 02:00"),
                   upload("ubnd_062", 10, 12, "2017-12-22 02:00"), upload("ubnd_062", 7, 9, "2018-01-15 02:00"))


def test_a_report_sent_in_january_is_late_not_missing():
    on_dec_31 = completeness.report_status(PLAN, NGAN_SON, dt.date(2017, 12, 31))
    q3 = row(on_dec_31, "ubnd_062", "Quý III/2017")
    assert (q3["status"], q3["days_late"]) == ("missing", 82)
    assert "UBND huyện Ngân Sơn: Quý III/2017 (tháng 7–9/2017), hạn 10/10/2017, quá hạn 82 ngày" in \
        completeness.reminder_text(PLAN, on_dec_31, dt.date(2017, 12, 31))

    jan_31 = dt.date(2018, 1, 31)
    status = completeness.report_status(PLAN, NGAN_SON, jan_31)
    q3 = row(status, "ubnd_062", "Quý III/2017")
    assert (q3["status"], q3["days_late"], q3["arrived"]) == ("late", 97, pd.Timestamp(2018, 1, 15))
    assert "Ngân Sơn" not in completeness.reminder_text(PLAN, status, jan_31)
    owing, text = completeness.unit_reminder(PLAN, status, "ubnd_062", jan_31)
    assert not owing and "đã gửi đủ báo cáo" in text
    rates = completeness.rates(status).set_index("unit_code")
    assert rates.loc["ubnd_062", ["late", "missing"]].tolist() == [4, 0]
    assert rates.loc["ubnd_062", "late_periods"] == (
        "Quý I/2017: nộp muộn 14 ngày, Quý II/2017: nộp muộn 9 ngày, Quý III/2017: nộp muộn 97 ngày, "
        "Quý IV/2017: nộp muộn 7 ngày")
