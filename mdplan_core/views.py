"""Tables shaped for reading: Vietnamese headers and labels, computed from the core's frames."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass

import pandas as pd

from . import counting, labels
from .accounts import ROLE_LABELS
from .progress import STATUS_BEHIND, STATUS_QUALITATIVE, ended_by, rank_places
from .report import Period
from .settings import LOCAL_TZ
from .vntext import format_date, format_datetime, format_number, format_percent, match_key

# Every ASCII character with a meaning in Streamlit's Markdown (CommonMark, GFM, math, directives).
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:&])")


# A bare address becomes a link even when escaped; an invisible word joiner before it stops that.
_BARE_ADDRESS = re.compile(r"(?i)\b(?=https?://|ftp://|www\.)")
WORD_JOINER = "\u2060"


def plain(text) -> str:
    """`text` as Markdown that shows it as typed. Streamlit renders Markdown in st.markdown,
    st.toast, st.success/st.error and st.table cells; a file name or a cell an officer typed,
    such as `![x](http://host/x.png)`, must become neither an image the browser fetches nor a
    link."""
    return _MARKDOWN.sub(r"\\\1", _BARE_ADDRESS.sub(WORD_JOINER, str(text)))


def _task_label(number: int) -> str:
    return f"NV{number}"


def plan_tasks(plan) -> pd.DataFrame:
    t = plan.tasks
    return pd.DataFrame({
        "Nhiệm vụ": t["number"].map(_task_label),
        "Nội dung": t["title"],
        "Cơ quan chủ trì": t["lead_name"],
        "Cơ quan phối hợp": t["cooperating_names"],
        "Tiến độ (như văn bản)": t["schedule_text"],
        "Tiến độ áp dụng": [f"{format_date(s)} – {format_date(e)}"
                            for s, e in zip(t["start"].dt.date, t["end"].dt.date)],
    })


def plan_indicators(plan) -> pd.DataFrame:
    i = plan.indicators
    out = pd.DataFrame({
        "Mã": i["code"],
        "Nhiệm vụ": i["task"].map(_task_label),
        "Chỉ tiêu": i["name"],
        "Chỉ tiêu năm": [counting.show(row, row["target"]) or "—" for _, row in i.iterrows()],
        "Đơn vị tính": i["unit"],
        "Cách tính": counting.labels(i),
        "Nguyên văn": i["text"],
    })
    sources = {ind.code: ind.source for ind in plan.spec.indicators}
    if any(sources.values()):
        out["Nguồn"] = [", ".join(sources[code]) for code in i["code"]]
    return out


def plans_table(plans) -> pd.DataFrame:
    """Every plan an installation knows, for the admin page."""
    rows = list(plans)
    return pd.DataFrame({
        "Mã kế hoạch": [p.id for p in rows],
        "Tỉnh, thành phố": [p.province for p in rows],
        "Giai đoạn": [p.period_label for p in rows],
        "Văn bản": [p.document for p in rows],
        "Báo cáo theo": [labels.level_word(p.reporting_level) for p in rows],
        "Số đơn vị báo cáo": [len(p.units) for p in rows],
    })


@dataclass(frozen=True)
class IndicatorCard:
    headline: str       # "4.541 / 5.300 người", "12,7% / 100% xã, phường"
    share: float | None  # of the target, 0..1, for a progress bar (None: no target)
    caption: str


def indicator_card(row: pd.Series) -> IndicatorCard:
    """One indicator of `progress.by_indicator` as the overview shows it, numbers written
    as its way of counting reads them (counts 1.234, percentages 12,7%)."""
    word = labels.status_text(row["status"])
    unit = str(row["unit"])
    if row["status"] == STATUS_QUALITATIVE:
        return IndicatorCard(f"{counting.show(row, row['actual'])} {unit}", None, f"{word} · không có chỉ tiêu số")
    if counting.way(row).is_percent:
        unit = unit.removeprefix("%").strip()  # the figures carry their own %
    headline = f"{counting.show(row, row['actual'])} / {counting.show(row, row['target'])} {unit}".strip()
    caption = (f"{word} · đạt {format_percent(row['pct_target'])} chỉ tiêu năm · "
               f"cần đạt đến nay: {counting.show(row, row['expected'])}")
    return IndicatorCard(headline, min(float(row["pct_target"]), 1.0), caption)


def plan_sources(plan) -> pd.DataFrame:
    """The public texts a plan file's facts were read from."""
    return pd.DataFrame({"Mã nguồn": [s.id for s in plan.spec.sources],
                         "Nội dung lấy từ nguồn": [s.what for s in plan.spec.sources],
                         "Địa chỉ": [s.url for s in plan.spec.sources]})


