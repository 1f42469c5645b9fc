"""District allocations of targets, on SQLite and (with MDPLAN_TEST_DATABASE_URL) PostgreSQL."""
from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from mdplan_core.allocations import AllocationResult, Change, allocation_grid, get_allocations, save_allocations
from mdplan_core.plan import load_plan
from mdplan_core.store import allocations

PLAN = load_plan()
T1 = dt.datetime(2017, 2, 1, 3, 0, tzinfo=dt.UTC)
T2 = dt.datetime(2017, 2, 2, 3, 0, tzinfo=dt.UTC)


def table(*rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["indicator_code", "place_code", "target"])


def stored(store) -> dict[tuple[str, str], int]:
    frame = get_allocations(store, PLAN.id)
    return {(r.indicator_code, r.place_code): r.target for r in frame.itertuples()}


def allocation_audits(store) -> list[dict]:
    audit = store.audit().iloc[::-1]
    return [{"actor": r.actor, **json.loads(r.detail)} for r in audit.itertuples()
            if r.action == "allocations_save"]


def codes(result: AllocationResult) -> list[str]:
    return [f.code for f in result.findings]


def test_nothing_is_allocated_until_an_admin_says_so(store):
    frame = get_allocations(store, PLAN.id)
    assert frame.empty
    assert list(frame.columns) == ["indicator_code", "place_code", "target", "updated_by", "updated_at"]
    grid = allocation_grid(PLAN, frame)
    assert grid["target"].isna().all()
    numeric = PLAN.indicators.query("aggregation != 'qualitative'")
    assert len(grid) == len(numeric) * len(PLAN.places) == 80
    assert "CT1.5" not in set(grid["indicator_code"])  # qualitative: nothing to allocate


def test_save_stores_exactly_the_table_and_audits_the_diff(store):
    result = save_allocations(store, PLAN, table(("CT1.1", "061", 2), ("CT4.1", "058", 3)),
                              actor="quantri", now=T1)
    assert result == AllocationResult(True, [], (Change("CT1.1", "061", None, 2), Change("CT4.1", "058", None, 3)))
    assert stored(store) == {("CT1.1", "061"): 2, ("CT4.1", "058"): 3}
    frame = get_allocations(store, PLAN.id)
    assert set(frame["updated_by"]) == {"quantri"} and set(frame["updated_at"]) == {T1}
    assert str(frame["target"].dtype) == "int64"

    # Change one, remove one (blank), add one; leave nothing else.
    result = save_allocations(store, PLAN, table(("CT1.1", "061", 4), ("CT4.1", "058", None),
                                                 ("CT5.2", "066", 1)), actor="admin2", now=T2)
    assert result.saved and result.findings == []
    assert stored(store) == {("CT1.1", "061"): 4, ("CT5.2", "066"): 1}
    assert [a["changes"] for a in allocation_audits(store)] == [
        [{"indicator_code": "CT1.1", "place_code": "061", "before": None, "after": 2},
         {"indicator_code": "CT4.1", "place_code": "058", "before": None, "after": 3}],
        [{"indicator_code": "CT1.1", "place_code": "061", "before": 2, "after": 4},
         {"indicator_code": "CT4.1", "place_code": "058", "before": 3, "after": None},
         {"indicator_code": "CT5.2", "place_code": "066", "before": None, "after": 1}],
    ]
    last = allocation_audits(store)[-1]
    assert (last["actor"], last["added"], last["changed"], last["removed"]) == ("admin2", 1, 1, 1)


def test_unchanged_cells_keep_who_set_them_and_when(store):
    save_allocations(store, PLAN, table(("CT1.1", "061", 2), ("CT1.1", "058", 3)), actor="a", now=T1)
    save_allocations(store, PLAN, table(("CT1.1", "061", 2), ("CT1.1", "058", 5)), actor="b", now=T2)
    frame = get_allocations(store, PLAN.id).set_index("place_code")
    assert (frame.at["061", "updated_by"], frame.at["061", "updated_at"]) == ("a", T1)
    assert (frame.at["058", "updated_by"], frame.at["058", "updated_at"]) == ("b", T2)


