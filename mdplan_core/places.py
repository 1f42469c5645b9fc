"""The tree of places: provinces, districts and communes, and the dates each was in force.

Before 2025-07-01 a province has districts and the districts have communes; from that day a
province has communes directly (xã, phường, đặc khu). The data in `data/places/` are generated
once by `scripts/build_places.py` (sources in `data/places/SOURCES.md`).

A record is one place over one span of time. GSO codes are reused (01843 was phường Phùng Chí
Kiên, then from 2025-07-01 phường Bắc Kạn), so a record's key is its `id`: the code, plus
`@valid_from` when the record starts on a known date. Dates are ISO strings: `valid_from` is
the first day in force ("" = before the records begin), `valid_to` the first day no longer in
force ("" = still in force). A rename or a change of type closes a record and opens another;
`successions` link them, and link merged or divided places to what they became.

Places of provinces other than Bắc Kạn are recorded as they stood on 2025-06-30: asked about
an earlier date, the tree gives that list, which misses mergers made between 2019 and 2025.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd

from .settings import DATA_ROOT
from .vntext import match_key, nfc

PLACES_DIR = DATA_ROOT / "places"
LEVELS = ("province", "district", "commune")
REFORM = dt.date(2025, 7, 1)  # districts abolished; provinces and communes merged
_OPEN = "9999-12-31"
# How much of a place went into a successor, best first.
SHARES = ("whole", "main", "part")


def _iso(day: dt.date | str) -> str:
    return day if isinstance(day, str) else day.isoformat()


def full_name(place: pd.Series | dict) -> str:
    """'Huyện Ba Bể', 'Thành phố Hà Nội', 'Phường Bắc Kạn'."""
    return f"{place['type'][:1].upper()}{place['type'][1:]} {place['name']}"


@dataclass(frozen=True)
class PlaceTree:
    places: pd.DataFrame        # one row per record, indexed by id
    successions: pd.DataFrame   # from_id, to_id, date, kind, main, confidence
    # Lookups built once, so that following a place through time costs no frame scans.
    _next: dict = field(repr=False, default_factory=dict)
    _prev: dict = field(repr=False, default_factory=dict)
    _spans: dict = field(repr=False, default_factory=dict)    # id -> (valid_from, valid_to or _OPEN)
    _by_code: dict = field(repr=False, default_factory=dict)  # code -> ids

    def on(self, day: dt.date | str) -> pd.DataFrame:
        """Every place in force on `day`."""
        d = _iso(day)
        p = self.places
        return p[(p["valid_from"] <= d) & ((p["valid_to"] == "") | (p["valid_to"] > d))]

    def get(self, code: str, day: dt.date | str) -> pd.Series | None:
        """The place with GSO `code` in force on `day`, or None."""
        pid = self._id_on(code, _iso(day))
        return None if pid is None else self.places.loc[pid]

    def _id_on(self, code: str, day: str) -> str | None:
        return next((pid for pid in self._by_code.get(code, ()) if self._in_force(pid, day)), None)

    def _in_force(self, pid: str, day: str) -> bool:
        start, end = self._spans[pid]
        return start <= day < end

    def province(self, text: str, day: dt.date | str) -> pd.Series | None:
        """A province in force on `day`, by code ('6', '06') or name ('Bắc Kạn', 'tỉnh Bắc Kạn',
        'Bac Kan'); None when nothing or more than one matches."""
        provinces = self.on(day)
        provinces = provinces[provinces["level"] == "province"]
        text = nfc(str(text)).strip()
        if text.isdigit():
            hits = provinces[provinces["code"] == text.zfill(2)]
        else:
            key = match_key(text)
            hits = provinces[(provinces["name"].map(match_key) == key)
                             | (provinces.apply(full_name, axis=1).map(match_key) == key)]
        return hits.iloc[0] if len(hits) == 1 else None

    def within(self, province: str, level: str, day: dt.date | str) -> pd.DataFrame:
        """The places at `level` of a province (code or name) on `day`, ordered by code.

        Empty when the province did not exist on that day, or had no such level (no districts
        from 2025-07-01)."""
        if level not in LEVELS:
            raise ValueError(f"unknown level {level!r}")
        found = self.province(province, day)
        if found is None:
            return self.places.iloc[0:0]
        here = self.on(day)
        ids, out = {found.name}, here.iloc[0:0]
        while ids:
            below = here[here["parent_id"].isin(ids)]
            out = pd.concat([out, below[below["level"] == level]])
            ids = set(below.index[below["level"] != level])
        return out.sort_values("code")

    def successors(self, code: str, since: dt.date | str, day: dt.date | str) -> pd.DataFrame:
        """The places in force on `day` that the place `code` (as it was on `since`) became.

        Column `share`: `whole` if all of it went there, `main` if it was divided and this is
        the part named as its main successor, `part` otherwise. Empty if the place is unknown on
        `since`, or if where it went is not recorded."""
        return self._follow(code, since, day, forward=True)

    def predecessors(self, code: str, day: dt.date | str, since: dt.date | str) -> pd.DataFrame:
        """The places in force on `since` that the place `code` (as it is on `day`) came from.

        Column `share` as in `successors`: how much of each old place went into this one."""
        return self._follow(code, day, since, forward=False)

    def crosswalk(self, province: str, level: str, since: dt.date | str, day: dt.date | str) -> pd.DataFrame:
        """Each place of a province at `level` on `since`, with the place(s) it became on `day`:
        columns `from_id`, `from_code`, `from_name`, `to_id`, `to_code`, `to_name`, `share`
        (to_* empty where the successor is not recorded). Puts, say, 2017 results on today's map."""
        rows = []
        for old in self.within(province, level, since).itertuples():
            found = self._walk(old.id, _iso(day), forward=True)
            for new in found or {"": None}:
                rec = self.places.loc[new] if new else {"code": "", "name": ""}
                rows.append((old.id, old.code, old.name, new, rec["code"], rec["name"],
                             SHARES[found[new]] if new else ""))
        return pd.DataFrame(rows, columns=["from_id", "from_code", "from_name", "to_id", "to_code", "to_name",
                                           "share"])

    def _follow(self, code: str, start: dt.date | str, target: dt.date | str, forward: bool) -> pd.DataFrame:
        start, target = _iso(start), _iso(target)
        if (target < start) if forward else (target > start):
            raise ValueError(f"{target} is on the wrong side of {start}")
        first = self._id_on(code, start)
        best = {} if first is None else self._walk(first, target, forward)
        out = self.places.loc[list(best)].assign(share=[SHARES[s] for s in best.values()])
        return out.sort_values("code")

    def _walk(self, first: str, target: str, forward: bool) -> dict[str, int]:
        """Ids in force on `target` reached from record `first`, each with its best share."""
        edges = self._next if forward else self._prev
        best: dict[str, int] = {}
        todo = [(first, 0)]
        while todo:
            pid, share = todo.pop()
            if self._in_force(pid, target):
                best[pid] = min(share, best.get(pid, len(SHARES)))
                continue
            for other, edge_share in edges.get(pid, ()):
                todo.append((other, max(share, edge_share)))
        return best


