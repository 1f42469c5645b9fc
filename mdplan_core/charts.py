"""Chart builders: DataFrames in, plotly figures out. Pure functions, so tests assert on a
figure's data and pages only render it.

Every chart:
- writes numbers the Vietnamese way (`layout.separators=",."`: 1.234,5 and 12,5%); text
  labels and hover text are formatted here with `vntext`, dates as dd/mm/yyyy;
- shows a status as its word and icon, never by colour alone; colours come from the
  colour-blind-safe palettes in `labels`;
- has no fixed width (the page decides), and a height that fits its rows;
- given no data, returns a figure holding only a centred sentence that says so.
"""
from __future__ import annotations

import math
import textwrap

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from . import counting, labels, progress
from .vntext import format_amount, format_date, format_number, format_percent

SEPARATORS = ",."  # decimal comma, thousands dot
FONT = "Arial, 'Segoe UI', Roboto, 'Noto Sans', 'DejaVu Sans', sans-serif"
INK = "#222222"        # text and reference lines
ACTUAL = "#0072B2"     # Okabe–Ito blue: actual results
PACE = "#555555"       # the expected-to-date line
NO_DATA_FILL = "#EEEEEE"
ALLOCATION_SCALE = [[0.0, "#F2FAF6"], [1.0, "#009E73"]]  # % of an allocated target
SHARE_SCALE = [[0.0, "#F3F8FC"], [1.0, "#0072B2"]]       # share of the provincial actual
VALUE_SCALE = [[0.0, "#F3F8FC"], [1.0, "#0072B2"]]

PHONE_LINE = 48   # characters of 12 px text that fit a chart 390 px wide
PHONE_TITLE = 38  # characters of a 17 px title that fit a chart 390 px wide
GAUGE_BAND = 0.45  # the overall gauge's bar takes the lower part; its figure sits above

TEXT = {
    "no_data": "Chưa có số liệu cho lựa chọn này.",
    "no_results": "Chưa có kết quả nào được báo cáo cho lựa chọn này.",
    "nothing_due": "Chưa có kỳ báo cáo nào đến hạn.",
    "indicators_title": "Thực hiện so với chỉ tiêu",
    "pct_of_target": "% chỉ tiêu cả năm",
    "expected_marker": "Cần đạt đến nay",
    "expected_marker_on": "Cần đạt đến {date}",
    "hover_actual": "Thực hiện: {actual} {unit}",
    "hover_target": "Chỉ tiêu: {target} {unit}",
    "hover_expected": "Cần đạt đến nay: {expected} {unit}",
    "hover_status": "Trạng thái: {status}",
    "qualitative_bar": "{status} · {actual} mục",
    "numeric_bar": "{actual}/{target} {unit} · {pct} · {status}",
    "overall_title": "Tiến độ chung các chỉ tiêu định lượng",
    "overall_note": ("Trung bình % hoàn thành của {n} chỉ tiêu có số (mỗi chỉ tiêu tính tối đa "
                     "100%). Vạch đen: mức cần đạt đến nay ({expected})."),
    "overall_counts": "{count} {status}",
    "overall_mean": "(bình quân các chỉ tiêu)",
    "overall_headline": ("<span style='font-size:30px'><b>{value}</b></span>  <b>{status}</b>"
                         "<br><span style='font-size:12px'>{mean}</span>"),
    "burnup_actual": "Thực hiện (lũy kế)",
    "burnup_pace": "Cần đạt theo tiến độ",
    "burnup_target": "Chỉ tiêu: {target} {unit}",
    "burnup_note": "Kết quả của mỗi kỳ báo cáo được tính vào tháng cuối kỳ.",
    "burnup_axis": "Cuối tháng, năm {year}",
    "hover_date_actual": "Đến %{{x|%d/%m/%Y}}: %{{y:,.0f}} {unit}<extra>Thực hiện</extra>",
    "hover_date_pace": "Đến %{{x|%d/%m/%Y}}: %{{y:,.1f}} {unit}<extra>Cần đạt</extra>",
    "monthly_in_month": "Trong tháng",
    "monthly_cumulative": "Lũy kế (cuối tháng)",
    "monthly_title": "{district}: {indicator}",
    "hover_month": "Tháng %{{x|%m/%Y}}: %{{y:,.0f}} {unit}<extra>{what}</extra>",
    "hover_day": "Đến %{{x|%d/%m/%Y}}: %{{y:,.0f}} {unit}<extra>{what}</extra>",
    "heatmap_title": "Kết quả theo huyện",
    "heatmap_note": "Số %: % tổng tỉnh, tức tỷ trọng của {level} trong kết quả toàn tỉnh.",
    "heatmap_note_allocation": "Số % có dấu *: % chỉ tiêu phân bổ cho {level}.",
    "heatmap_colorbar_allocation": "% chỉ tiêu<br>phân bổ",
    "heatmap_colorbar_share": "% tổng tỉnh",
    "cell_no_data": "chưa có",
    "hover_cell_allocation": ("{district} · {code}<br>{name}<br>"
                              "Thực hiện: {actual} / phân bổ {allocated} {unit} = {pct}"),
    "hover_cell_share": ("{district} · {code}<br>{name}<br>"
                         "Thực hiện: {actual} / toàn tỉnh {total} {unit} = {pct}<br>(chưa có chỉ tiêu phân bổ)"),
    "hover_cell_empty": "{district} · {code}<br>{name}<br>Toàn tỉnh chưa có kết quả",
    "tile_note": "Sơ đồ ô: mỗi ô là một huyện, đặt theo vị trí tương đối; không phải bản đồ ranh giới.",
    "ranking_allocation": "Chỉ tiêu phân bổ",
    "ranking_axis_actual": "Thực hiện ({unit})",
    "ranking_axis_value": "% (phân bổ hoặc tổng tỉnh)",
    "places_title": "{title}",
    "places_count": "{n} {level}",
    "places_first": "{shown} {level} cao nhất trong {n}",
    "places_last": "{shown} {level} thấp nhất trong {n}",
    "places_median": "Trung vị toàn tỉnh: {median}",
    "places_median_note": "vạch đứt: trung vị",
    "places_pace_note": "vạch đen: cần đạt đến {date}",
    "places_no_target": "chưa có chỉ tiêu phân bổ",
    "places_rank": "{rank}. {name}",
    "places_axis_pct": "% chỉ tiêu",
    "places_axis_actual": "Thực hiện ({unit})",
    "places_legend_actual": "Thực hiện",
    "hover_place_rank": "Hạng {rank}/{n}",
    "completeness_title": "Tỷ lệ báo cáo: {rate} đã gửi · {on_time} đúng hạn ({expected} báo cáo phải gửi)",
    "completeness_axis": "Số kỳ báo cáo",
}


