"""Export: the consolidated table, the Data page's filters, and the Excel/CSV files staff
download, including formula-injection neutralisation."""
import csv
import datetime as dt
import io
from zoneinfo import ZoneInfo

import openpyxl
import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

from mdplan_core import export, xlsxout
from mdplan_core.cli import main
from mdplan_core.export import Filters, consolidated, filter_table, to_csv, to_xlsx
from mdplan_core.intake import import_file
from mdplan_core.plan import load_plan
from mdplan_core.report import Period
from mdplan_core.store import DEMO
from mdplan_core.template import build_template
from tests.fill import fill_template

PLAN = load_plan()
VN = ZoneInfo("Asia/Ho_Chi_Minh")
Q1, Q2 = Period(2017, 1, 3), Period(2017, 4, 6)
EXPORTED_AT = dt.datetime(2017, 12, 14, 9, 30, tzinfo=VN)
HEADERS = list(export.HEADERS.values())


def upload(store, unit, period, at, user="canbo", **kw):
    data = fill_template(build_template(PLAN, unit, period), **kw)
    out = import_file(data, f"{unit}.xlsx", user=user, plan=PLAN, store=store,
                      uploaded_at=dt.datetime(*at, tzinfo=VN))
    assert out.outcome in ("stored", "revised"), out.findings
    return out


@pytest.fixture
def reports(store):
    """Ba Bể Q1 (then revised), Ba Bể Q2, Đài PT-TH Q1."""
    upload(store, "ubnd_061", Q1, (2017, 4, 5, 9, 15), user="canbo.babe",
           results={"CT1.1": 2, "CT1.2": "1.234"}, communes={"CT1.3": ["Chợ Rã", "xa Banh Trach"]},
           notes={"CT1.1": "- hai lớp tại thị trấn"})
    upload(store, "ubnd_061", Q1, (2017, 4, 8, 14, 0), user="canbo.babe",
           results={"CT1.1": 3, "CT1.2": 150}, communes={"CT1.3": ["Chợ Rã", "Bành Trạch"]})
    upload(store, "ubnd_061", Q2, (2017, 7, 3, 8, 0), user="canbo.babe", results={"CT4.1": 2})
    upload(store, "dai_ptth", Q1, (2017, 4, 6, 10, 0), user="canbo.daiptth",
           results={"CT1.5": 3}, media_text="@Chuyên mục \"Pháp luật và đời sống\"",
           notes={"CT1.5": "+ 02 phóng sự"})
    return store


def row(table, **match):
    hit = table
    for column, value in match.items():
        hit = hit[hit[column] == value]
    assert len(hit) == 1, hit
    return hit.iloc[0]


# --- consolidated -------------------------------------------------------------------------
def test_consolidated_has_a_row_per_submission_and_indicator(reports):
    table = consolidated(PLAN, reports, 2017)
    assert list(table.columns) == export.TABLE_COLUMNS
    assert sorted(zip(table["unit_code"], table["indicator_code"])) == [
        ("dai_ptth", "CT1.5"), ("ubnd_061", "CT1.1"), ("ubnd_061", "CT1.2"), ("ubnd_061", "CT1.3"),
        ("ubnd_061", "CT4.1")]
    classes = row(table, indicator_code="CT1.1")
    assert (classes["task"], classes["indicator_name"], classes["indicator_unit"], classes["target"]) == (
        1, "Lớp tuyên truyền về phòng, chống mại dâm", "lớp", 10)
    assert classes["task_title"].startswith("Tăng cường tuyên truyền")
    assert (classes["place"], classes["place_code"], classes["unit"]) == (
        "Huyện Ba Bể", "061", "UBND huyện Ba Bể")
    assert (classes["period"], classes["start_month"], classes["end_month"]) == ("Quý I/2017", 1, 3)
    assert (classes["value"], classes["status"], classes["version"], classes["uploaded_by"]) == (
        3, "in_force", 2, "canbo.babe")
    assert classes["uploaded_at"] == pd.Timestamp("2017-04-08 14:00", tz=VN)
    assert str(classes["uploaded_at"].tz) == "Asia/Ho_Chi_Minh"

    communes = row(table, indicator_code="CT1.3")
    assert communes["communes"] == "thị trấn Chợ Rã; xã Bành Trạch"
    assert communes["commune_count"] == 2
    media = row(table, indicator_code="CT1.5")
    assert media["text"] == "@Chuyên mục \"Pháp luật và đời sống\""
    assert pd.isna(media["place"]) and pd.isna(media["target"])
    assert media["note"] == "+ 02 phóng sự"


