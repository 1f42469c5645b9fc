"""Web data entry: a form's entries become the real template, take the upload path, and come
back from the store as the form to revise."""
import dataclasses
import datetime as dt
import io

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from mdplan_core import entry
from mdplan_core.intake import check_upload, import_file
from mdplan_core.plan import load_plan
from mdplan_core.report import Period
from mdplan_core.store import submission_values, submissions

from .fill import indicator_rows, table_columns, value_cell

PLAN = load_plan()
Q4 = Period(2017, 10, 12)
BA_BE = "ubnd_061"
AGENCY = "sldtbxh"


def in_force(store, unit_code: str, period: Period) -> entry.Entry:
    return entry.in_force(PLAN, store.history(None), store.values("backan-2017", period.year),
                          store.communes("backan-2017", period.year),
                          unit_code, period)


def store_entry(store, typed: entry.Entry):
    out = import_file(entry.workbook(PLAN, typed), entry.filename(PLAN, typed.unit_code, typed.period),
                      user="canbo", plan=PLAN, store=store)
    assert out.outcome in ("stored", "revised"), out.findings
    return out


def test_nothing_in_force_gives_a_blank_form(store):
    blank = in_force(store, BA_BE, Q4)
    assert blank == entry.Entry(BA_BE, Q4)
    assert blank.version is None and not blank.results and not blank.communes


def test_a_district_entry_round_trips_through_the_upload_path(store):
    typed = entry.Entry(BA_BE, Q4, results={"CT1.1": 3, "CT1.2": 0},
                        communes={"CT1.3": ["01888", "01891"]},
                        notes={"CT1.2": "Lớp ghép với họp thôn."}, reporter="Nông Văn Thắng",
                        phone="0209 3652527", report_date=dt.date(2017, 12, 12))
    out = store_entry(store, typed)
    assert out.outcome == "stored" and out.findings == []
    assert in_force(store, BA_BE, Q4) == dataclasses.replace(typed, version=1)
    # The original file is the template, filled: numbers in `Kết quả trong kỳ`, blank stays blank.
    name, data = store.original_file(out.saved.submission_id)
    assert name == "nhap-tren-web-ubnd-huyen-ba-be-2017-10_2017-12.xlsx"
    ws = load_workbook(io.BytesIO(data))["Báo cáo"]
    rows, col = indicator_rows(ws), table_columns(ws, "Kết quả trong kỳ")["Kết quả trong kỳ"]
    assert [ws.cell(rows[c], col).value for c in ("CT1.1", "CT1.2", "CT1.4")] == [3, 0, None]
    assert ws.cell(rows["CT1.3"], col).value.startswith("=SUMPRODUCT")  # still the template's count
    assert value_cell(ws, "Người báo cáo").value == "Nông Văn Thắng"


def test_a_revision_starts_from_the_version_in_force(store):
    store_entry(store, entry.Entry(BA_BE, Q4, results={"CT1.1": 1}, reporter="A"))
    first = in_force(store, BA_BE, Q4)
    store_entry(store, dataclasses.replace(first, results={"CT1.1": 2}))
    second = in_force(store, BA_BE, Q4)
    assert (second.version, second.results, second.reporter) == (2, {"CT1.1": 2}, "A")


def test_an_agency_names_communes_of_any_district_and_describes_media_items(store):
    typed = entry.Entry(AGENCY, Q4, results={"CT1.5": 2},
                        communes={"CT3.1": ["01834", "01888"]},  # TP Bắc Kạn and Ba Bể
                        media_text="02 tin trên Cổng thông tin điện tử tỉnh.",
                        report_date=dt.date(2017, 12, 14))
    store_entry(store, typed)
    back = in_force(store, AGENCY, Q4)
    assert (back.results, back.communes, back.media_text) == (
        {"CT1.5": 2}, {"CT3.1": ["01834", "01888"]}, "02 tin trên Cổng thông tin điện tử tỉnh.")