# --- Shared pieces ------------------------------------------------------------------------
def _style(fig: go.Figure, *, title: str | None = None, subtitle: str | None = None,
           height: int = 400, legend: bool = True, margin: dict | None = None) -> go.Figure:
    fig.update_layout(
        separators=SEPARATORS,
        autosize=True,
        height=height,
        template="plotly_white",
        font=dict(family=FONT, size=13, color=INK),
        hoverlabel=dict(font_family=FONT),
        margin=dict(l=10, r=10, t=(52 + 22 * title.count("<br>") if title else 20) + (22 if subtitle else 0)
                    + (30 if legend else 0), b=40) | (margin or {}),
        showlegend=legend,
        legend=dict(orientation="h", yanchor="bottom", y=1.01, x=0, xanchor="left",
                    traceorder="normal"),
    )
    if title is not None:
        fig.update_layout(title=dict(text=title, x=0, xanchor="left", y=1, yref="container",
                                     yanchor="top", pad=dict(t=14), font=dict(size=17),
                                     subtitle=dict(text=subtitle or "", font=dict(size=12))))
    return fig


def empty_figure(message: str = TEXT["no_data"], title: str | None = None,
                 height: int = 220) -> go.Figure:
    """A figure whose only content is one centred sentence: no traces, no axes."""
    fig = go.Figure()
    fig.add_annotation(text=message, x=0.5, y=0.5, xref="paper", yref="paper",
                       showarrow=False, font=dict(size=16, color="#555555"))
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return _style(fig, title=title, height=height, legend=False)


def _wrap(text: str, width: int = 34) -> str:
    return "<br>".join(textwrap.wrap(str(text), width)) or str(text)


def _num(x, decimals: int = 0) -> str:
    return format_number(x, decimals)


def _amount(x) -> str:
    """1.234 for whole numbers, 7,4 otherwise (the rule of `vntext.display`)."""
    return format_amount(x)


def _figures(row: pd.Series) -> tuple[str, str, str, str]:
    """An indicator's actual, target and expected as its way of counting writes them (counts
    1.234, percentages 12,7%), and its unit without the % the figures already carry."""
    unit = str(row["unit"])
    if counting.way(row).is_percent:
        unit = unit.removeprefix("%").strip()
    expected = row.get("expected")
    expected = round(float(expected), 1) if expected is not None and pd.notna(expected) else None
    return (counting.show(row, row["actual"]), counting.show(row, row["target"]),
            counting.show(row, expected), unit)


def _count_axis(top: float) -> dict:
    """Axis settings for counts: whole-number ticks when the numbers are small."""
    return dict(tickformat=",~r", dtick=1 if top <= 8 else None, rangemode="tozero")


def _pct(ratio) -> str:
    """A ratio as every page writes it (`vntext.display`'s one rule), '—' when missing."""
    return format_percent(ratio) if pd.notna(ratio) else "—"