def responsibility_matrix(plan) -> pd.DataFrame:
    """Agency x task, with Vietnamese role names and agency names as the index."""
    m = plan.responsibility
    names = plan.agencies.set_index("id")["name"]
    out = m.replace(labels.ROLES)
    out.index = out.index.map(names).rename("Cơ quan")
    out.columns = [_task_label(c) for c in out.columns]
    return out


def plan_duties(plan) -> pd.DataFrame:
    d = plan.duties
    return pd.DataFrame({
        "Mục": d["clause"],
        "Cơ quan": d["agency_names"],
        "Nhiệm vụ được giao": d["text"],
    })


def _local(ts: pd.Series) -> pd.Series:
    return pd.to_datetime(ts, utc=True).dt.tz_convert(LOCAL_TZ)


def submissions_table(plan, history: pd.DataFrame, names: dict[str, str] | None = None) -> pd.DataFrame:
    """Submissions with their versions, newest first, for people to read; `names` gives the
    display name of each uploader (`accounts.display_names`)."""
    h = history.sort_values("uploaded_at", ascending=False)
    units = plan.reporting_units.set_index("code")["name"]
    periods = [Period(y, a, b).label for y, a, b in zip(h["year"], h["start_month"], h["end_month"])]
    return pd.DataFrame({
        "Mã": h["submission_id"],
        "Đơn vị": h["unit_code"].map(units),
        "Kỳ báo cáo": periods,
        "Lần nộp": h["version"],
        "Trạng thái": h["status"].map(labels.SUBMISSION_STATUS),
        "Người nộp": h["uploaded_by"].map(lambda u: (names or {}).get(u, u)),
        "Thời gian nộp": _local(h["uploaded_at"]).map(format_datetime),
        "Tệp": h["filename"],
    })


def communes_reached(plan, communes: pd.DataFrame, as_of, district: str | None = None) -> pd.DataFrame:
    """The communes named for each distinct-communes indicator by `as_of`, once each, with
    the first period that named them."""
    named = ended_by(communes, plan.year, as_of)
    ref = plan.communes.set_index("code")
    named = named.assign(place_code=named["commune_code"].map(ref["place_code"]))
    if district is not None:
        named = named[named["place_code"] == district]
    first = (named.sort_values(["start_month", "end_month"])
             .drop_duplicates(["indicator_code", "commune_code"]))
    names = plan.indicators.set_index("code")["name"]
    periods = [Period(plan.year, a, b).label for a, b in zip(first["start_month"], first["end_month"])]
    return pd.DataFrame({
        "Chỉ tiêu": first["indicator_code"] + " · " + first["indicator_code"].map(names),
        "Xã, phường, thị trấn": (first["commune_code"].map(ref["type"]).str.capitalize() + " "
                                 + first["commune_code"].map(ref["name"])),
        "Kỳ báo cáo đầu tiên": periods,
    }).reset_index(drop=True)


def _shown(values, show) -> list[str]:
    return [show(v) if pd.notna(v) else "" for v in values]


