"""Comparing years, and a plan's results on today's map.

Years side by side: an indicator of one plan may continue an indicator of an earlier plan of the
same province (`continues: "backan-2017:CT1.1"` in the plan file). Following those links gives
chains; each chain is one row, with a target and a result for every year of the linked plans
(every year of a plan for several years too). A year's result is counted as
`progress.by_indicator` counts it at the end of that year, or on the review date for the year
that is running.

Today's map: the results of a plan's places (its reporting level, and the places named in
reports) set beside the places they became on a later day, from the tree of places
(`places.py`). A place that was divided keeps its result whole: the frame says it went to
several places, and how much of it went to each (`places.SHARES`); nothing is split.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import counting, progress
from .places import REFORM, SHARES, PlaceTree, full_name, load_places

MESSAGES = {
    "no_plan": "chỉ tiêu {code} của kế hoạch {plan} nối tiếp '{ref}', nhưng không có kế hoạch '{other}'",
    "other_province": ("chỉ tiêu {code} của kế hoạch {plan} nối tiếp '{ref}', nhưng kế hoạch '{other}' "
                       "thuộc tỉnh khác"),
    "no_indicator": ("chỉ tiêu {code} của kế hoạch {plan} nối tiếp '{ref}', nhưng kế hoạch đó không có "
                     "chỉ tiêu '{other}'"),
    "period": "giai đoạn {period}",
}

# How a year's data are read: (plan id, year) -> (values, communes), as the store gives them.
Reader = Callable[[str, int], tuple[pd.DataFrame, pd.DataFrame]]


def store_reader(store) -> Reader:
    """The in-force values and named places of a plan's year, straight from the store."""
    return lambda plan_id, year: (store.values(plan_id, year), store.communes(plan_id, year))


# --- Years side by side -------------------------------------------------------------------
@dataclass(frozen=True)
class YearColumn:
    """One year of one plan: a pair of columns (target, result)."""
    plan_id: str
    year: int
    label: str             # "2017", or "2022 (giai đoạn 2021–2025)" for a year of a longer plan
    day: dt.date | None    # the day its result is counted to; None for a year not yet begun


@dataclass(frozen=True)
class Comparison:
    plans: list            # the linked plans, oldest first
    columns: list[YearColumn]
    # One row per chain and year column: chain, column (position in `columns`), plan_id, year,
    # code, name, unit, aggregation, level, target, year_part (the target is the year's part
    # where the plan states one; False when it is a longer plan's whole target), actual.
    cells: pd.DataFrame
    # One row per chain: chain, codes ("CT1.1 → 1.1" where the code changed), name and unit of
    # its latest indicator, ways (the counting ways along it, oldest first, once each).
    chains: pd.DataFrame
    broken: list[str]      # `continues:` references that lead nowhere, in Vietnamese

    @property
    def continues(self) -> bool:
        """Whether there is more than one year to compare."""
        return len(self.columns) > 1

    def wide(self) -> pd.DataFrame:
        """One row per chain (index), a (target, actual) column pair per year column."""
        keys = [(c.label, part) for c in self.columns for part in ("target", "actual")]
        out = pd.DataFrame(np.nan, index=self.chains["chain"], columns=pd.MultiIndex.from_tuples(keys))
        for row in self.cells.itertuples():
            label = self.columns[row.column].label
            out.at[row.chain, (label, "target")] = row.target
            out.at[row.chain, (label, "actual")] = row.actual
        return out


def _ref(reference: str) -> tuple[str, str]:
    plan_id, _, code = reference.partition(":")
    return plan_id, code


def _end_day(year: int, level: str) -> dt.date:
    """The last day of a year on the plan's map (districts ended the day before the reform)."""
    day = dt.date(year, 12, 31)
    return min(day, REFORM - dt.timedelta(days=1)) if level == "district" else day