# --- Indicators ---------------------------------------------------------------------------
def indicator_bars(progress_table: pd.DataFrame, *, as_of=None,
                   title: str = TEXT["indicators_title"]) -> go.Figure:
    """Actual as % of the year's target, one horizontal bar per indicator (plan order, top
    down), coloured by status with the status word and icon written after the bar; a black
    tick marks where the indicator should be by now. Qualitative indicators show their
    count of items, no bar. Input: `progress.by_indicator`."""
    t = progress_table
    if t.empty:
        return empty_figure(title=title)
    target = pd.to_numeric(t["target"], errors="coerce").astype(float)
    numeric = target > 0
    pct = (t["actual"] / target.where(numeric)).fillna(0.0)
    expected_pct = t["expected"] / target.where(numeric)
    y = [f"<b>{code}</b> {_wrap(name)}" for code, name in zip(t["code"], t["name"])]
    status_words = t["status"].map(labels.status_text)
    shown = [_figures(row) for _, row in t.iterrows()]  # (actual, target, expected, unit) as read
    bar_text = [
        TEXT["numeric_bar"].format(actual=a, target=g, unit=u, pct=_pct(p), status=s) if n
        else TEXT["qualitative_bar"].format(status=s, actual=a)
        for (a, g, _, u), p, s, n in zip(shown, pct, status_words, numeric)]
    hover = [
        "<br>".join([f"<b>{code}</b> {_wrap(name, 50)}", TEXT["hover_actual"].format(actual=a, unit=u)]
                    + ([TEXT["hover_target"].format(target=g, unit=u),
                        TEXT["hover_expected"].format(expected=x, unit=u)] if n else [])
                    + [TEXT["hover_status"].format(status=s)])
        for code, name, (a, g, x, u), s, n in zip(t["code"], t["name"], shown, status_words, numeric)]
    frame = pd.DataFrame({"y": y, "x": pct.to_numpy(), "status": t["status"].to_numpy(),
                          "text": bar_text, "hover": hover})

    fig = go.Figure()
    for status in labels.STATUS_COLORS:
        rows = frame[frame["status"] == status]
        if rows.empty:
            continue
        fig.add_trace(go.Bar(
            x=rows["x"], y=rows["y"], orientation="h", name=labels.status_text(status),
            marker=dict(color=labels.STATUS_COLORS[status]), customdata=rows["hover"],
            hovertemplate="%{customdata}<extra></extra>"))
    has_pace = expected_pct.notna()
    marker_name = (TEXT["expected_marker_on"].format(date=format_date(as_of)) if as_of is not None
                   else TEXT["expected_marker"])
    fig.add_trace(go.Scatter(
        x=expected_pct[has_pace], y=frame.loc[has_pace.to_numpy(), "y"], mode="markers",
        name=marker_name, marker=dict(symbol="line-ns-open", size=26, color=INK,
                                      line=dict(width=3, color=INK)),
        customdata=frame.loc[has_pace.to_numpy(), "hover"],
        hovertemplate="%{customdata}<extra></extra>"))

    # The label goes after whichever ends later, the bar or the pace mark, so they never cross.
    fig.add_trace(go.Scatter(
        x=np.fmax(frame["x"], expected_pct.fillna(0.0).to_numpy()), y=frame["y"], mode="text",
        text="\u2002" + frame["text"], textposition="middle right", cliponaxis=False,
        showlegend=False,
        name="", hoverinfo="skip"))
    top = max(1.0, float(np.nanmax([pct.max(), expected_pct.max(), 0.0])))
    ticks = np.arange(0, math.ceil(top * 4) / 4 + 1e-9, 0.25)
    fig.add_vline(x=1.0, line=dict(color=INK, width=1, dash="dot"))
    fig.update_xaxes(range=[0, top * 1.55], tickvals=ticks, tickformat=".0%",
                     title=TEXT["pct_of_target"], zeroline=True)
    fig.update_yaxes(categoryorder="array", categoryarray=list(frame["y"]), autorange="reversed",
                     automargin=True)
    fig.update_layout(barmode="overlay", bargap=0.35)
    return _style(fig, title=title, height=110 + 52 * len(frame))


def overall_gauge(progress_table: pd.DataFrame, *, as_of=None,
                  title: str = TEXT["overall_title"]) -> go.Figure:
    """One progress bar for the whole plan: the mean of each numeric indicator's % of target
    (capped at 100%), a black mark where it should be by now, and how many indicators are
    in each status."""
    from .progress import overall_expected, overall_progress, overall_status

    overall = overall_progress(progress_table)
    if math.isnan(overall):
        return empty_figure(title=title)
    expected = overall_expected(progress_table)
    state = overall_status(progress_table)
    counts = progress_table["status"].value_counts()
    count_line = " · ".join(
        TEXT["overall_counts"].format(count=int(counts[s]), status=labels.status_text(s))
        for s in labels.STATUS_COLORS if s in counts.index)
    n = int((pd.to_numeric(progress_table["target"], errors="coerce") > 0).sum())
    # Phone first (390 px): the figure and the status sit above the bar, not beside it, so
    # neither meets the pace mark nor pushes the bar off screen; text lines are short.
    fig = go.Figure(go.Indicator(
        mode="gauge", value=overall * 100, domain=dict(x=[0.0, 1.0], y=[0.0, GAUGE_BAND]),
        gauge=dict(shape="bullet",
                   axis=dict(range=[0, 100], ticksuffix="%", dtick=25),
                   bar=dict(color=labels.STATUS_COLORS[state], thickness=0.6),
                   bgcolor="#F4F4F4", borderwidth=0,
                   threshold=dict(value=expected * 100, thickness=0.9,
                                  line=dict(color=INK, width=4)))))
    fig.add_annotation(
        text=TEXT["overall_headline"].format(value=_pct(overall), status=labels.status_text(state),
                                             mean=TEXT["overall_mean"]),
        x=0, y=1, xref="paper", yref="paper", xanchor="left", yanchor="top", align="left",
        showarrow=False, font=dict(size=15))
    when = format_date(as_of) if as_of is not None else ""
    note = TEXT["overall_note"].format(n=n, expected=_pct(expected) + (f", {when}" if when else ""))
    lines = [*textwrap.wrap(note, PHONE_LINE), *_wrap_parts(count_line.split(" · "), PHONE_LINE)]
    return _style(fig, title=title, subtitle="<br>".join(lines), height=180 + 40 + 16 * len(lines),
                  legend=False, margin=dict(l=12, r=24, b=34, t=40 + 16 * len(lines)))


def _wrap_parts(parts: list[str], width: int, sep: str = " · ") -> list[str]:
    """Parts joined by `sep` into lines of at most `width` characters, never splitting a part."""
    lines: list[str] = []
    for part in parts:
        if lines and len(lines[-1]) + len(sep) + len(part) <= width:
            lines[-1] += sep + part
        else:
            lines.append(part)
    return lines