def test_history_adds_the_superseded_versions(reports):
    in_force = consolidated(PLAN, reports, 2017)
    history = consolidated(PLAN, reports, 2017, include_history=True)
    assert set(in_force["status"]) == {"in_force"}
    assert len(history) == len(in_force) + 3  # version 1 of Ba Bể Q1: CT1.1, CT1.2, CT1.3
    old = filter_table(history, statuses=["superseded"])
    assert old.equals(Filters(statuses=["superseded"]).select(PLAN, reports))
    assert set(old["version"]) == {1} and set(old["unit_code"]) == {"ubnd_061"}
    assert row(old, indicator_code="CT1.2")["value"] == 1234
    assert row(old, indicator_code="CT1.1")["note"] == "- hai lớp tại thị trấn"
    # Rows of one indicator are ordered by version within unit and period.
    assert list(filter_table(history, indicators=["CT1.1"])["version"]) == [1, 2]


def test_an_empty_store_gives_an_empty_table_with_every_column(store):
    table = consolidated(PLAN, store, 2017, include_history=True)
    assert table.empty and list(table.columns) == export.TABLE_COLUMNS
    assert to_csv(table, "district").decode("utf-8-sig").splitlines() == [",".join(
        f'"{h}"' if "," in h else h for h in HEADERS)]
    wb = openpyxl.load_workbook(io.BytesIO(to_xlsx(table, Filters(), plan=PLAN, exported_at=EXPORTED_AT,
                                                   exported_by="staff")))
    assert [c.value for c in wb["Số liệu"][1]] == HEADERS and wb["Số liệu"].max_row == 1


# --- filters ------------------------------------------------------------------------------
def test_filters_select_rows(reports):
    table = consolidated(PLAN, reports, 2017, include_history=True)
    assert len(filter_table(table)) == len(table)
    assert set(filter_table(table, tasks=[4])["indicator_code"]) == {"CT4.1"}
    assert set(filter_table(table, tasks=4)["indicator_code"]) == {"CT4.1"}
    assert set(filter_table(table, indicators=["CT1.1", "CT1.5"])["indicator_code"]) == {"CT1.1", "CT1.5"}
    # An agency has no district: a district filter leaves it out.
    assert set(filter_table(table, places=["061"])["unit_code"]) == {"ubnd_061"}
    assert filter_table(table, places=["058"]).empty
    assert set(filter_table(table, units=["dai_ptth"])["indicator_code"]) == {"CT1.5"}
    assert set(filter_table(table, periods=[Q2])["indicator_code"]) == {"CT4.1"}
    assert set(filter_table(table, periods=["2017-04..2017-06"])["indicator_code"]) == {"CT4.1"}
    both = filter_table(table, units=["ubnd_061"], periods=[Q1], statuses=["in_force"])
    assert set(both["indicator_code"]) == {"CT1.1", "CT1.2", "CT1.3"} and set(both["version"]) == {2}
    # An empty selection (a cleared multiselect) filters nothing.
    assert len(filter_table(table, units=[], tasks=[])) == len(table)


def test_a_status_other_than_in_force_asks_for_history():
    assert not Filters().include_history
    assert not Filters(statuses=["in_force"]).include_history
    assert Filters(statuses=["superseded"]).include_history
    assert Filters(units="ubnd_061").units == ("ubnd_061",)


def test_filters_describe_themselves_in_vietnamese():
    lines = dict(Filters(tasks=[1], indicators=["CT1.3"], places=["061"], units=["ubnd_061", "hlhpn"],
                         periods=["2017-04..2017-06", Q1]).describe(PLAN))
    assert lines["Năm kế hoạch"] == "2017"
    assert lines["Nhiệm vụ"].startswith("1. Tăng cường tuyên truyền")
    assert lines["Chỉ tiêu"] == "CT1.3 – Xã, phường, thị trấn có lớp tuyên truyền"
    assert lines["Huyện, thành phố"] == "Huyện Ba Bể"
    assert lines["Đơn vị báo cáo"] == "UBND huyện Ba Bể; Hội Liên hiệp Phụ nữ tỉnh"
    assert lines["Kỳ báo cáo"] == "Quý I/2017; Quý II/2017"
    assert lines["Trạng thái lần nộp"] == "Chỉ các lần nộp đang có hiệu lực"
    everything = dict(Filters(include_history=True).describe(PLAN))
    assert everything["Nhiệm vụ"] == "Tất cả"
    assert everything["Trạng thái lần nộp"].startswith("Tất cả các lần nộp")
    assert dict(Filters(statuses=["superseded"]).describe(PLAN))["Trạng thái lần nộp"] == "Đã được thay thế"


