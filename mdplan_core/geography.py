"""The Bắc Kạn districts and communes in force in a plan year (the 2017 plan's map).

The communes come from the tree of places (`places.py`), which applies the dated changes of
`changes_2020.csv`; the districts, with their tile-map cells, stay curated in `districts.csv`.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from .places import REFORM, full_name, load_places
from .settings import DATA_ROOT

GEOGRAPHY_DIR = DATA_ROOT / "geography"
PROVINCE_CODE = "06"
_CODES = {"code": str}


@dataclass(frozen=True)
class Geography:
    year: int
    places: pd.DataFrame  # at the plan's reporting level
    communes: pd.DataFrame

    def place_name(self, code: str) -> str:
        return self.places.set_index("code").at[code, "name"]


def _read(name: str, folder: Path) -> pd.DataFrame:
    return pd.read_csv(folder / name, dtype=_CODES, keep_default_na=False)


@lru_cache(maxsize=32)
def load_geography(year: int, province_code: str = PROVINCE_CODE, level: str = "district",
                   folder: Path = GEOGRAPHY_DIR) -> Geography:
    """The places of a province a plan reports from in `year`: `places` holds the places at
    the plan's reporting `level` (districts, or communes on today's map) and `communes` the
    communes, each with the reporting place it belongs to in `place_code` (itself, for a
    plan that reports by commune)."""
    as_of = dt.date(year, 12, 31)  # the list at the end of the year
    tree = load_places()
    if province_code == PROVINCE_CODE and level == "district":
        # The 2017 plan's curated list, with its tile map; Bắc Kạn's last day was 2025-06-30.
        places = _read("districts.csv", folder)
        places["tile_row"] = places["tile_row"].astype(int)
        places["tile_col"] = places["tile_col"].astype(int)
        as_of = min(as_of, REFORM - dt.timedelta(days=1))
    else:
        places = _frame(tree.within(province_code, level, as_of))
    found = tree.within(province_code, "commune", as_of)
    communes = pd.DataFrame({"code": found["code"], "name": found["name"], "type": found["type"],
                             "place_code": found["code"] if level == "commune" else found["parent_code"]})
    return Geography(year, places, communes.reset_index(drop=True))


def _frame(found: pd.DataFrame) -> pd.DataFrame:
    """Places from the tree as the plan lists them: full name, type, bare name as short name."""
    out = pd.DataFrame({"code": found["code"], "name": found.apply(full_name, axis=1),
                        "type": found["type"], "short_name": found["name"]}).reset_index(drop=True)
    # No tile map is drawn for them (charts.uses_tile_map): cells unknown.
    return out.assign(tile_row=pd.array([pd.NA] * len(out), dtype="Int64"),
                      tile_col=pd.array([pd.NA] * len(out), dtype="Int64"))
