"""Build data/places/ (the tree of places with dates) from the pinned reference packages
and the curated Bắc Kạn list.

Usage: python scripts/build_places.py          # writes data/places/*.csv
       python scripts/build_places.py --check  # exit 1 if the committed files differ

Inputs (see data/places/SOURCES.md):
- data/geography/: the curated Bắc Kạn 2017 list and its dated changes;
- vietnamadminunits (pinned): the 63 provinces, their districts and communes as they stood
  on 2025-06-30, and the old -> new mapping of the 2025 reorganisation;
- vietnam-provinces (pinned): the 34 provinces and their communes from 2025-07-01, with the
  GSO codes and names (preferred to vietnamadminunits' where the two disagree).

The packages are read as data files (JSON, SQLite); neither is imported, so their import
cost and dependencies never reach the app. tests/test_places.py checks that the committed
files are what this script writes.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import re
import sqlite3
import sys
import unicodedata
from importlib import metadata
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mdplan_core.vntext import nfc  # noqa: E402

GEOGRAPHY_DIR = ROOT / "data" / "geography"
OUT_DIR = ROOT / "data" / "places"
REFORM = "2025-07-01"  # districts abolished, provinces and communes merged
BACKAN = "06"
PACKAGES = {"vietnam-provinces": "2025.10.1", "vietnamadminunits": "1.0.4"}

PLACE_COLUMNS = ["id", "code", "name", "type", "level", "parent_id", "valid_from", "valid_to", "source"]
SUCCESSION_COLUMNS = ["from_id", "to_id", "date", "kind", "main", "confidence"]
# Type words, longest first so that "thành phố" is not read as a name starting "phố".
TYPES = ["thành phố trung ương", "thành phố", "thị trấn", "thị xã", "đặc khu", "phường", "quận", "huyện",
         "tỉnh", "xã"]
_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def place_id(code: str, valid_from: str) -> str:
    """Codes are reused after 2025 (01843 was Phùng Chí Kiên, then Phường Bắc Kạn), so a record
    that starts on a known date carries it: `01843@2025-07-01`."""
    return f"{code}@{valid_from}" if valid_from else code


def split_name(full: str) -> tuple[str, str]:
    """'Thành Phố Bắc Kạn' -> ('thành phố', 'Bắc Kạn'); the type word is lower-cased."""
    text = " ".join(nfc(full).split())
    low = text.lower()
    for word in TYPES:
        if low.startswith(word + " "):
            kind = "thành phố" if word == "thành phố trung ương" else word
            return kind, text[len(word) + 1:]
    raise ValueError(f"no type word in {full!r}")


def province_name(entry: dict) -> tuple[str, str]:
    """vietnam-provinces writes 'Cao Bằng' (tỉnh) but 'Thành phố Hà Nội' (thành phố trung ương)."""
    if entry["division_type"] == "tỉnh":
        return "tỉnh", nfc(entry["name"]).removeprefix("Tỉnh ")
    return split_name(entry["name"])


def tone_key(name: str) -> str:
    """Key equal for 'Hoà' and 'Hòa' (old and new tone placement) but not for 'Lang' and 'Lăng'."""
    words = []
    text = re.sub(r"\s*[-\u2013\u2014]\s*", "-", nfc(name).lower())  # 'Chân Mây – Lăng Cô'
    text = re.sub("[\u2018\u2019\u02bc]", "'", text)  # 'Ea M’Droh'
    for word in unicodedata.normalize("NFD", text).split():
        tones = "".join(sorted(c for c in word if c in _TONES))
        words.append("".join(c for c in word if c not in _TONES) + tones)
    return unicodedata.normalize("NFC", " ".join(words))


# ---------------------------------------------------------------------------
# Reading the inputs
# ---------------------------------------------------------------------------

def package_dir(name: str) -> Path:
    wanted = PACKAGES[name]
    found = metadata.version(name)
    if found != wanted:
        raise SystemExit(f"{name} {found} is installed; data/places/ is built from {wanted}")
    spec = importlib.util.find_spec(name.replace("-", "_"))  # locates without importing
    return Path(spec.origin).parent


def read_curated(folder: Path) -> dict[str, pd.DataFrame]:
    return {name: pd.read_csv(folder / f"{name}.csv", dtype=str, keep_default_na=False)
            for name in ("districts", "communes_2017", "changes_2020")}


def read_legacy() -> pd.DataFrame:
    db = package_dir("vietnamadminunits") / "data" / "dataset.db"
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        return pd.read_sql("SELECT province, provinceCode, provinceKey, district, districtType, districtCode, "
                           "districtKey, ward, wardType, wardCode, wardKey FROM admin_units_legacy", conn)


def read_new_keys() -> pd.DataFrame:
    db = package_dir("vietnamadminunits") / "data" / "dataset.db"
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        return pd.read_sql("SELECT provinceCode, provinceKey, ward, wardCode, wardKey FROM admin_units", conn)


def read_converter() -> dict:
    path = package_dir("vietnamadminunits") / "data" / "converter_2025.json"
    return json.loads(path.read_text(encoding="utf-8"))


def read_new() -> list[dict]:
    path = package_dir("vietnam-provinces") / "data" / "nested-divisions.json"
    return json.loads(path.read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------
# Building
# ---------------------------------------------------------------------------

class Tree:
    def __init__(self):
        self.places: dict[str, dict] = {}
        self.successions: list[dict] = []

    def add(self, code, name, kind, level, parent_id, valid_from="", valid_to=REFORM, source=""):
        pid = place_id(code, valid_from)
        if pid in self.places:
            raise ValueError(f"duplicate place {pid}")
        self.places[pid] = dict(id=pid, code=code, name=name, type=kind, level=level, parent_id=parent_id,
                                valid_from=valid_from, valid_to=valid_to, source=source)
        return pid

    def succeed(self, from_id, to_id, date, kind, main="", confidence=""):
        self.successions.append(dict(from_id=from_id, to_id=to_id, date=date, kind=kind, main=main,
                                     confidence=confidence))

    def in_force(self, code: str, date: str) -> str:
        hits = [p["id"] for p in self.places.values()
                if p["code"] == code and p["valid_from"] <= date < (p["valid_to"] or "9999")]
        if len(hits) != 1:
            raise ValueError(f"{len(hits)} places with code {code} on {date}")
        return hits[0]


def add_backan(tree: Tree, curated: dict[str, pd.DataFrame]) -> None:
    """Bắc Kạn from the curated list: the 2017 state, then its dated changes."""
    tree.add(BACKAN, "Bắc Kạn", "tỉnh", "province", "", source="curated")
    for d in curated["districts"].itertuples():
        kind, name = split_name(d.name)
        tree.add(d.code, name, kind, "district", BACKAN, source="curated")
    for c in curated["communes_2017"].itertuples():
        tree.add(c.code, nfc(c.name), c.type, "commune", c.district_code, source="curated")
    changes = curated["changes_2020"]
    dated = changes[changes["effective"] != ""].sort_values("effective", kind="stable")
    # Renames first, so that a unit merged on the same day joins the renamed record.
    order = {"renamed": 0, "type_change": 0, "abolished": 1}
    dated = dated.sort_values(["effective", "change"], key=lambda s: s.map(order) if s.name == "change" else s,
                              kind="stable")
    for ch in dated.itertuples():
        old_id = tree.in_force(ch.commune_code, ch.effective)
        old = tree.places[old_id]
        old["valid_to"] = ch.effective
        if ch.change == "abolished":
            if ch.merged_into:
                tree.succeed(old_id, tree.in_force(ch.merged_into, ch.effective), ch.effective, "merged",
                             confidence=ch.confidence)
            continue
        new_id = tree.add(ch.commune_code, nfc(ch.new_name), ch.new_type, "commune", old["parent_id"],
                          valid_from=ch.effective, source="curated")
        tree.succeed(old_id, new_id, ch.effective, ch.change, confidence=ch.confidence)


def add_legacy(tree: Tree, legacy: pd.DataFrame) -> dict[str, str]:
    """Every other province as it stood on 2025-06-30. Returns old full key -> place id."""
    ids: dict[str, str] = {}
    others = legacy[legacy["provinceCode"] != BACKAN]
    for p in others.drop_duplicates("provinceCode").itertuples():
        kind, name = split_name(p.province)
        tree.add(p.provinceCode, name, kind, "province", "", source="vietnamadminunits")
    for d in others.drop_duplicates("districtCode").itertuples():
        kind, name = split_name(d.district)
        tree.add(d.districtCode, name, kind, "district", d.provinceCode, source="vietnamadminunits")
    for w in others[others["wardCode"] != ""].itertuples():
        kind, name = split_name(w.ward)
        tree.add(w.wardCode, name, kind, "commune", w.districtCode, source="vietnamadminunits")
    for row in legacy.itertuples():
        key = f"{row.provinceKey}_{row.districtKey}_{row.wardKey or ''}"
        # The five island districts had no communes: the district itself became a đặc khu.
        code = row.wardCode if row.wardCode else row.districtCode
        ids[key] = tree.in_force(code, "2025-06-30") if row.provinceCode == BACKAN else code
    return ids


def add_new(tree: Tree, new: list[dict], legacy: pd.DataFrame, new_keys: pd.DataFrame, converter: dict,
            old_ids: dict[str, str]) -> pd.DataFrame:
    """The 34 provinces and their communes from 2025-07-01, and who became whom.

    Returns the communes whose code differs between the two packages."""
    old_province = dict(zip(legacy["provinceKey"], legacy["provinceCode"]))
    new_province = dict(zip(new_keys["provinceKey"], new_keys["provinceCode"]))
    province_id: dict[str, str] = {}
    for key, sources in converter["DICT_PROVINCE"].items():
        code = new_province[key]
        entry = next(p for p in new if f"{p['code']:02d}" == code)
        kind, name = province_name(entry)
        unchanged = [old_province[s] for s in sources] == [code]
        if unchanged and tree.places[code]["name"] == name and tree.places[code]["type"] == kind:
            tree.places[code]["valid_to"] = ""
            province_id[code] = code
            continue
        province_id[code] = tree.add(code, name, kind, "province", "", valid_from=REFORM, valid_to="",
                                     source="vietnam-provinces")
        for s in sources:
            tree.succeed(old_province[s], province_id[code], REFORM, "merged")

    # vietnam-provinces names the communes; vietnamadminunits' keys say where each came from.
    ward_id: dict[tuple[str, str], str] = {}
    disagreements = []
    for entry in new:
        pcode = f"{entry['code']:02d}"
        mine = new_keys[new_keys["provinceCode"] == pcode]
        by_name = {tone_key(split_name(w)[1]): (k, c) for w, k, c in zip(mine["ward"], mine["wardKey"],
                                                                          mine["wardCode"])}
        for ward in entry["wards"]:
            code = f"{ward['code']:05d}"
            kind, name = split_name(ward["name"])
            pid = tree.add(code, name, kind, "commune", province_id[pcode], valid_from=REFORM, valid_to="",
                           source="vietnam-provinces")
            key, their_code = by_name.pop(tone_key(name))
            ward_id[(pcode, key)] = pid
            if their_code != code:
                disagreements.append(dict(province_code=pcode, name=f"{kind.capitalize()} {name}",
                                          code_vietnam_provinces=code, code_vietnamadminunits=their_code))
        if by_name:
            raise ValueError(f"province {pcode}: communes of vietnamadminunits not in vietnam-provinces: {by_name}")

    for pkey, wards in converter["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        pcode = new_province[pkey]
        for wkey, olds in wards.items():
            for old in olds:
                tree.succeed(old_ids[old], ward_id[(pcode, wkey)], REFORM, "merged")
    for pkey, olds in converter["DICT_PROVINCE_WARD_DIVIDED"].items():
        pcode = new_province[pkey]
        for old, parts in olds.items():
            for part in parts:
                tree.succeed(old_ids[old], ward_id[(pcode, part["newWardKey"])], REFORM, "divided",
                             main="1" if part["isDefaultNewWard"] else "")
    return pd.DataFrame(disagreements)


def check_backan(tree: Tree, legacy: pd.DataFrame) -> list[str]:
    """Where the curated Bắc Kạn list, with its changes, differs from the package on 2025-06-30."""
    curated = {p["code"]: p for p in tree.places.values()
               if p["level"] == "commune" and p["valid_from"] <= "2025-06-30" < p["valid_to"]
               and tree.places[p["parent_id"]]["parent_id"] == BACKAN}
    package = legacy[legacy["provinceCode"] == BACKAN]
    notes = []
    for w in package.itertuples():
        kind, name = split_name(w.ward)
        mine = curated.pop(w.wardCode, None)
        if mine is None:
            notes.append(f"{w.wardCode} {w.ward}: not in the curated list")
        elif (mine["type"], tone_key(mine["name"]), mine["parent_id"]) != (kind, tone_key(name), w.districtCode):
            notes.append(f"{w.wardCode}: curated {mine['type']} {mine['name']} ({mine['parent_id']}), "
                         f"package {kind} {name} ({w.districtCode})")
    notes += [f"{code} {p['name']}: curated only" for code, p in curated.items()]
    return notes


def build(geography_dir: Path = GEOGRAPHY_DIR) -> tuple[dict[str, pd.DataFrame], list[str]]:
    legacy = read_legacy()
    legacy = legacy.where(legacy.notna(), "")
    tree = Tree()
    add_backan(tree, read_curated(geography_dir))
    notes = check_backan(tree, legacy)
    old_ids = add_legacy(tree, legacy)
    disagreements = add_new(tree, read_new(), legacy, read_new_keys(), read_converter(), old_ids)
    levels = {"province": 0, "district": 1, "commune": 2}
    places = pd.DataFrame(tree.places.values(), columns=PLACE_COLUMNS)
    places = places.sort_values(["level", "code", "valid_from"], key=lambda s: s.map(levels)
                                if s.name == "level" else s).reset_index(drop=True)
    successions = pd.DataFrame(tree.successions, columns=SUCCESSION_COLUMNS)
    successions = successions.drop_duplicates().sort_values(["date", "from_id", "to_id"]).reset_index(drop=True)
    disagreements = disagreements.sort_values(["province_code", "code_vietnam_provinces"]).reset_index(drop=True)
    return {"places.csv": places, "successions.csv": successions,
            "code_disagreements.csv": disagreements}, notes


def rendered(frames: dict[str, pd.DataFrame]) -> dict[str, str]:
    return {name: frame.to_csv(index=False, lineterminator="\n") for name, frame in frames.items()}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the committed files, write nothing")
    parser.add_argument("--out", type=Path, default=OUT_DIR)
    args = parser.parse_args(argv)
    frames, notes = build()
    for note in notes:
        print("Bắc Kạn, curated vs vietnamadminunits:", note)
    texts = rendered(frames)
    if args.check:
        stale = [n for n, t in texts.items() if not (args.out / n).exists()
                 or (args.out / n).read_text(encoding="utf-8") != t]
        for name in stale:
            print(f"{args.out / name} is not what the script writes", file=sys.stderr)
        return 1 if stale else 0
    args.out.mkdir(parents=True, exist_ok=True)
    for name, text in texts.items():
        (args.out / name).write_text(text, encoding="utf-8")
        print(f"{name}: {len(frames[name])} rows, {len(text.encode()):,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