# --- Month by month -----------------------------------------------------------------------
def year_span(year: int) -> tuple[pd.Timestamp, pd.Timestamp]:
    """A time axis's range for a plan year: 1 January to the end of 31 December, so that a
    point on the year's last day (where Tháng 10–12 lands) is drawn."""
    return pd.Timestamp(year, 1, 1), pd.Timestamp(year + 1, 1, 1)


def burnup(cumulative: pd.DataFrame, pacing: pd.DataFrame, indicator_name: str,
           unit: str) -> go.Figure:
    """Cumulative actual at each month end against the expected-to-date line of the task's
    schedule and the year's target. Inputs: `progress.cumulative_by_month` and
    `progress.pacing_by_month` for one indicator."""
    actual = cumulative.dropna(subset=["actual"])
    pace = pacing.dropna(subset=["expected"])
    if actual.empty and pace.empty:
        return empty_figure(title=indicator_name)
    fig = go.Figure()
    origin = pd.Timestamp(int(pd.Timestamp((actual if len(actual) else pace)["month_end"].iloc[0]).year), 1, 1)
    if len(pace):
        fig.add_trace(go.Scatter(
            x=[origin, *pace["month_end"]], y=[0.0, *pace["expected"]], mode="lines",
            name=TEXT["burnup_pace"], line=dict(color=PACE, dash="dash", width=2),
            hovertemplate=TEXT["hover_date_pace"].format(unit=unit)))
        target = float(pace["target"].iloc[0])
        fig.add_hline(y=target, line=dict(color=INK, width=1, dash="dot"),
                      annotation=dict(text=TEXT["burnup_target"].format(target=_amount(target), unit=unit),
                                      xanchor="left", x=0, yanchor="bottom"))
    if len(actual):
        fig.add_trace(go.Scatter(
            x=[origin, *actual["month_end"]], y=[0.0, *actual["actual"]], mode="lines+markers",
            name=TEXT["burnup_actual"], line=dict(color=ACTUAL, width=3),
            marker=dict(size=7), hovertemplate=TEXT["hover_date_actual"].format(unit=unit)))
    start, end = year_span(origin.year)  # the whole year, even before its last report
    ends = pd.date_range(start, end, freq="ME", inclusive="left")
    fig.update_xaxes(range=[start - pd.Timedelta(days=3), end + pd.Timedelta(days=5)],
                     tickvals=list(ends), tickformat="%d/%m", title=TEXT["burnup_axis"].format(
                         year=origin.year))
    top = np.nanmax([pace["target"].max() if len(pace) else 0, actual["actual"].max() if len(actual) else 0, 1])
    fig.update_yaxes(title=unit, range=[0, top * 1.12], **_count_axis(top))
    return _style(fig, title=indicator_name, subtitle=TEXT["burnup_note"], height=380)


def monthly_bars(monthly: pd.DataFrame, indicator_name: str, unit: str,
                 place_name: str) -> go.Figure:
    """One district's results month by month (bars) and their running total (line), for the
    drill-down. Input: `progress.cumulative_by_month(..., district=..., indicator=...)`."""
    title = "<br>".join(textwrap.wrap(TEXT["monthly_title"].format(district=place_name, indicator=indicator_name),
                                      PHONE_TITLE))
    m = monthly.dropna(subset=["in_month"])
    if m.empty or not (m["in_month"] > 0).any():
        return empty_figure(TEXT["no_results"], title=title)
    fig = go.Figure()
    fig.add_trace(go.Bar(
        x=m["month_end"], y=m["in_month"], name=TEXT["monthly_in_month"],
        marker=dict(color=ACTUAL), xperiod="M1", xperiodalignment="middle",
        text=[_amount(v) if v > 0 else "" for v in m["in_month"]], textposition="outside",
        cliponaxis=False,
        hovertemplate=TEXT["hover_month"].format(unit=unit, what=TEXT["monthly_in_month"])))
    year = int(pd.Timestamp(m["month_end"].iloc[0]).year)
    start, end = year_span(year)
    # Steps on each month's last day (a period's results land when its last month ends),
    # from zero on 1 January; the last step, 31/12, lies inside the axis.
    fig.add_trace(go.Scatter(
        x=[start, *m["month_end"]], y=[0.0, *m["actual"]], name=TEXT["monthly_cumulative"],
        mode="lines+markers", line=dict(color="#E69F00", width=2, shape="hv"),
        cliponaxis=False,
        hovertemplate=TEXT["hover_day"].format(unit=unit, what=TEXT["monthly_cumulative"])))
    fig.update_xaxes(range=[start, end], dtick="M1", tickformat="%m/%Y", ticklabelmode="period")
    top = float(m["actual"].max())
    fig.update_yaxes(title=unit, range=[0, top * 1.15], **_count_axis(top))
    return _style(fig, title=title, subtitle=TEXT["burnup_note"], height=360)


# --- Districts ----------------------------------------------------------------------------
def _cell_label(basis: pd.Series, value: pd.Series, sep: str = " ") -> list[str]:
    """'80% phân bổ' or '25% tổng tỉnh': which figure a cell holds is always written."""
    return [TEXT["cell_no_data"] if pd.isna(v) and b == "share"
            else f"{_pct(v)}{sep}{labels.BASIS[b]}" for b, v in zip(basis, value)]


