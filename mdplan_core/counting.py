"""The ways of counting an indicator: one registry, the only module that knows their names.

A plan file names a way per indicator (`aggregation:`). Every other module asks this one
what the way means: whether the report names places, whether the target is a number or a
percentage, whether it can be allocated to districts, how the province figure is made.

The ways:
- `sum`: numbers reported per period, added up.
- `qualitative`: a count of items, added up, plus a text; no target.
- `distinct_places` (alias `distinct_communes`): distinct places at `level` reached.
- `share_of_places`: places at `level` reached, as a percentage of all places at that
  level in the plan's area; the target is a percentage.
- `all_places`: places at `level` reached, against every place of the level (the target,
  when the plan file leaves it out, is their number).
- `percent`: a percentage reported directly by each unit. The province figure is the
  LOWEST of the units' latest reports (the target is met only when every unit that
  reports meets it); the mean of those reports is shown beside it. A rate does not build
  up over the year, so there is no pacing line: once its task has started the target
  holds in full, and a lowest report below it is "behind".

A place is reached when a report names it (the places sheet of the template), or, when
the reporting unit is itself a place at that level, when the unit reports a value > 0.
Places are named on the sheet when the indicator's level lies below the plan's reporting
level (Bắc Kạn 2017: districts report the communes they reached); at the reporting level
each unit answers for itself with a number.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from .labels import LEVEL_SHORT
from .vntext import format_number, format_percent

# --- Messages (plan file checks, template prompts, labels) --------------------------------
MESSAGES = {
    "no_target": "chỉ tiêu định tính (qualitative) không có số chỉ tiêu; để target: null",
    "needs_target": "chỉ tiêu kiểu '{way}' cần số chỉ tiêu (target)",
    "percent_target": "chỉ tiêu kiểu '{way}' là tỉ lệ phần trăm: target phải từ 0 đến 100, không phải {target}",
}
LABELS = {
    "sum": "Cộng dồn",
    "qualitative": "Định tính",
    "distinct_places": "Số {level} không trùng",
    "share_of_places": "Tỉ lệ {level} đạt (%)",
    "all_places": "Tất cả {level}",
    "percent": "Tỉ lệ % do đơn vị báo cáo (thấp nhất)",
}
PROMPTS = {
    "count": ("Số {unit} đạt được trong kỳ báo cáo (không cộng dồn các kỳ trước). "
              "Chỉ nhập số nguyên, không ghi đơn vị. Để trống: chưa có số liệu; "
              "ghi 0: không thực hiện."),
    "items": ("Số tin, bài, chuyên trang, chuyên mục đã đăng, phát trong kỳ. "
              "Chỉ nhập số nguyên. Mô tả nội dung ở ô «Nội dung chuyên trang, "
              "chuyên mục» bên dưới bảng."),
    "own_place": ("Ghi 1 nếu đơn vị đã đạt chỉ tiêu này trong kỳ báo cáo, ghi 0 nếu chưa. "
                  "Để trống: chưa có số liệu."),
    "rate": ("Tỉ lệ phần trăm đạt được tính đến cuối kỳ báo cáo, từ 0 đến 100 "
             "(ví dụ 95 hoặc 97,5), không ghi dấu %. Để trống: chưa có số liệu."),
}

# The plan file's older name of a way, still read.
ALIASES = {"distinct_communes": "distinct_places"}


@dataclass(frozen=True)
class Way:
    """What a way of counting means. The flags are what other modules ask about."""
    name: str
    is_numeric: bool        # a numeric target (every way but qualitative)
    target_optional: bool   # the target may be left out of the plan file
    counts_places: bool     # actual = places reached at the indicator's level
    is_percent: bool        # target and actual are percentages (shown as 12,5%)
    reported_percent: bool  # units report a percentage; combined as the lowest latest report
    has_text: bool          # the report carries a text (qualitative)
    allocatable: bool       # a target that can be split over districts
    input_kind: str         # how a template row asks for it where places are not named

    @property
    def is_summed(self) -> bool:
        """Actual = the reported numbers added up."""
        return not self.counts_places and not self.reported_percent

    @property
    def paced(self) -> bool:
        """The actual builds up over the year, so a straight pacing line applies."""
        return not self.reported_percent

    @property
    def additive(self) -> bool:
        """Group figures add up to the province figure (so a group has a share of it)."""
        return not self.reported_percent

    @property
    def integer_values(self) -> bool:
        return not self.reported_percent

    @property
    def max_value(self) -> float | None:
        return 100.0 if self.reported_percent else None

    def label(self, level: str | None = None) -> str:
        return LABELS[self.name].format(level=LEVEL_SHORT.get(level or "commune", level))


WAYS: dict[str, Way] = {w.name: w for w in (
    Way("sum", is_numeric=True, target_optional=False, counts_places=False, is_percent=False,
        reported_percent=False, has_text=False, allocatable=True, input_kind="count"),
    Way("qualitative", is_numeric=False, target_optional=True, counts_places=False,
        is_percent=False, reported_percent=False, has_text=True, allocatable=False,
        input_kind="items"),
    Way("distinct_places", is_numeric=True, target_optional=False, counts_places=True,
        is_percent=False, reported_percent=False, has_text=False, allocatable=True,
        input_kind="own_place"),
    Way("share_of_places", is_numeric=True, target_optional=False, counts_places=True,
        is_percent=True, reported_percent=False, has_text=False, allocatable=False,
        input_kind="own_place"),
    Way("all_places", is_numeric=True, target_optional=True, counts_places=True,
        is_percent=False, reported_percent=False, has_text=False, allocatable=False,
        input_kind="own_place"),
    Way("percent", is_numeric=True, target_optional=False, counts_places=False,
        is_percent=True, reported_percent=True, has_text=False, allocatable=False,
        input_kind="rate"),
)}
NAMES = tuple(WAYS)


def canonical(name):
    """The way's name as the registry knows it (an alias becomes its way); anything else
    unchanged, for the schema to refuse."""
    return ALIASES.get(name, name) if isinstance(name, str) else name


def _name_of(indicator) -> str:
    if isinstance(indicator, str):
        return indicator
    if isinstance(indicator, Mapping) or isinstance(indicator, pd.Series):
        return indicator["aggregation"]
    return indicator.aggregation


def _level_of(indicator) -> str:
    if isinstance(indicator, (Mapping, pd.Series)):
        level = indicator.get("level")
    else:
        level = getattr(indicator, "level", None)
    return level if isinstance(level, str) else "commune"


def way(indicator) -> Way:
    """The way of an indicator: a way name, a plan `Indicator`, a row of `plan.indicators`
    (Series, dict or itertuples row)."""
    return WAYS[canonical(_name_of(indicator))]


def label(indicator) -> str:
    """The way's Vietnamese name for tables: 'Số xã không trùng'."""
    return way(indicator).label(_level_of(indicator))


