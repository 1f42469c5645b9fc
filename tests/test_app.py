"""Streamlit AppTest: every page for every role, driven as a person would drive it.

The app runs on the demo year (loaded through the upload path) in a temporary data dir."""
import datetime as dt
import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from mdplan_core import accounts, charts, demo, installation, progress
from mdplan_core.plan import load_plan
from mdplan_core.report import Period
from mdplan_core.settings import Settings
from mdplan_core.store import Store
from mdplan_core.template import build_template
from tests.fill import fill_template, indicator_rows, table_columns

APP = str(Path(__file__).resolve().parent.parent / "dashboard.py")
PLAN = load_plan()
ACCOUNTS = {"leader": ("lanhdao", "LanhDao@2017"), "officer": ("canbo.babe", "CanBo.BaBe@2017"),
            "admin": ("quantri", "QuanTri@2017")}
VIEW_PAGES = ["overview", "tasks", "districts", "reporting", "data", "plan"]
DOWNLOADS: dict[str, bytes] = {}
DEFERRED: dict[str, object] = {}


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory):
    """A data dir holding the demo year, loaded once for the module."""
    path = tmp_path_factory.mktemp("demo")
    store = Store.open(Settings.from_env({"MDPLAN_DATA_DIR": str(path), "MDPLAN_DEMO": "1"}))
    demo.load_demo(store, PLAN, demo_mode=True)
    store.dispose()
    return path


@pytest.fixture(autouse=True)
def env(demo_dir, monkeypatch):
    monkeypatch.setenv("MDPLAN_DATA_DIR", str(demo_dir))
    monkeypatch.setenv("MDPLAN_DEMO", "1")
    monkeypatch.delenv("MDPLAN_DATABASE_URL", raising=False)
    # Keep what download buttons serve, so a test can open the file a person would get.
    original = MemoryMediaFileStorage.load_and_get_id

    def keep(self, path_or_data, mimetype, kind, filename=None):
        file_id = original(self, path_or_data, mimetype, kind, filename)
        if isinstance(path_or_data, bytes):
            DOWNLOADS[file_id] = path_or_data
        return file_id

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", keep)
    # A button whose file is built on click: keep its callable, to run it as a click would.
    add_deferred = MediaFileManager.add_deferred

    def keep_deferred(self, data_callable, *args, **kwargs):
        file_id = add_deferred(self, data_callable, *args, **kwargs)
        DEFERRED[file_id] = data_callable
        return file_id

    monkeypatch.setattr(MediaFileManager, "add_deferred", keep_deferred)


def downloaded(button) -> bytes:
    if button.proto.HasField("deferred_file_id"):
        return DEFERRED[button.proto.deferred_file_id]()
    return DOWNLOADS[button.proto.url.rsplit("/", 1)[-1].split(".")[0]]


# The review date of the Bắc Kạn year, as the sidebar keeps it (one per plan and year).
AS_OF, AS_OF_WIDGET = "as_of:backan-2017:2017", "as_of_widget:backan-2017:2017"


def app() -> AppTest:
    return AppTest.from_file(APP, default_timeout=120)


def login(role: str, account: tuple[str, str] | None = None) -> AppTest:
    at = app().run()
    username, password = account or ACCOUNTS[role]
    at.text_input[0].input(username)
    at.text_input[1].input(password)
    at.button[0].click().run()
    assert not at.exception
    return at


def texts(at) -> str:
    parts = [m.value for m in at.markdown] + [e.value for e in at.error] + [t.value for t in at.title]
    parts += [c.value for c in at.caption] + [s.value for s in at.success] + [w.value for w in at.warning]
    parts += [i.value for i in at.info]
    return "\n".join(str(p) for p in parts)


def test_login_page_shows_demo_accounts_and_banner():
    at = app().run()
    assert not at.exception
    assert at.title[0].value == "Đăng nhập mdplan"
    assert "Dữ liệu minh họa" in at.warning[0].value
    shown = at.table[0].value
    assert list(shown["Tên đăng nhập"]) == ["lanhdao", "canbo.babe", "quantri", "canbo.badinh", "canbo.congan.hn"]
    assert all("tài khoản mẫu" in name for name in shown["Tên hiển thị"])


def test_wrong_password_is_refused_in_vietnamese():
    at = app().run()
    at.text_input[0].input("quantri")
    at.text_input[1].input("sai-mat-khau")
    at.button[0].click().run()
    assert at.error[0].value == "Sai tên đăng nhập hoặc mật khẩu."
    assert at.title[0].value == "Đăng nhập mdplan"


@pytest.mark.parametrize("role", ["leader", "officer", "admin"])
@pytest.mark.parametrize("page", VIEW_PAGES)
def test_every_role_sees_every_view_page(role, page):
    at = login(role)
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert "Dữ liệu minh họa" in at.warning[0].value


def test_switching_plans_keeps_each_plans_review_date():
    at = login("leader")
    at.date_input(key=AS_OF_WIDGET).set_value(dt.date(2017, 3, 31)).run()
    at.selectbox(key="plan_id").set_value("hanoi-2026").run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert "Kế hoạch số 07/KH-UBND" in texts(at) and "Số liệu tính đến ngày 31/03/2017" not in texts(at)
    at.selectbox(key="plan_id").set_value("backan-2017").run()
    assert not at.exception and "Số liệu tính đến ngày 31/03/2017" in texts(at)


def test_overview_shows_each_indicator_with_status_words():
    at = login("leader")
    body = texts(at)
    assert at.title[0].value == "Tổng quan"
    # Demo totals at 31/12/2017 (see mdplan_core/demo.py): CT2.1 1 of 2, CT5.2 5 of 8.
    assert "### 1 / 2 mô hình" in body and "### 5 / 8 cuộc" in body
    # The default review date is after the plan's end (31/01/2018): a missed target is "Chưa đạt".
    assert "✓ Đạt" in body and "✗ Chưa đạt" in body and "Chậm" not in body


def test_review_date_changes_the_numbers_and_survives_page_moves():
    at = login("leader")
    at.date_input(key=AS_OF_WIDGET).set_value(dt.date(2017, 3, 31)).run()
    assert "Số liệu tính đến ngày 31/03/2017" in texts(at)
    assert "### 1 / 2 mô hình" not in texts(at)
    at.switch_page("pages/tasks.py").run()
    assert at.session_state["username"] == "lanhdao"  # the login survives a page move
    assert "Số liệu tính đến ngày 31/03/2017" in texts(at)


@pytest.mark.parametrize("role, page", [("leader", "admin"), ("officer", "admin"), ("leader", "upload"),
                                        ("leader", "entry")])
def test_pages_a_role_may_not_use_are_not_in_its_menu_and_refuse_when_run(role, page):
    at = login(role)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(f"pages/{page}.py")
    # Hiding a page is not access control: run the page itself with that login, inside the
    # app's navigation (run alone, a page shows nothing at all: see the end of this file).
    direct = AppTest.from_function(page_in_navigation, args=(page,), default_timeout=60)
    for key in ("username", "session_token"):
        direct.session_state[key] = at.session_state[key]
    direct.run()
    assert not direct.exception
    assert "không được phép" in direct.error[0].value
    assert not direct.tabs and not direct.file_uploader and not direct.number_input