def test_filters_name_what_the_plan_does_not_know():
    problems = Filters(tasks=[9], indicators=["CT9.9"], places=["999"], units=["ubnd_999"],
                       statuses=["deleted"]).problems(PLAN)
    assert len(problems) == 5
    assert "Không có chỉ tiêu 'CT9.9' trong kế hoạch." in problems
    assert Filters(tasks=[1], units=["sldtbxh"], statuses=["superseded"]).problems(PLAN) == []


# --- files --------------------------------------------------------------------------------
def xlsx_of(table, filters=Filters(), **kw):
    return to_xlsx(table, filters, plan=PLAN, exported_at=EXPORTED_AT, exported_by="nguyen.staff", **kw)


def test_xlsx_is_formatted_and_records_the_filters(reports):
    filters = Filters(units=["ubnd_061"], include_history=True)
    table = filters.apply(consolidated(PLAN, reports, 2017, include_history=True))
    wb = openpyxl.load_workbook(io.BytesIO(xlsx_of(table, filters)))
    assert wb.sheetnames == ["Số liệu", "Bộ lọc"]
    ws = wb["Số liệu"]
    header = [c.value for c in ws[1]]
    assert header == HEADERS and "place_code" not in header
    assert all(c.font.b and c.font.name == "Times New Roman" for c in ws[1])
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:W{len(table) + 1}"
    assert ws.max_row == len(table) + 1
    col = {h: i for i, h in enumerate(header)}
    rows = list(ws.iter_rows(min_row=2))
    assert all(r[0].font.name == "Times New Roman" for r in rows)
    values = [r[col["Kết quả trong kỳ"]] for r in rows]
    assert all(c.number_format == "#,##0" for c in values)
    assert sorted(c.value for c in values if c.value is not None) == sorted(table["value"].dropna())
    first = rows[0]
    assert first[col["Trạng thái lần nộp"]].value == "Đã được thay thế"
    assert first[col["Thời điểm nộp (giờ Việt Nam)"]].value == dt.datetime(2017, 4, 5, 9, 15)
    assert first[col["Thời điểm nộp (giờ Việt Nam)"]].number_format == "dd/mm/yyyy hh:mm"
    widths = [ws.column_dimensions[c.column_letter].width for c in ws[1]]
    assert all(6 <= w <= 50 for w in widths)
    title = first[col["Tên nhiệm vụ"]]
    assert ws.column_dimensions[title.column_letter].width == 50  # the long task title, wrapped
    assert title.alignment.wrap_text

    info = {r[0]: r[1] for r in wb["Bộ lọc"].iter_rows(values_only=True) if r[0]}
    assert info["Kế hoạch"] == PLAN.title
    assert info["Văn bản"] == "Quyết định số 1180/QĐ-UBND ngày 29/07/2016 của Ủy ban nhân dân tỉnh Bắc Kạn"
    assert info["Đơn vị báo cáo"] == "UBND huyện Ba Bể"
    assert info["Chỉ tiêu"] == "Tất cả"
    assert info["Số dòng"] == len(table)
    assert info["Thời điểm xuất"] == "14/12/2017 09:30"
    assert info["Người xuất"] == "nguyen.staff"
    # Real reports: every row says so, and the filters sheet has no demo line.
    assert {r[col["Dữ liệu minh họa"]].value for r in rows} == {"không"}
    assert "Dữ liệu minh họa" not in info


def test_xlsx_export_time_is_shown_in_vietnam_time():
    table = hostile_table("")
    data = to_xlsx(table, Filters(), plan=PLAN, exported_at=dt.datetime(2017, 12, 14, 2, 30, tzinfo=dt.UTC),
                   exported_by="x")
    info = {r[0]: r[1] for r in openpyxl.load_workbook(io.BytesIO(data))["Bộ lọc"].iter_rows(values_only=True)}
    assert info["Thời điểm xuất"] == "14/12/2017 09:30"
    with pytest.raises(ValueError):
        to_xlsx(table, Filters(), plan=PLAN, exported_at=dt.datetime(2017, 12, 14), exported_by="x")


