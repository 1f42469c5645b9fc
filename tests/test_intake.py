"""The upload path end to end: template -> filled by an officer -> check -> store -> progress."""
import datetime as dt

import pytest

from mdplan_core import progress
from mdplan_core.intake import check_upload, import_file
from mdplan_core.plan import load_plan
from mdplan_core.report import Period
from mdplan_core.template import build_template
from tests.fill import fill_template
from tests.libreoffice import written

PLAN = load_plan()
Q1 = Period(2017, 1, 3)
DEC = dt.date(2017, 12, 31)


def filled(unit="ubnd_061", period=Q1, **kw):
    kw.setdefault("results", {"CT1.1": 2, "CT1.2": "1.234", "CT4.1": 3})
    kw.setdefault("communes", {"CT1.3": ["Chợ Rã", "xã Banh Trach"]})
    return fill_template(build_template(PLAN, unit, period), **kw)


def actual(store, code):
    table = progress.by_indicator(PLAN, store.values("backan-2017", 2017), store.communes("backan-2017", 2017), DEC)
    return table.set_index("code").at[code, "actual"]


def test_round_trip_stores_and_progress_shows_the_numbers(store):
    data = filled()
    out = import_file(data, "ba-be-q1.xlsx", user="canbo.babe", plan=PLAN, store=store)
    assert out.outcome == "stored", out.findings
    assert (actual(store, "CT1.1"), actual(store, "CT1.2"), actual(store, "CT1.3")) == (2, 1234, 2)
    history = store.history(None, "ubnd_061")
    assert list(history["uploaded_by"]) == ["canbo.babe"]
    assert store.original_file(out.saved.submission_id) == ("ba-be-q1.xlsx", data)


def test_revision_replaces_the_numbers_and_keeps_history(store):
    import_file(filled(), "v1.xlsx", user="a", plan=PLAN, store=store)
    out = import_file(filled(results={"CT1.1": 5}), "v2.xlsx", user="a", plan=PLAN, store=store)
    assert (out.outcome, out.saved.version) == ("revised", 2)
    assert actual(store, "CT1.1") == 5
    assert list(store.history(None, "ubnd_061")["status"]) == ["superseded", "in_force"]


def test_refused_upload_writes_nothing_but_the_audit_entry(store):
    bad = filled(results={"CT1.1": -2, "CT1.2": "nhiều"})
    out = import_file(bad, "bad.xlsx", user="a", plan=PLAN, store=store)
    assert out.outcome == "refused"
    assert {(f.code, f.cell) for f in out.findings if f.is_error} == {
        ("value.negative", "F20"), ("value.not_a_number", "F21")}
    assert store.history(None).empty and store.values("backan-2017", 2017).empty
    audit = store.audit()
    assert list(audit["action"]) == ["upload_refused"]


def test_officer_cannot_upload_for_another_unit(store):
    other = filled(unit="ubnd_058", communes={})
    out = import_file(other, "tp.xlsx", user="canbo.babe", plan=PLAN, store=store, allowed_unit="ubnd_061")
    assert out.outcome == "refused"
    refusal = [f for f in out.findings if f.code == "unit.not_allowed"]
    assert refusal and "UBND huyện Ba Bể" in refusal[0].message
    assert store.history(None).empty


def test_overlapping_period_is_refused(store):
    import_file(filled(), "q1.xlsx", user="a", plan=PLAN, store=store)
    out = import_file(filled(period=Period(2017, 3, 5)), "m3-5.xlsx", user="a", plan=PLAN, store=store)
    assert out.outcome == "refused"
    assert "period.overlap" in {f.code for f in out.findings}
    assert len(store.history(None)) == 1


@pytest.mark.parametrize("fmt", ["xlsx", "xls", "ods"])
def test_a_workbook_saved_by_libreoffice_imports(store, fmt):
    data = written("intake-ba-be", fmt)  # filled(), saved by LibreOffice
    out = import_file(data, f"ba-be.{fmt}", user="a", plan=PLAN, store=store)
    assert out.outcome == "stored", out.findings
    assert (actual(store, "CT1.1"), actual(store, "CT1.2"), actual(store, "CT1.3")) == (2, 1234, 2)