def page_in_navigation(page: str) -> None:
    """A page run as dashboard.py runs it, inside its navigation, but without its menu."""
    import runpy
    from pathlib import Path

    from pages import common

    with common.navigation(common.user()):
        runpy.run_path(str(Path("pages") / f"{page}.py"))


def filled(unit: str, period: Period, **results) -> bytes:
    return fill_template(build_template(PLAN, unit, period), results or {"CT1.1": 1},
                         communes={"CT1.3": ["Phúc Lộc"]} if unit == "ubnd_061" else {})


def ct11_actual() -> int:
    store = Store(Settings.from_env().database_url)
    table = progress.by_indicator(PLAN, store.values("backan-2017", 2017), store.communes("backan-2017", 2017),
                                  dt.date(2017, 12, 31))
    return int(table.set_index("code").at["CT1.1", "actual"])


def test_officer_downloads_template_uploads_and_the_overview_changes():
    at = login("officer")
    before = ct11_actual()
    assert f"### {before} / 10 lớp" in texts(at)
    at.switch_page("pages/upload.py").run()
    assert not at.exception
    # The officer's unit is fixed; the template is theirs. Ba Bể corrects its Q4 report.
    assert at.selectbox[0].value == "ubnd_061" and at.selectbox[0].disabled
    # The desk says what the unit still owes: Ba Bể sent every quarter of the demo year.
    assert "Đến ngày 31/01/2018, đơn vị đã gửi đủ báo cáo các kỳ đã đến hạn" in texts(at)
    at.selectbox[1].select_index(3).run()
    template = openpyxl.load_workbook(io.BytesIO(downloaded(at.download_button[0])))
    assert template["_mdplan"]["B3"].value == "ubnd_061"
    assert template["_mdplan"]["B4"].value == "2017-10..2017-12"

    data = fill_template(downloaded(at.download_button[0]), {"CT1.1": 9, "CT4.1": "3 cuộc"},
                         communes={"CT1.3": ["Phúc Lộc"]})
    at.file_uploader[0].upload("ba-be-quy-4.xlsx", data).run()
    assert not at.exception
    assert "Tệp hợp lệ" in at.warning[-1].value  # it replaces Ba Bể's Q4 report in force
    findings = at.table[-1].value
    assert list(findings["Mức độ"]) == ["▲ Lưu ý"] and list(findings["Ô"]) == ["F28"]
    save = next(b for b in at.button if b.label.startswith("Lưu"))
    save.click().run()
    assert "Đã lưu, thay thế báo cáo cùng kỳ trước đó (lần nộp thứ 2)" in texts(at)
    # The unit's history offers the newest file first, and gives back exactly the bytes sent.
    again = next(s for s in at.selectbox if s.label == "Tải lại đúng tệp đã nộp")
    assert again.options[0].endswith("· Quý IV/2017 · lần nộp 2 · ba-be-quy-4.xlsx")
    original = next(b for b in at.download_button if b.label == "Tải tệp gốc")
    assert downloaded(original) == data
    after = ct11_actual()
    assert after > before
    # The review date now reaches today, the day of the latest upload, and counts it by default;
    # on the year's closing day the revision was not known yet, and the page says so.
    at.switch_page("pages/overview.py").run()
    assert f"### {after} / 10 lớp" in texts(at)
    at.date_input(key=AS_OF_WIDGET).set_value(dt.date(2018, 1, 31)).run()
    assert f"### {before} / 10 lớp" in texts(at) and "chưa được tính" in texts(at)


def test_officer_cannot_upload_for_another_unit():
    at = login("officer")
    at.switch_page("pages/upload.py").run()
    other = filled("ubnd_058", Period(2017, 12, 12))
    at.file_uploader[0].upload("tp-bac-kan.xlsx", other).run()
    findings = at.table[0].value
    assert any("chỉ được nộp báo cáo cho" in m for m in findings["Nội dung"])
    assert not any(b.label.startswith("Lưu") for b in at.button)
    assert "ubnd_058" not in set(Store(Settings.from_env().database_url).history(None)
                                 .query("uploaded_by == 'canbo.babe'")["unit_code"])


def test_a_broken_workbook_gets_findings_and_nothing_is_stored():
    at = login("admin")
    at.switch_page("pages/upload.py").run()
    before = len(Store(Settings.from_env().database_url).history(None))
    at.selectbox[0].select("ubnd_060").run()  # UBND huyện Pác Nặm never reports
    assert "đơn vị còn thiếu báo cáo: Quý I/2017 (tháng 1–3/2017), hạn 10/04/2017" in at.warning[-1].value
    at.file_uploader[0].upload("hong.xlsx", b"this is not a workbook").run()
    assert not at.exception
    assert "chưa thể lưu" in at.error[0].value
    assert not any(b.label.startswith("Lưu") for b in at.button)
    assert len(Store(Settings.from_env().database_url).history(None)) == before


def test_officer_types_a_revision_in_the_browser_and_it_is_stored_as_the_template():
    store = Store(Settings.from_env().database_url)
    q4 = "unit_code == 'ubnd_061' and start_month == 10 and end_month == 12"
    sent = int(store.values("backan-2017", 2017).query(q4).set_index("indicator_code").at["CT1.1", "value"])
    version = int(store.history(None, "ubnd_061").query(q4)["version"].max())
    before = ct11_actual()
    at = login("officer")
    at.switch_page("pages/entry.py").run()
    assert not at.exception
    assert at.selectbox[0].value == "ubnd_061" and at.selectbox[0].disabled
    at.selectbox[1].select_index(3).run()  # Quý IV/2017
    # The form starts from the report in force, so a revision changes only what it must.
    assert f"lần nộp thứ {version} đang có hiệu lực" in texts(at)
    ct11 = next(n for n in at.number_input if n.key.endswith("-CT1.1-value"))
    assert ct11.value == sent
    save = next(b for b in at.button if b.label == "Lưu báo cáo")
    assert save.disabled  # nothing checked yet
    # Checking the numbers as they came changes nothing, so there is nothing to store.
    next(b for b in at.button if b.label == "Kiểm tra").click().run()
    assert f"giống hệt lần nộp thứ {version} đang có hiệu lực" in texts(at)
    assert next(b for b in at.button if b.label == "Lưu báo cáo").disabled

    ct11 = next(n for n in at.number_input if n.key.endswith("-CT1.1-value"))
    ct11.set_value(sent + 5)
    next(b for b in at.button if b.label == "Kiểm tra").click().run()
    assert not at.exception
    assert "Số liệu hợp lệ" in at.success[0].value
    preview = at.dataframe[0].value.set_index("Mã")
    assert preview.at["CT1.1", "Kết quả trong kỳ"] == str(sent + 5)
    # A number changed after the check is checked again, not stored unseen.
    next(n for n in at.number_input if n.key.endswith("-CT1.1-value")).set_value(sent + 6)
    next(b for b in at.button if b.label == "Lưu báo cáo").click().run()
    assert "đã được sửa sau lần kiểm tra" in texts(at)
    assert at.dataframe[0].value.set_index("Mã").at["CT1.1", "Kết quả trong kỳ"] == str(sent + 6)
    assert int(store.history(None, "ubnd_061").query(q4)["version"].max()) == version
    next(b for b in at.button if b.label == "Lưu báo cáo").click().run()
    assert not at.exception
    assert f"Đã lưu, thay thế báo cáo cùng kỳ trước đó (lần nộp thứ {version + 1})" in texts(at)
    assert f"lần nộp thứ {version + 1} đang có hiệu lực" in texts(at)

    newest = store.history(None, "ubnd_061").query(q4).set_index("version").loc[version + 1]
    assert (newest["status"], newest["uploaded_by"]) == ("in_force", "canbo.babe")
    name, original = store.original_file(int(newest["submission_id"]))
    assert name == "nhap-tren-web-ubnd-huyen-ba-be-2017-10_2017-12.xlsx"
    sheet = openpyxl.load_workbook(io.BytesIO(original))["Báo cáo"]
    column = table_columns(sheet, "Kết quả trong kỳ")["Kết quả trong kỳ"]
    assert sheet.cell(indicator_rows(sheet)["CT1.1"], column).value == sent + 6
    assert ct11_actual() == before + 6


