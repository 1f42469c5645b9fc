"""District allocations: the share of a provincial target that Sở LĐTBXH assigns to a district.

Targets belong to the province. An admin may allocate part of a numeric target to each
district; where no allocation is stored there is none, and nothing here makes one up.
An admin edits the whole set as one table (`allocation_grid` gives it, `save_allocations`
takes it back): blank means no allocation. A table with errors changes nothing; an
allocation whose district shares add up to more than the provincial target is saved
with a warning. Each save is one transaction, audited with a before/after diff.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd
import sqlalchemy as sa

from . import counting
from .findings import Finding, error, has_errors, warning
from .labels import level_word
from .store import Store, allocations, utc_now
from .vntext import format_number, nfc, parse_number

if TYPE_CHECKING:
    from .plan import Plan

MESSAGES = {
    "allocation.unknown_indicator": "Dòng {row}: không có chỉ tiêu mã '{indicator}' trong kế hoạch.",
    "allocation.unknown_district": "Dòng {row}: không có {places} mã '{district}' trong danh mục.",
    "allocation.not_allocatable": ("Dòng {row}: {indicator} không phân bổ được cho {level} "
                                   "(cách tính: {way})."),
    "allocation.duplicate": "Dòng {row}: chỉ tiêu {indicator} của {district} đã có ở dòng {first}.",
    "allocation.not_a_number": "Dòng {row} ({indicator}, {district}): {problem}",
    "allocation.not_integer": "Dòng {row} ({indicator}, {district}): {problem}",
    "allocation.negative": "Dòng {row} ({indicator}, {district}): chỉ tiêu phân bổ {value} không được âm.",
    "allocation.number_read": "Dòng {row} ({indicator}, {district}): {problem}",
    "allocation.over_target": ("Tổng phân bổ chỉ tiêu {indicator} ({name}) cho các {level} ({total}) "
                               "vượt chỉ tiêu của tỉnh ({target})."),
    "allocation.unchanged": "Không có thay đổi nào so với phân bổ đang lưu.",
}

KEY = ["indicator_code", "place_code"]
_LOCK = "#allocations"  # PostgreSQL advisory lock name; no unit code starts with '#'
_DTYPES = {"indicator_code": "str", "place_code": "str", "target": "int64", "updated_by": "str",
           "updated_at": "datetime64[us, UTC]"}


@dataclass(frozen=True)
class Change:
    indicator_code: str
    place_code: str
    before: int | None  # None: no allocation
    after: int | None

    def as_dict(self) -> dict:
        return {"indicator_code": self.indicator_code, "place_code": self.place_code,
                "before": self.before, "after": self.after}


@dataclass(frozen=True)
class AllocationResult:
    saved: bool
    findings: list[Finding]
    changes: tuple[Change, ...] = ()


def get_allocations(store: Store, plan_id: str) -> pd.DataFrame:
    """A plan's stored allocations: indicator_code, place_code, target, updated_by, updated_at."""
    a = allocations.c
    columns = [a[name] for name in _DTYPES]
    stmt = (sa.select(*columns).where(a.plan_id == plan_id)
            .order_by(a.indicator_code, a.place_code))
    return store.frame(stmt, _DTYPES)


def allocation_grid(plan: Plan, current: pd.DataFrame) -> pd.DataFrame:
    """The table an admin edits: every numeric indicator × every district, with its names,
    the provincial target and the stored allocation (`target`, blank where there is none)."""
    indicators = plan.indicators
    indicators = indicators[counting.mask(indicators, "allocatable") & indicators["target"].notna()]
    districts = plan.places[["code", "name"]]
    grid = indicators[["code", "name", "target"]].rename(columns={
        "code": "indicator_code", "name": "indicator_name", "target": "provincial_target",
    }).merge(districts.rename(columns={"code": "place_code", "name": "place_name"}), how="cross")
    stored = current[KEY + ["target"]].astype({"target": "Int64"})
    grid = grid.merge(stored, on=KEY, how="left")
    grid["target"] = grid["target"].astype("Int64")
    return grid[["indicator_code", "indicator_name", "provincial_target", "place_code",
                 "place_name", "target"]].reset_index(drop=True)


def _code(value) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    text = nfc(str(value)).strip()
    # Excel and editors drop the leading zeros of "061".
    return text.zfill(3) if text.isdigit() else text


