"""Progress: targets against actuals to a review date, and the pacing line.

The review date means one thing everywhere: what was known on that day (docs/progress.md).
`known_data` reads the values and communes as they stood at the end of that day in Vietnam;
every other function here is pure and vectorised over such frames. A report counts towards a
review date when its period has ended by then: results are reported per period and cannot be
split by month.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from . import counting
from .settings import LOCAL_TZ
from .vntext import match_key

STATUS_MET = "met"
STATUS_ON_TRACK = "on_track"
STATUS_BEHIND = "behind"
STATUS_MISSED = "missed"  # the period is over and the target was not met
STATUS_NOT_STARTED = "not_started"
STATUS_QUALITATIVE = "qualitative"
STATUSES = [STATUS_MET, STATUS_ON_TRACK, STATUS_BEHIND, STATUS_MISSED, STATUS_NOT_STARTED,
            STATUS_QUALITATIVE]

# Reports on a plan year still arrive after its last deadline (15/12 in both plans): the
# review date may run to the end of this month of the next year, or the last deadline if later.
CLOSING_MONTH = 1


# --- The review date ----------------------------------------------------------------------
def review_range(plan, history: pd.DataFrame | None = None) -> tuple[dt.date, dt.date]:
    """The days a review date of the plan's year may take: 1 January of the year to the last
    report deadline of the year, at the earliest the end of January of the next year, and
    (given the uploads, `Store.history`) at least the day of the year's latest upload, so that
    no report is ever out of every review date's reach."""
    year = plan.year
    closing = (pd.Timestamp(year + 1, CLOSING_MONTH, 1) + pd.offsets.MonthEnd(0)).date()
    due = plan.expected_periods["due"]
    last = max(closing, due.max().date() if len(due) else closing)
    if history is not None:
        uploaded = history.loc[history["year"] == year, "uploaded_at"]
        if len(uploaded):
            latest = pd.to_datetime(uploaded, utc=True).max().tz_convert(LOCAL_TZ).date()
            last = max(last, latest)
    return dt.date(year, 1, 1), last


def review_default(plan, today: dt.date | None = None, history: pd.DataFrame | None = None) -> dt.date:
    """The review date when none is chosen: today in Vietnam, clipped to `review_range`."""
    first, last = review_range(plan, history)
    today = today or dt.datetime.now(LOCAL_TZ).date()
    return min(max(today, first), last)


def end_of_day(day: dt.date) -> dt.datetime:
    """The last instant of `day` in Vietnam: what was uploaded by then was known that day."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), LOCAL_TZ) - dt.timedelta(microseconds=1)


def sent_later(history: pd.DataFrame, plan, as_of: dt.date) -> int:
    """How many uploads of the plan's year (`Store.history`) came after the end of `as_of`:
    not counted on that review date."""
    mine = history[history["year"] == plan.year]
    return int((mine["uploaded_at"] > pd.Timestamp(end_of_day(as_of))).sum())


def known_data(store, plan, as_of: dt.date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(values, communes) of the plan's year as known at the end of `as_of`: per unit and
    period the version in force that day; later uploads, revisions and rollbacks do not count."""
    at = end_of_day(as_of)
    return (store.values(plan.id, plan.year, known_on=at),
            store.communes(plan.id, plan.year, known_on=at))


VALUE_COLUMNS = ["submission_id", "unit_code", "place_code", "start_month", "end_month",
                 "indicator_code", "value", "text", "note"]
COMMUNE_COLUMNS = ["submission_id", "unit_code", "place_code", "start_month", "end_month",
                   "indicator_code", "commune_code"]