def test_saving_the_same_table_again_changes_nothing_and_says_so(store):
    save_allocations(store, PLAN, table(("CT1.1", "061", 2)), actor="a", now=T1)
    audit_before = store.audit()
    again = save_allocations(store, PLAN, table(("CT1.1", "061", 2)), actor="b", now=T2)
    assert (again.saved, codes(again), again.changes) == (False, ["allocation.unchanged"], ())
    assert store.audit().equals(audit_before)
    assert get_allocations(store, PLAN.id)["updated_by"].tolist() == ["a"]


def test_an_allocation_above_the_provincial_target_is_saved_with_a_warning(store):
    result = save_allocations(store, PLAN, table(("CT1.1", "061", 6), ("CT1.1", "058", 6),
                                                 ("CT1.2", "061", "1.200")), actor="quantri", now=T1)
    assert result.saved
    assert [(f.severity, f.code) for f in result.findings] == [("warning", "allocation.over_target")] * 2
    name_11, name_12 = PLAN.indicator("CT1.1").name, PLAN.indicator("CT1.2").name
    assert result.findings[0].message == (f"Tổng phân bổ chỉ tiêu CT1.1 ({name_11}) cho các huyện (12) "
                                          "vượt chỉ tiêu của tỉnh (10).")
    assert result.findings[1].message == (f"Tổng phân bổ chỉ tiêu CT1.2 ({name_12}) cho các huyện (1.200) "
                                          "vượt chỉ tiêu của tỉnh (500).")
    assert stored(store) == {("CT1.1", "061"): 6, ("CT1.1", "058"): 6, ("CT1.2", "061"): 1200}
    assert allocation_audits(store)[-1]["warnings"] == ["allocation.over_target"] * 2


def test_exactly_the_provincial_target_is_no_warning(store):
    rows = [("CT1.1", code, 1) for code in PLAN.places["code"]] + [("CT1.1", "061", None)]
    rows[2] = ("CT1.1", "061", 3)  # 7 x 1 + 3 = 10
    result = save_allocations(store, PLAN, table(*rows[:-1]), actor="quantri", now=T1)
    assert (result.saved, result.findings) == (True, [])
    assert sum(stored(store).values()) == 10


@pytest.mark.parametrize("row, code, message", [
    (("CT9.9", "061", 1), "allocation.unknown_indicator", "Dòng 2: không có chỉ tiêu mã 'CT9.9'"),
    (("CT1.1", "099", 1), "allocation.unknown_district", "Dòng 2: không có huyện, thành phố mã '099'"),
    (("CT1.5", "061", 1), "allocation.not_allocatable",
     "Dòng 2: CT1.5 không phân bổ được cho huyện (cách tính: Định tính)"),
    (("CT1.1", "061", -1), "allocation.negative", "Dòng 2 (CT1.1, Huyện Ba Bể): chỉ tiêu phân bổ -1 không được âm"),
    (("CT1.1", "061", 2.5), "allocation.not_integer", "Dòng 2 (CT1.1, Huyện Ba Bể): Phải là số nguyên"),
    (("CT1.1", "061", "12,5"), "allocation.not_integer", "Phải là số nguyên"),
    (("CT1.1", "061", "hai"), "allocation.not_a_number", "Không đọc được số từ 'hai'"),
    (("CT1.1", "061", True), "allocation.not_a_number", "Không đọc được số"),
    (("CT4.1", "058", 2), "allocation.duplicate", "Dòng 2: chỉ tiêu CT4.1 của Thành phố Bắc Kạn đã có ở dòng 1"),
])
def test_a_table_with_an_error_changes_nothing(store, row, code, message):
    save_allocations(store, PLAN, table(("CT4.1", "058", 1)), actor="quantri", now=T1)
    before, audit_before = get_allocations(store, PLAN.id), store.audit()
    result = save_allocations(store, PLAN, table(("CT4.1", "058", 1), row), actor="quantri", now=T2)
    assert not result.saved and result.changes == ()
    errors = [f for f in result.findings if f.is_error]
    assert [f.code for f in errors] == [code]
    assert message in errors[0].message
    assert get_allocations(store, PLAN.id).equals(before) and store.audit().equals(audit_before)