def places_table(places: pd.DataFrame, *, level: str, unit: str | None = None, query: str = "",
                 behind_only: bool = False) -> pd.DataFrame:
    """Places ranked as `charts.place_ranking` ranks them, for st.dataframe: rank, name, code
    and their numbers, written the Vietnamese way. `query` keeps the places whose name or
    code holds it, ignoring case and diacritics ('hoan kiem' finds 'Phường Hoàn Kiếm');
    `behind_only` keeps those behind pace. Input: as `progress.rank_places`; `unit=None`
    when actual and target are ratios (`progress.overall_by_place`)."""
    r = rank_places(places)
    percent = bool((r["target"] > 0).any())
    status = [labels.status_text(s) if pd.notna(s) else ("Chưa có chỉ tiêu phân bổ" if percent else "")
              for s in r["status"]]
    amount = lambda x: format_number(x, 0 if float(x).is_integer() else 1)  # noqa: E731
    pct = lambda x: format_percent(x, 1)  # noqa: E731
    out = pd.DataFrame({"Hạng": r["rank"], labels.level_word(level, heading=True): r["place_name"],
                        "Mã": r["place_code"]})
    if unit is None:
        out["Tiến độ chung"] = _shown(r["actual"], pct)
        out["Cần đạt đến nay"] = _shown(r["expected"], pct)
    else:
        out[f"Thực hiện ({unit})"] = _shown(r["actual"], amount)
        if percent:
            out[f"Chỉ tiêu phân bổ ({unit})"] = _shown(r["target"], amount)
            out["% chỉ tiêu"] = _shown(r["value"], pct)
            out[f"Cần đạt đến nay ({unit})"] = _shown(r["expected"], amount)
    if percent:
        out["Trạng thái"] = status
    keep = pd.Series(True, index=r.index)
    if key := match_key(query):
        keep &= pd.Series([key in match_key(n) or key in match_key(c)
                           for n, c in zip(r["place_name"], r["place_code"])], index=r.index)
    if behind_only:
        keep &= r["status"] == STATUS_BEHIND
    return out[keep].reset_index(drop=True)


def report_status_table(status: pd.DataFrame) -> pd.DataFrame:
    """`completeness.report_status` for people to read."""
    arrived = status["arrived"]
    return pd.DataFrame({
        "Đơn vị": status["unit_name"],
        "Kỳ": status["period"] + " (" + status["months_label"].str.lower() + ")",
        "Hạn nộp": status["due"].map(format_date),
        "Tình trạng": status["status"].map(labels.report_status_text),
        "Ngày nhận": [format_date(x) if pd.notna(x) else "" for x in arrived],
        "Số ngày quá hạn": [format_number(n) if n > 0 else "" for n in status["days_late"]],
    })


def findings_table(findings) -> pd.DataFrame:
    """Findings as an officer reads them: severity, sheet, cell, message. Codes are for the
    CSV/JSON outputs, not the screen. Sheet names and messages quote the workbook, so they
    are `plain` for st.table's Markdown."""
    return pd.DataFrame({
        "Mức độ": [labels.FINDING_SEVERITY[f.is_error] for f in findings],
        "Trang tính": [plain(f.sheet or "") for f in findings],
        "Ô": [f.cell or "" for f in findings],
        "Nội dung": [plain(f.message) for f in findings],
    })


CHANGE_FIELDS = {"value": "Kết quả trong kỳ", "communes": "Xã, phường, thị trấn",
                 "text": "Nội dung chuyên trang, chuyên mục", "note": "Ghi chú",
                 "reporter": "Người báo cáo", "phone": "Số điện thoại", "report_date": "Ngày báo cáo"}