def test_a_blank_web_form_is_refused_by_validation_and_nothing_is_stored():
    store = Store(Settings.from_env().database_url)
    before = len(store.history(None))
    at = login("admin")
    at.switch_page("pages/entry.py").run()
    at.selectbox[0].select("ubnd_060").run()  # UBND huyện Pác Nặm never reports
    at.selectbox[1].select("Tháng 5/2017").run()
    assert "biểu mẫu để trống" in texts(at)
    assert all(n.value is None for n in at.number_input)
    next(b for b in at.button if b.label == "Kiểm tra").click().run()
    assert not at.exception
    assert "chưa thể lưu" in at.error[0].value
    contents = [m[:31] for m in at.table[0].value["Nội dung"]]
    assert len(contents) == 2 and "Báo cáo chưa có số liệu nào\\. H" in contents  # and no reporter
    assert next(b for b in at.button if b.label == "Lưu báo cáo").disabled
    assert len(store.history(None)) == before


def test_text_pasted_into_the_web_form_is_checked_not_crashed_on():
    at = login("admin")
    at.switch_page("pages/entry.py").run()
    at.selectbox[0].select("ubnd_060").run()
    at.selectbox[1].select("Tháng 5/2017").run()
    next(n for n in at.number_input if n.key.endswith("-CT1.1-value")).set_value(2)
    next(t for t in at.text_input if t.key.endswith("-reporter")).input('=HYPERLINK("http://x","y")')
    note = next(t for t in at.text_input if t.key.endswith("-CT1.1-note"))
    note.input("Lớp 1\x0bLớp 2\x1b\x00")
    next(b for b in at.button if b.label == "Kiểm tra").click().run()
    assert not at.exception
    assert "Số liệu hợp lệ" in at.success[0].value
    assert len(at.table[0].value) == 1 and "ký tự điều khiển" in at.table[0].value.at[0, "Nội dung"]
    assert not next(b for b in at.button if b.label == "Lưu báo cáo").disabled
    # Too long for a cell: refused before any workbook is written, so nothing to download.
    next(t for t in at.text_input if t.key.endswith("-CT1.1-note")).input("x" * 32_768)
    next(b for b in at.button if b.label == "Kiểm tra").click().run()
    assert not at.exception
    assert "chưa thể lưu" in at.error[0].value
    assert len(at.table[0].value) == 1 and "quá 32\\.767 ký tự" in at.table[0].value.at[0, "Nội dung"]
    assert not at.get("download_button")


def test_staff_filter_and_export_exactly_that_table():
    at = login("admin")
    at.switch_page("pages/data.py").run()
    at.multiselect[0].select(4).run()  # task 4: inspections
    shown = at.dataframe[0].value
    assert len(shown) > 0 and set(shown["Mã chỉ tiêu"]) == {"CT4.1"}
    # Every file on this page is built on click, so picking filters builds none.
    assert all(b.proto.HasField("deferred_file_id") for b in at.download_button)
    book = openpyxl.load_workbook(io.BytesIO(downloaded(at.download_button[0])))
    sheet = book.worksheets[0]
    assert sheet.max_row - 1 == len(shown)
    filters = {row[0].value: row[1].value for row in book["Bộ lọc"].iter_rows()}
    assert any("Kiểm tra, xử lý" in str(v) for v in filters.values())
    csv = downloaded(at.download_button[2])
    assert csv.startswith(b"\xef\xbb\xbf") and len(csv.decode("utf-8-sig").strip().splitlines()) == len(shown) + 1


def test_staff_download_the_year_end_summary_as_of_the_review_date():
    at = login("admin")
    at.switch_page("pages/data.py").run()
    assert not at.exception
    as_of = at.session_state[AS_OF]
    assert f"ngày xem xét {as_of:%d/%m/%Y}" in texts(at)
    button = next(b for b in at.download_button if b.label == "Tải bảng tổng hợp (.xlsx)")
    book = openpyxl.load_workbook(io.BytesIO(downloaded(button)))
    assert book.sheetnames == ["Theo chỉ tiêu", "Theo huyện", "Tình hình báo cáo", "Thông tin"]
    sheet = book["Theo chỉ tiêu"]
    row = next(r for r in sheet.iter_rows(values_only=True) if r[0] == "CT1.1")
    store = Store(Settings.from_env().database_url)
    table = progress.by_indicator(PLAN, *progress.known_data(store, PLAN, as_of), as_of)
    year_end = row[5]
    assert year_end == table.set_index("code").at["CT1.1", "actual"] > 0
    assert f"Số liệu tính đến ngày {as_of:%d/%m/%Y}" in [c.value for c in sheet["A"][:5]]
    # Another review date, another workbook.
    at.date_input(key=AS_OF_WIDGET).set_value(dt.date(2017, 3, 31)).run()
    button = next(b for b in at.download_button if b.label == "Tải bảng tổng hợp (.xlsx)")
    march = openpyxl.load_workbook(io.BytesIO(downloaded(button)))["Theo chỉ tiêu"]
    assert "Số liệu tính đến ngày 31/03/2017" in [c.value for c in march["A"][:5]]
    row = next(r for r in march.iter_rows(values_only=True) if r[0] == "CT1.1")
    march_day = dt.date(2017, 3, 31)
    table = progress.by_indicator(PLAN, *progress.known_data(store, PLAN, march_day), march_day)
    assert row[5] == table.set_index("code").at["CT1.1", "actual"] < year_end


def test_admin_rolls_back_a_revision():
    at = login("admin")
    at.switch_page("pages/admin.py").run()
    assert not at.exception
    store = Store(Settings.from_env().database_url)
    before = store.history(None)
    older = before[before["status"] == "superseded"].iloc[0]
    box = next(s for s in at.selectbox if s.label == "Phiên bản")
    box.set_value(int(older["submission_id"])).run()
    next(t for t in at.text_input if t.label.startswith("Lý do khôi phục")).input("Bản sửa nhập nhầm").run()
    next(c for c in at.checkbox if c.label.startswith("Tôi đã xem")).check().run()
    next(b for b in at.button if b.label == "Khôi phục phiên bản này").click().run()
    assert not at.exception
    after = store.history(None).set_index("submission_id")
    assert after.at[int(older["submission_id"]), "status"] == "in_force"
    assert "rollback" in set(store.audit()["action"])