def test_xlsx_row_heights_stay_within_excels_limit():
    """A long note once asked for rows of thousands of points, which Excel refuses."""
    table = hostile_table("")
    table["note"] = ["Ghi chú dài. " * 2000, "Một dòng"]
    ws = openpyxl.load_workbook(io.BytesIO(xlsx_of(table)))["Số liệu"]
    assert ws.row_dimensions[2].height == xlsxout.MAX_ROW_HEIGHT == 409
    assert ws.cell(2, HEADERS.index("Ghi chú") + 1).value == "Ghi chú dài. " * 2000
    assert ws.row_dimensions[3].height < 409


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_csv_has_a_bom_vietnamese_headers_and_plain_values(reports):
    table = consolidated(PLAN, reports, 2017, include_history=True)
    data = to_csv(table, PLAN.reporting_level)
    rows = read_csv(data)
    assert rows[0] == HEADERS
    assert len(rows) == len(table) + 1
    assert b"\r\n" in data
    records = [dict(zip(rows[0], r)) for r in rows[1:]]
    first = records[0]
    assert (first["Mã chỉ tiêu"], first["Kết quả trong kỳ"], first["Lần nộp thứ"]) == ("CT1.1", "2", "1")
    assert first["Trạng thái lần nộp"] == "Đã được thay thế"
    assert first["Thời điểm nộp (giờ Việt Nam)"] == "2017-04-05 09:15"
    assert first["Ghi chú"] == "'- hai lớp tại thị trấn"  # a text starting with "-" is neutralised
    participants = [r for r in records if r["Mã chỉ tiêu"] == "CT1.2"]
    assert [r["Kết quả trong kỳ"] for r in participants] == ["1234", "150"]
    media = next(r for r in records if r["Mã chỉ tiêu"] == "CT1.5")
    assert media["Nội dung"] == "'@Chuyên mục \"Pháp luật và đời sống\""
    assert media["Huyện, thành phố"] == "" and media["Chỉ tiêu năm (toàn tỉnh)"] == ""
    # pandas reads it back with the right headers and numbers.
    frame = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert list(frame.columns) == HEADERS
    assert frame["Kết quả trong kỳ"].sum() == table["value"].sum()


def test_demo_data_says_so_in_every_row_and_on_the_filters_sheet(store):
    store.mark(DEMO)
    upload(store, "ubnd_061", Q1, (2017, 4, 5, 9, 15), results={"CT1.1": 2})
    table = consolidated(PLAN, store, 2017)
    assert table["demo"].all()
    ws = openpyxl.load_workbook(io.BytesIO(xlsx_of(table)))
    rows = list(ws["Số liệu"].iter_rows(values_only=True))
    assert rows[0][-1] == "Dữ liệu minh họa" and {r[-1] for r in rows[1:]} == {"có"}
    info = list(ws["Bộ lọc"].iter_rows(values_only=True))
    assert info[2] == ("Dữ liệu minh họa", "có — đây không phải số liệu thật")  # first, under the title
    records = read_csv(to_csv(table, PLAN.reporting_level))
    assert records[0][-1] == "Dữ liệu minh họa" and {r[-1] for r in records[1:]} == {"có"}
    assert set(export.for_display(table, PLAN.reporting_level)["Dữ liệu minh họa"]) == {"có"}
    # Filtered down to no row, the export of a demo database still says what it is.
    empty = Filters(units=["sldtbxh"]).select(PLAN, store)
    info = openpyxl.load_workbook(io.BytesIO(xlsx_of(empty, demo=True)))["Bộ lọc"]
    assert info["A3"].value == "Dữ liệu minh họa"


def test_cli_export_of_a_demo_database_says_so_with_no_row(store, monkeypatch, tmp_path, capsys):
    store.mark(DEMO)
    monkeypatch.setenv("MDPLAN_DATA_DIR", str(tmp_path / "cli"))
    monkeypatch.setenv("MDPLAN_DATABASE_URL", store.url)
    assert main(["export", "-o", str(tmp_path / "x.xlsx")]) == 0
    info = openpyxl.load_workbook(tmp_path / "x.xlsx")["Bộ lọc"]
    assert (info["A3"].value, info["B3"].value) == ("Dữ liệu minh họa", "có — đây không phải số liệu thật")