def same_area(older, newer, tree: PlaceTree | None = None) -> bool:
    """Whether two plans are of one province: the same code, or the older plan's province became
    the newer one's (Bắc Kạn went into Thái Nguyên on 2025-07-01)."""
    if older.province_code == newer.province_code:
        return True
    if older.years > newer.years:
        older, newer = newer, older
    tree = tree or load_places()
    since = _end_day(older.years[1], "district")
    later = max(dt.date(newer.years[0], 12, 31), since)
    found = tree.successors(older.province_code, since, later)
    return newer.province_code in set(found["code"])


def linked_plans(known: Iterable, plan, tree: PlaceTree | None = None) -> tuple[list, list[str]]:
    """The plans linked to `plan` by `continues:` references (either way, through others), with
    `plan` itself, oldest first; and the references that lead nowhere."""
    everything = {p.id: p for p in known}
    everything[plan.id] = plan
    edges: dict[str, set[str]] = {pid: set() for pid in everything}
    broken = []
    for p in everything.values():
        for ind in p.spec.indicators:
            if ind.continues is None:
                continue
            other_id, other_code = _ref(ind.continues)
            other = everything.get(other_id)
            facts = dict(code=ind.code, plan=p.id, ref=ind.continues, other=other_id)
            if other is None:
                broken.append((p.id, MESSAGES["no_plan"].format(**facts)))
            elif not same_area(other, p, tree):
                broken.append((p.id, MESSAGES["other_province"].format(**facts)))
            elif other_code not in {i.code for i in other.spec.indicators}:
                broken.append((p.id, MESSAGES["no_indicator"].format(**facts | {"other": other_code})))
            else:
                edges[p.id].add(other_id)
                edges[other_id].add(p.id)
    found, todo = set(), [plan.id]
    while todo:
        pid = todo.pop()
        if pid not in found:
            found.add(pid)
            todo.extend(edges[pid])
    family = sorted((everything[pid] for pid in found), key=lambda p: (p.years, p.id))
    return family, [message for pid, message in broken if pid in found]


def _chains(family: list, plan) -> list[list[tuple[str, str]]]:
    """Each chain of (plan id, code), oldest first; a chain ends at an indicator nothing
    continues. Two indicators continuing one give two chains sharing their start."""
    ids = {p.id for p in family}
    previous: dict[tuple[str, str], tuple[str, str]] = {}
    nodes = [(p.id, i.code) for p in family for i in p.spec.indicators]
    known = set(nodes)
    for p in family:
        for ind in p.spec.indicators:
            if ind.continues is not None:
                ref = _ref(ind.continues)
                if ref[0] in ids and ref in known:
                    previous[(p.id, ind.code)] = ref
    continued = set(previous.values())
    chains = []
    for node in nodes:
        if node in continued:
            continue
        chain = [node]
        while chain[-1] in previous:
            chain.append(previous[chain[-1]])
        chains.append(chain[::-1])
    # The chosen plan's indicators first, in its order; then the others as the plans list them.
    order = {node: i for i, node in enumerate(nodes)}
    mine = {(plan.id, i.code): n for n, i in enumerate(plan.spec.indicators)}

    def key(chain):
        here = [mine[n] for n in chain if n in mine]
        return (0, here[0]) if here else (1, order[chain[-1]])
    return sorted(chains, key=key)


def _columns(family: list, as_of: dt.date) -> list[YearColumn]:
    columns = []
    for p in family:
        for year in range(p.years[0], p.years[1] + 1):
            label = str(year) if not p.multi_year else \
                f"{year} ({MESSAGES['period'].format(period=p.period_label)})"
            if any(c.label == label for c in columns):
                label = f"{label} · {p.decision.number}"
            day = None if as_of < dt.date(year, 1, 1) else min(dt.date(year, 12, 31), as_of)
            columns.append(YearColumn(p.id, year, label, day))
    return columns