def nul_report() -> bytes:
    return filled(notes={"CT1.1": "Lớp\x00 ghép\x0bthôn Nà Cọ"}, reporter="Nguyễn Thị\x00 Hoa")


def test_nul_in_a_file_name_or_an_xls_note_is_never_stored(store):
    # PostgreSQL refuses NUL with a DataError; SQLite stored it. Both now store neither.
    data = written("intake-nul", "xls")
    out = import_file(data, "ba-be\x00\r\n.xls", user="a", plan=PLAN, store=store)
    assert out.outcome == "stored", out.findings
    # The reporter's cell, the signature that repeats it (a formula LibreOffice computed), the note.
    assert [(f.code, f.cell) for f in out.findings] == [
        ("text.control_characters", cell) for cell in ("C15", "G20", "A45")] + [
        ("value.implausible", "F21")]  # 1.234 people in a quarter: the province's year is 500
    assert list(store.history(None)["filename"]) == ["ba-be .xls"]
    assert store.history(None)["reporter"].iloc[0] == "Nguyễn Thị Hoa"
    assert store.values("backan-2017", 2017).set_index("indicator_code").at["CT1.1", "note"] == "Lớp ghép\nthôn Nà Cọ"
    assert "\x00" not in store.audit()["detail"].iloc[0]


def test_submit_checks_the_role_on_the_server(store):
    from mdplan_core.accounts import PermissionDenied, User
    from mdplan_core.intake import submit

    leader = User(1, "lanhdao", "Lãnh đạo", "leader", None, True)
    with pytest.raises(PermissionDenied):
        submit(filled(), "x.xlsx", user=leader, plan=PLAN, store=store)
    officer = User(2, "canbo.babe", "Cán bộ", "officer", "ubnd_061", True)
    assert submit(filled(unit="ubnd_058", communes={}), "tp.xlsx", user=officer, plan=PLAN,
                  store=store).outcome == "refused"
    assert submit(filled(), "bb.xlsx", user=officer, plan=PLAN, store=store).outcome == "stored"
    admin = User(3, "quantri", "Quản trị", "admin", None, True)
    assert submit(filled(unit="ubnd_058", communes={}), "tp.xlsx", user=admin, plan=PLAN,
                  store=store).outcome == "stored"


def test_an_officer_reports_only_in_their_own_provinces_plans(store):
    """Sở GD&ĐT is `sgddt` in the plans of Bắc Kạn and of Hà Nội: an officer of Bắc Kạn's
    department cannot store a report in Hà Nội's plan."""
    import dataclasses

    from mdplan_core import accounts
    from mdplan_core.accounts import PermissionDenied
    from mdplan_core.intake import submit
    from mdplan_core.plans import catalogue

    hanoi = catalogue().get("hanoi-2026")
    accounts.add_user(store, "canbo.sgd", "mật khẩu đủ dài", "officer", units=PLAN, unit_code="sgddt",
                      actor="test")
    officer = accounts.get_user(store, "canbo.sgd")
    assert officer.province_code == "06"
    data = fill_template(build_template(hanoi, "sgddt", Period(2026, 1, 3)), results={"CT1.7": 500})
    with pytest.raises(PermissionDenied):
        submit(data, "gd.xlsx", user=officer, plan=hanoi, store=store)
    assert store.history(None).empty
    assert not accounts.can(officer, accounts.Action.HISTORY, "sgddt", hanoi)
    assert accounts.can(officer, accounts.Action.HISTORY, "sgddt", PLAN)
    # The same department of Hà Nội may.
    hanoi_officer = dataclasses.replace(officer, province_code="01")
    assert submit(data, "gd.xlsx", user=hanoi_officer, plan=hanoi, store=store).outcome == "stored"


