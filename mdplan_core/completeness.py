"""Reporting completeness: who has reported which period, on time or late, as DHIS2
computes its reporting rates.

Expected reports = every reporting unit of the plan x every expected period whose due date
has come (due <= as_of). A unit covers an expected period when its uploads cover every month
of it: one quarterly report or three monthly ones. A report arrives when it is first
uploaded; revisions do not move that time. Arrival of a period = the latest first upload
among the submissions that cover it, as a date in Vietnam. On time = arrived by the due
date; late = after it, with its days late; missing ("Chưa gửi") = not covered by `as_of`
(later uploads do not count yet). A late report is never missing: the review date runs past
the year's last deadline (`progress.review_range`), so one that arrives in January counts.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from .settings import LOCAL_TZ
from .vntext import format_date, format_number

ON_TIME, LATE, MISSING = "on_time", "late", "missing"
REPORT_STATUSES = [ON_TIME, LATE, MISSING]

STATUS_COLUMNS = ["unit_code", "unit_name", "unit_short_name", "kind", "period", "months_label",
                  "start_month", "end_month", "due", "status", "arrived", "days_late"]
RATE_COLUMNS = ["unit_code", "unit_name", "unit_short_name", "kind", "is_total", "expected",
                "received", "on_time", "late", "missing", "rate", "on_time_rate",
                "late_periods", "missing_periods"]

MESSAGES = {
    "total": "Tất cả đơn vị",
    "header_missing": "Đến ngày {as_of}, các đơn vị sau chưa gửi báo cáo:",
    "unit_line": "{n}. {unit}: {items}.",
    "item": "{period} ({months}), hạn {due}, {overdue}",
    "overdue_days": "quá hạn {days} ngày",
    "due_today": "đến hạn hôm nay",
    "request": "Đề nghị các đơn vị khẩn trương gửi báo cáo về {to} (qua {via}).",
    "all_reported": ("Đến ngày {as_of}, tất cả {units} đơn vị đã gửi báo cáo các kỳ đã đến hạn "
                     "({periods})."),
    "nothing_due": "Đến ngày {as_of}, chưa có kỳ báo cáo nào đến hạn.",
    "next_due": " Kỳ sắp đến hạn: {period}, hạn {due}.",
    "schedule_note": "Ghi chú: {note}",
    "unit_missing": "Đến ngày {as_of}, đơn vị còn thiếu báo cáo: {items}.",
    "unit_complete": "Đến ngày {as_of}, đơn vị đã gửi đủ báo cáo các kỳ đã đến hạn ({periods}).",
    "late_days": "nộp muộn {days} ngày",
    "late_period": "{period}: {late}",
}

_MONTHS = pd.DataFrame({"month": np.arange(1, 13)})


def _day(as_of) -> pd.Timestamp:
    return pd.Timestamp(as_of).normalize()


def arrivals(history: pd.DataFrame, year: int, as_of: dt.date) -> pd.DataFrame:
    """When each month of `year` was first covered by a unit's report, as of `as_of`:
    columns unit_code, month, arrived (local date as a Timestamp)."""
    h = history.loc[history["year"] == year, ["unit_code", "start_month", "end_month"]]
    local = (pd.to_datetime(history.loc[h.index, "uploaded_at"], utc=True)
             .dt.tz_convert(LOCAL_TZ).dt.tz_localize(None).dt.normalize())
    h = h.assign(arrived=local)
    h = h[h["arrived"] <= _day(as_of)]
    # A revision keeps the arrival of the first version of the same period.
    first = h.groupby(["unit_code", "start_month", "end_month"], as_index=False)["arrived"].min()
    months = first.merge(_MONTHS, how="cross")
    months = months[months["month"].between(months["start_month"], months["end_month"])]
    return months.groupby(["unit_code", "month"], as_index=False)["arrived"].min()


def report_status(plan, history: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """One row per expected report (unit x period due by `as_of`), in plan order: unit_code,
    unit_name, unit_short_name, kind, period (label), months_label, start_month, end_month,
    due, status ('on_time' | 'late' | 'missing'), arrived (date or NaT), days_late (days
    after the due date it arrived; for a missing report, days overdue so far)."""
    as_of = _day(as_of)
    units = plan.reporting_units[["code", "name", "short_name", "kind"]].rename(columns={
        "code": "unit_code", "name": "unit_name", "short_name": "unit_short_name"})
    units["unit_order"] = np.arange(len(units))
    periods = plan.expected_periods
    periods = periods[periods["due"] <= as_of]
    expected = units.merge(periods, how="cross")

    needed = expected[["unit_code", "period", "start_month", "end_month"]].merge(_MONTHS, how="cross")
    needed = needed[needed["month"].between(needed["start_month"], needed["end_month"])]
    needed = needed.merge(arrivals(history, plan.year, as_of), on=["unit_code", "month"], how="left")
    cover = needed.groupby(["unit_code", "period"], as_index=False).agg(
        months=("month", "size"), covered_months=("arrived", "count"), arrived=("arrived", "max"))
    out = expected.merge(cover, on=["unit_code", "period"], how="left")

    covered = out["covered_months"] == out["months"]
    arrived = out["arrived"].where(covered).astype("datetime64[ns]")
    due = out["due"].astype("datetime64[ns]")
    on_time = covered & (arrived <= due)
    out["status"] = np.select([on_time, covered], [ON_TIME, LATE], MISSING)
    out["arrived"] = arrived
    out["due"] = due
    overdue = np.where(covered, (arrived - due).dt.days, (as_of - due).dt.days)
    out["days_late"] = np.where(on_time, 0, overdue).astype("int64")
    out = out.sort_values(["unit_order", "start_month"], kind="stable")
    return out[STATUS_COLUMNS].reset_index(drop=True)


def rates(status_table: pd.DataFrame) -> pd.DataFrame:
    """Reporting rates per unit (in the table's order) and, last, for all units
    (`is_total`): expected, received, on_time, late, missing, rate = received / expected,
    on_time_rate = on_time / expected, the late periods with their days late ("Quý III/2017:
    nộp muộn 97 ngày") and the labels of the missing periods."""
    keys = ["unit_code", "unit_name", "unit_short_name", "kind"]
    st = status_table
    counts = (pd.crosstab([st[k] for k in keys], st["status"])
              .reindex(columns=REPORT_STATUSES, fill_value=0))
    counts.columns.name = None
    order = st[keys].drop_duplicates()
    per_unit = order.merge(counts.reset_index(), on=keys, how="left")
    for status in REPORT_STATUSES:
        per_unit[status] = per_unit[status].fillna(0).astype("int64")

    def period_list(status, labels):
        """Each unit's periods of `status` (as `labels`), joined; "" for a unit with none."""
        mine = st["status"] == status
        joined = labels[mine].groupby(st.loc[mine, "unit_code"]).agg(", ".join)
        return per_unit["unit_code"].map(joined).astype("object").fillna("")

    late = pd.Series([MESSAGES["late_period"].format(period=p, late=_late_days(d))
                      for p, d in zip(st["period"], st["days_late"])], index=st.index, dtype=object)
    per_unit["late_periods"] = period_list(LATE, late)
    per_unit["missing_periods"] = period_list(MISSING, st["period"])
    per_unit["is_total"] = False

    total = pd.DataFrame([{
        "unit_code": None, "unit_name": MESSAGES["total"], "unit_short_name": MESSAGES["total"],
        "kind": None, "is_total": True, "late_periods": "", "missing_periods": "",
        **{s: int(per_unit[s].sum()) for s in REPORT_STATUSES}}])
    out = pd.concat([per_unit, total], ignore_index=True)
    out["expected"] = out[REPORT_STATUSES].sum(axis=1).astype("int64")
    out["received"] = (out[ON_TIME] + out[LATE]).astype("int64")
    expected = out["expected"].where(out["expected"] > 0)
    out["rate"] = out["received"] / expected
    out["on_time_rate"] = out[ON_TIME] / expected
    return out[RATE_COLUMNS]


def summary(status_table: pd.DataFrame) -> dict:
    """Headline numbers: expected, received, on_time, late, missing, rate, on_time_rate,
    periods (labels of the periods due), units, units_complete (nothing missing) and
    units_missing (at least one period missing)."""
    st = status_table
    counts = st["status"].value_counts().reindex(REPORT_STATUSES, fill_value=0)
    expected = int(len(st))
    received = int(counts[ON_TIME] + counts[LATE])
    missing_by_unit = (st["status"] == MISSING).groupby(st["unit_code"]).any()
    return {
        "expected": expected,
        "received": received,
        "on_time": int(counts[ON_TIME]),
        "late": int(counts[LATE]),
        "missing": int(counts[MISSING]),
        "rate": received / expected if expected else float("nan"),
        "on_time_rate": int(counts[ON_TIME]) / expected if expected else float("nan"),
        "periods": list(dict.fromkeys(st["period"])),
        "units": int(st["unit_code"].nunique()),
        "units_complete": int((~missing_by_unit).sum()),
        "units_missing": int(missing_by_unit.sum()),
    }


def _late_days(days) -> str:
    return MESSAGES["late_days"].format(days=format_number(days))


def _missing_items(missing: pd.DataFrame) -> pd.Series:
    """'Quý III/2017 (tháng 7–9/2017), hạn 10/10/2017, quá hạn 82 ngày' per missing report."""
    return pd.Series([
        MESSAGES["item"].format(
            period=period, months=months.lower(), due=format_date(due),
            overdue=MESSAGES["overdue_days"].format(days=format_number(days)) if days > 0
            else MESSAGES["due_today"])
        for period, months, due, days in zip(missing["period"], missing["months_label"],
                                             missing["due"], missing["days_late"])],
        index=missing.index, dtype=object)


def _next_due(plan, as_of: dt.date) -> str:
    """' Kỳ sắp đến hạn: …' for the first period due after `as_of`; '' when none is left."""
    upcoming = plan.expected_periods
    upcoming = upcoming[upcoming["due"] > _day(as_of)]
    if upcoming.empty:
        return ""
    nxt = upcoming.iloc[0]
    return MESSAGES["next_due"].format(period=nxt["period"], due=format_date(nxt["due"]))


def unit_reminder(plan, status_table: pd.DataFrame, unit_code: str, as_of: dt.date) -> tuple[bool, str]:
    """What one unit still owes, for its own officer: (anything missing, the sentence)."""
    day = format_date(as_of)
    mine = status_table[status_table["unit_code"] == unit_code]
    missing = mine[mine["status"] == MISSING]
    if not missing.empty:
        return True, MESSAGES["unit_missing"].format(as_of=day, items="; ".join(_missing_items(missing)))
    if mine.empty:
        return False, MESSAGES["nothing_due"].format(as_of=day) + _next_due(plan, as_of)
    return False, (MESSAGES["unit_complete"].format(as_of=day, periods=", ".join(dict.fromkeys(mine["period"])))
                   + _next_due(plan, as_of))


def reminder_text(plan, status_table: pd.DataFrame, as_of: dt.date) -> str:
    """A Vietnamese reminder, ready to paste into a letter or a message: who has not sent
    which period, when it was due and how long ago. A report received late is not listed."""
    day = format_date(as_of)
    lines: list[str] = []
    missing = status_table[status_table["status"] == MISSING]
    if status_table.empty:
        lines.append(MESSAGES["nothing_due"].format(as_of=day) + _next_due(plan, as_of))
    elif missing.empty:
        lines.append(MESSAGES["all_reported"].format(
            as_of=day, units=format_number(status_table["unit_code"].nunique()),
            periods=", ".join(dict.fromkeys(status_table["period"]))))
    else:
        items = _missing_items(missing)
        per_unit = items.groupby(missing["unit_code"], sort=False).agg("; ".join)
        names = missing.drop_duplicates("unit_code").set_index("unit_code")["unit_name"]
        lines.append(MESSAGES["header_missing"].format(as_of=day))
        lines += [MESSAGES["unit_line"].format(n=n, unit=names[code], items=text)
                  for n, (code, text) in enumerate(per_unit.items(), start=1)]
        lines.append(MESSAGES["request"].format(
            to=plan.agency_name(plan.reporting.to), via=plan.agency_name(plan.reporting.via)))
    schedule = plan.reporting.schedule
    if schedule is not None:
        lines.append(MESSAGES["schedule_note"].format(note=schedule.source_note))
    return "\n".join(lines)