def _period_end(year: int, end_month: pd.Series) -> pd.Series:
    """The last day of each period's end month."""
    first_of_next = pd.to_datetime(
        {"year": year + (end_month // 12), "month": end_month % 12 + 1, "day": 1})
    return (first_of_next - pd.Timedelta(days=1)).dt.date


def ended_by(df: pd.DataFrame, year: int, as_of: dt.date) -> pd.DataFrame:
    if df.empty:
        return df
    return df[_period_end(year, df["end_month"].astype(int)) <= as_of]


def whole(expected):
    """Expected-to-date of a thing counted in whole units, as a whole number: rounded half up
    (0,8 mô hình is 1; 4,4 cuộc is 4). See docs/progress.md."""
    return np.floor(np.asarray(expected, dtype=float) + 0.5)


def expected_to_date(target, start: dt.date, end: dt.date, as_of: dt.date,
                     paced: bool = True, whole_units: bool = False) -> float:
    """Nothing before the start, the full target at the end, a straight line between.
    Unpaced (a rate reported directly): the full target from the start. `whole_units`:
    rounded to a whole number (`whole`)."""
    if target is None or pd.isna(target):
        return np.nan
    if as_of < start:
        return 0.0
    if as_of >= end or not paced:
        return float(target)
    share = float(target) * ((as_of - start).days + 1) / ((end - start).days + 1)
    return float(whole(share)) if whole_units else share


def whole_units(indicators: pd.DataFrame) -> pd.Series:
    """Per indicator row, whether it is counted in whole units (lớp, mô hình, cuộc, người,
    xã …): a numeric target that is not a percentage."""
    return counting.mask(indicators, "is_numeric") & ~counting.mask(indicators, "is_percent")


def status(actual, target, expected, started: bool, ended: bool = False) -> str:
    """met, or once the period is over (`ended`) missed; else not started, on track or
    behind the expected-to-date."""
    if target is None or pd.isna(target):
        return STATUS_QUALITATIVE
    if actual >= target:
        return STATUS_MET
    if ended:
        return STATUS_MISSED
    if not started:
        return STATUS_NOT_STARTED
    return STATUS_ON_TRACK if actual >= expected else STATUS_BEHIND


def places_reached(plan, values: pd.DataFrame, communes: pd.DataFrame) -> pd.DataFrame:
    """Each place reached for a place-counting indicator, one row per report that reached
    it: indicator_code, reached_code (the place reached), unit_code, place_code (the reporting
    place it lies in), end_month. A place is reached when a report names it, or when the unit is itself
    the place and reports a value > 0 (see mdplan_core.counting)."""
    named = communes[communes["indicator_code"].isin(counting.named_codes(plan))]
    home = plan.communes.set_index("code")["place_code"]
    named = named.assign(reached_code=named["commune_code"],
                         place_code=named["commune_code"].map(home).fillna(named["place_code"]))
    own_codes = set(counting.codes(plan.indicators, "counts_places")) - set(counting.named_codes(plan))
    own = values[values["indicator_code"].isin(own_codes) & values["place_code"].notna()
                 & (pd.to_numeric(values["value"], errors="coerce") > 0)]
    own = own.assign(reached_code=own["place_code"])
    columns = ["indicator_code", "reached_code", "unit_code", "place_code", "end_month"]
    return pd.concat([named[columns], own[columns]], ignore_index=True)


def _place_scale(plan) -> pd.Series:
    """Per indicator, what one place reached adds: 1, or for a share of places 100 / the
    number of places at its level."""
    inds = plan.indicators.set_index("code")
    share = counting.mask(plan.indicators, "is_percent").to_numpy() \
        & counting.mask(plan.indicators, "counts_places").to_numpy()
    sizes = [len(plan.places_at(level)) for level in inds["level"]]
    return pd.Series(np.where(share, 100.0 / np.maximum(sizes, 1), 1.0), index=inds.index)


def latest_percents(plan, values: pd.DataFrame) -> pd.DataFrame:
    """For percentages reported directly, each unit's latest report: the rows of `values`."""
    v = values[values["indicator_code"].isin(counting.codes(plan.indicators, "reported_percent"))
               & values["value"].notna()]
    return v.sort_values("end_month").groupby(["indicator_code", "unit_code"]).tail(1)


def actuals(plan, values: pd.DataFrame, communes: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Actual per indicator and the `by` columns, as its way counts (mdplan_core.counting):
    sums; places reached (a share of all places in %); the lowest latest percentage. `by`
    may name `unit_code` or `place_code`; a place counts in the district it lies in,
    whoever reported it."""
    summed = (values[values["indicator_code"].isin(counting.codes(plan.indicators, "is_summed"))]
              .groupby(["indicator_code", *by], dropna=False)["value"].sum(min_count=1))
    reached = places_reached(plan, values, communes)
    counted = reached.groupby(["indicator_code", *by], dropna=False)["reached_code"].nunique()
    counted = counted.astype(float) * counted.index.get_level_values(0).map(_place_scale(plan)).to_numpy()
    lowest = latest_percents(plan, values).groupby(["indicator_code", *by], dropna=False)["value"].min()
    parts = [p for p in (summed, counted, lowest.astype(float)) if len(p)]
    if not parts:
        return pd.DataFrame(columns=["indicator_code", *by, "actual"])
    return pd.concat(parts).rename("actual").reset_index()


def by_indicator(plan, values: pd.DataFrame, communes: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """One row per indicator: target, actual, expected to date, percentages, whether its
    task's period has ended by `as_of`, status."""
    values = ended_by(values, plan.year, as_of)
    communes = ended_by(communes, plan.year, as_of)
    act = actuals(plan, values, communes, by=[]).set_index("indicator_code")
    items = values[values["indicator_code"].isin(counting.codes(plan.indicators, "has_text"))]
    texts = items.dropna(subset=["text"]).groupby("indicator_code")["text"].agg(
        lambda s: "\n".join(dict.fromkeys(s)))

    tasks = plan.tasks.set_index("number")
    out = plan.indicators[["code", "task", "name", "unit", "target", "aggregation", "level"]].copy()
    out["actual"] = out["code"].map(act["actual"]).fillna(0.0)
    out["start"] = out["task"].map(tasks["start"].dt.date)
    out["end"] = out["task"].map(tasks["end"].dt.date)
    paced = counting.mask(out, "paced")
    out["expected"] = [expected_to_date(t, s, e, as_of, p, w) for t, s, e, p, w
                       in zip(out["target"], out["start"], out["end"], paced, whole_units(out))]
    target = out["target"].astype("Float64")
    out["pct_target"] = (out["actual"] / target).astype(float)
    out["pct_expected"] = (out["actual"] / out["expected"].where(out["expected"] > 0)).astype(float)
    # A rate reported directly has not started until some unit reports it.
    latest = latest_percents(plan, values)
    reported = out["code"].isin(latest["indicator_code"]) | paced
    out["ended"] = [as_of > e for e in out["end"]]
    out["status"] = [status(a, t, x, as_of >= s and r, ended) for a, t, x, s, ended, r
                     in zip(out["actual"], out["target"], out["expected"], out["start"], out["ended"],
                            reported)]
    out["text"] = out["code"].map(texts)
    out["average"] = out["code"].map(latest.groupby("indicator_code")["value"].mean()).astype(float)
    return out.reset_index(drop=True)


def by_group(plan, values: pd.DataFrame, communes: pd.DataFrame, as_of: dt.date,
             by: str) -> pd.DataFrame:
    """Actual per indicator and per district (`place_code`) or unit (`unit_code`), with
    each group's share of the provincial actual."""
    values = ended_by(values, plan.year, as_of)
    communes = ended_by(communes, plan.year, as_of)
    act = actuals(plan, values, communes, by=[by])
    total = by_indicator(plan, values, communes, as_of).set_index("code")
    act["target"] = act["indicator_code"].map(total["target"])
    act["province_actual"] = act["indicator_code"].map(total["actual"]).astype(float)
    additive = act["indicator_code"].isin(counting.codes(plan.indicators, "additive"))
    act["share"] = act["actual"] / act["province_actual"].where(additive & (act["province_actual"] > 0))
    return act.sort_values(["indicator_code", by], na_position="last").reset_index(drop=True)


# --- Month by month, for burn-up charts ---------------------------------------------------
MONTHS = np.arange(1, 13)


def _month_ends(year: int) -> pd.Series:
    ends = pd.to_datetime(_period_end(year, pd.Series(MONTHS)))
    return pd.Series(ends.to_numpy(), index=MONTHS)


def _pick_indicators(plan, task: int | None, indicator) -> pd.DataFrame:
    inds = plan.indicators
    if task is not None:
        inds = inds[inds["task"] == int(task)]
    if indicator is not None:
        codes = [indicator] if isinstance(indicator, str) else list(indicator)
        inds = inds[inds["code"].isin(codes)]
    return inds


def cumulative_by_month(plan, values: pd.DataFrame, communes: pd.DataFrame,
                        task: int | None = None, indicator=None, *,
                        district: str | None = None, as_of: dt.date | None = None) -> pd.DataFrame:
    """Actual per indicator at the end of each month of the plan year: columns
    indicator_code, month (1..12), month_end (Timestamp), in_month (what that month added),
    actual (cumulative). A period's results land in its end month, as in `by_indicator`.
    A commune counts once, in the month it is first named. `task` / `indicator` (a code or a
    list) select indicators; `district` keeps one district's results (communes by the
    district they belong to, as in `by_group`); months ending after `as_of` are NaN."""
    inds = _pick_indicators(plan, task, indicator)
    v = values[values["indicator_code"].isin(counting.codes(inds, "is_summed"))]
    reached = places_reached(plan, values, communes)
    reached = reached[reached["indicator_code"].isin(inds["code"])]
    rates = values[values["indicator_code"].isin(counting.codes(inds, "reported_percent"))]
    if district is not None:
        v = v[v["place_code"] == district]
        reached = reached[reached["place_code"] == district]
        rates = rates[rates["place_code"] == district]
    summed = v.groupby(["indicator_code", "end_month"])["value"].sum()
    first_reached = reached.groupby(["indicator_code", "reached_code"])["end_month"].min()
    new_places = first_reached.groupby(["indicator_code", first_reached]).size().astype(float)
    new_places = new_places * new_places.index.get_level_values(0).map(_place_scale(plan)).to_numpy()
    added = pd.concat([summed, new_places])
    added.index.names = ["indicator_code", "month"]

    grid = pd.MultiIndex.from_product([inds["code"], MONTHS], names=["indicator_code", "month"])
    out = added.groupby(level=["indicator_code", "month"]).sum().reindex(grid, fill_value=0.0)
    out = out.rename("in_month").reset_index()
    out["in_month"] = out["in_month"].astype(float)
    out["actual"] = out.groupby("indicator_code")["in_month"].cumsum()
    # A rate is not added up: at each month end, the lowest of the units' latest reports.
    for code in rates["indicator_code"].unique():
        at = out["indicator_code"] == code
        mine = rates[rates["indicator_code"] == code]
        out.loc[at, "in_month"] = np.nan
        out.loc[at, "actual"] = [latest_percents(plan, mine[mine["end_month"] <= m])["value"].min()
                                 for m in out.loc[at, "month"]]
    out["month_end"] = out["month"].map(_month_ends(plan.year))
    if as_of is not None:
        future = out["month_end"] > pd.Timestamp(as_of)
        out.loc[future, ["in_month", "actual"]] = np.nan
    return out[["indicator_code", "month", "month_end", "in_month", "actual"]]


def pacing_by_month(plan, indicator_code: str) -> pd.DataFrame:
    """Expected to date at each month end (the `expected_to_date` line): columns
    indicator_code, month, month_end, target, expected. NaN for a qualitative indicator;
    for a rate reported directly the full target from the task's start."""
    ind = plan.indicators.set_index("code").loc[indicator_code]
    task = plan.task(ind["task"])
    start, end = pd.Timestamp(task.schedule.start), pd.Timestamp(task.schedule.end)
    month_end = _month_ends(plan.year).reset_index(drop=True)
    elapsed = ((month_end - start).dt.days + 1) / ((end - start).days + 1)
    share = elapsed.clip(0.0, 1.0) if counting.way(ind).paced else pd.Series(1.0, index=elapsed.index)
    share = share.where(month_end >= start, 0.0)
    target = np.nan if pd.isna(ind["target"]) else float(ind["target"])
    expected = share * target
    if whole_units(plan.indicators.loc[plan.indicators["code"] == indicator_code]).iloc[0]:
        expected = pd.Series(whole(expected), index=share.index)
    return pd.DataFrame({"indicator_code": indicator_code, "month": MONTHS, "month_end": month_end,
                         "target": target, "expected": expected})


# --- Headline and per-district views ------------------------------------------------------
def _numeric(table: pd.DataFrame) -> pd.DataFrame:
    target = pd.to_numeric(table["target"], errors="coerce").astype(float)
    return table.assign(target=target)[target > 0]


def overall_progress(progress_table: pd.DataFrame) -> float:
    """Mean over the numeric indicators of actual / target, each capped at 100% (one target
    overshot does not make up for another missed). NaN without numeric indicators."""
    t = _numeric(progress_table)
    return float((t["actual"] / t["target"]).clip(upper=1.0).mean()) if len(t) else np.nan


def overall_expected(progress_table: pd.DataFrame) -> float:
    """The same mean for the expected-to-date values: where `overall_progress` should be."""
    t = _numeric(progress_table)
    return float((t["expected"] / t["target"]).clip(upper=1.0).mean()) if len(t) else np.nan


def overall_status(progress_table: pd.DataFrame) -> str:
    """The status of the whole plan from `overall_progress` against `overall_expected`:
    missed once every numeric indicator's period has ended without all being met."""
    t = _numeric(progress_table)
    reached, expected = overall_progress(progress_table), overall_expected(progress_table)
    ended = bool(len(t)) and bool(t.get("ended", pd.Series(False, index=t.index)).all())
    return status(reached, 1.0, expected, expected > 0 or reached > 0, ended)


DISTRICT_MATRIX_COLUMNS = [
    "place_code", "place_name", "short_name", "tile_row", "tile_col", "indicator_code",
    "indicator_name", "unit", "aggregation", "actual", "province_actual", "share", "allocated",
    "pct_allocated", "basis", "value"]


def place_matrix(plan, values: pd.DataFrame, communes: pd.DataFrame,
                    allocations: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """District x indicator, every pair: the district's actual, its share of the provincial
    actual, and where Sở LĐTBXH allocated a target to it (`allocations`: indicator_code,
    place_code, target; may be empty) that target and the actual as a share of it.
    `basis` says which one `value` holds: 'allocation' (actual / allocated) or 'share'
    (actual / provincial actual). No allocation is ever assumed."""
    total = by_indicator(plan, values, communes, as_of).set_index("code")
    act = actuals(plan, ended_by(values, plan.year, as_of), ended_by(communes, plan.year, as_of),
                  by=["place_code"])
    districts = plan.places[["code", "name", "short_name", "tile_row", "tile_col"]].rename(
        columns={"code": "place_code", "name": "place_name"})
    inds = plan.indicators[["code", "name", "unit", "aggregation"]].rename(
        columns={"code": "indicator_code", "name": "indicator_name"})
    out = districts.merge(inds, how="cross")
    out = out.merge(act[["indicator_code", "place_code", "actual"]],
                    on=["indicator_code", "place_code"], how="left")
    out["actual"] = out["actual"].astype(float).fillna(0.0)
    out["province_actual"] = out["indicator_code"].map(total["actual"]).astype(float)
    additive = out["indicator_code"].isin(counting.codes(plan.indicators, "additive"))
    out["share"] = out["actual"] / out["province_actual"].where(additive & (out["province_actual"] > 0))

    alloc = allocations.reindex(columns=["indicator_code", "place_code", "target"])
    alloc = alloc[alloc["indicator_code"].isin(counting.codes(plan.indicators, "allocatable"))]
    alloc = alloc.rename(columns={"target": "allocated"}).astype({"allocated": float})
    out = out.merge(alloc.drop_duplicates(["indicator_code", "place_code"], keep="last"),
                    on=["indicator_code", "place_code"], how="left")
    out["pct_allocated"] = out["actual"] / out["allocated"].where(out["allocated"] > 0)
    has_allocation = out["allocated"].notna()
    out["basis"] = np.where(has_allocation, "allocation", "share")
    out["value"] = out["pct_allocated"].where(has_allocation, out["share"])
    return out[DISTRICT_MATRIX_COLUMNS]


PROVINCE_LEVEL = "Sở, ngành cấp tỉnh"


def with_province_level(matrix: pd.DataFrame) -> pd.DataFrame:
    """`matrix` plus one row per indicator for what the provincial agencies reported outside
    any district: the provincial actual less the districts' sum, as a share of the provincial
    actual. A district at 0% then reads as "the agencies did it", not as "behind". The row
    is left out when the agencies added nothing anywhere."""
    by = matrix.groupby("indicator_code", sort=False)
    rest = (by["province_actual"].first() - by["actual"].sum()).clip(lower=0)
    rest = rest.where(by.first().pipe(counting.mask, "additive"), 0.0)  # no remainder of a rate
    if matrix.empty or not (rest > 0).any():
        return matrix
    first = by.first()
    row = pd.DataFrame({
        "place_code": None, "place_name": PROVINCE_LEVEL, "short_name": PROVINCE_LEVEL,
        "tile_row": np.nan, "tile_col": np.nan, "indicator_code": first.index,
        "indicator_name": first["indicator_name"].to_numpy(), "unit": first["unit"].to_numpy(),
        "aggregation": first["aggregation"].to_numpy(), "actual": rest.to_numpy(),
        "province_actual": first["province_actual"].to_numpy(), "allocated": np.nan,
        "pct_allocated": np.nan, "basis": "share"})
    row["share"] = row["actual"] / row["province_actual"].where(row["province_actual"] > 0)
    row["value"] = row["share"]
    return pd.concat([matrix, row[DISTRICT_MATRIX_COLUMNS]], ignore_index=True)


# --- Places at any level, for ranked charts and tables --------------------------------------
def place_progress(plan, matrix: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """`place_matrix` as a frame of places: per place and indicator, its actual, its own
    target (the allocated one; NaN without), the part of that target due by `as_of` on
    the indicator's task schedule (a whole number for counts), and whether that schedule
    has `ended`."""
    tasks = plan.tasks.set_index("number")
    due = {ind.code: expected_to_date(1.0, tasks.at[ind.task, "start"].date(),
                                      tasks.at[ind.task, "end"].date(), as_of)
           for ind in plan.indicators.itertuples()}
    ended = {ind.code: as_of > tasks.at[ind.task, "end"].date() for ind in plan.indicators.itertuples()}
    counted = dict(zip(plan.indicators["code"], whole_units(plan.indicators)))
    out = matrix.rename(columns={"allocated": "target"})
    expected = out["target"] * out["indicator_code"].map(due)
    expected = expected.where(~out["indicator_code"].map(counted).fillna(False).astype(bool),
                              whole(expected))
    out = out.assign(expected=expected, ended=out["indicator_code"].map(ended).fillna(False).astype(bool))
    return out[["place_code", "place_name", "short_name", "tile_row", "tile_col", "indicator_code",
                "indicator_name", "unit", "actual", "target", "expected", "ended"]].reset_index(drop=True)


def overall_by_place(places: pd.DataFrame) -> pd.DataFrame:
    """Per place, `overall_progress` and `overall_expected` of its indicators that have a
    target of their own, as a places frame of ratios: actual and expected in 0..1 and a
    target of 1 (100%). A place without any target gets NaN throughout."""
    rows = []
    for (code, name), group in places.groupby(["place_code", "place_name"], sort=False):
        reached = overall_progress(group)
        rows.append((code, name, reached, np.nan if np.isnan(reached) else 1.0,
                     overall_expected(group)))
    return pd.DataFrame(rows, columns=["place_code", "place_name", "actual", "target", "expected"])


def rank_places(places: pd.DataFrame) -> pd.DataFrame:
    """Places ranked best first, for a chart and a table that must agree. Input: place_code,
    place_name, actual, and optionally target, expected and ended (a place's own target, the
    part due by now, whether its period is over). When any place has a target, `value` is actual / target and places
    with a target get a `status` (the others rank last, status None); otherwise `value` is
    the actual and there is no status. `rank` is 1 for the best; equal values share a rank."""
    t = places.reset_index(drop=True)
    missing = pd.Series(np.nan, index=t.index)
    actual = pd.to_numeric(t["actual"], errors="coerce").astype(float).fillna(0.0)
    target = pd.to_numeric(t.get("target", missing), errors="coerce").astype(float)
    expected = pd.to_numeric(t.get("expected", missing), errors="coerce").astype(float)
    has_target = target > 0
    if has_target.any():
        value = actual / target.where(has_target)
        expected_value = expected / target.where(has_target)
        due = expected.fillna(0.0)
        ended = t["ended"].fillna(False).astype(bool) if "ended" in t else pd.Series(False, index=t.index)
        states = [status(a, g, x, x > 0 or a > 0, e) if h else None
                  for a, g, x, h, e in zip(actual, target, due, has_target, ended)]
    else:
        value, expected_value, states = actual, missing, [None] * len(t)
    out = t.assign(actual=actual, target=target, expected=expected, value=value,
                   expected_value=expected_value, status=states,
                   rank=value.rank(method="min", ascending=False).astype("Int64"))
    out = out.assign(_name=out["place_name"].map(match_key)).sort_values(
        ["value", "actual", "_name"], ascending=[False, False, True], na_position="last",
        kind="stable")
    return out.drop(columns="_name").reset_index(drop=True)