def test_eight_uploads_at_once_all_land(store):
    """Eight officers press the button together: every file goes through the whole upload path
    (sandboxed reader included) and lands, with nothing lost and no 'database is locked'."""
    import threading

    units = [u.code for u in PLAN.units if u.kind == "place"]
    files = {u: filled(unit=u, communes={}, results={"CT1.1": 1, "CT4.1": 2}) for u in units}
    start = threading.Barrier(len(units))
    outcomes, errors = {}, []

    def upload(unit):
        start.wait()
        try:
            outcomes[unit] = import_file(files[unit], f"{unit}.xlsx", user=unit, plan=PLAN, store=store).outcome
        except Exception as exc:  # noqa: BLE001 - the test reports any failure below
            errors.append(exc)

    threads = [threading.Thread(target=upload, args=(u,)) for u in units]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and outcomes == {u: "stored" for u in units}
    assert len(store.history(None)) == 8
    assert actual(store, "CT1.1") == 8 and actual(store, "CT4.1") == 16


def test_uploads_are_logged_with_unit_period_user_and_size(store, caplog):
    caplog.set_level("INFO", logger="mdplan_core.intake")
    data = filled()
    import_file(data, "ba-be-q1.xlsx", user="canbo.babe", plan=PLAN, store=store)
    bad = filled(results={"CT1.1": -2})
    import_file(bad, "bad.xlsx", user="canbo.babe", plan=PLAN, store=store)

    stored, refused = [r for r in caplog.records if r.name == "mdplan_core.intake"]
    assert stored.getMessage() == (f"upload stored: unit=ubnd_061 period={Q1} user=canbo.babe "
                                   f"file='ba-be-q1.xlsx' bytes={len(data)} version=1 warnings=1")
    assert refused.levelname == "INFO" and refused.getMessage() == (
        f"upload refused: unit=ubnd_061 period={Q1} user=canbo.babe file='bad.xlsx' "
        f"bytes={len(bad)} errors=value.negative")


def test_a_web_check_with_errors_is_logged_once_with_its_user(store, caplog):
    caplog.set_level("INFO", logger="mdplan_core.intake")
    bad = filled(results={"CT1.1": -2})
    check_upload(bad, "bad.xlsx", plan=PLAN, store=store, user="canbo.babe")
    check_upload(filled(), "good.xlsx", plan=PLAN, store=store, user="canbo.babe")

    assert [r.getMessage() for r in caplog.records if r.name == "mdplan_core.intake"] == [
        f"upload checked, has errors: unit=ubnd_061 period={Q1} user=canbo.babe file='bad.xlsx' "
        f"bytes={len(bad)} errors=value.negative"]


# --- issue 9: upload ---
import io  # noqa: E402

import openpyxl  # noqa: E402

from mdplan_core import intake  # noqa: E402
from mdplan_core.findings import error, warning  # noqa: E402
from mdplan_core.views import changes_table, findings_table  # noqa: E402


def test_an_administrators_chosen_unit_binds_the_check_and_the_save(store):
    ngan_son = filled("ubnd_062", results={"CT1.1": 1}, communes={})
    check = check_upload(ngan_son, "ngan-son.xlsx", plan=PLAN, store=store, chosen_unit="ubnd_058")
    assert not check.ok
    refusal = next(f for f in check.findings if f.is_error)
    assert refusal.code == "unit.not_chosen"
    assert "UBND huyện Ngân Sơn" in refusal.message and "UBND thành phố Bắc Kạn" in refusal.message
    out = import_file(ngan_son, "ngan-son.xlsx", user="quantri", plan=PLAN, store=store, chosen_unit="ubnd_058")
    assert out.outcome == "refused" and store.history(None).empty
    # The unit chosen is the file's: stored.
    assert import_file(ngan_son, "ngan-son.xlsx", user="quantri", plan=PLAN, store=store,
                       chosen_unit="ubnd_062").outcome == "stored"