def changes_table(plan, against) -> pd.DataFrame:
    """`intake.against_in_force` for people to read: one row per value the file changes,
    the version in force beside the file's."""
    names = plan.indicators.set_index("code")["name"]
    communes = plan.communes.set_index("code")["name"]

    def shown(what, x) -> str:
        if x is None or x == []:
            return "(để trống)"
        if what == "value":
            return format_number(x, 0 if float(x).is_integer() else 2)
        if what == "communes":
            return "; ".join(communes.get(c, c) for c in x)
        if what == "report_date":
            return format_date(x)
        return str(x)

    return pd.DataFrame({
        "Chỉ tiêu": [f"{c.code} · {names.get(c.code, '')}" if c.code else "Thông tin chung"
                     for c in against.changes],
        "Mục": [CHANGE_FIELDS[c.what] for c in against.changes],
        f"Đang có hiệu lực (lần nộp thứ {against.version})": [plain(shown(c.what, c.old)) for c in against.changes],
        "Trong tệp mới": [plain(shown(c.what, c.new)) for c in against.changes],
    })


def report_preview(plan, report) -> pd.DataFrame:
    """What will be stored from a report: one row per indicator of the plan."""
    communes = plan.communes.set_index("code")["name"]
    rows = []
    for ind in plan.indicators.itertuples():
        v = report.value(ind.code)
        rows.append({
            "Mã": ind.code,
            "Chỉ tiêu": ind.name,
            "Kết quả trong kỳ": "" if v is None or v.value is None else format_number(v.value),
            "Đơn vị tính": ind.unit,
            "Xã, phường, thị trấn": "; ".join(communes.get(c, c) for c in v.communes) if v else "",
            "Nội dung / ghi chú": "; ".join(x for x in (v.text, v.note) if x) if v else "",
        })
    return pd.DataFrame(rows)


def users_table(plan, users: pd.DataFrame) -> pd.DataFrame:
    units = plan.reporting_units.set_index("code")["name"]
    return pd.DataFrame({
        "Tên đăng nhập": users["username"],
        "Họ tên": users["display_name"],
        "Vai trò": users["role"].map(ROLE_LABELS),
        "Đơn vị": users["unit_code"].map(units).fillna(""),
        "Hoạt động": users["active"].map({True: "Có", False: "Đã khóa"}),
        "Đăng nhập sai liên tiếp": users["failed_logins"],
        "Tạm khóa đến": _local(users["locked_until"]).map(
            lambda t: format_datetime(t) if pd.notna(t) else ""),
    })


ROLLBACK_COLUMNS = {"now": "Đang có hiệu lực (lần nộp {version})", "after": "Sau khi khôi phục (lần nộp {version})"}


def _reported(values: pd.DataFrame, communes: pd.DataFrame, plan) -> dict[str, str]:
    """indicator code -> what one submission reported for it, as a person reads it."""
    names = plan.communes.set_index("code")["name"]
    out = {}
    for row in values.itertuples():
        said = [] if pd.isna(row.value) else [format_number(row.value, 0 if float(row.value).is_integer() else 1)]
        said += [str(x) for x in (row.text, row.note) if isinstance(x, str) and x]
        out[row.indicator_code] = "; ".join(said)
    for code, group in communes.groupby("indicator_code"):
        named = "; ".join(names.get(c, c) for c in group["commune_code"])
        out[code] = "; ".join(x for x in (out.get(code, ""), named) if x)
    return out


def rollback_changes(plan, values: pd.DataFrame, communes: pd.DataFrame, unit_code: str, period: Period,
                     to_version: int) -> pd.DataFrame:
    """What putting `to_version` of a unit's report for `period` back in force would change:
    one row per indicator whose reported figure, places or text differ, the version in force
    beside the one to restore. Input: `Store.values`/`Store.communes` with history. Empty:
    nothing would change."""
    def of(frame: pd.DataFrame) -> pd.DataFrame:
        return frame[(frame["unit_code"] == unit_code) & (frame["start_month"] == period.start_month)
                     & (frame["end_month"] == period.end_month)]

    mine, named = of(values), of(communes)
    versions = mine.drop_duplicates("submission_id").set_index("submission_id")["version"]
    now_id = next(iter(mine.loc[mine["status"] == "in_force", "submission_id"]), None)
    after_id = next(iter(versions[versions == to_version].index), None)
    now_v = versions.get(now_id)

    def said(submission_id) -> dict[str, str]:
        if submission_id is None:
            return {}
        return _reported(mine[mine["submission_id"] == submission_id],
                         named[named["submission_id"] == submission_id], plan)

    now, after = said(now_id), said(after_id)
    now_col = ROLLBACK_COLUMNS["now"].format(version=now_v if now_v is not None else "—")
    after_col = ROLLBACK_COLUMNS["after"].format(version=to_version)
    rows = [{"Mã": ind.code, "Chỉ tiêu": ind.name, now_col: now.get(ind.code, ""),
             after_col: after.get(ind.code, "")}
            for ind in plan.indicators.itertuples() if now.get(ind.code, "") != after.get(ind.code, "")]
    return pd.DataFrame(rows, columns=["Mã", "Chỉ tiêu", now_col, after_col])


