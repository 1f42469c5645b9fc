"""Small frames shaped like the store's reads, for tests of the analysis and its outputs."""
import pandas as pd

from mdplan_core import progress


def values_frame(rows) -> pd.DataFrame:
    """Rows shaped like Store.values: (unit, district, start, end, indicator, value[, text])."""
    frame = pd.DataFrame(
        [{"submission_id": i, "unit_code": u, "place_code": d, "start_month": s, "end_month": e,
          "indicator_code": code, "value": float(v), "text": rest[0] if rest else None, "note": None}
         for i, (u, d, s, e, code, v, *rest) in enumerate(rows)],
        columns=progress.VALUE_COLUMNS)
    return frame.astype({"start_month": "int64", "end_month": "int64", "value": "float64",
                         "indicator_code": "str", "unit_code": "str"})


def communes_frame(rows) -> pd.DataFrame:
    """Rows shaped like Store.communes: (unit, district, start, end, indicator, commune)."""
    frame = pd.DataFrame(
        [{"submission_id": i, "unit_code": u, "place_code": d, "start_month": s, "end_month": e,
          "indicator_code": code, "commune_code": c}
         for i, (u, d, s, e, code, c) in enumerate(rows)],
        columns=progress.COMMUNE_COLUMNS)
    return frame.astype({"start_month": "int64", "end_month": "int64", "indicator_code": "str",
                         "commune_code": "str", "unit_code": "str"})


NO_ALLOCATIONS = pd.DataFrame({"indicator_code": pd.Series(dtype="str"),
                               "place_code": pd.Series(dtype="str"),
                               "target": pd.Series(dtype="int64")})


def places_frame(n: int = 126, without_target: int = 6) -> pd.DataFrame:
    """A province of `n` communes, the shape of a 2026 commune-level plan: place i did
    (7·i mod 13) of its own target of 10, 5 of which are due by now; the last
    `without_target` places have no target of their own. Two carry real names to search."""
    names = {17: "Phường Hoàn Kiếm", 18: "Xã Sóc Sơn"}
    has_target = [i < n - without_target for i in range(n)]
    return pd.DataFrame({
        "place_code": [f"{i:05d}" for i in range(n)],
        "place_name": [names.get(i, f"Xã Số {i:03d}") for i in range(n)],
        "actual": [float(7 * i % 13) for i in range(n)],
        "target": [10.0 if h else float("nan") for h in has_target],
        "expected": [5.0 if h else float("nan") for h in has_target],
    })
