"""Write every chart, drawn from demo-like data, into one HTML file to look at.

Usage: python scripts/preview_charts.py [OUT.html] [--as-of 2017-07-20]

The data go through a throw-away SQLite store, exactly as uploads would. plotly.js is
inlined from the installed plotly package, so the file opens offline. To look at it without
a desktop:
  chromium --headless --no-sandbox --disable-gpu --screenshot=/tmp/charts.png \
           --window-size=1400,3000 file:///tmp/charts.html
"""
from __future__ import annotations

import argparse
import datetime as dt
import html
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.io as pio

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mdplan_core import charts, completeness, progress  # noqa: E402
from mdplan_core.plan import load_plan  # noqa: E402
from mdplan_core.report import ParsedReport, Period, ReportValue  # noqa: E402
from mdplan_core.store import Store  # noqa: E402

UTC = dt.UTC


def demo_store(plan, folder: Path) -> Store:
    """Quarterly reports from most units: some on time, some late, a few missing."""
    store = Store(f"sqlite:///{folder / 'preview.sqlite3'}")
    store.upgrade()
    rng = np.random.default_rng(2017)
    communes = plan.communes
    units = plan.reporting_units
    for unit in units.itertuples():
        for quarter, (start, end, due) in enumerate([(1, 3, dt.date(2017, 4, 10)),
                                                     (4, 6, dt.date(2017, 7, 10))]):
            draw = rng.random()
            if draw < 0.18 + 0.12 * quarter:
                continue  # missing
            delay = int(rng.integers(5, 30)) if draw > 0.8 else -int(rng.integers(0, 8))
            classes = int(rng.random() < 0.3) if unit.kind == "district" else 0
            values = [ReportValue("CT1.1", classes),
                      ReportValue("CT1.2", classes * int(rng.integers(20, 45))),
                      ReportValue("CT4.1", int(rng.integers(0, 3)) if start >= 4 else 0),
                      ReportValue("CT5.2", int(rng.integers(0, 2)) if start >= 4 else 0)]
            if unit.kind == "place":
                own = communes[communes["place_code"] == unit.place_code]["code"].tolist()
                named = tuple(rng.choice(own, size=int(rng.integers(0, 3)), replace=False))
                values.append(ReportValue("CT1.3", len(named), communes=named))
                values.append(ReportValue("CT1.4", int(rng.integers(0, 25))))
            else:
                values.append(ReportValue("CT1.5", int(rng.integers(0, 4)), text="Tin, bài trên báo"))
            report = ParsedReport(unit.code, Period(2017, start, end), values)
            at = dt.datetime.combine(due + dt.timedelta(days=delay), dt.time(3, 0), UTC)
            store.save_report(report, plan_id=plan.id, place_code=unit.place_code, data=repr(report).encode(),
                              filename="demo.xlsx", user="demo", uploaded_at=at)
    return store


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("out", nargs="?", default="/tmp/charts.html")
    ap.add_argument("--as-of", default="2017-07-20")
    args = ap.parse_args()
    as_of = dt.date.fromisoformat(args.as_of)
    plan = load_plan()

    with tempfile.TemporaryDirectory() as tmp:
        store = demo_store(plan, Path(tmp))
        values, communes = store.values(plan.id, 2017), store.communes(plan.id, 2017)
        history = store.history(plan.id)
        store.dispose()

    table = progress.by_indicator(plan, values, communes, as_of)
    allocations = pd.DataFrame({"indicator_code": ["CT1.1"] * 4,
                                "place_code": ["058", "061", "064", "066"],
                                "target": [2, 2, 1, 1]})
    matrix = progress.place_matrix(plan, values, communes, allocations, as_of)
    status = completeness.report_status(plan, history, as_of)
    rates = completeness.rates(status)
    ct11 = matrix[matrix["indicator_code"] == "CT1.1"]
    ct12 = matrix[matrix["indicator_code"] == "CT1.2"]
    ind = plan.indicator("CT1.2")

    figures = [
        ("overall_gauge", charts.overall_gauge(table, as_of=as_of)),
        ("indicator_bars", charts.indicator_bars(table, as_of=as_of)),
        ("burnup CT1.2", charts.burnup(
            progress.cumulative_by_month(plan, values, communes, indicator="CT1.2", as_of=as_of),
            progress.pacing_by_month(plan, "CT1.2"), ind.name, ind.unit)),
        ("district_heatmap", charts.district_heatmap(matrix)),
        ("tile_map CT1.1 (mixed basis)", charts.tile_map(ct11, "Lớp tuyên truyền theo huyện")),
        ("tile_map CT1.2 (numbers)", charts.tile_map(ct12, ind.name, value="actual",
                                                     colorbar_title=ind.unit)),
        ("district_ranking CT1.1", charts.district_ranking(ct11)),
        ("district_ranking CT1.2", charts.district_ranking(ct12)),
        ("place_ranking CT1.1 (allocations, pace)", charts.place_ranking(
            progress.place_progress(plan, ct11, as_of), level="district", title="Lớp tuyên truyền",
            unit="lớp", as_of=as_of)),
        ("place_ranking CT1.2 (numbers)", charts.place_ranking(
            progress.place_progress(plan, ct12, as_of), level="district", title=ind.name, unit=ind.unit)),
        ("completeness_bars", charts.completeness_bars(rates)),
        ("monthly_bars Ba Bể CT1.2", charts.monthly_bars(
            progress.cumulative_by_month(plan, values, communes, indicator="CT1.2",
                                         district="061", as_of=as_of),
            ind.name, ind.unit, "Ba Bể")),
        ("empty", charts.indicator_bars(table.iloc[0:0])),
    ]
    parts = []
    for i, (name, fig) in enumerate(figures):
        parts.append(f"<h3 style='font-family:sans-serif;color:#999'>{html.escape(name)}</h3>")
        parts.append(pio.to_html(fig, full_html=False, include_plotlyjs=(i == 0),
                                 config={"displaylogo": False}))
    reminder = completeness.reminder_text(plan, status, as_of)
    parts.append(f"<h3 style='font-family:sans-serif;color:#999'>reminder_text</h3>"
                 f"<pre style='white-space:pre-wrap;font-family:sans-serif'>{html.escape(reminder)}</pre>")
    page = ("<!doctype html><html lang='vi'><head><meta charset='utf-8'><title>mdplan charts</title>"
            "</head><body style='max-width:1100px;margin:auto'>" + "\n".join(parts) + "</body></html>")
    Path(args.out).write_text(page, encoding="utf-8")
    print(args.out)


if __name__ == "__main__":
    main()
