"""Screenshot pages of a running mdplan with headless Chromium (Debian's), for docs and review.

Usage: python scripts/screenshot.py URL OUTDIR [--login USER PASSWORD] [--plan LABEL] [--page TITLE ...]
       [--height 2400] [--width 1400]   (--width 390 shows a phone)
Each page is opened from the sidebar, as a person would, and saved as OUTDIR/<n>-<title>.png.
"""
import argparse
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def wait_ready(page):
    app = page.locator("[data-testid='stApp']")
    expect(app).to_have_attribute("data-test-connection-state", "CONNECTED", timeout=30000)
    expect(app).to_have_attribute("data-test-script-state", "notRunning", timeout=60000)
    expect(page.locator("[data-testid='stSkeleton']")).to_have_count(0, timeout=90000)


def login(page, user, password):
    page.get_by_label("Tên đăng nhập").fill(user)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_text("Đăng xuất")).to_be_attached(timeout=30000)  # the sidebar may be folded
    wait_ready(page)


def show_sidebar(page):
    """At phone width Streamlit folds the sidebar away; open it as a person would."""
    opener = page.get_by_test_id("stExpandSidebarButton")
    if opener.count() and opener.first.is_visible():
        opener.first.click()
    expect(page.get_by_test_id("stSidebarNav")).to_be_visible(timeout=30000)


def hide_sidebar(page):
    closer = page.get_by_test_id("stSidebarCollapseButton")
    if page.viewport_size["width"] < 800 and closer.count():
        closer.first.locator("button").click()


def choose_plan(page, label):
    show_sidebar(page)
    page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").first.click()
    page.get_by_role("option", name=label).click()
    expect(page.get_by_text(label.split(" · ")[0]).first).to_be_visible(timeout=60000)
    wait_ready(page)


def open_page(page, title):
    show_sidebar(page)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=title, exact=True).click()
    expect(page.get_by_role("heading", level=1).filter(has_text=title).first).to_be_visible(timeout=30000)
    wait_ready(page)
    hide_sidebar(page)
    if page.locator(".js-plotly-plot").count():
        expect(page.locator(".js-plotly-plot").first).to_be_visible()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("url")
    ap.add_argument("outdir")
    ap.add_argument("--height", type=int, default=2400)
    ap.add_argument("--width", type=int, default=1400, help="390 shows a phone")
    ap.add_argument("--login", nargs=2, metavar=("USER", "PASSWORD"))
    ap.add_argument("--plan", help="the sidebar's plan, e.g. '1180/QĐ-UBND · Bắc Kạn 2017'")
    ap.add_argument("--page", action="append", default=[])
    args = ap.parse_args()
    out = Path(args.outdir)
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": args.width, "height": args.height})
        page.goto(args.url)
        wait_ready(page)
        if args.login:
            login(page, *args.login)
        if args.plan:
            choose_plan(page, args.plan)
        if not args.page:
            page.screenshot(path=out / "page.png")
        for n, title in enumerate(args.page, start=1):
            open_page(page, title)
            page.screenshot(path=out / f"{n}-{title}.png")
        browser.close()


if __name__ == "__main__":
    main()