def _basis_cells(basis: pd.Series, value: pd.Series) -> list[str]:
    """'16,7%' (share of the province), '80%*' (of an allocated target): the words are said
    once, by `_basis_note`, not in every cell."""
    return [TEXT["cell_no_data"] if pd.isna(v) else _pct(v) + ("*" if b == "allocation" else "")
            for b, v in zip(basis, value)]


def _basis_note(basis: pd.Series, level: str) -> str:
    word = labels.level_word(level)
    return TEXT["heatmap_note"].format(level=word) + (
        " " + TEXT["heatmap_note_allocation"].format(level=word) if (basis == "allocation").any() else "")


def short_label(code: str, name: str, width: int = 11, lines: int = 3) -> str:
    """A column head for an indicator: its code, then its name in at most `lines` short
    lines, cut with '…' (the hover gives the whole name)."""
    words = textwrap.wrap(str(name), width)
    if len(words) > lines:
        words = words[:lines]
        words[-1] = words[-1].rstrip(",;:") + "…"
    return "<br>".join([f"<b>{code}</b>", *words])


def district_heatmap(table: pd.DataFrame, *, title: str = TEXT["heatmap_title"],
                     level: str = "district") -> go.Figure:
    """District x indicator, columns headed by short names. A cell without an allocated
    target shows the district's share of the provincial actual (blue scale); a cell with one
    shows the actual as % of it (green scale) and a '*'. What the numbers are is said once,
    under the title. Input: `progress.place_matrix`."""
    t = table
    if t.empty or (t["value"].isna().all() and t["allocated"].isna().all()):
        return empty_figure(title=title)
    rows = list(dict.fromkeys(t["short_name"]))
    heads = dict(zip(t["indicator_code"], t["indicator_name"]))
    cols = list(heads)
    t = t.assign(one=1.0, label=_basis_cells(t["basis"], t["value"]), hover=[
        (TEXT["hover_cell_allocation"] if b == "allocation" else
         TEXT["hover_cell_share"] if pd.notna(v) else TEXT["hover_cell_empty"]).format(
            district=d, code=c, name=_wrap(n, 50), actual=_amount(a), allocated=_amount(al),
            total=_amount(p), unit=u, pct=_pct(v))
        for d, c, n, a, al, p, u, v, b in zip(
            t["short_name"], t["indicator_code"], t["indicator_name"], t["actual"], t["allocated"],
            t["province_actual"], t["unit"], t["value"], t["basis"])])

    def grid(column, mask):
        g = t.assign(cell=t[column].where(mask)).pivot(index="short_name", columns="indicator_code",
                                                        values="cell")
        g = g.reindex(index=rows, columns=cols)
        return g if column in ("value", "one") else g.fillna("")

    allocation = t["basis"] == "allocation"
    fig = go.Figure()
    no_data = t["value"].isna()
    layers = [
        ("no_data", no_data, [[0, NO_DATA_FILL], [1, NO_DATA_FILL]], None),
        ("allocation", allocation & ~no_data, ALLOCATION_SCALE, TEXT["heatmap_colorbar_allocation"]),
        ("share", ~allocation & ~no_data, SHARE_SCALE, TEXT["heatmap_colorbar_share"]),
    ]
    bar_x = 1.01
    for name, mask, scale, bar_title in layers:
        if not mask.any():
            continue
        z = grid("one" if name == "no_data" else "value", mask).clip(upper=1.0)
        fig.add_trace(go.Heatmap(
            z=z.to_numpy(), x=cols, y=rows, name=labels.BASIS.get(name, name),
            text=grid("label", mask).to_numpy(), texttemplate="%{text}", textfont=dict(size=12),
            customdata=grid("hover", mask).to_numpy(),
            hovertemplate="%{customdata}<extra></extra>", colorscale=scale, zmin=0, zmax=1,
            xgap=3, ygap=3, showscale=bar_title is not None,
            colorbar=dict(title=dict(text=bar_title), tickformat=".0%", x=bar_x, len=0.9,
                          thickness=14) if bar_title else None))
        if bar_title:
            bar_x += 0.13
    fig.update_yaxes(autorange="reversed", automargin=True)
    fig.update_xaxes(side="top", automargin=True, tickmode="array", tickvals=cols,
                     ticktext=[short_label(c, heads[c]) for c in cols], tickfont=dict(size=11),
                     tickangle=0)
    note = "<br>".join(textwrap.wrap(_basis_note(t["basis"], level), PHONE_LINE))
    return _style(fig, title=title, subtitle=note, height=230 + 40 * len(rows),
                  legend=False, margin=dict(t=130 + 16 * (note.count("<br>") + 1)))


