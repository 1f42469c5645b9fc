"""Screenshot pages of a running mdplan with headless Chromium (Debian's), for docs and review.

Usage: python scripts/screenshot.py URL OUT.png [--height 2400] [--login USER PASSWORD]
"""
import argparse

from playwright.sync_api import expect, sync_playwright

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def wait_ready(page):
    app = page.locator("[data-testid='stApp']")
    expect(app).to_have_attribute("data-test-connection-state", "CONNECTED", timeout=30000)
    expect(app).to_have_attribute("data-test-script-state", "notRunning", timeout=30000)
    expect(page.locator("[data-testid='stSkeleton']")).to_have_count(0, timeout=30000)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("url")
    ap.add_argument("out")
    ap.add_argument("--height", type=int, default=2400)
    ap.add_argument("--login", nargs=2, metavar=("USER", "PASSWORD"))
    args = ap.parse_args()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": args.height})
        page.goto(args.url)
        wait_ready(page)
        if args.login:
            page.get_by_label("Tên đăng nhập").fill(args.login[0])
            page.get_by_label("Mật khẩu").fill(args.login[1])
            page.get_by_role("button", name="Đăng nhập").click()
            wait_ready(page)
        if page.locator(".js-plotly-plot").count():
            expect(page.locator(".js-plotly-plot").first).to_be_visible()
        page.screenshot(path=args.out)
        browser.close()


if __name__ == "__main__":
    main()