def test_admin_reads_the_audit_log_filtered_to_failed_logins():
    failed = app().run()
    failed.text_input[0].input("canbo.babe")
    failed.text_input[1].input("không phải mật khẩu")
    failed.button[0].click().run()
    at = login("admin")
    at.switch_page("pages/admin.py").run()
    log = at.dataframe[-1].value
    assert list(log.columns) == ["Thời gian", "Người thực hiện", "Việc", "Đơn vị", "Chi tiết"]
    assert log.iloc[0]["Việc"] == "Đăng nhập" and log.iloc[0]["Người thực hiện"] == "quantri"
    next(m for m in at.multiselect if m.label == "Loại việc").select("login_failed").run()
    log = at.dataframe[-1].value
    assert set(log["Việc"]) == {"Đăng nhập không thành công"}
    first = log.iloc[0]
    assert (first["Người thực hiện"], first["Đơn vị"], first["Chi tiết"]) == (
        "canbo.babe", "UBND huyện Ba Bể", "sai mật khẩu")


def test_logout_is_offered_in_the_sidebar():
    at = login("leader")
    assert [b.label for b in at.sidebar.button] == ["Đăng xuất"]


# --- Sessions --------------------------------------------------------------------------------------
def test_a_password_reset_ends_the_users_session_at_the_next_rerun():
    store = Store(Settings.from_env().database_url)
    account = ("canbo.datlai", "mật khẩu ban đầu")
    accounts.add_user(store, *account, accounts.Role.OFFICER, units=PLAN, unit_code="ubnd_058", actor="quantri")
    at = login("officer", account)
    other = login("leader")
    assert at.title[0].value == "Tổng quan"
    accounts.reset_password(store, account[0], "mật khẩu mới đặt lại", actor="quantri")
    at.run()
    assert not at.exception
    # Nothing of the session is left; the page the user was on shows the login instead.
    assert [k for k in at.session_state if not k.startswith("FormSubmitter:login")] == []
    assert at.title[0].value == "Đăng nhập mdplan" and "Tổng quan" not in texts(at)
    other.run()
    assert other.title[0].value == "Tổng quan"  # another user's session goes on
    assert login("officer", (account[0], "mật khẩu mới đặt lại")).title[0].value == "Tổng quan"


def test_logout_forgets_everything_the_user_left_in_the_session():
    at = login("officer")
    at.date_input(key=AS_OF_WIDGET).set_value(dt.date(2017, 3, 31)).run()
    at.switch_page("pages/entry.py").run()
    at.selectbox[1].select_index(3).run()  # Quý IV/2017
    reporter = next(t for t in at.text_input if t.key.endswith("-reporter"))
    reporter.input("Người trước")
    next(n for n in at.number_input if n.key.endswith("-CT1.1-value")).set_value(777)
    next(b for b in at.button if b.label == "Kiểm tra").click().run()
    assert {"username", "session_token", AS_OF, "entry-checked", reporter.key} <= set(at.session_state.keys())

    # The logout button is on every page: the page runs inside dashboard.py's navigation.
    next(b for b in at.sidebar.button if b.label == "Đăng xuất").click().run()
    assert not at.exception
    # Nothing is left but the login form that the next person sees.
    assert [k for k in at.session_state if not k.startswith("FormSubmitter:login")] == []
    assert store_audit_last("canbo.babe") == "logout"
    assert at.title[0].value == "Đăng nhập mdplan"
    # The next person logs in on the same browser and finds nothing of it.
    at.text_input[0].input(ACCOUNTS["officer"][0])
    at.text_input[1].input(ACCOUNTS["officer"][1])
    at.button[0].click().run()
    at.switch_page("pages/entry.py").run()
    at.selectbox[1].select_index(3).run()
    assert next(t for t in at.text_input if t.key.endswith("-reporter")).value != "Người trước"
    assert next(n for n in at.number_input if n.key.endswith("-CT1.1-value")).value != 777
    assert at.session_state[AS_OF] != dt.date(2017, 3, 31)


def store_audit_last(actor: str) -> str:
    return Store(Settings.from_env().database_url).audit(1, actor=actor)["action"].iloc[0]


# --- Whose submission history a user sees ----------------------------------------------------------
def district_history(at, district: str):
    """The submissions table of one district on Theo địa bàn (None when none is shown)."""
    at.switch_page("pages/districts.py").run()
    next(s for s in at.selectbox if s.label == "Huyện, thành phố").select(district).run()
    assert not at.exception
    tables = [d.value for d in at.dataframe if "Lần nộp" in d.value.columns]
    return tables[0] if tables else None


def test_an_officer_sees_only_their_own_units_history_by_district():
    at = login("officer")
    own = district_history(at, "061")
    assert set(own["Đơn vị"]) == {"UBND huyện Ba Bể"} and len(own) > 0
    assert district_history(at, "058") is None
    assert "chỉ hiện với cán bộ của đơn vị và quản trị viên" in texts(at)
    admin = login("admin")
    other = district_history(admin, "058")
    assert set(other["Đơn vị"]) == {"UBND thành phố Bắc Kạn"} and len(other) > 0


def _places_tables(at) -> list[pd.DataFrame]:
    return [d.value for d in at.dataframe if "Hạng" in d.value.columns]


def test_districts_page_keeps_the_tile_map_for_8_districts_and_ranks_many_places(monkeypatch):
    at = login("leader")
    at.switch_page("pages/districts.py").run()
    assert not at.exception and not _places_tables(at)  # Bắc Kạn's 8 districts: the tile map
    # A plan with more places than tiles can show: the ranked chart and the searchable table.
    monkeypatch.setattr(charts, "TILE_MAP_MAX_PLACES", 5)
    at.run()
    assert not at.exception
    [table] = _places_tables(at)
    assert len(table) == 8 and table.columns[1] == "Huyện, thành phố"
    next(t for t in at.text_input if t.label == "Tìm huyện").input("ba be").run()
    [found] = _places_tables(at)
    assert found["Huyện, thành phố"].tolist() == ["Huyện Ba Bể"]
    next(r for r in at.radio if r.label == "Hiển thị").set_value("last").run()
    assert not at.exception


def exported_history(role: str) -> pd.DataFrame:
    """The Data page's CSV with every version (the status filter emptied)."""
    at = login(role)
    at.switch_page("pages/data.py").run()
    next(m for m in at.multiselect if m.label == "Trạng thái báo cáo").unselect("in_force").run()
    assert not at.exception
    csv = downloaded(next(b for b in at.download_button if b.label == "Tải CSV (dấu phẩy)"))
    return pd.read_csv(io.BytesIO(csv), encoding="utf-8-sig", dtype=str)


def test_an_officer_exports_only_their_own_units_earlier_versions():
    status, unit = "Trạng thái lần nộp", "Mã đơn vị"
    officer = exported_history("officer")
    earlier = officer[officer[status] != "Đang có hiệu lực"]
    assert set(earlier[unit]) == {"ubnd_061"}
    assert officer[officer[status] == "Đang có hiệu lực"][unit].nunique() > 10  # the province's values
    admin = exported_history("admin")
    earlier = admin[admin[status] != "Đang có hiệu lực"]
    assert {"ubnd_061", "ca_tinh"} <= set(earlier[unit])
    leader = exported_history("leader")
    assert set(leader[status]) == {"Đang có hiệu lực"}


# --- pages run outside the app's navigation ---------------------------------------------------

