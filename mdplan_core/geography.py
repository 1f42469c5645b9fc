"""The administrative units of the province: districts, communes, and how they changed.

The 2017 list is the base. Later lists are derived by applying the dated changes of
`changes_2020.csv`, so a plan year picks the list that was in force in that year.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from .settings import DATA_ROOT

GEOGRAPHY_DIR = DATA_ROOT / "geography"
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
    communes = apply_changes(_read("communes_2017.csv", folder),
                             _read("changes_2020.csv", folder),
                             as_of=dt.date(year, 12, 31))
    return Geography(year, districts, communes.reset_index(drop=True))


def apply_changes(communes: pd.DataFrame, changes: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """The commune list in force on `as_of`: abolished units removed, renamed ones renamed.

    Changes with no effective date are known to have happened but not when, so they are
    not applied.
    """
    effective = pd.to_datetime(changes["effective"].replace("", None), errors="coerce")
    due = changes[effective.notna() & (effective.dt.date <= as_of)]
    abolished = due.loc[due["change"] == "abolished", "commune_code"]
    out = communes[~communes["code"].isin(abolished)].copy()
    renamed = due[due["change"].isin(["renamed", "type_change"])].set_index("commune_code")
    hit = out["code"].isin(renamed.index)
    out.loc[hit, "name"] = out.loc[hit, "code"].map(renamed["new_name"])
    out.loc[hit, "type"] = out.loc[hit, "code"].map(renamed["new_type"])
    return out
