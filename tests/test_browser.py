"""One real-browser journey, Playwright driving Debian's headless Chromium against `streamlit run server.py`:
an officer downloads the template, fills it, uploads it and sees the overview change; staff then
export the filtered table, and the test opens the downloaded workbook."""
import io
import re
import shutil
import urllib.error
import urllib.request
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import expect, sync_playwright

from tests.demo_server import CHROMIUM_ARGS, served
from tests.fill import fill_template

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.requires("chromium")  # skips without it, fails in CI (tests/conftest.py)

CHROMIUM = shutil.which("chromium")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with served(ROOT, tmp_path_factory.mktemp("browser")) as url:
        yield url


def test_the_server_closes_streamlit_metrics(server):
    # `make run` serves server.py, as here: its metrics endpoint is closed, the health check is not.
    with urllib.request.urlopen(f"{server}_stcore/health", timeout=30) as health:
        assert health.read() == b"ok"
    with pytest.raises(urllib.error.HTTPError) as closed:
        urllib.request.urlopen(f"{server}_stcore/metrics", timeout=30)
    assert closed.value.code == 404


def wait_ready(page):
    app = page.locator("[data-testid='stApp']")
    expect(app).to_have_attribute("data-test-connection-state", "CONNECTED", timeout=60000)
    expect(app).to_have_attribute("data-test-script-state", "notRunning", timeout=60000)


def login(page, username, password):
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", name="Tổng quan")).to_be_visible(timeout=60000)
    wait_ready(page)


def open_page(page, title, heading=None):
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=title, exact=True).click()
    expect(page.get_by_role("heading", level=1).filter(has_text=heading or title).first).to_be_visible(timeout=60000)
    wait_ready(page)


def ct11(page) -> int:
    text = page.get_by_role("heading", name=re.compile(r"^\d+ \/ 10 lớp$")).first.inner_text()
    return int(text.split("/")[0])


def people_reached(page) -> int:
    """Hà Nội's CT1.4 on the overview: "4.541 / 5.300 người"."""
    text = page.get_by_role("heading", name=re.compile(r"^[\d.]+ \/ 5\.300 người$")).first.inner_text()
    return int(text.split("/")[0].strip().replace(".", ""))


def choose_plan(page, label):
    page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").first.click()
    page.get_by_role("option", name=label).click()
    expect(page.get_by_text(label.split(" · ")[0]).first).to_be_visible(timeout=60000)
    wait_ready(page)


def revise(page, period_option, caption: str, fill, path: Path) -> bytes:
    """On «Nộp báo cáo»: choose a period, download its template, upload it filled by `fill`
    and store it as a revision of the report in force; the template's bytes."""
    open_page(page, "Nộp báo cáo")
    page.get_by_test_id("stSelectbox").nth(1).click()
    page.get_by_role("option", name=period_option).click()
    # The caption is drawn by the rerun that the choice starts, so the button below holds that
    # rerun's template; the script state alone may still read "notRunning" from before it.
    expect(page.get_by_text(re.compile("^" + re.escape(caption)))).to_be_visible(timeout=60000)
    wait_ready(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="Tải mẫu Excel").click()
    template = Path(download.value.path()).read_bytes()
    path.write_bytes(fill(template))
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(path))
    expect(page.get_by_text("Tệp hợp lệ, có thể lưu.")).to_be_visible(timeout=60000)
    page.get_by_role("button", name="Lưu 1 báo cáo hợp lệ").click()
    expect(page.get_by_text("Đã lưu, thay thế báo cáo cùng kỳ trước đó").first).to_be_visible(timeout=60000)
    return template