def tile_map(district_values: pd.DataFrame, title: str, *, value: str = "value",
             percent: bool | None = None, colorbar_title: str = "") -> go.Figure:
    """The district-level units as tiles at (tile_row, tile_col), coloured by `value`, with
    the short name and the value written on each tile. Input columns: short_name, tile_row,
    tile_col, `value`, and `basis` when `value` is the matrix's mixed 'value' column. With
    `percent=None`, values are percentages when a `basis` column is present."""
    t = district_values
    if t.empty or t[value].isna().all():
        return empty_figure(title=title)
    if percent is None:
        percent = "basis" in t.columns and value == "value"
    shown = [_pct(v) if percent else _amount(v) if pd.notna(v) else "—" for v in t[value]]
    note = TEXT["tile_note"]
    if "basis" in t.columns and value == "value":
        shown = _basis_cells(t["basis"], t[value])
        note += " " + _basis_note(t["basis"], "district")
    t = t.assign(text=[f"<b>{n}</b><br>{s}" for n, s in zip(t["short_name"], shown)],
                 z=t[value].astype(float))
    n_rows, n_cols = int(t["tile_row"].max()) + 1, int(t["tile_col"].max()) + 1
    full = pd.MultiIndex.from_product([range(n_rows), range(n_cols)], names=["tile_row", "tile_col"])
    cells = t.set_index(["tile_row", "tile_col"]).reindex(full)

    def grid(column):
        g = cells[column].unstack("tile_col")
        return (g if column == "z" else g.fillna("")).to_numpy()

    fig = go.Figure()
    present = cells["short_name"].notna()
    # Grey underlay: a district without a value still shows as a tile.
    fig.add_trace(go.Heatmap(
        z=present.where(present).astype(float).unstack("tile_col").to_numpy(),
        colorscale=[[0, NO_DATA_FILL], [1, NO_DATA_FILL]], showscale=False, xgap=6, ygap=6,
        hoverinfo="skip"))
    zmax = 1.0 if percent else max(float(t["z"].max()), 1.0)
    fig.add_trace(go.Heatmap(
        z=grid("z"), text=grid("text"), texttemplate="%{text}", textfont=dict(size=14),
        customdata=grid("text"), hovertemplate="%{customdata}<extra></extra>",
        colorscale=VALUE_SCALE, zmin=0, zmax=zmax, xgap=6, ygap=6,
        colorbar=dict(title=dict(text=colorbar_title), tickformat=".0%" if percent else ",~r",
                      thickness=14, len=0.8)))
    fig.update_xaxes(visible=False, constrain="domain")
    fig.update_yaxes(visible=False, autorange="reversed", scaleanchor="x", scaleratio=1,
                     constrain="domain")
    note = "<br>".join(textwrap.wrap(note, PHONE_LINE))
    return _style(fig, title=title, subtitle=note, height=160 + 110 * n_rows, legend=False,
                  margin=dict(t=60 + 16 * (note.count("<br>") + 1)))


def district_ranking(table: pd.DataFrame, *, by: str = "actual",
                     title: str | None = None) -> go.Figure:
    """Districts ranked for one indicator, highest on top: bars of the actual (`by='actual'`,
    with the allocated target marked where one exists) or of the matrix's % value
    (`by='value'`). Each bar says its number and its % with what it is a % of. Input: the
    rows of `progress.place_matrix` for one indicator."""
    t = table
    name = title if title is not None else (t["indicator_name"].iloc[0] if len(t) else None)
    if t.empty or (not (t["actual"] > 0).any() and t["allocated"].isna().all()):
        return empty_figure(title=name)
    unit = t["unit"].iloc[0]
    t = t.assign(label=_basis_cells(t["basis"], t["value"]))  # short: it fits at phone width
    t = t.sort_values([by, "actual"], ascending=False, kind="stable", na_position="last")
    x = t[by].fillna(0.0)
    text = [f"{_amount(a)} {unit} · {lab}" for a, lab in zip(t["actual"], t["label"])]
    fig = go.Figure(go.Bar(
        x=x, y=t["short_name"], orientation="h", marker=dict(color=ACTUAL), text=text,
        textposition="outside", cliponaxis=False, name=labels.BASIS["share"],
        hovertemplate="%{y}: %{text}<extra></extra>", showlegend=False))
    top = float(x.max())
    if by == "actual" and t["allocated"].notna().any():
        a = t[t["allocated"].notna()]
        fig.add_trace(go.Scatter(
            x=a["allocated"], y=a["short_name"], mode="markers", name=TEXT["ranking_allocation"],
            marker=dict(symbol="line-ns-open", size=24, color=INK, line=dict(width=3, color=INK)),
            hovertemplate="%{y}: " + TEXT["ranking_allocation"].lower() + " %{x:,~r} " + unit
                          + "<extra></extra>"))
        top = max(top, float(a["allocated"].max()))
    fig.update_yaxes(categoryorder="array", categoryarray=list(t["short_name"]),
                     autorange="reversed", automargin=True)
    axis = (dict(title="<br>".join(textwrap.wrap(TEXT["ranking_axis_actual"].format(unit=unit) + " · "
                                                 + _basis_note(t["basis"], "district"), PHONE_LINE)),
                 title_font=dict(size=12), **_count_axis(top))
            if by == "actual" else dict(title=TEXT["ranking_axis_value"], tickformat=".0%"))
    fig.update_xaxes(range=[0, max(top, 1e-9) * 1.6], **axis)
    return _style(fig, title=name, height=150 + 40 * len(t), margin=dict(b=100))


TILE_MAP_MAX_PLACES = 15  # beyond this, tiles get too small to read a name and a number
ROW_HEIGHT = 22  # px per place in a ranked chart: 130 places make a chart of ~3.100 px
LONG_LIST = 25   # a ranked chart longer than this names its median at the bottom too


def mappable(matrix: pd.DataFrame) -> tuple[list[str], list[str]]:
    """The indicators of a `progress.place_matrix` a map can draw (some place has a result or
    an allocated target), and those it cannot (only provincial agencies report them, or
    nothing is reported yet), each in plan order."""
    places = matrix[matrix["place_code"].notna()] if "place_code" in matrix.columns else matrix
    has = (places["actual"].fillna(0) > 0) | places["allocated"].notna()
    drawn = set(places.loc[has, "indicator_code"])
    codes = list(dict.fromkeys(matrix["indicator_code"]))
    return [c for c in codes if c in drawn], [c for c in codes if c not in drawn]


