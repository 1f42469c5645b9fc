"""How long a person waits: from the login click to a drawn overview in a fresh browser, and
from the menu click to a drawn «Theo nhiệm vụ», on the demo data, in headless Chromium.

    .venv/bin/python benchmarks/bench_pages.py [--repeat N] [--against REF] [--user NAME PASSWORD]

Serves this checkout (`streamlit run server.py`, demo data in a temporary folder) and times each
journey `--repeat` times, each in a new browser context (no cookies, no cache). With `--against
REF` (for example `main`), the tree of that git commit is served the same way in the same run,
and each line prints its median, the baseline's median and their ratio. Without it, the baseline
is a refused login (one password check and the login page again), measured in the same run.
Nothing here asserts a time; the machine's load moves every number.
"""
from __future__ import annotations

import argparse
import secrets
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.demo_server import CHROMIUM_ARGS, served  # noqa: E402

TIMEOUT = 60000
BASELINE = "refused login (check + login page)"


def drawn(page) -> None:
    """The rerun has finished and its charts are on screen."""
    app = page.locator("[data-testid='stApp']")
    expect(app).to_have_attribute("data-test-script-state", "notRunning", timeout=TIMEOUT)
    expect(page.locator("[data-testid='stSkeleton']")).to_have_count(0, timeout=TIMEOUT)
    charts = page.locator("[data-testid='stMain'] .js-plotly-plot >> visible=true")
    if charts.count():  # (the login page's hidden warm-up chart is not one to wait for)
        expect(charts.first).to_be_visible(timeout=TIMEOUT)


def login_form(browser, url):
    context = browser.new_context(viewport={"width": 1400, "height": 1600})
    page = context.new_page()
    page.goto(url)
    expect(page.get_by_role("button", name="Đăng nhập")).to_be_visible(timeout=TIMEOUT)
    drawn(page)
    return context, page


def click_login(page, username, password) -> float:
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    start = time.perf_counter()
    page.get_by_role("button", name="Đăng nhập").click()
    return start


def journeys(browser, url, user) -> dict[str, float]:
    """Seconds of each journey, once, in a fresh browser context."""
    out = {}
    context, page = login_form(browser, url)
    # A new unknown name each time (a name is locked after repeated failures): one password
    # check (the same work as for a real account) and the login page again.
    start = click_login(page, f"khongcoai{secrets.token_hex(4)}", "sai")
    expect(page.get_by_text("Sai tên đăng nhập hoặc mật khẩu.")).to_be_visible(timeout=TIMEOUT)
    drawn(page)
    out[BASELINE] = time.perf_counter() - start
    context.close()

    context, page = login_form(browser, url)
    start = click_login(page, *user)
    expect(page.get_by_role("heading", name="Tổng quan")).to_be_visible(timeout=TIMEOUT)
    drawn(page)
    out["login click -> overview drawn"] = time.perf_counter() - start

    start = time.perf_counter()
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Theo nhiệm vụ", exact=True).click()
    expect(page.get_by_role("heading", level=1).filter(has_text="Theo nhiệm vụ")).to_be_visible(timeout=TIMEOUT)
    drawn(page)
    out["menu click -> tasks drawn"] = time.perf_counter() - start

    start = time.perf_counter()
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Tổng quan", exact=True).click()
    expect(page.get_by_role("heading", level=1).filter(has_text="Tổng quan")).to_be_visible(timeout=TIMEOUT)
    drawn(page)
    out["menu click -> overview again"] = time.perf_counter() - start
    context.close()
    return out


def measure(url, user, repeat: int) -> dict[str, float]:
    """Median seconds of each journey over `repeat` fresh contexts (after one warm-up)."""
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        journeys(browser, url, user)  # the server's first run imports and loads the plans
        runs = [journeys(browser, url, user) for _ in range(repeat)]
        browser.close()
    return {label: statistics.median(r[label] for r in runs) for label in runs[0]}


def tree_of(ref: str, into: Path) -> Path:
    """The files of commit `ref`, as `git archive` writes them."""
    archive = into / "tree.tar"
    subprocess.run(["git", "archive", "--format=tar", "-o", str(archive), ref], cwd=ROOT, check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(into / "tree", filter="data")
    return into / "tree"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--against", metavar="REF", help="also serve this git commit and compare")
    parser.add_argument("--user", nargs=2, default=("lanhdao", "LanhDao@2017"), metavar=("NAME", "PASSWORD"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / "now").mkdir()
        with served(ROOT, tmp / "now") as url:
            now = measure(url, args.user, args.repeat)
        if args.against:
            (tmp / "then").mkdir()
            with served(tree_of(args.against, tmp), tmp / "then") as url:
                then = measure(url, args.user, args.repeat)
    print(f"median of {args.repeat} fresh browser contexts, user {args.user[0]}")
    if args.against:
        print(f"{'journey':34} {'this tree':>10} {args.against:>10} {'ratio':>7}")
        for label, seconds in now.items():
            print(f"{label:34} {seconds * 1000:8.0f} ms {then[label] * 1000:7.0f} ms "
                  f"{seconds / then[label]:6.2f}x")
    else:
        baseline = now[BASELINE]
        print(f"{'journey':34} {'time':>10} {'/ refused login':>16}")
        for label, seconds in now.items():
            print(f"{label:34} {seconds * 1000:8.0f} ms {seconds / baseline:14.1f}x")


if __name__ == "__main__":
    main()