def check_allocations(plan: Plan, table: pd.DataFrame) -> tuple[dict[tuple[str, str], int], list[Finding]]:
    """Read an edited table: the allocations it sets, keyed by (indicator, district), and
    the findings. Rows with a blank target set nothing (that cell has no allocation)."""
    missing = [c for c in [*KEY, "target"] if c not in table.columns]
    if missing:
        raise ValueError(f"allocation table lacks columns {missing}")
    level = level_word(plan.reporting_level)  # "huyện"; "huyện, thành phố" where a code is wrong
    indicators = plan.indicators.set_index("code")
    districts = plan.places.set_index("code")
    place_names = districts["name"].to_dict()
    findings: list[Finding] = []
    wanted: dict[tuple[str, str], int] = {}
    first_row: dict[tuple[str, str], int] = {}

    for position, (indicator, district, raw) in enumerate(
            zip(table["indicator_code"], table["place_code"], table["target"]), start=1):
        indicator, district = _code(indicator), _code(district)
        parsed = parse_number(raw, integer=True)
        if parsed.ok and parsed.value is None:
            continue  # blank: no allocation
        if indicator not in indicators.index:
            findings.append(error("allocation.unknown_indicator", MESSAGES["allocation.unknown_indicator"]
                                  .format(row=position, indicator=indicator)))
            continue
        if not counting.way(indicators.loc[indicator]).allocatable or pd.isna(indicators.at[indicator, "target"]):
            findings.append(error("allocation.not_allocatable", MESSAGES["allocation.not_allocatable"]
                                  .format(row=position, indicator=indicator, level=level,
                                          way=counting.label(indicators.loc[indicator]))))
            continue
        if district not in districts.index:
            findings.append(error("allocation.unknown_district", MESSAGES["allocation.unknown_district"]
                                  .format(row=position, district=district,
                                          places=level_word(plan.reporting_level, heading=True).lower())))
            continue
        where = {"row": position, "indicator": indicator, "district": place_names[district]}
        if not parsed.ok:
            code = "allocation.not_integer" if parsed.code == "number.fraction" else "allocation.not_a_number"
            findings.append(error(code, MESSAGES[code].format(problem=parsed.error, **where)))
            continue
        if parsed.warning:
            findings.append(warning("allocation.number_read", MESSAGES["allocation.number_read"]
                                    .format(problem=parsed.warning, **where)))
        if parsed.value < 0:
            findings.append(error("allocation.negative", MESSAGES["allocation.negative"]
                                  .format(value=format_number(parsed.value), **where)))
            continue
        key = (indicator, district)
        if key in first_row:
            findings.append(error("allocation.duplicate", MESSAGES["allocation.duplicate"]
                                  .format(first=first_row[key], **where)))
            continue
        first_row[key] = position
        wanted[key] = int(parsed.value)

    totals: dict[str, int] = {}
    for (indicator, _), target in wanted.items():
        totals[indicator] = totals.get(indicator, 0) + target
    for indicator, total in totals.items():
        provincial = int(indicators.at[indicator, "target"])
        if total > provincial:
            findings.append(warning("allocation.over_target", MESSAGES["allocation.over_target"].format(
                indicator=indicator, name=indicators.at[indicator, "name"], level=level,
                total=format_number(total), target=format_number(provincial))))
    return wanted, findings


def save_allocations(store: Store, plan: Plan, table: pd.DataFrame, *, actor: str,
                     now: dt.datetime | None = None) -> AllocationResult:
    """Make the stored allocations exactly those of `table` (columns indicator_code,
    place_code, target; others are ignored), or change nothing when it has errors."""
    wanted, findings = check_allocations(plan, table)
    if has_errors(findings):
        return AllocationResult(False, findings)
    at = utc_now() if now is None else now
    with store.transaction(lock=f"{_LOCK}:{plan.id}") as tx:
        a = allocations.c
        stored = {(r.indicator_code, r.place_code): r.target
                  for r in tx.execute(sa.select(a.indicator_code, a.place_code, a.target)
                                      .where(a.plan_id == plan.id))}
        changes = tuple(Change(*key, stored.get(key), wanted.get(key))
                        for key in sorted(stored.keys() | wanted.keys())
                        if stored.get(key) != wanted.get(key))
        if not changes:
            return AllocationResult(False, [*findings, warning("allocation.unchanged",
                                                               MESSAGES["allocation.unchanged"])])
        for c in changes:
            key_is = sa.and_(a.plan_id == plan.id, a.indicator_code == c.indicator_code,
                             a.place_code == c.place_code)
            if c.after is None:
                tx.execute(sa.delete(allocations).where(key_is))
            elif c.before is None:
                tx.execute(sa.insert(allocations).values(
                    plan_id=plan.id, indicator_code=c.indicator_code, place_code=c.place_code,
                    target=c.after, updated_by=actor, updated_at=at))
            else:
                tx.execute(sa.update(allocations).where(key_is)
                           .values(target=c.after, updated_by=actor, updated_at=at))
        tx.audit(at, actor, "allocations_save", None, plan_id=plan.id,
               changes=[c.as_dict() for c in changes],
               added=sum(c.before is None for c in changes),
               changed=sum(c.before is not None and c.after is not None for c in changes),
               removed=sum(c.after is None for c in changes),
               warnings=[f.code for f in findings if not f.is_error])
    return AllocationResult(True, findings, changes)