_LOGIN_REASONS = {"unknown_user": "không có tài khoản này", "bad_password": "sai mật khẩu",
                  "disabled": "tài khoản đã bị khóa"}


def _audit_detail(detail: str) -> str:
    """The facts of one audit entry that a person needs, in Vietnamese; fingerprints and
    internal ids stay in the JSON (the CLI prints it whole)."""
    d = json.loads(detail) if detail else {}
    parts = []
    if "period" in d:
        parts.append(f"kỳ {Period.parse(d['period']).label}")
    if d.get("version") is not None:
        parts.append(f"lần nộp {d['version']}")
    if d.get("filename"):
        parts.append(f"tệp {d['filename']}")
    if d.get("codes"):
        parts.append("lỗi " + ", ".join(d["codes"]))
    if d.get("username"):
        parts.append(f"tài khoản {d['username']}")
    if d.get("role") in ROLE_LABELS:
        parts.append(f"vai trò {ROLE_LABELS[d['role']].lower()}")
    if d.get("reason") in _LOGIN_REASONS:
        parts.append(_LOGIN_REASONS[d["reason"]])
    if d.get("locked_until"):
        parts.append("khóa đến " + format_datetime(pd.to_datetime(d["locked_until"], utc=True).tz_convert(LOCAL_TZ)))
    if "changes" in d:
        parts.append(f"thêm {d['added']}, sửa {d['changed']}, bỏ {d['removed']} ô phân bổ")
    if "stored" in d:
        parts.append(f"{d['stored']} báo cáo")
    if d.get("note"):
        parts.append(f"lý do: {d['note']}")
    return "; ".join(parts)


def audit_table(plan, audit: pd.DataFrame) -> pd.DataFrame:
    """The audit log for people to read, newest first as `Store.audit` gives it."""
    units = plan.reporting_units.set_index("code")["name"]
    return pd.DataFrame({
        "Thời gian": _local(audit["at"]).map(format_datetime),
        "Người thực hiện": audit["actor"],
        "Việc": audit["action"].map(labels.AUDIT_ACTIONS).fillna(audit["action"]),
        "Đơn vị": audit["unit_code"].map(units).fillna(""),
        "Chi tiết": audit["detail"].map(_audit_detail),
    })


# --- Comparing years and today's map (mdplan_core.compare) --------------------------------
WHOLE_PERIOD = " (cả giai đoạn)"