@pytest.mark.parametrize("page, role", [("admin", "admin"), ("upload", "officer"), ("overview", None)])
def test_a_page_streamlit_runs_on_its_own_shows_nothing(page, role):
    """After a restart Streamlit serves pages/*.py in its old multipage mode until the root
    has run once: `/admin` runs pages/admin.py without dashboard.py's login and menu."""
    direct = AppTest.from_file(str(Path(APP).parent / "pages" / f"{page}.py"), default_timeout=60)
    if role:
        at = login(role)
        for key in ("username", "session_token"):
            direct.session_state[key] = at.session_state[key]
    direct.run()
    assert not direct.exception
    assert not direct.main.children and not direct.sidebar.children


# --- what people type is shown as text, never as Markdown ---------------------------------------

IMAGE = "![x](http://host/x.png)"
NAME = IMAGE + ".xlsx"
# Every Markdown character escaped, and a word joiner so that the address is not made a link.
SHOWN = r"\!\[x\]\(" + "\u2060" + r"http\://host/x\.png\)\.xlsx"


def markdown_shown(at) -> list[str]:
    """Everything on the page that Streamlit renders as Markdown, table cells included."""
    shown = [e.value for kind in ("markdown", "caption", "success", "error", "warning", "info", "toast")
             for e in getattr(at, kind)]
    for table in at.table:
        frame = table.value
        shown += [str(v) for v in frame.to_numpy().ravel()] + [str(c) for c in frame.columns]
    return shown


def test_an_upload_named_like_an_image_is_shown_as_its_name():
    at = login("admin")
    at.switch_page("pages/upload.py").run()
    at.selectbox[0].select("ubnd_060").run()  # the administrator's choice binds the upload
    # A broken file: its name heads the result and a finding quotes the cell the officer typed.
    broken = filled("ubnd_060", Period(2017, 1, 3), **{"CT1.1": IMAGE})  # Pác Nặm never reports
    at.file_uploader[0].upload(NAME, broken).run()
    assert not at.exception
    shown = markdown_shown(at)
    assert any("phải là một số, nhưng ô ghi" in s for s in shown), shown
    assert all(IMAGE not in s and "](" not in s for s in shown), shown
    assert any(s.startswith("**" + SHOWN + "**") for s in shown)

    at.file_uploader[0].upload(NAME, filled("ubnd_060", Period(2017, 1, 3))).run()
    next(b for b in at.button if b.label.startswith("Lưu")).click().run()
    assert not at.exception
    shown = markdown_shown(at)
    assert any(s.startswith(SHOWN + ": Đã lưu") for s in shown)
    assert all(IMAGE not in s and "](" not in s for s in shown), shown


# --- errors: a short Vietnamese message for the visitor, the whole error in the server log -------