def test_values_as_editors_and_spreadsheets_give_them(store):
    frame = pd.DataFrame({
        "indicator_code": ["CT1.1", "CT1.2", "CT1.4", "CT3.2", "CT4.1", " CT5.2 "],
        "place_code": ["061", 58, "60", "062", "063", "064"],
        "target": pd.array([1, 2, 3, None, 4, 5], dtype="Int64"),
        "indicator_name": "ignored",
    })
    frame.loc[len(frame)] = ["CT2.1", "065", np.int64(1), "x"]
    frame.loc[len(frame)] = [None, None, None, None]  # an empty editor row
    result = save_allocations(store, PLAN, frame, actor="quantri", now=T1)
    assert result.saved and result.findings == []
    assert stored(store) == {("CT1.1", "061"): 1, ("CT1.2", "058"): 2, ("CT1.4", "060"): 3,
                             ("CT4.1", "063"): 4, ("CT5.2", "064"): 5, ("CT2.1", "065"): 1}


def test_a_number_read_with_a_guess_is_saved_with_its_warning(store):
    result = save_allocations(store, PLAN, table(("CT1.1", "061", "3 lớp")), actor="quantri", now=T1)
    assert result.saved and codes(result) == ["allocation.number_read"]
    assert "Đã bỏ chữ 'lớp'" in result.findings[0].message
    assert stored(store) == {("CT1.1", "061"): 3}


def test_an_empty_table_removes_every_allocation(store):
    save_allocations(store, PLAN, table(("CT1.1", "061", 2), ("CT4.1", "058", 3)), actor="a", now=T1)
    result = save_allocations(store, PLAN, table(("CT1.1", "061", None)), actor="b", now=T2)
    assert result.saved and [c.after for c in result.changes] == [None, None]
    assert get_allocations(store, PLAN.id).empty


def test_the_grid_round_trips(store):
    save_allocations(store, PLAN, table(("CT1.1", "061", 2), ("CT4.1", "058", 3)), actor="a", now=T1)
    grid = allocation_grid(PLAN, get_allocations(store, PLAN.id))
    assert grid.set_index(["indicator_code", "place_code"]).loc[("CT1.1", "061"), "target"] == 2
    assert grid["target"].notna().sum() == 2
    row = grid[(grid["indicator_code"] == "CT1.1") & (grid["place_code"] == "061")].iloc[0]
    assert (row["indicator_name"], row["provincial_target"], row["place_name"]) == (
        PLAN.indicator("CT1.1").name, 10, "Huyện Ba Bể")
    assert codes(save_allocations(store, PLAN, grid, actor="b", now=T2)) == ["allocation.unchanged"]
    grid.loc[(grid["indicator_code"] == "CT5.1") & (grid["place_code"] == "066"), "target"] = 1
    result = save_allocations(store, PLAN, grid, actor="b", now=T2)
    assert result.changes == (Change("CT5.1", "066", None, 1),)


def test_the_database_refuses_a_negative_allocation(store):
    with pytest.raises(sa.exc.IntegrityError):
        with store.engine.begin() as conn:
            conn.execute(sa.insert(allocations).values(plan_id=PLAN.id, indicator_code="CT1.1",
                                                       place_code="061", target=-1,
                                                       updated_by="x", updated_at=T1))
    assert get_allocations(store, PLAN.id).empty


def test_a_table_without_the_needed_columns_is_a_programming_error(store):
    with pytest.raises(ValueError, match="lacks columns"):
        save_allocations(store, PLAN, pd.DataFrame({"indicator_code": ["CT1.1"]}), actor="a")