def mask(indicators: pd.DataFrame, flag: str) -> pd.Series:
    """Per row of an indicators frame (`plan.indicators`), whether its way has `flag`."""
    return indicators["aggregation"].map(lambda name: bool(getattr(way(name), flag)))


def codes(indicators: pd.DataFrame, flag: str) -> list[str]:
    """The codes of the indicators whose way has `flag`, in plan order."""
    return list(indicators.loc[mask(indicators, flag), "code"])


def labels(indicators: pd.DataFrame) -> pd.Series:
    """The way's label per row of an indicators frame."""
    return pd.Series([label(row) for _, row in indicators.iterrows()], index=indicators.index,
                     dtype=object)


# --- Places -----------------------------------------------------------------------------
def _resolve(plan, indicator):
    """An indicator given by its code becomes the plan's indicator."""
    return plan.indicator(indicator) if isinstance(indicator, str) else indicator


def reporting_level(plan) -> str:
    return plan.reporting_level


def names_places(plan, indicator) -> bool:
    """Whether a report names the places it reached on the places sheet (the level lies
    below the reporting level), rather than each unit answering for itself."""
    indicator = _resolve(plan, indicator)
    return way(indicator).counts_places and _level_of(indicator) != reporting_level(plan)


def named_codes(plan) -> list[str]:
    """The indicators whose reports name places, in plan order."""
    return [row["code"] for _, row in plan.indicators.iterrows() if names_places(plan, row)]


def input_kind(plan, indicator) -> str:
    """How a template row asks for the indicator: 'places' (a count of the places named on
    the places sheet), 'count', 'items', 'own_place' (1 when the unit reached it) or 'rate'."""
    if names_places(plan, indicator):
        return "places"
    return way(_resolve(plan, indicator)).input_kind


def prompt(plan, indicator, unit: str) -> str | None:
    """The input message of a template row; None for a row filled by formula."""
    kind = input_kind(plan, indicator)
    return None if kind == "places" else PROMPTS[kind].format(unit=unit)


def target(indicator, places_count: int) -> int | None:
    """The target that counts: the written one, or for `all_places` without one the number
    of places at the level."""
    written = indicator.target if not isinstance(indicator, (Mapping, pd.Series)) \
        else indicator.get("target")
    if written is not None and not (isinstance(written, float) and math.isnan(written)):
        return written
    if way(indicator).target_optional and way(indicator).is_numeric:
        return places_count
    return None


def target_problem(name: str, target) -> str | None:
    """What is wrong with a plan file's target for a way, in Vietnamese; None if nothing."""
    w = way(name)
    if not w.is_numeric:
        return MESSAGES["no_target"] if target is not None else None
    if target is None:
        return None if w.target_optional else MESSAGES["needs_target"].format(way=w.name)
    if w.is_percent and not 0 <= target <= 100:
        return MESSAGES["percent_target"].format(way=w.name, target=target)
    return None


# --- Showing numbers ----------------------------------------------------------------------
def show(indicator, value) -> str:
    """A target or an actual as people read it: counts '1.234', percentages '12,5%'."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    if way(indicator).is_percent:
        return format_percent(float(value) / 100, decimals=1)
    number = float(value)
    return format_number(number, decimals=0 if number.is_integer() else 1)