def test_a_page_that_fails_shows_a_short_vietnamese_message_and_logs_the_error(monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("boom in /srv/mdplan/secret_module.py")

    monkeypatch.setattr(progress, "by_indicator", broken)
    at = login("leader")  # lands on the overview, which calls progress.by_indicator
    assert not at.exception
    [message] = [e.value for e in at.error]
    assert message.startswith("Đã có lỗi, trang chưa hiển thị được.")
    ref = message.rsplit("mã lỗi ", 1)[1].rstrip(".")
    page = "\n".join(markdown_shown(at) + [t.value for t in at.title] + [str(c.value) for c in at.code])
    assert not any(word in page for word in ("Traceback", "boom", "RuntimeError", "/srv/", ".py"))

    [record] = [r for r in caplog.records if r.name == "dashboard" and ref in r.getMessage()]
    assert record.levelname == "ERROR" and "lanhdao" in record.getMessage()
    assert "Tổng quan" in record.getMessage()
    assert "boom in /srv/mdplan/secret_module.py" in caplog.text  # the traceback, on the server


def test_an_error_before_any_page_is_shown_in_brief_too(monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("database gone at /srv/mdplan/var")

    monkeypatch.setattr(installation, "refusal", broken)
    at = app().run()
    assert not at.exception
    [message] = [e.value for e in at.error]
    assert message.startswith("Đã có lỗi") and not at.text_input  # no login form either
    assert any(r.name == "dashboard" and "on page 'dashboard'" in r.getMessage() for r in caplog.records)



@pytest.mark.parametrize("page", ["districts", "upload"])
def test_a_rerun_looks_the_user_up_once(page, monkeypatch):
    # dashboard.py reads the user for the run and hands it to the page; the page's own
    # checks (common.require, common.user) do not query the store again.
    at = login("officer")
    calls = []
    lookup = accounts.session_user
    monkeypatch.setattr(accounts, "session_user", lambda *a, **k: calls.append(a) or lookup(*a, **k))
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception
    assert len(calls) == 1, calls


# --- issue 9: charts ---
def _figures(at) -> list[dict]:
    """The page's plotly figures, in page order, as the browser receives them."""
    import json
    return [json.loads(e.proto.spec) for e in at.get("plotly_chart")]


def test_overview_writes_each_percentage_the_same_on_card_and_chart():
    at = login("leader")
    at.switch_page("pages/overview.py").run()
    assert not at.exception
    import re
    captions = [c.value for c in at.caption if "chỉ tiêu năm" in c.value]
    card_pcts = [re.search(r"đạt ([\d.,]+%)", c).group(1) for c in captions]
    figures = _figures(at)
    bars = next(f for f in figures if any(t.get("mode") == "text" for t in f["data"]))
    texts = " ".join(next(t for t in bars["data"] if t.get("mode") == "text")["text"])
    assert card_pcts and all(f"· {p} ·" in texts for p in card_pcts), (card_pcts, texts)
    assert "118,8%" in card_pcts
    gauge = next(f for f in figures if f["data"][0]["type"] == "indicator")
    assert gauge["data"][0]["mode"] == "gauge"  # the figure sits above the bar, not beside it
    assert re.search(r"\d+(,\d)?%", gauge["layout"]["annotations"][0]["text"])


def test_districts_page_heatmap_names_columns_and_map_offers_only_indicators_with_district_data():
    at = login("leader")
    at.switch_page("pages/districts.py").run()
    assert not at.exception
    figures = _figures(at)
    heat = figures[0]
    heads = heat["layout"]["xaxis"]["ticktext"]
    assert heads[0].startswith("<b>CT1.1</b><br>Lớp tuyên")
    cells = [t for trace in heat["data"] for row in trace["text"] for t in row]
    assert not any("tổng tỉnh" in t for t in cells)
    choice = next(s for s in at.selectbox if s.label == "Chỉ tiêu cho bản đồ và xếp hạng")
    assert not {"CT1.4", "CT1.5", "CT5.1", "CT5.2"} & {o.split(" · ")[0] for o in choice.options}
    assert any("CT1.4" in c.value and "CT5.2" in c.value for c in at.caption)


def test_the_drilldown_cumulative_line_ends_on_the_years_last_day():
    at = login("leader")
    at.switch_page("pages/districts.py").run()
    monthly = next(f for f in _figures(at)
                   if any(t.get("name") == charts.TEXT["monthly_cumulative"] for t in f["data"]))
    line = next(t for t in monthly["data"] if t.get("name") == charts.TEXT["monthly_cumulative"])
    end = pd.Timestamp(monthly["layout"]["xaxis"]["range"][1])
    last = pd.Timestamp(line["x"][-1])
    if line.get("xperiodalignment") == "end":
        last = last.to_period("M").end_time
    assert last.date() == dt.date(2017, 12, 31) and last <= end


# --- issue 9: upload ---

def in_force_q4(unit: str = "ubnd_061") -> pd.Series:
    history = Store(Settings.from_env().database_url).history(None, unit)
    return history.query("start_month == 10 and end_month == 12 and status == 'in_force'").iloc[0]


def tables_with(at, column: str) -> list[pd.DataFrame]:
    return [t.value for t in at.table if column in t.value.columns]


def previews(at) -> list[str]:
    return [e.label for e in at.expander if e.label == "Xem trước số liệu sẽ được lưu"]


def test_an_upload_replacing_the_report_in_force_shows_its_changes_and_a_save_clears_the_uploader():
    current = in_force_q4()
    store = Store(Settings.from_env().database_url)
    q4 = "unit_code == 'ubnd_061' and start_month == 10 and end_month == 12 and status == 'in_force'"
    sent = int(store.values("backan-2017", 2017).query(q4).set_index("indicator_code").at["CT1.1", "value"])
    at = login("officer")
    at.switch_page("pages/upload.py").run()
    at.selectbox[1].select_index(3).run()  # Quý IV/2017
    data = fill_template(downloaded(at.download_button[0]), {"CT1.1": sent + 7}, communes={"CT1.3": ["Phúc Lộc"]})
    at.file_uploader[0].upload("ba-be-quy-4-sua.xlsx", data).run()
    assert not at.exception
    # Before the click: it replaces the version in force, and here is what changes.
    assert f"sẽ thay thế báo cáo đang có hiệu lực (lần nộp thứ {current['version']})" in at.warning[-1].value
    changes = tables_with(at, "Trong tệp mới")[0].set_index("Mục")
    row = changes.loc["Kết quả trong kỳ"]
    row = row[row["Chỉ tiêu"].str.startswith("CT1.1")].iloc[0]
    assert (row.iloc[1], row["Trong tệp mới"]) == (str(sent), str(sent + 7))

    next(b for b in at.button if b.label.startswith("Lưu")).click().run()
    assert not at.exception
    # One confirmation; the uploader is empty and the save button gone.
    assert [s.value for s in at.success] == [
        f"ba\\-be\\-quy\\-4\\-sua\\.xlsx: Đã lưu, thay thế báo cáo cùng kỳ trước đó (lần nộp thứ "
        f"{current['version'] + 1})"]
    assert not at.toast
    assert not at.file_uploader[0].value
    assert not any(b.label.startswith("Lưu") for b in at.button)
    assert in_force_q4()["version"] == current["version"] + 1


def test_a_file_identical_to_the_version_in_force_is_said_so_before_any_click():
    current = in_force_q4()
    _name, original = Store(Settings.from_env().database_url).original_file(int(current["submission_id"]))
    at = login("officer")
    at.switch_page("pages/upload.py").run()
    at.file_uploader[0].upload("lai-lan-nua.xlsx", original).run()
    assert not at.exception
    assert f"giống hệt tệp của lần nộp thứ {current['version']} đang có hiệu lực" in at.info[-1].value
    assert not any(b.label.startswith("Lưu") for b in at.button)
    assert not previews(at)


def test_an_administrators_upload_is_bound_to_the_unit_selected():
    store = Store(Settings.from_env().database_url)
    before = len(store.history(None))
    ngan_son = filled("ubnd_062", Period(2017, 10, 12), **{"CT1.1": 3})
    at = login("admin")
    at.switch_page("pages/upload.py").run()
    at.selectbox[0].select("ubnd_058").run()  # "UBND thành phố Bắc Kạn" is shown
    at.file_uploader[0].upload("ngan-son.xlsx", ngan_son).run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        "Tệp là báo cáo của một đơn vị khác, chưa thể lưu. Xem hướng dẫn bên dưới."]
    message = tables_with(at, "Nội dung")[0].at[0, "Nội dung"]
    assert "UBND huyện Ngân Sơn" in message and "đơn vị đang chọn là UBND thành phố Bắc Kạn" in message
    assert not any(b.label.startswith("Lưu") for b in at.button) and not previews(at)
    assert len(store.history(None)) == before
    # With Ngân Sơn selected, the same file may be saved.
    at.selectbox[0].select("ubnd_062").run()
    assert any(b.label.startswith("Lưu") for b in at.button)


def test_each_kind_of_refused_file_has_its_own_banner_and_no_preview(monkeypatch):
    monkeypatch.setenv("MDPLAN_MAX_UPLOAD_MB", "1")  # before the uploader is drawn: it is part of its identity
    at = login("officer")
    at.switch_page("pages/upload.py").run()
    fix_cells = "Hãy sửa các ô được chỉ ra"
    # A month inside the quarter Ba Bể already sent: overlapping, nothing to fix in a cell.
    at.file_uploader[0].upload("thang-5.xlsx", filled("ubnd_061", Period(2017, 5, 5))).run()
    assert not at.exception
    assert "trùng một phần với kỳ đơn vị đã nộp" in at.error[-1].value and fix_cells not in texts(at)
    assert not previews(at)
    # A cell problem: only here does the banner ask to fix cells; codes are not shown.
    negative = filled("ubnd_061", Period(2017, 10, 12), **{"CT1.1": -3})
    at.file_uploader[0].upload("am.xlsx", negative).run()
    assert fix_cells in at.error[-1].value and not previews(at)
    findings = tables_with(at, "Nội dung")[0]
    assert list(findings.columns) == ["Mức độ", "Trang tính", "Ô", "Nội dung"]
    # Too large for the limit set by MDPLAN_MAX_UPLOAD_MB, which the uploader states.
    at.file_uploader[0].upload("lon.xlsx", b"PK\x03\x04" + b"\0" * (1024 * 1024 + 10)).run()
    assert not at.exception
    assert at.file_uploader[0].proto.max_upload_size_mb == 1
    assert "tối đa 1 MB mỗi tệp" in texts(at)
    assert "quá lớn" in at.error[-1].value and fix_cells not in at.error[-1].value
    assert not any(b.label.startswith("Lưu") for b in at.button)


def test_the_uploader_states_the_one_limit_in_vietnamese_and_the_template_is_named_for_its_unit():
    at = login("officer")
    at.switch_page("pages/upload.py").run()
    assert at.file_uploader[0].proto.max_upload_size_mb == Settings.from_env().max_upload_mb == 10
    # Streamlit's own words ("Upload", "10MB per file") are covered by Vietnamese ones (CSS).
    style = next(h.proto.body for h in at.get("html") if "stFileUploaderDropzoneInstructions" in h.proto.body)
    assert "Tối đa 10 MB mỗi tệp" in style and "Chọn tệp" in style
    assert "mdplan-bao-cao-ubnd-huyen-ba-be-2017-01_2017-03.xlsx" in texts(at)
    assert "ubnd_061" not in texts(at)


def test_the_web_form_and_the_template_offer_no_period_overlapping_one_filed():
    at = login("officer")
    at.switch_page("pages/entry.py").run()
    options = at.selectbox[1].options
    # Ba Bể sent every quarter: no month inside one is offered; the quarters stay, to revise.
    assert not any(o.startswith("Tháng") for o in options)
    assert any(o.startswith("Quý II/2017") for o in options)
    at.switch_page("pages/upload.py").run()
    assert at.selectbox[1].options == options


# --- issue 9: speed ---

def test_tasks_page_draws_only_the_chosen_tasks_charts():
    # Tabs drew the charts of all five tasks on every visit; now only the chosen task's are built.
    at = login("leader")
    at.switch_page("pages/tasks.py").run()
    assert not at.exception
    assert [s.value for s in at.subheader][0].startswith("1. ")
    assert len(at.get("plotly_chart")) == 2  # its indicator bars and one burn-up
    at.segmented_control[0].set_value(3).run()
    assert not at.exception
    assert [s.value for s in at.subheader][0].startswith("3. ")
    assert len(at.get("plotly_chart")) == 2
    assert {s.label for s in at.selectbox} >= {"Biểu đồ lũy kế theo tháng cho chỉ tiêu"}


def test_a_rerun_reuses_the_progress_table_and_its_charts(monkeypatch):
    calls = {"table": 0, "bars": 0}
    by_indicator, indicator_bars = progress.by_indicator, charts.indicator_bars

    def counted_table(*args, **kwargs):
        calls["table"] += 1
        return by_indicator(*args, **kwargs)

    def counted_bars(*args, **kwargs):
        calls["bars"] += 1
        return indicator_bars(*args, **kwargs)

    monkeypatch.setattr(progress, "by_indicator", counted_table)
    monkeypatch.setattr(charts, "indicator_bars", counted_bars)
    at = login("leader")  # the overview: one table, one bar chart of every indicator
    assert calls == {"table": 1, "bars": 1}
    at.switch_page("pages/tasks.py").run()  # the same table; the chosen task's bars are new
    at.switch_page("pages/overview.py").run()  # nothing new
    assert not at.exception
    assert calls == {"table": 1, "bars": 2}


def test_the_database_check_is_not_read_again_on_every_rerun(monkeypatch):
    calls = []
    refusal = installation.refusal
    monkeypatch.setattr(installation, "refusal", lambda *a, **k: calls.append(a) or refusal(*a, **k))
    at = login("leader")
    at.switch_page("pages/tasks.py").run()
    assert not at.exception
    assert len(calls) == 1


# --- issue 9: admin ---
def admin_page() -> AppTest:
    at = login("admin")
    at.switch_page("pages/admin.py").run()
    assert not at.exception
    return at


def table_with(at, column: str):
    return next(d for d in at.dataframe if any(str(c).startswith(column) for c in d.value.columns))


def add_user_form(at, username: str, name: str, password: str) -> None:
    fields = {t.label: t for t in at.text_input}
    fields["Tên đăng nhập"].input(username)
    fields["Họ tên"].input(name)
    fields["Mật khẩu (ít nhất 10 ký tự)"].input(password)
    next(b for b in at.button if b.label == "Thêm tài khoản").click().run()
    assert not at.exception


def test_a_refused_account_form_keeps_what_was_typed_and_an_added_one_shows_at_once():
    at = admin_page()
    add_user_form(at, "canbo.moi", "Nguyễn Thị Mới", "ngan")
    assert at.error and "10" in at.error[0].value
    fields = {t.label: t.value for t in at.text_input}
    assert (fields["Tên đăng nhập"], fields["Họ tên"]) == ("canbo.moi", "Nguyễn Thị Mới")
    assert fields["Mật khẩu (ít nhất 10 ký tự)"] == "ngan"
    add_user_form(at, "canbo.moi", "Nguyễn Thị Mới", "MatKhau.Moi@2017")
    assert "Đã thêm tài khoản canbo.moi." in [s.value for s in at.success]
    assert "canbo.moi" in set(at.dataframe[0].value["Tên đăng nhập"])  # the same run, no reload
    fields = {t.label: t.value for t in at.text_input}
    assert fields["Tên đăng nhập"] == "" and fields["Họ tên"] == ""  # a new, empty form
    assert "canbo.moi" in next(s for s in at.selectbox if s.label == "Tài khoản").options


def test_a_rollback_shows_what_changes_and_needs_a_reason_and_a_confirmation():
    at = admin_page()
    store = Store(Settings.from_env().database_url)
    history = store.history("backan-2017")
    older = history[history["status"] == "superseded"].iloc[0]
    box = next(s for s in at.selectbox if s.label == "Phiên bản")
    box.set_value(int(older["submission_id"])).run()
    preview = table_with(at, "Sau khi khôi phục").value
    assert len(preview) > 0 and list(preview.columns)[:2] == ["Mã", "Chỉ tiêu"]
    assert list(preview.columns)[3] == f"Sau khi khôi phục (lần nộp {older['version']})"
    button = next(b for b in at.button if b.label == "Khôi phục phiên bản này")
    button.click().run()  # neither reason nor confirmation
    assert "Hãy đánh dấu ô xác nhận trước khi khôi phục." in [e.value for e in at.error]
    next(c for c in at.checkbox if c.label.startswith("Tôi đã xem")).check().run()
    next(b for b in at.button if b.label == "Khôi phục phiên bản này").click().run()
    assert any("Hãy ghi lý do khôi phục" in e.value for e in at.error)
    assert store.history("backan-2017").set_index("submission_id").at[int(older["submission_id"]), "status"] \
        == "superseded"
    next(t for t in at.text_input if t.label.startswith("Lý do khôi phục")).input("Sở yêu cầu lấy lại bản đầu").run()
    next(b for b in at.button if b.label == "Khôi phục phiên bản này").click().run()
    assert not at.exception
    assert store.history("backan-2017").set_index("submission_id").at[int(older["submission_id"]), "status"] \
        == "in_force"
    assert "lý do: Sở yêu cầu lấy lại bản đầu" in table_with(at, "Chi tiết").value.iloc[0]["Chi tiết"]


def test_submissions_show_who_sent_them_by_display_name():
    at = admin_page()
    shown = table_with(at, "Người nộp").value
    names = accounts.list_users(Store(Settings.from_env().database_url)).set_index("username")["display_name"]
    assert names["canbo.babe"] in set(shown["Người nộp"])
    assert "canbo.babe" not in set(shown["Người nộp"])


def test_data_table_reads_from_the_left_lets_a_person_choose_columns_and_leaves_empty_cells_empty():
    at = login("admin")
    at.switch_page("pages/data.py").run()
    shown = at.dataframe[0]
    assert list(shown.value.columns)[:6] == ["Huyện, thành phố", "Đơn vị báo cáo", "Kỳ báo cáo", "Mã chỉ tiêu",
                                             "Tên chỉ tiêu", "Kết quả trong kỳ"]
    assert shown.proto.placeholder == "" and shown.proto.HasField("placeholder")
    assert "Quý I/2017" in set(shown.value["Kỳ báo cáo"]) and not any(
        str(p).startswith("Tháng 1–3") for p in shown.value["Kỳ báo cáo"])
    chooser = next(m for m in at.multiselect if m.label == "Cột hiển thị")
    chooser.select("uploaded_by").unselect("communes").run()
    columns = list(at.dataframe[0].value.columns)
    assert "Người nộp" in columns and "Các xã, phường, thị trấn" not in columns
    assert columns.index("Người nộp") > columns.index("Kết quả trong kỳ")


def test_no_multiselect_offers_english_select_all():
    at = login("admin")
    for page in ("pages/data.py", "pages/admin.py"):
        at.switch_page(page).run()
        assert at.multiselect and all(m.proto.select_all == 0 for m in at.multiselect), page


def test_the_allocations_editor_leaves_empty_cells_empty():
    at = admin_page()
    editor = next(d for d in at.dataframe if d.proto.editing_mode)
    assert editor.proto.HasField("placeholder") and editor.proto.placeholder == ""


def test_csv_offers_the_semicolon_that_vietnamese_excel_opens():
    at = login("admin")
    at.switch_page("pages/data.py").run()
    semicolon = next(b for b in at.download_button if b.label == "Tải CSV cho Excel tiếng Việt (;)")
    text = downloaded(semicolon).decode("utf-8-sig")
    header = text.splitlines()[0].split(";")
    assert header[:3] == ["Huyện, thành phố", "Đơn vị báo cáo", "Kỳ báo cáo"]
    assert "dấu chấm phẩy" in texts(at)


EMOJI = __import__("re").compile("[\U0001F000-\U0001FAFF\u2600-\u26FF\u2700-\u27BF\u2B00-\u2BFF\u23E9-\u23FA\uFE0F]")
ALLOWED_MARKS = set(__import__("mdplan_core.labels", fromlist=["x"]).STATUS_ICON.values()) | {"✗"}


@pytest.mark.parametrize("path", sorted(str(p.relative_to(Path(APP).parent)) for p in [
    *Path(APP).parent.glob("pages/*.py"), Path(APP), Path(APP).parent / "mdplan_core/labels.py",
    Path(APP).parent / "mdplan_core/views.py"]))
def test_no_emoji_icons_in_pages_and_labels(path):
    """An office PC without an emoji font shows an emoji as an empty box."""
    text = (Path(APP).parent / path).read_text(encoding="utf-8")
    assert [c for c in EMOJI.findall(text) if c not in ALLOWED_MARKS] == []


def test_status_words_carry_marks_that_need_no_emoji_font():
    from mdplan_core import labels
    marks = [*labels.STATUS_ICON.values(), *labels.REPORT_STATUS_ICON.values()]
    assert not [m for m in marks if EMOJI.search(m) and m not in "✓✗"]
    assert labels.report_status_text("missing") == "✗ Chưa gửi"
    assert all(icon.startswith(":material/") for _, icon in labels.UPLOAD_OUTCOME.values())


# --- issue 9: reading ---

def test_an_officer_uploads_a_report_written_the_way_offices_write_it():
    at = login("officer")
    at.switch_page("pages/upload.py").run()
    at.selectbox[1].select_index(3).run()  # Tháng 10–12/2017
    data = fill_template(downloaded(at.download_button[0]), {"CT1.2": 90 * 0.7 * 20},
                         communes={"CT1.3": ["TTr. Chợ Rã", "Nam Mẫu (Ba Bể)"]},
                         report_date="28 tháng 12 năm 17")
    at.file_uploader[0].upload("ba-be-quy-4.xlsx", data).run()
    assert not at.exception
    # The findings come last, after the changes against the version in force.
    shown = at.table[-1].value.to_string().replace("\\", "")  # the table escapes Markdown
    # Only the quarter's 1.260 people against the province's 500 a year is worth a word.
    assert len(at.table[-1].value) == 1
    assert "1.260 người trong kỳ" in shown and "125 người" in shown
    assert not any("0000" in str(v) for v in at.table[-1].value.to_numpy().ravel())
    assert any(b.label.startswith("Lưu") for b in at.button)


# --- issue 9: asof ---
@pytest.fixture(scope="module")
def ngan_son_late_dir(demo_dir, tmp_path_factory):
    """The demo year plus the issue's case: Ngân Sơn sends its missing Q3 on 15/01/2018."""
    import shutil

    from mdplan_core.report import ParsedReport, ReportValue

    path = tmp_path_factory.mktemp("ngan-son") / "data"
    shutil.copytree(demo_dir, path)
    store = Store.open(Settings.from_env({"MDPLAN_DATA_DIR": str(path), "MDPLAN_DEMO": "1"}))
    report = ParsedReport("ubnd_062", Period(2017, 7, 9), [ReportValue("CT1.1", 1), ReportValue("CT1.2", 40)],
                          reporter="Lăng Văn Tuấn", report_date=dt.date(2018, 1, 15))
    assert not store.save_report(report, plan_id="backan-2017", place_code="062", data=b"ngan-son-quy-3",
                                 filename="Ngan Son quy III-2017.xlsx", user="canbo.nganson",
                                 uploaded_at=dt.datetime(2018, 1, 15, 9, tzinfo=progress.LOCAL_TZ)).refused
    store.dispose()
    return path


def metric(at, label) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_a_report_sent_in_january_counts_as_late_on_every_page(ngan_son_late_dir, monkeypatch):
    monkeypatch.setenv("MDPLAN_DATA_DIR", str(ngan_son_late_dir))
    at = login("leader")
    # Default review date: today, clipped to the year, its January and its latest upload (an
    # earlier test of this module may have uploaded today).
    uploads = Store(Settings.from_env().database_url).history("backan-2017")
    assert at.session_state[AS_OF] == progress.review_default(PLAN, history=uploads)
    at.date_input(key=AS_OF_WIDGET).set_value(dt.date(2018, 1, 31)).run()
    assert "Số liệu tính đến ngày 31/01/2018" in texts(at)
    late_missing = metric(at, "Còn thiếu")
    lop = next(line for line in texts(at).splitlines() if line.endswith("/ 10 lớp"))

    # On 31/12/2017 the report had not come: missing in the status, absent from the totals.
    at.date_input(key=AS_OF_WIDGET).set_value(dt.date(2017, 12, 31)).run()
    assert int(metric(at, "Còn thiếu")) == int(late_missing) + 1
    before = next(line for line in texts(at).splitlines() if line.endswith("/ 10 lớp"))
    assert int(before.split()[1]) == int(lop.split()[1]) - 1  # its one class counts from 15/01
    at.switch_page("pages/reporting.py").run()
    assert "UBND huyện Ngân Sơn: Quý III/2017 (tháng 7–9/2017), hạn 10/10/2017, quá hạn 82 ngày" in at.code[0].value

    # On 31/01/2018 it is late by 97 days, never "Chưa gửi"; the reminder no longer names it.
    at.date_input(key=AS_OF_WIDGET).set_value(dt.date(2018, 1, 31)).run()
    assert not at.exception
    assert "Ngân Sơn" not in at.code[0].value
    table = at.dataframe[0].value
    q3 = table[(table["Đơn vị"] == "UBND huyện Ngân Sơn") & table["Kỳ"].str.startswith("Quý III/2017")].iloc[0]
    assert "Nộp muộn" in q3["Tình trạng"] and q3["Số ngày quá hạn"] == "97" and q3["Ngày nhận"] == "15/01/2018"
    assert metric(at, "Chưa gửi") == late_missing
    # The date picker offers the January of the next year, and beyond only up to the latest upload.
    assert at.date_input(key=AS_OF_WIDGET).proto.max == f"{progress.review_range(PLAN, uploads)[1]:%Y-%m-%d}"
    assert progress.review_range(PLAN, uploads.assign(year=2016))[1] == dt.date(2018, 1, 31)