def _edges(successions: pd.DataFrame) -> tuple[dict, dict]:
    nxt, prev = defaultdict(list), defaultdict(list)
    columns = (successions[c].tolist() for c in ("from_id", "to_id", "kind", "main"))
    for old, new, kind, main in zip(*columns):
        share = SHARES.index("whole" if kind != "divided" else "main" if main == "1" else "part")
        nxt[old].append((new, share))
        prev[new].append((old, share))
    return dict(nxt), dict(prev)


@lru_cache(maxsize=2)
def load_places(folder: Path = PLACES_DIR) -> PlaceTree:
    places = pd.read_csv(folder / "places.csv", dtype=str, keep_default_na=False)
    places["parent_code"] = places["parent_id"].str.split("@").str[0]
    successions = pd.read_csv(folder / "successions.csv", dtype=str, keep_default_na=False)
    nxt, prev = _edges(successions)
    places.index = places["id"].to_numpy()
    spans = dict(zip(places["id"].tolist(), zip(places["valid_from"].tolist(),
                                                 places["valid_to"].replace("", _OPEN).tolist())))
    by_code = defaultdict(list)
    for code, pid in zip(places["code"].tolist(), places["id"].tolist()):
        by_code[code].append(pid)
    return PlaceTree(places, successions, nxt, prev, spans, dict(by_code))
