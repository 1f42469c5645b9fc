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

from . import labels
from .vntext import format_date, format_number, format_percent

SEPARATORS = ",."  # decimal comma, thousands dot
FONT = "Arial, 'Segoe UI', Roboto, 'Noto Sans', 'DejaVu Sans', sans-serif"
INK = "#222222"        # text and reference lines
ACTUAL = "#0072B2"     # Okabe–Ito blue: actual results
PACE = "#555555"       # the expected-to-date line
NO_DATA_FILL = "#EEEEEE"
ALLOCATION_SCALE = [[0.0, "#F2FAF6"], [1.0, "#009E73"]]  # % of an allocated target
SHARE_SCALE = [[0.0, "#F3F8FC"], [1.0, "#0072B2"]]       # share of the provincial actual
VALUE_SCALE = [[0.0, "#F3F8FC"], [1.0, "#0072B2"]]

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
    "heatmap_title": "Kết quả theo huyện",
    "heatmap_note": ("Ô có chỉ tiêu phân bổ: % chỉ tiêu phân bổ cho huyện. "
                     "Ô không có phân bổ: tỷ trọng của huyện trong tổng kết quả toàn tỉnh."),
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
        margin=dict(l=10, r=10, t=(52 if title else 20) + (22 if subtitle else 0)
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
    """1.234 for whole numbers, 7,4 otherwise."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return ""
    return format_number(x, 0 if float(x).is_integer() else 1)


def _count_axis(top: float) -> dict:
    """Axis settings for counts: whole-number ticks when the numbers are small."""
    return dict(tickformat=",~r", dtick=1 if top <= 8 else None, rangemode="tozero")


def _pct(ratio, decimals: int = 0) -> str:
    return format_percent(ratio, decimals) if pd.notna(ratio) else "—"


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
    bar_text = [
        TEXT["numeric_bar"].format(actual=_amount(a), target=_amount(g), unit=u, pct=_pct(p),
                                   status=s) if n
        else TEXT["qualitative_bar"].format(status=s, actual=_amount(a))
        for a, g, u, p, s, n in zip(t["actual"], target, t["unit"], pct, status_words, numeric)]
    hover = [
        "<br>".join([f"<b>{code}</b> {_wrap(name, 50)}",
                     TEXT["hover_actual"].format(actual=_amount(a), unit=u)]
                    + ([TEXT["hover_target"].format(target=_amount(g), unit=u),
                        TEXT["hover_expected"].format(expected=_amount(round(x, 1)), unit=u)]
                       if n else [])
                    + [TEXT["hover_status"].format(status=s)])
        for code, name, a, g, x, u, s, n in zip(t["code"], t["name"], t["actual"], target,
                                                t["expected"], t["unit"], status_words, numeric)]
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
    from .progress import overall_expected, overall_progress, status

    overall = overall_progress(progress_table)
    if math.isnan(overall):
        return empty_figure(title=title)
    expected = overall_expected(progress_table)
    state = status(overall, 1.0, expected, expected > 0 or overall > 0)
    counts = progress_table["status"].value_counts()
    count_line = " · ".join(
        TEXT["overall_counts"].format(count=int(counts[s]), status=labels.status_text(s))
        for s in labels.STATUS_COLORS if s in counts.index)
    n = int((pd.to_numeric(progress_table["target"], errors="coerce") > 0).sum())
    fig = go.Figure(go.Indicator(
        mode="number+gauge", value=overall * 100,
        number=dict(suffix="%", valueformat=",.0f", font=dict(size=34)),
        title=dict(text=f"<b>{labels.status_text(state)}</b><br>"
                        f"<span style='font-size:12px'>{TEXT['overall_mean']}</span>",
                   font=dict(size=15)),
        domain=dict(x=[0.22, 1.0], y=[0.0, 1.0]),
        gauge=dict(shape="bullet",
                   axis=dict(range=[0, 100], ticksuffix="%", dtick=25),
                   bar=dict(color=labels.STATUS_COLORS[state], thickness=0.6),
                   bgcolor="#F4F4F4", borderwidth=0,
                   threshold=dict(value=expected * 100, thickness=0.9,
                                  line=dict(color=INK, width=4)))))
    when = format_date(as_of) if as_of is not None else ""
    note = TEXT["overall_note"].format(n=n, expected=_pct(expected) + (f", {when}" if when else ""))
    return _style(fig, title=title, subtitle=f"{note}<br>{count_line}", height=200,
                  legend=False, margin=dict(l=20, r=30, b=30, t=100))


# --- Month by month -----------------------------------------------------------------------
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
    ends = (pace if len(pace) else actual)["month_end"]
    fig.update_xaxes(range=[origin - pd.Timedelta(days=3), ends.max() + pd.Timedelta(days=6)],
                     tickvals=list(ends), tickformat="%d/%m", title=TEXT["burnup_axis"].format(
                         year=origin.year))
    top = np.nanmax([pace["target"].max() if len(pace) else 0, actual["actual"].max() if len(actual) else 0, 1])
    fig.update_yaxes(title=unit, range=[0, top * 1.12], **_count_axis(top))
    return _style(fig, title=indicator_name, subtitle=TEXT["burnup_note"], height=380)


def monthly_bars(monthly: pd.DataFrame, indicator_name: str, unit: str,
                 district_name: str) -> go.Figure:
    """One district's results month by month (bars) and their running total (line), for the
    drill-down. Input: `progress.cumulative_by_month(..., district=..., indicator=...)`."""
    title = TEXT["monthly_title"].format(district=district_name, indicator=indicator_name)
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
    fig.add_trace(go.Scatter(
        x=m["month_end"], y=m["actual"], name=TEXT["monthly_cumulative"], mode="lines+markers",
        # Steps at month ends: a period's results land when its last month ends.
        xperiod="M1", xperiodalignment="end", line=dict(color="#E69F00", width=2, shape="hv"),
        hovertemplate=TEXT["hover_month"].format(unit=unit, what=TEXT["monthly_cumulative"])))
    year = int(pd.Timestamp(m["month_end"].iloc[0]).year)
    fig.update_xaxes(range=[pd.Timestamp(year, 1, 1), pd.Timestamp(year, 12, 31)],
                     dtick="M1", tickformat="%m/%Y", ticklabelmode="period")
    top = float(m["actual"].max())
    fig.update_yaxes(title=unit, range=[0, top * 1.15], **_count_axis(top))
    return _style(fig, title=title, subtitle=TEXT["burnup_note"], height=360)


# --- Districts ----------------------------------------------------------------------------
def _cell_label(basis: pd.Series, value: pd.Series, sep: str = " ") -> list[str]:
    """'80% phân bổ' or '25% tổng tỉnh': which figure a cell holds is always written."""
    return [TEXT["cell_no_data"] if pd.isna(v) and b == "share"
            else f"{_pct(v)}{sep}{labels.BASIS[b]}" for b, v in zip(basis, value)]


def district_heatmap(table: pd.DataFrame, *, title: str = TEXT["heatmap_title"]) -> go.Figure:
    """District x indicator. A cell with an allocated target shows the actual as % of it
    (green scale); a cell without shows the district's share of the provincial actual (blue
    scale); each cell says which. Input: `progress.district_matrix`."""
    t = table
    if t.empty or (t["value"].isna().all() and t["allocated"].isna().all()):
        return empty_figure(title=title)
    rows = list(dict.fromkeys(t["short_name"]))
    cols = list(dict.fromkeys(t["indicator_code"]))
    t = t.assign(one=1.0, label=_cell_label(t["basis"], t["value"], sep="<br>"), hover=[
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
    fig.update_xaxes(side="top", automargin=True)
    return _style(fig, title=title, subtitle=TEXT["heatmap_note"], height=140 + 46 * len(rows),
                  legend=False, margin=dict(t=130))


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
    if "basis" in t.columns and value == "value":
        shown = _cell_label(t["basis"], t[value])
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
    return _style(fig, title=title, subtitle=TEXT["tile_note"], height=140 + 110 * n_rows,
                  legend=False)


def district_ranking(table: pd.DataFrame, *, by: str = "actual",
                     title: str | None = None) -> go.Figure:
    """Districts ranked for one indicator, highest on top: bars of the actual (`by='actual'`,
    with the allocated target marked where one exists) or of the matrix's % value
    (`by='value'`). Each bar says its number and its % with what it is a % of. Input: the
    rows of `progress.district_matrix` for one indicator."""
    t = table
    name = title or (t["indicator_name"].iloc[0] if len(t) else None)
    if t.empty or (not (t["actual"] > 0).any() and t["allocated"].isna().all()):
        return empty_figure(title=name)
    unit = t["unit"].iloc[0]
    t = t.assign(label=_cell_label(t["basis"], t["value"]))
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
    axis = (dict(title=TEXT["ranking_axis_actual"].format(unit=unit), **_count_axis(top))
            if by == "actual" else dict(title=TEXT["ranking_axis_value"], tickformat=".0%"))
    fig.update_xaxes(range=[0, max(top, 1e-9) * 1.6], **axis)
    return _style(fig, title=name, height=110 + 40 * len(t))


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