# --- formula injection --------------------------------------------------------------------
PREFIXES = ["=", "+", "-", "@", "\t", "\r"]
PAYLOAD = "HYPERLINK(\"http://evil.example\",\"bấm vào đây\")"


def hostile_table(prefix):
    """Two rows as `consolidated` gives them, with texts someone typed to attack."""
    table = pd.DataFrame({
        "task": pd.array([1, 1], dtype="Int64"), "task_title": PLAN.task(1).title,
        "indicator_code": ["CT1.1", "CT1.2"], "indicator_name": "Lớp", "indicator_unit": "lớp",
        "target": pd.array([10, 500], dtype="Int64"), "place_code": "061", "place": "Huyện Ba Bể",
        "unit_code": "ubnd_061", "unit": "UBND huyện Ba Bể", "period": "Quý I/2017",
        "start_month": 1, "end_month": 3, "commune_count": pd.array([None, None], dtype="Int64"),
        "communes": [prefix + "xã A", None], "status": "in_force", "version": 1,
        "uploaded_at": pd.Timestamp("2017-04-05 09:15", tz=VN), "submission_id": [1, 1], "demo": False})
    assert set(table.columns) | {"value", "text", "note", "uploaded_by"} == set(export.TABLE_COLUMNS)
    table["note"] = prefix + PAYLOAD
    table["text"] = prefix + "cmd|' /C calc'!A0"
    table["uploaded_by"] = prefix + "1+1"
    table["value"] = pd.array([-3, 7], dtype="Int64")  # a negative number stays a number
    return table


@pytest.mark.parametrize("prefix", PREFIXES, ids=["equals", "plus", "minus", "at", "tab", "cr"])
def test_xlsx_never_holds_a_formula(prefix):
    table = hostile_table(prefix)
    data = to_xlsx(table, Filters(), plan=PLAN, exported_at=EXPORTED_AT, exported_by=prefix + "SUM(1,2)")
    wb = openpyxl.load_workbook(io.BytesIO(data))
    cells = [c for ws in wb for r in ws.iter_rows() for c in r]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    ws = wb["Số liệu"]
    header = [c.value for c in ws[1]]
    note = ws.cell(2, header.index("Ghi chú") + 1)
    shown = "\n" if prefix == "\r" else prefix  # a CR in a cell is a line break
    assert note.data_type == "s" and note.value == shown + PAYLOAD and note.quotePrefix
    value = ws.cell(2, header.index("Kết quả trong kỳ") + 1)
    assert value.value == -3 and value.data_type == "n"
    # Another reader sees the text itself, not a formula or its result.
    calamine = CalamineWorkbook.from_filelike(io.BytesIO(data))
    rows = calamine.get_sheet_by_name("Số liệu").to_python()
    assert rows[1][header.index("Ghi chú")] == shown + PAYLOAD
    assert rows[1][header.index("Nội dung")] == shown + "cmd|' /C calc'!A0"
    assert rows[1][header.index("Người nộp")] == shown + "1+1"
    assert rows[1][header.index("Kết quả trong kỳ")] == -3
    info = calamine.get_sheet_by_name("Bộ lọc").to_python()
    assert [shown + "SUM(1,2)"] == [r[1] for r in info if r[0] == "Người xuất"]


@pytest.mark.parametrize("prefix", PREFIXES, ids=["equals", "plus", "minus", "at", "tab", "cr"])
def test_csv_prefixes_a_quote(prefix):
    rows = read_csv(to_csv(hostile_table(prefix), "district"))
    records = [dict(zip(rows[0], r)) for r in rows[1:]]
    assert [r["Ghi chú"] for r in records] == ["'" + prefix + PAYLOAD] * 2
    assert [r["Nội dung"] for r in records] == ["'" + prefix + "cmd|' /C calc'!A0"] * 2
    assert [r["Người nộp"] for r in records] == ["'" + prefix + "1+1"] * 2
    assert [r["Kết quả trong kỳ"] for r in records] == ["-3", "7"]
    assert [r["Các xã, phường, thị trấn"] for r in records] == ["'" + prefix + "xã A", ""]


# --- command line -------------------------------------------------------------------------
@pytest.fixture
def cli_env(reports, monkeypatch, tmp_path):
    from mdplan_core import accounts

    monkeypatch.setenv("MDPLAN_DATA_DIR", str(tmp_path / "cli"))
    monkeypatch.setenv("MDPLAN_DATABASE_URL", reports.url)
    # `--user` names an existing account
    accounts.add_user(reports, "staff.ldtbxh", "mật khẩu đủ dài", "leader", units=PLAN, actor="test")
    return tmp_path