def test_officer_reports_and_staff_export(server, tmp_path):
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1600}, accept_downloads=True)
        page.goto(server)
        wait_ready(page)

        # 1. The officer of Ba Bể corrects the fourth quarter.
        login(page, "canbo.babe", "CanBo.BaBe@2017")
        before = ct11(page)
        template = revise(page, re.compile(r"^Quý IV\/2017"), "Mẫu của UBND huyện Ba Bể, kỳ Quý IV/2017",
                          lambda t: fill_template(t, {"CT1.1": 9}, communes={"CT1.3": ["Phúc Lộc"]}),
                          tmp_path / "ba-be-quy-4.xlsx")
        assert openpyxl.load_workbook(io.BytesIO(template))["_mdplan"]["B4"].value == "2017-10..2017-12"
        # The review date reaches the day of the latest upload, today, and counts the revision.
        open_page(page, "Tổng quan")
        assert ct11(page) > before
        page.get_by_role("button", name="Đăng xuất").click()
        expect(page.get_by_role("heading", name="Đăng nhập mdplan")).to_be_visible(timeout=60000)

        # 2. A ward of Hà Nội, on today's map, corrects its November report.
        login(page, "canbo.badinh", "CanBo.BaDinh@2026")
        expect(page.get_by_text(re.compile("Kế hoạch số 07/KH-UBND")).first).to_be_visible()
        before = people_reached(page)
        template = revise(page, re.compile(r"^Tháng 11\/2026$"), "Mẫu của UBND phường Ba Đình, kỳ Tháng 11/2026",
                          lambda t: fill_template(t, {"CT1.1": 1, "CT1.4": 900}), tmp_path / "ba-dinh-thang-11.xlsx")
        assert openpyxl.load_workbook(io.BytesIO(template))["_mdplan"]["B5"].value == "hanoi-2026"
        open_page(page, "Tổng quan")
        assert people_reached(page) > before
        page.get_by_role("button", name="Đăng xuất").click()
        expect(page.get_by_role("heading", name="Đăng nhập mdplan")).to_be_visible(timeout=60000)

        # 3. Staff choose the Bắc Kạn plan, filter the table to task 4 and export it.
        login(page, "quantri", "QuanTri@2017")
        choose_plan(page, "1180/QĐ-UBND · Bắc Kạn 2017")
        open_page(page, "Dữ liệu", "Dữ liệu tổng hợp")
        count = page.get_by_text(re.compile(r"^\d+ dòng$"))
        everything = count.inner_text()
        page.get_by_test_id("stMultiSelect").first.click()
        page.get_by_role("option", name=re.compile("^NV4")).click()
        page.keyboard.press("Escape")
        expect(count).not_to_have_text(everything, timeout=60000)
        wait_ready(page)
        rows = int(count.inner_text().split()[0])
        with page.expect_download() as download:
            page.get_by_role("button", name="Tải Excel (.xlsx)").click()
        exported = Path(download.value.path()).read_bytes()
        browser.close()

        # 4. The workbook holds exactly the filtered rows and records the filter.
        book = openpyxl.load_workbook(io.BytesIO(exported))
        sheet = book.worksheets[0]
        header = [c.value for c in sheet[1]]
        codes = {row[header.index("Mã chỉ tiêu")] for row in sheet.iter_rows(min_row=2, values_only=True)}
        assert sheet.max_row - 1 == rows and codes == {"CT4.1"}
        assert any("Kiểm tra, xử lý" in str(c.value) for row in book["Bộ lọc"].iter_rows() for c in row)


# --- issue 9: asof ---
def test_the_review_date_takes_effect_on_enter(server):
    """Streamlit's date field alone commits a typed date only on a click elsewhere; Enter must do."""
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1600})
        page.goto(server)
        wait_ready(page)
        login(page, "lanhdao", "LanhDao@2017")
        year = page.get_by_role("spinbutton", name="year, Ngày xem xét").get_attribute("aria-valuenow")
        page.get_by_role("spinbutton", name="day, Ngày xem xét").click()
        page.keyboard.type(f"1501{year}")  # 15 January of the default's year lies in every plan's range
        page.keyboard.press("Enter")
        expect(page.get_by_text(f"Số liệu tính đến ngày 15/01/{year}").first).to_be_visible(timeout=60000)
        browser.close()