def uses_tile_map(places: pd.DataFrame) -> bool:
    """The rule for a plan's places: the tile map when they are few and each has tile
    coordinates (the curated Bắc Kạn 2017 districts), the ranked chart otherwise."""
    if places.empty or not {"tile_row", "tile_col"} <= set(places.columns):
        return False
    tiles = places[["tile_row", "tile_col"]]
    return len(places) <= TILE_MAP_MAX_PLACES and bool(tiles.notna().all(axis=None))


def _place_text(r, percent: bool, unit: str | None) -> str:
    """What a place's bar says: '6/10 lớp · 60% · ● Đúng tiến độ', '12 lớp', or for
    ratios (`unit=None`) '60% · ▲ Chậm'."""
    if not percent:
        return f"{_amount(r.actual)} {unit or ''}".strip()
    if pd.isna(r.status):
        return (f"{_amount(r.actual)} {unit} · " if unit else "") + TEXT["places_no_target"]
    amounts = f"{_amount(r.actual)}/{_amount(r.target)} {unit} · " if unit else ""
    return f"{amounts}{_pct(r.value)} · {labels.status_text(r.status)}"


def _place_hover(r, n: int, unit: str | None) -> str:
    amount = _pct if unit is None else _amount
    rank = "–" if pd.isna(r.rank) else r.rank
    lines = [f"<b>{r.place_name}</b>", TEXT["hover_place_rank"].format(rank=rank, n=n),
             TEXT["hover_actual"].format(actual=amount(r.actual), unit=unit or "")]
    if unit is not None and pd.notna(r.target):
        lines.append(TEXT["hover_target"].format(target=_amount(r.target), unit=unit))
    if pd.notna(r.expected):
        lines.append(TEXT["hover_expected"].format(expected=amount(round(r.expected, 3)), unit=unit or ""))
    if pd.notna(r.status):
        lines.append(TEXT["hover_status"].format(status=labels.status_text(r.status)))
    return "<br>".join(line.rstrip() for line in lines)


def place_ranking(places: pd.DataFrame, *, level: str, title: str, unit: str | None = None,
                  as_of=None, limit: int | None = None, lowest: bool = False) -> go.Figure:
    """Places ranked best on top, for one indicator or for overall progress: one horizontal
    bar per place, coloured and labelled by status where places have targets of their own
    (a black tick where each should be by now), the median of all places as a dashed line.
    Reads at 130 places: one row each, the full name with its rank, the height grows with
    the rows. `limit` keeps the `limit` best (or with `lowest`, the worst) places; the
    median stays that of all. `level` ('district'/'commune') gives the words. Input: a
    frame for `progress.rank_places`; `unit=None` when actual and target are ratios
    (`progress.overall_by_place`)."""
    if places.empty:
        return empty_figure(title=title)
    ranked = progress.rank_places(places)
    percent = bool((ranked["target"] > 0).any())
    if not percent and not (ranked["actual"] > 0).any():
        return empty_figure(TEXT["no_results"], title=title)
    n, word = len(ranked), labels.level_word(level)
    median = float(ranked["value"].median())
    shown = ranked
    if limit is not None and limit < n:
        scored = ranked[ranked["value"].notna()]
        shown = scored.tail(limit) if lowest else ranked.head(limit)
    shown = shown.assign(
        y=shown["place_code"].astype(str),
        text=[_place_text(r, percent, unit) for r in shown.itertuples()],
        tick=[TEXT["places_rank"].format(rank=r, name=name) if pd.notna(r) else name
              for r, name in zip(shown["rank"], shown["place_name"])])
    show_value = _pct if percent else _amount
    shown["hover"] = [_place_hover(r, n, unit) for r in shown.itertuples()]

    fig = go.Figure()
    groups = ([(s, labels.status_text(s), labels.STATUS_COLORS[s]) for s in labels.STATUS_COLORS]
              if percent else [])
    groups.append((None, TEXT["places_no_target"] if percent else TEXT["places_legend_actual"],
                   NO_DATA_FILL if percent else ACTUAL))
    for state, name, color in groups:
        rows = shown[shown["status"].isna()] if state is None else shown[shown["status"] == state]
        if rows.empty or (state is None and percent and rows["value"].isna().all()):
            continue
        fig.add_trace(go.Bar(
            x=rows["value"].fillna(0.0), y=rows["y"], orientation="h", name=name,
            marker=dict(color=color), customdata=rows["hover"], showlegend=percent,
            hovertemplate="%{customdata}<extra></extra>"))
    pace = shown[shown["expected_value"].notna()]
    if percent and len(pace):
        when = format_date(as_of) if as_of is not None else None
        fig.add_trace(go.Scatter(
            x=pace["expected_value"], y=pace["y"], mode="markers",
            name=TEXT["expected_marker_on"].format(date=when) if when else TEXT["expected_marker"],
            marker=dict(symbol="line-ns-open", size=16, color=INK, line=dict(width=2, color=INK)),
            customdata=pace["hover"], hovertemplate="%{customdata}<extra></extra>"))
    ends = np.fmax(shown["value"].fillna(0.0), shown["expected_value"].fillna(0.0))
    fig.add_trace(go.Scatter(
        x=ends, y=shown["y"], mode="text", text="\u2002" + shown["text"],
        textposition="middle right", textfont=dict(size=12), cliponaxis=False,
        showlegend=False, name="", hoverinfo="skip"))

    median_text = TEXT["places_median"].format(median=show_value(median))
    fig.add_vline(x=median, line=dict(color=INK, width=2, dash="dash"))
    # The median is named above the first bar and, in a long list, again below the last,
    # in a spare row, so a reader scrolled down still knows what the line is.
    tall = len(shown) > LONG_LIST
    for y, anchor in ((1.0, "bottom"), (0.0, "bottom")) if tall else ((1.0, "bottom"),):
        fig.add_annotation(x=median, xref="x", y=y, yref="paper", yanchor=anchor, showarrow=False,
                           text=median_text, font=dict(size=12), bgcolor="rgba(255,255,255,0.9)")
    top = float(np.nanmax([ends.max(), median, 1.0 if percent else 0.0]))
    if percent:
        fig.add_vline(x=1.0, line=dict(color=INK, width=1, dash="dot"))
        fig.update_xaxes(range=[0, top * 1.55], tickformat=".0%", title=TEXT["places_axis_pct"])
    else:
        fig.update_xaxes(range=[0, max(top, 1e-9) * 1.45], title=TEXT["places_axis_actual"].format(
            unit=unit or ""), **_count_axis(top))
    # Codes on the axis, names as labels: two places may share a name; every label shown.
    # A fixed range: plotly's autorange pads a long category axis with empty rows.
    fig.update_yaxes(categoryorder="array", categoryarray=list(shown["y"]),
                     range=[len(shown) - 0.5 + (1.2 if tall else 0), -0.5],
                     tickmode="array", tickvals=list(shown["y"]), ticktext=list(shown["tick"]),
                     ticklabelstandoff=6, automargin=True)
    fig.update_layout(barmode="overlay", bargap=0.3)

    which = (TEXT["places_last" if lowest else "places_first"].format(shown=len(shown), level=word, n=n)
             if len(shown) < n else TEXT["places_count"].format(n=n, level=word))
    counts = shown["status"].value_counts() if len(shown) == n else ranked["status"].value_counts()
    parts = [which, median_text] + [
        TEXT["overall_counts"].format(count=int(counts[s]), status=labels.status_text(s))
        for s in labels.STATUS_COLORS if s in counts.index]
    subtitle = " · ".join(parts) + " (" + TEXT["places_median_note"] + (
        "; " + TEXT["places_pace_note"].format(date=format_date(as_of))
        if percent and len(pace) and as_of is not None else "") + ")"
    height = 190 + ROW_HEIGHT * (len(shown) + (1 if tall else 0))
    fig = _style(fig, title=title, subtitle=subtitle, height=height, legend=False,
                 margin=dict(t=150 if percent else 110, b=60))
    # The legend sits under the subtitle at a fixed distance in pixels, however tall the chart.
    fig.update_layout(showlegend=percent, legend=dict(
        orientation="h", yref="container", y=1 - 78 / height, yanchor="top", x=0, xanchor="left"))
    return fig