def compare_years(known: Iterable, plan, read: Reader, as_of: dt.date,
                  tree: PlaceTree | None = None) -> Comparison:
    """Target and result by year for the chains of indicators linked to `plan`'s. Years that
    have ended count to their last day; the year running on `as_of` counts to `as_of`; a year
    not begun has targets and no results."""
    family, broken = linked_plans(known, plan, tree)
    columns = _columns(family, as_of)
    chains = _chains(family, plan)
    by_plan = {p.id: p for p in family}
    rows = []
    for position, col in enumerate(columns):
        seen = by_plan[col.plan_id].for_year(col.year)
        if col.day is None:
            table = seen.indicators.assign(actual=np.nan)
        else:
            values, communes = read(col.plan_id, col.year)
            table = progress.by_indicator(seen, values, communes, col.day)
        table = table.set_index("code")
        for n, chain in enumerate(chains):
            for pid, code in chain:
                if pid != col.plan_id:
                    continue
                ind, row = seen.indicator(code), table.loc[code]
                rows.append({
                    "chain": n, "column": position, "plan_id": pid, "year": col.year, "code": code,
                    "name": ind.name, "unit": ind.unit, "aggregation": counting.way(ind).name,
                    "level": ind.level, "target": row["target"],
                    "year_part": not seen.multi_year or col.year in ind.targets_by_year,
                    "actual": row["actual"],
                })
    cells = pd.DataFrame(rows, columns=["chain", "column", "plan_id", "year", "code", "name", "unit",
                                        "aggregation", "level", "target", "year_part", "actual"])
    cells["target"] = pd.to_numeric(cells["target"], errors="coerce").astype(float)
    cells["actual"] = pd.to_numeric(cells["actual"], errors="coerce").astype(float)
    heads = []
    for n, chain in enumerate(chains):
        last = by_plan[chain[-1][0]].indicator(chain[-1][1])
        codes = list(dict.fromkeys(code for _, code in chain))
        ways = list(dict.fromkeys(counting.label(by_plan[pid].indicator(code)) for pid, code in chain))
        heads.append({"chain": n, "codes": " → ".join(codes), "name": last.name, "unit": last.unit,
                      "ways": ways})
    return Comparison(family, columns, cells, pd.DataFrame(heads, columns=["chain", "codes", "name", "unit", "ways"]),
                      broken)


# --- A plan's results on today's map ------------------------------------------------------
MAP_COLUMNS = ["source", "from_level", "from_code", "from_name", "actual", "to_code", "to_name", "share",
               "destinations"]


def map_day(plan) -> dt.date:
    """The day of the plan's map: the end of its year (for districts, their last day)."""
    return _end_day(plan.year, plan.reporting_level)


def province_change(plan, day: dt.date, tree: PlaceTree | None = None) -> tuple[str, list[str]]:
    """The plan's province as named on its map, and the province(s) it became on `day`, as a
    sentence names them: ('tỉnh Bắc Kạn', ['tỉnh Thái Nguyên'])."""
    tree = tree or load_places()
    since = map_day(plan)
    then = tree.get(plan.province_code, since)
    found = tree.successors(plan.province_code, since, day)
    return (_in_sentence(then) if then is not None else plan.province), [_in_sentence(p) for _, p in found.iterrows()]


def _in_sentence(place) -> str:
    """'tỉnh Thái Nguyên', 'thành phố Hà Nội': a place's name inside a sentence."""
    return f"{place['type']} {place['name']}"