def years_table(comparison) -> pd.DataFrame:
    """`compare.Comparison` for people to read: one row per chain of indicators, a target and a
    result per year, each shown as its way shows it (`1.234`, `12,5%`). A target that is a
    longer plan's whole target, not the year's part, says so; a year not begun has no result."""
    wide = comparison.cells.set_index(["chain", "column"])
    out = pd.DataFrame({"Mã": comparison.chains["codes"], "Chỉ tiêu": comparison.chains["name"],
                        "Đơn vị tính": comparison.chains["unit"]})
    for position, col in enumerate(comparison.columns):
        targets, actuals = [], []
        for chain in comparison.chains["chain"]:
            if (chain, position) not in wide.index:
                targets.append("")
                actuals.append("")
                continue
            cell = wide.loc[(chain, position)]
            target = counting.show(cell["aggregation"], cell["target"]) or "—"
            targets.append(target + ("" if cell["year_part"] or target == "—" else WHOLE_PERIOD))
            actuals.append(counting.show(cell["aggregation"], cell["actual"]))
        running = col.day is not None and col.day < pd.Timestamp(col.year, 12, 31).date()
        result = f"Kết quả đến {format_date(col.day)}" if running else "Kết quả"
        out[f"{col.label} · Chỉ tiêu"] = targets
        out[f"{col.label} · {result}"] = actuals
    out["Ghi chú"] = ["Cách tính thay đổi: " + " → ".join(ways) if len(ways) > 1 else ""
                      for ways in comparison.chains["ways"]]
    return out.reset_index(drop=True)


def _went(rows: pd.DataFrame, today_word: str) -> str:
    n = int(rows["destinations"].iloc[0])
    if n == 0:
        return labels.SHARES[""].capitalize()
    if n == 1:
        return f"{labels.SHARES[rows['share'].iloc[0]].capitalize()} vào một {today_word}"
    old = labels.LEVEL_SHORT[rows["from_level"].iloc[0]]
    return (f"Nay thuộc {format_number(n)} {today_word}; kết quả là của cả {old} cũ, "
            "không chia cho từng nơi")


def todays_map_table(frame: pd.DataFrame, indicator, *, year: int) -> pd.DataFrame:
    """`compare.on_todays_map` for people to read, one row per old place: its result in `year`
    (or, for a place named in reports, that it was named), the places it is part of today, and
    whether it went whole, or in part to several (its result is not split between them)."""
    today_word = labels.level_word("commune")
    rows = []
    for (source, _code), group in frame.groupby(["source", "from_code"], sort=False):
        level = group["from_level"].iloc[0]
        named = source == "named"
        rows.append({
            "Địa bàn năm " + str(year): group["from_name"].iloc[0],
            "Cấp": f"Cấp {labels.LEVEL_SHORT[level]}",
            "Kết quả": "Được nêu trong báo cáo" if named else counting.show(indicator, group["actual"].iloc[0]),
            "Nay thuộc": "; ".join(f"{n} ({labels.SHARES[s]})" for n, s in zip(group["to_name"], group["share"])
                                   if n),
            "Ghi chú": _went(group, today_word),
        })
    return pd.DataFrame(rows)


def todays_places_table(frame: pd.DataFrame, indicator, *, year: int, query: str = "") -> pd.DataFrame:
    """`compare.on_todays_map` from today's side: one row per place of today's map, with the
    old places (and their results in `year`) it took in, whole or in part. `query` keeps the
    places whose name or code holds it, ignoring case and diacritics."""
    have = frame[frame["to_code"] != ""]
    here = labels.level_word("commune", heading=True) + " hiện nay"
    rows = []
    for (code, name), group in have.groupby(["to_code", "to_name"], sort=True):
        own = group[group["source"] == "place"]
        named = group[group["source"] == "named"]
        rows.append({
            here: name, "Mã": code,
            f"Từ địa bàn báo cáo năm {year} (kết quả)": "; ".join(
                f"{n} ({labels.SHARES[s]}): {counting.show(indicator, a)}"
                for n, s, a in zip(own["from_name"], own["share"], own["actual"])),
            f"Nơi được nêu trong báo cáo năm {year}": "; ".join(
                f"{n} ({labels.SHARES[s]})" for n, s in zip(named["from_name"], named["share"])),
        })
    out = pd.DataFrame(rows, columns=[here, "Mã", f"Từ địa bàn báo cáo năm {year} (kết quả)",
                                      f"Nơi được nêu trong báo cáo năm {year}"])
    if key := match_key(query):
        out = out[[key in match_key(n) or key in match_key(c) for n, c in zip(out[here], out["Mã"])]]
    return out.reset_index(drop=True)
