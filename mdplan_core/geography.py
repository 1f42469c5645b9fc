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

from .places import REFORM, load_places
from .settings import DATA_ROOT

GEOGRAPHY_DIR = DATA_ROOT / "geography"
PROVINCE_CODE = "06"
_CODES = {"code": str, "district_code": str, "commune_code": str, "merged_into": str}


@dataclass(frozen=True)
class Geography:
    year: int
    districts: pd.DataFrame
    communes: pd.DataFrame

    def communes_of(self, district_code: str) -> pd.DataFrame:
        return self.communes[self.communes["district_code"] == district_code]

    def district_name(self, code: str) -> str:
        return self.districts.set_index("code").at[code, "name"]


def _read(name: str, folder: Path) -> pd.DataFrame:
    return pd.read_csv(folder / name, dtype=_CODES, keep_default_na=False)


@lru_cache(maxsize=8)
def load_geography(year: int, folder: Path = GEOGRAPHY_DIR) -> Geography:
    districts = _read("districts.csv", folder)
    districts["tile_row"] = districts["tile_row"].astype(int)
    districts["tile_col"] = districts["tile_col"].astype(int)
    # The list at the end of the year; Bắc Kạn's last day was 2025-06-30.
    as_of = min(dt.date(year, 12, 31), REFORM - dt.timedelta(days=1))
    tree = load_places().within(PROVINCE_CODE, "commune", as_of)
    communes = pd.DataFrame({"code": tree["code"], "name": tree["name"], "type": tree["type"],
                             "district_code": tree["parent_code"]})
    return Geography(year, districts, communes.reset_index(drop=True))