def test_an_empty_form_is_refused_by_validation(store):
    data = entry.workbook(PLAN, entry.Entry(BA_BE, Q4, notes={"CT1.1": "Chưa tổng hợp."},
                                            report_date=dt.date(2018, 1, 1)))
    result = check_upload(data, entry.filename(PLAN, BA_BE, Q4), plan=PLAN, store=store)
    assert not result.ok
    assert [f.code for f in result.findings if f.is_error] == ["report.empty"]


def test_commune_choices_are_the_district_s_or_the_province_s():
    ba_be = entry.commune_options(PLAN, BA_BE)
    communes = PLAN.communes
    assert set(ba_be) == set(communes.loc[communes["place_code"] == "061", "code"])
    assert ba_be["01888"] == "Thị trấn Chợ Rã"
    province = entry.commune_options(PLAN, AGENCY)
    assert set(province) == set(communes["code"])
    assert province["01888"] == "Thị trấn Chợ Rã (Huyện Ba Bể)"


def test_default_report_date():
    q1 = Period(2017, 1, 3)
    assert entry.default_report_date(PLAN, q1, dt.date(2017, 2, 14)) == dt.date(2017, 2, 14)
    assert entry.default_report_date(PLAN, q1, dt.date(2025, 5, 1)) == dt.date(2017, 4, 1)
    assert entry.default_report_date(PLAN, Q4, dt.date(2025, 5, 1)) == dt.date(2018, 1, 1)
    assert entry.default_report_date(PLAN, q1, dt.date(2016, 12, 1)) == dt.date(2017, 1, 1)
    assert entry.report_date_range(PLAN) == (dt.date(2017, 1, 1), dt.date(2018, 12, 31))


def test_same_report_ignores_the_version_and_the_order_communes_were_picked_in():
    typed = entry.Entry(BA_BE, Q4, results={"CT1.1": 3}, communes={"CT1.3": ["01888", "01891"]},
                        reporter="Nông Văn Thắng")
    stored = dataclasses.replace(typed, communes={"CT1.3": ["01891", "01888"]}, version=2)
    assert typed.same_report(stored)
    assert not typed.same_report(dataclasses.replace(stored, results={"CT1.1": 4}))
    assert not typed.same_report(dataclasses.replace(stored, results={"CT1.1": 3, "CT1.2": 0}))  # 0 is not blank
    assert not typed.same_report(dataclasses.replace(stored, period=Period(2017, 10, 10)))


def test_a_submitted_form_keeps_zero_and_drops_what_was_left_blank():
    typed = entry.from_form(BA_BE, Q4, results={"CT1.1": 0, "CT1.2": None, "CT4.1": 2.0},
                            communes={"CT1.3": [], "CT3.1": ["01888"]},
                            notes={"CT1.1": "  ", "CT4.1": " hai cơ sở "}, media_text="   ",
                            reporter=" Nông Văn Thắng ", phone="", report_date=dt.date(2017, 12, 12))
    assert typed == entry.Entry(BA_BE, Q4, results={"CT1.1": 0, "CT4.1": 2}, communes={"CT3.1": ["01888"]},
                                notes={"CT4.1": "hai cơ sở"}, media_text=None, reporter="Nông Văn Thắng",
                                phone=None, report_date=dt.date(2017, 12, 12))


# --- Text is stored as typed -------------------------------------------------------------------

HYPERLINK = '=HYPERLINK("http://x","y")'


def test_text_that_looks_like_a_formula_is_stored_as_typed(store):
    typed = entry.Entry(BA_BE, Q4, results={"CT1.1": 3},
                        notes={"CT1.1": HYPERLINK, "CT1.2": "+1", "CT1.4": "-2", "CT2.1": "@a",
                               "CT4.1": "mã _x000B_ gõ tay"},  # an Excel escape, typed: kept
                        media_text="=1+1", reporter=HYPERLINK, phone="+84 209 3652527",
                        report_date=dt.date(2017, 12, 12))
    out = store_entry(store, typed)
    # In the database: exactly what was typed.
    assert in_force(store, BA_BE, Q4) == dataclasses.replace(typed, version=1)
    # In the original file: text cells, marked the way Excel marks a leading apostrophe.
    ws = load_workbook(io.BytesIO(store.original_file(out.saved.submission_id)[1]))["Báo cáo"]
    rows, col = indicator_rows(ws), table_columns(ws, "Ghi chú")["Ghi chú"]
    cells = [ws.cell(rows[code], col) for code in typed.notes] + [
        value_cell(ws, "Người báo cáo"), value_cell(ws, "Nội dung chuyên trang, chuyên mục")]
    assert [c.data_type for c in cells] == ["s"] * 7
    assert [c.value for c in cells[:4]] == [HYPERLINK, "+1", "-2", "@a"]
    assert all(c.quotePrefix for c in cells[:4])