# --- Reporting completeness -------------------------------------------------------------
def completeness_bars(rates: pd.DataFrame, *, title: str | None = None) -> go.Figure:
    """Per unit, how many expected reports came on time, late, or not at all (stacked; the
    missing part hatched as well as coloured), units with most missing on top. The title
    gives the overall rates. Input: `completeness.rates`."""
    units = rates[~rates["is_total"]]
    total = rates[rates["is_total"]]
    expected = int(total["expected"].iloc[0]) if len(total) else int(units["expected"].sum())
    if units.empty or expected == 0:
        return empty_figure(TEXT["nothing_due"], title=title)
    if title is None:
        row = total.iloc[0]
        title = TEXT["completeness_title"].format(rate=_pct(row["rate"]),
                                                  on_time=_pct(row["on_time_rate"]),
                                                  expected=_num(row["expected"]))
    units = units.assign(order=np.arange(len(units))).sort_values(
        ["missing", "late", "order"], ascending=[False, False, True], kind="stable")
    periods = {"on_time": None, "late": "late_periods", "missing": "missing_periods"}
    patterns = {"on_time": "", "late": ".", "missing": "/"}
    fig = go.Figure()
    for status, color in labels.REPORT_STATUS_COLORS.items():
        listed = (units[periods[status]].map(lambda p: f" ({p})" if p else "")
                  if periods[status] else pd.Series("", index=units.index))
        fig.add_trace(go.Bar(
            x=units[status], y=units["unit_short_name"], orientation="h",
            name=labels.report_status_text(status),
            marker=dict(color=color, pattern=dict(shape=patterns[status], fgcolor="#FFFFFF",
                                                  size=12, solidity=0.12)),
            text=[_num(v) if v else "" for v in units[status]], textposition="inside",
            insidetextanchor="middle", textangle=0, constraintext="none",
            textfont=dict(size=14, weight="bold", color="#FFFFFF" if status != "late" else INK),
            customdata=np.column_stack([units["unit_name"], listed]),
            hovertemplate="%{customdata[0]}<br>" + labels.report_status_text(status)
                          + ": %{x}%{customdata[1]}<extra></extra>"))
    fig.update_layout(barmode="stack", bargap=0.25)
    fig.update_yaxes(categoryorder="array", categoryarray=list(units["unit_short_name"]),
                     autorange="reversed", automargin=True)
    fig.update_xaxes(title=TEXT["completeness_axis"], dtick=1, tickformat=",d",
                     range=[0, float(units["expected"].max())])
    return _style(fig, title=title, height=120 + 26 * len(units))