def test_each_kind_of_refusal_has_its_own_banner_and_only_cells_ask_to_fix_cells():
    cell = error("value.negative", "…", sheet="Báo cáo", cell="F12")
    banners = {
        "too_large": intake.problems([error("file.too_large", "…")]),
        "file": intake.problems([error("file.not_a_workbook", "…")]),
        "unit": intake.problems([error("unit.not_chosen", "…")]),
        "overlap": intake.problems([error("period.overlap", "…")]),
        "cells": intake.problems([cell, cell, warning("value.unit_suffix", "…")]),
    }
    fix_cells = "Hãy sửa các ô được chỉ ra"
    assert all(len(b) == 1 for b in banners.values())
    assert [kind for kind, b in banners.items() if fix_cells in b[0]] == ["cells"]
    assert "quá lớn" in banners["too_large"][0] and "trùng" in banners["overlap"][0]
    # Several kinds: one banner each, the file's own problems first.
    both = intake.problems([cell, error("period.overlap", "…")])
    assert [fix_cells in b for b in both] == [False, True]
    assert intake.problems([warning("value.unit_suffix", "…")]) == []
    assert intake.can_be_fixed_in_cells([cell]) and not intake.can_be_fixed_in_cells(
        [cell, error("unit.not_allowed", "…")])


def test_a_file_is_compared_value_by_value_with_the_version_in_force(store):
    first = filled(results={"CT1.1": 2, "CT1.2": "1.234"}, communes={"CT1.3": ["Chợ Rã"]})
    report = check_upload(first, "q1.xlsx", plan=PLAN, store=store).report
    assert intake.against_in_force(PLAN, store, report, first) == intake.AgainstInForce(None, False, [])
    import_file(first, "q1.xlsx", user="canbo.babe", plan=PLAN, store=store)

    # The same bytes again: identical, before any click.
    same = intake.against_in_force(PLAN, store, report, first)
    assert same.replaces and same.same_file and same.identical
    # The same numbers in another file: identical too.
    book = openpyxl.load_workbook(io.BytesIO(first))
    book.properties.title = "Bản sao"
    out = io.BytesIO()
    book.save(out)
    copy = out.getvalue()
    again = intake.against_in_force(PLAN, store, check_upload(copy, "q1.xlsx", plan=PLAN, store=store).report, copy)
    assert again.identical and not again.same_file

    revised = filled(results={"CT1.1": 5, "CT1.2": "1.234"}, communes={"CT1.3": ["Chợ Rã", "xã Banh Trach"]})
    against = intake.against_in_force(PLAN, store, check_upload(revised, "q1b.xlsx", plan=PLAN, store=store).report,
                                      revised)
    assert against.version == 1 and not against.identical
    assert {(c.code, c.what) for c in against.changes} == {("CT1.1", "value"), ("CT1.3", "communes")}
    table = changes_table(PLAN, against).set_index("Mục")
    assert list(table.columns) == ["Chỉ tiêu", "Đang có hiệu lực (lần nộp thứ 1)", "Trong tệp mới"]
    assert table.loc["Kết quả trong kỳ"].tolist()[1:] == ["2", "5"]
    assert table.loc["Xã, phường, thị trấn", "Trong tệp mới"].count(";") == 1


def test_periods_overlapping_one_filed_are_not_offered(store):
    import_file(filled(period=Q1), "q1.xlsx", user="canbo.babe", plan=PLAN, store=store)
    offered = intake.open_periods(PLAN, store.history(PLAN.id), "ubnd_061")
    assert Q1 in offered.values()  # its own period stays: a revision
    assert not any(p.overlaps(Q1) and p != Q1 for p in offered.values())
    assert Period(2017, 4, 6) in offered.values() and Period(2017, 2, 2) not in offered.values()
    # Another unit is offered everything.
    assert intake.open_periods(PLAN, store.history(PLAN.id), "ubnd_060") == PLAN.offered_periods()


def test_the_findings_table_on_screen_has_no_codes():
    table = findings_table([error("value.unit_suffix", "Kết quả …", sheet="Báo cáo", cell="F28")])
    assert list(table.columns) == ["Mức độ", "Trang tính", "Ô", "Nội dung"]
    assert "value.unit_suffix" not in table.to_string()