def test_control_characters_typed_in_the_form_are_cleaned_with_a_warning(store):
    typed = entry.Entry(BA_BE, Q4, results={"CT1.1": 3},
                        notes={"CT1.1": "Lớp 1\x0bLớp 2", "CT1.2": "\x00"},
                        media_text="Chuyên mục\x1b[0m", reporter="Nông\x1b Văn Thắng",
                        report_date=dt.date(2017, 12, 12))
    data, result = entry.check(PLAN, typed, store=store)
    assert result.ok
    assert [(f.code, f.severity, f.sheet, f.cell) for f in result.findings] == [
        ("text.control_characters", "warning", "Báo cáo", cell) for cell in ("C15", "C32", "G21")]
    assert result.findings[0].message.startswith("Người báo cáo có ký tự điều khiển")
    assert "U+001B" in result.findings[0].message and "U+0000" in result.findings[2].message

    import_file(data, entry.filename(PLAN, BA_BE, Q4), user="canbo", plan=PLAN, store=store)
    stored = in_force(store, BA_BE, Q4)
    assert (stored.notes, stored.media_text, stored.reporter) == (
        {"CT1.1": "Lớp 1\nLớp 2"}, "Chuyên mục[0m", "Nông Văn Thắng")
    assert typed.same_report(stored)  # the form typed again holds nothing new


def test_a_text_longer_than_a_cell_holds_is_refused_before_the_workbook_is_written(store):
    typed = entry.Entry(BA_BE, Q4, results={"CT1.1": 3}, notes={"CT1.1": "Lớp" * 13_334},
                        report_date=dt.date(2017, 12, 12))
    data, result = entry.check(PLAN, typed, store=store)
    assert data is None and not result.ok and result.report is None
    assert [(f.code, f.severity, f.cell) for f in result.findings] == [("text.too_long", "error", "G20")]
    assert result.findings[0].message.startswith("Ghi chú của CT1.1 dài 40.002 ký tự")
    with pytest.raises(ValueError):  # never cut without a word
        entry.workbook(PLAN, typed)


def test_a_stored_report_holding_control_characters_still_fills_and_checks_the_form(store):
    store_entry(store, entry.Entry(BA_BE, Q4, results={"CT1.1": 3}, notes={"CT1.1": "x"},
                                   reporter="A", report_date=dt.date(2017, 12, 12)))
    # Stored before the store refused them (PostgreSQL takes every control character but NUL).
    with store.engine.begin() as conn:
        conn.execute(sa.update(submission_values).values(note="Lớp 1\x0bLớp 2\x1b"))
        conn.execute(sa.update(submissions).values(reporter="Nông\x1b Văn\x0cThắng"))
    prefill = in_force(store, BA_BE, Q4)
    assert (prefill.notes, prefill.reporter) == ({"CT1.1": "Lớp 1\nLớp 2"}, "Nông Văn\nThắng")
    data, result = entry.check(PLAN, prefill, store=store)
    assert result.ok and data is not None


def test_a_web_form_check_with_errors_is_logged_with_its_user(store, caplog):
    caplog.set_level("INFO", logger="mdplan_core.intake")
    typed = entry.Entry(BA_BE, Q4, notes={"CT1.1": "Chưa tổng hợp."}, report_date=dt.date(2018, 1, 1))
    data, result = entry.check(PLAN, typed, store=store, user="canbo.babe")

    assert not result.ok
    [record] = [r.getMessage() for r in caplog.records if r.name == "mdplan_core.intake"]
    assert record.startswith("upload checked, has errors: unit=ubnd_061 period=") and " user=canbo.babe " in record