def _destinations(tree: PlaceTree, plan, level: str, day: dt.date) -> pd.DataFrame:
    """Each place of the plan's province at `level` on its map day, with the place(s) it became
    on `day` (columns of `PlaceTree.crosswalk`). A district abolished without a recorded
    successor goes where its communes went: whole into one place, or in part into several."""
    since = map_day(plan)
    walk = tree.crosswalk(plan.province_code, level, since, day)
    if level != "district":
        return walk
    lost = set(walk.loc[walk["to_id"] == "", "from_code"])
    if not lost:
        return walk
    communes = tree.within(plan.province_code, "commune", since)
    parent = dict(zip(communes["code"], communes["parent_code"]))
    below = tree.crosswalk(plan.province_code, "commune", since, day)
    below = below[below["from_code"].map(parent).isin(lost) & (below["to_id"] != "")]
    rows = []
    for old in walk[walk["from_code"].isin(lost)].itertuples():
        went = below[below["from_code"].map(parent) == old.from_code]
        targets = went.drop_duplicates("to_id")
        whole = len(targets) == 1 and (went["share"] == "whole").all()
        for new in targets.itertuples():
            rows.append((old.from_id, old.from_code, old.from_name, new.to_id, new.to_code, new.to_name,
                         "whole" if whole else "part"))
        if targets.empty:
            rows.append((old.from_id, old.from_code, old.from_name, "", "", "", ""))
    derived = pd.DataFrame(rows, columns=walk.columns)
    return pd.concat([walk[~walk["from_code"].isin(lost)], derived], ignore_index=True)


def on_todays_map(plan, values: pd.DataFrame, communes: pd.DataFrame, as_of: dt.date, indicator_code: str,
                  day: dt.date, tree: PlaceTree | None = None) -> pd.DataFrame:
    """The results of one indicator by the plan's places, and the places named in its reports,
    beside the places they became on `day`. One row per old place and new place:
    `source` 'place' (a place at the reporting level, with its result `actual` counted as
    `progress.by_group` counts it) or 'named' (a place a report named, `actual` 1);
    `from_level`, `from_code`, `from_name`; `to_code`, `to_name` (empty where where it went
    is not recorded); `share` (`places.SHARES`: whole, main, part; '' unrecorded); and
    `destinations`, how many places it went to. A result is never split: a place that went to
    several places has its whole result on each row."""
    tree = tree or load_places()
    ind = plan.indicator(indicator_code)
    level = plan.reporting_level
    values = progress.ended_by(values, plan.year, as_of)
    communes = progress.ended_by(communes, plan.year, as_of)
    groups = progress.by_group(plan, values, communes, as_of, by="place_code")
    result = groups[groups["indicator_code"] == indicator_code].set_index("place_code")["actual"]
    places = plan.places
    walk = _destinations(tree, plan, level, day)
    own = places[["code", "name"]].merge(walk, left_on="code", right_on="from_code", how="left")
    own = own.assign(source="place", from_level=level, from_name=own["name"],
                     actual=own["code"].map(result).fillna(0.0).astype(float))
    frames = [own]
    if counting.names_places(plan, ind):
        reached = progress.places_reached(plan, values, communes)
        codes = sorted(set(reached.loc[reached["indicator_code"] == indicator_code, "reached_code"]))
        below = _destinations(tree, plan, ind.level, day)
        named = below[below["from_code"].isin(codes)]
        at = tree.within(plan.province_code, ind.level, map_day(plan)).set_index("code")
        frames.append(named.assign(source="named", from_level=ind.level, actual=1.0,
                                   from_name=named["from_code"].map(lambda c: full_name(at.loc[c]))))
    out = pd.concat(frames, ignore_index=True)
    for column in ("to_code", "to_name", "share"):
        out[column] = out[column].fillna("")
    ids = out["to_id"].fillna("")
    out["to_name"] = [full_name(tree.places.loc[i]) if i else "" for i in ids]
    out["destinations"] = out.groupby(["source", "from_code"])["to_code"].transform(
        lambda s: int((s != "").sum()))
    # The reporting places first; each old place's destinations best share first.
    out = out.assign(_source=out["source"].map({"place": 0, "named": 1}),
                     _share=out["share"].map(lambda s: SHARES.index(s) if s else len(SHARES)))
    out = out.sort_values(["_source", "from_code", "_share", "to_code"], kind="stable")
    return out[MAP_COLUMNS].reset_index(drop=True)