def test_cli_exports_xlsx_and_csv(cli_env, capsys):
    out = cli_env / "ba-be.xlsx"
    assert main(["export", "--district", "061", "--indicator", "CT1.1", "--indicator", "CT1.2",
                 "--history", "--format", "xlsx", "-o", str(out), "--user", "staff.ldtbxh"]) == 0
    assert "4 dòng" in capsys.readouterr().out
    wb = openpyxl.load_workbook(out)
    assert wb["Số liệu"].max_row == 5
    info = {r[0]: r[1] for r in wb["Bộ lọc"].iter_rows(values_only=True) if r[0]}
    assert info["Người xuất"] == "staff.ldtbxh" and info["Huyện, thành phố"] == "Huyện Ba Bể"

    csv_out = cli_env / "cu.csv"
    assert main(["export", "--status", "superseded", "--unit", "ubnd_061", "-o", str(csv_out)]) == 0
    rows = read_csv(csv_out.read_bytes())
    assert len(rows) == 4 and {r[rows[0].index("Lần nộp thứ")] for r in rows[1:]} == {"1"}


def test_cli_export_refuses_unknown_codes(cli_env, capsys):
    assert main(["export", "--indicator", "CT9", "-o", str(cli_env / "x.csv")]) == 2
    assert "Không có chỉ tiêu 'CT9'" in capsys.readouterr().err
    assert main(["export", "-o", str(cli_env / "x.txt")]) == 2
    assert not (cli_env / "x.csv").exists()


def test_history_units_keep_other_units_earlier_versions_out_and_their_values_in_force_in(reports):
    upload(reports, "dai_ptth", Q1, (2017, 4, 9, 10, 0), user="canbo.daiptth", results={"CT1.5": 4})
    history = consolidated(PLAN, reports, 2017, include_history=True)
    assert set(history.query("status == 'superseded'")["unit_code"]) == {"ubnd_061", "dai_ptth"}
    babe = Filters(include_history=True, history_units={"ubnd_061"})
    seen = babe.apply(history)
    assert set(seen.query("status == 'superseded'")["unit_code"]) == {"ubnd_061"}
    in_force = "status == 'in_force'"
    assert seen.query(in_force).reset_index(drop=True).equals(history.query(in_force).reset_index(drop=True))
    nobody = Filters(statuses=["superseded", "rolled_back"], history_units=())
    assert nobody.select(PLAN, reports).empty
    assert Filters(include_history=True).apply(history).equals(history)  # None: every unit's
    assert dict(babe.describe(PLAN))["Bản đã được thay thế, đã bị hủy của"] == "UBND huyện Ba Bể"
    assert dict(nobody.describe(PLAN))["Bản đã được thay thế, đã bị hủy của"].startswith("Không đơn vị nào")


# --- issue 9: admin ---
def test_csv_for_vietnamese_excel_uses_semicolons_and_decimal_commas():
    table = pd.DataFrame({"place": ["Huyện Ba Bể"], "unit": ["UBND huyện Ba Bể"], "period": ["Quý I/2017"],
                          "value": [12.5], "note": ["a; b"]})
    text = to_csv(table, "district", ";").decode("utf-8-sig").splitlines()
    assert text[0] == "Huyện, thành phố;Đơn vị báo cáo;Kỳ báo cáo;Kết quả trong kỳ;Ghi chú"
    assert text[1] == 'Huyện Ba Bể;UBND huyện Ba Bể;Quý I/2017;12,5;"a; b"'
    assert to_csv(table, "district").decode("utf-8-sig").splitlines()[1].split(",")[3] == "12.5"
    with pytest.raises(ValueError):
        to_csv(table, "district", "\t")


def test_display_reads_from_the_left_and_shows_only_the_chosen_columns():
    assert export.COLUMNS[:4] == ["place", "unit", "period", "indicator_code"]
    table = pd.DataFrame({c: ["x"] for c in export.TABLE_COLUMNS})
    shown = export.for_display(table, "district", ["uploaded_by", "period"])
    assert list(shown.columns) == ["Kỳ báo cáo", "Người nộp"]
    assert list(export.for_display(table, "district").columns) == list(export.HEADERS.values())
