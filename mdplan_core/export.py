"""Export: the consolidated table of reported values, filtered the way staff filter the
Data page, written to Excel or CSV for the official year-end report.

`consolidated()` gives one row per submission x indicator (communes joined into one cell),
with English column keys; `Filters` selects rows and describes the selection in
Vietnamese; `to_xlsx()` / `to_csv()` write what staff download, with Vietnamese headers.
A typed text never becomes a formula: the workbook's cells are written by `xlsxout`, and
a CSV value that could be one is prefixed with '.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter

from . import accounts, counting, vntext
from .labels import SUBMISSION_STATUS, level_word
from .report import Period
from .settings import LOCAL_TZ
from .store import IN_FORCE, STATUSES, Store
from .xlsxout import (
    BOLD,
    FONT,
    HEADER_FILL,
    MIN_WIDTH,
    NUMBER_FORMAT,
    cell_value,
    cell_width,
    is_dangerous,
    label_rows,
    local_naive,
    put_cell,
    row_height,
    wrapped_lines,
)

# --- Vietnamese text of the exports -------------------------------------------------------
# Column key -> header, in the order a person reads a row: where and when, which indicator,
# what was reported; then the plan's figures; then the bookkeeping of the submission.
HEADERS = {
    "place": "Huyện, thành phố",  # or "Xã, phường": see headers()
    "unit": "Đơn vị báo cáo",
    "period": "Kỳ báo cáo",
    "indicator_code": "Mã chỉ tiêu",
    "indicator_name": "Tên chỉ tiêu",
    "value": "Kết quả trong kỳ",
    "indicator_unit": "Đơn vị tính",
    "commune_count": "Số xã, phường, thị trấn nêu tên",
    "communes": "Các xã, phường, thị trấn",
    "text": "Nội dung",
    "note": "Ghi chú",
    "target": "Chỉ tiêu năm (toàn tỉnh)",
    "task": "Nhiệm vụ",
    "task_title": "Tên nhiệm vụ",
    "status": "Trạng thái lần nộp",
    "version": "Lần nộp thứ",
    "uploaded_by": "Người nộp",
    "uploaded_at": "Thời điểm nộp (giờ Việt Nam)",
    "start_month": "Từ tháng",
    "end_month": "Đến tháng",
    "unit_code": "Mã đơn vị",
    "submission_id": "Mã lần nộp",
    "demo": "Dữ liệu minh họa",
}
TEXT = {
    "data_sheet": "Số liệu",
    "filters_sheet": "Bộ lọc",
    "filters_title": "THÔNG TIN BẢNG SỐ LIỆU XUẤT TỪ MDPLAN",
    "plan": "Kế hoạch",
    "decision": "Văn bản",
    "year": "Năm kế hoạch",
    "tasks": "Nhiệm vụ",
    "indicators": "Chỉ tiêu",
    "units": "Đơn vị báo cáo",
    "periods": "Kỳ báo cáo",
    "statuses": "Trạng thái lần nộp",
    "all": "Tất cả",
    "in_force_only": "Chỉ các lần nộp đang có hiệu lực",
    "all_versions": "Tất cả các lần nộp (kể cả bản đã được thay thế, đã bị hủy)",
    "history_units": "Bản đã được thay thế, đã bị hủy của",
    "no_unit": "Không đơn vị nào (chỉ các lần nộp đang có hiệu lực)",
    "rows": "Số dòng",
    "exported_at": "Thời điểm xuất",
    "exported_by": "Người xuất",
    "demo_data": "Dữ liệu minh họa",
    "demo_data_value": "có — đây không phải số liệu thật",
    "demo_yes": "có",
    "demo_no": "không",
    "unknown_task": "Không có nhiệm vụ số {value} trong kế hoạch.",
    "unknown_indicator": "Không có chỉ tiêu '{value}' trong kế hoạch.",
    "unknown_place": "Không có {level} mã '{value}' trong danh mục.",
    "unknown_unit": "Không có đơn vị báo cáo '{value}' trong kế hoạch.",
    "unknown_status": "Trạng thái '{value}' không hợp lệ; chỉ nhận: {choices}.",
}

COLUMNS = list(HEADERS)  # the columns written to files
# The table also keeps the place code, for filtering; it is not written to files, where
# a spreadsheet program would read "058" as the number 58.
TABLE_COLUMNS = [*COLUMNS[:COLUMNS.index("place")], "place_code",
                 *COLUMNS[COLUMNS.index("place"):]]
# The columns the Data page shows until a person chooses others (files always hold them all).
SHOWN_COLUMNS = COLUMNS[:COLUMNS.index("task")]
# CSV separators: Excel on a Windows set to Vietnamese (decimal comma) splits columns at ";".
CSV_SEPARATORS = {";": "Excel tiếng Việt (dấu chấm phẩy)", ",": "dấu phẩy"}
NUMBER_COLUMNS = ["target", "value", "commune_count"]
WRAPPED_COLUMNS = ["task_title", "indicator_name", "communes", "text", "note"]
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
_MAX_WIDTH = 50


# --- The consolidated table ----------------------------------------------------------------
def consolidated(plan, store: Store, year: int | None = None, *,
                 include_history: bool = False) -> pd.DataFrame:
    """One row per submission x indicator of `year` (default: the plan year): the submissions
    in force, or every version when `include_history`. A report's communes are joined into
    one cell ("; "), so staff can pivot the table without double-counting rows."""
    year = plan.year if year is None else year
    values = store.values(plan.id, year, history=include_history)
    communes = store.communes(plan.id, year, history=include_history)
    out = pd.DataFrame(index=values.index)

    indicators = plan.indicators.set_index("code")
    tasks = plan.tasks.set_index("number")
    units = plan.reporting_units.set_index("code")
    places = plan.places.set_index("code")["name"]
    code = values["indicator_code"]
    out["task"] = code.map(indicators["task"]).astype("Int64")
    out["task_title"] = out["task"].map(tasks["title"])
    out["indicator_code"] = code
    out["indicator_name"] = code.map(indicators["name"])
    out["indicator_unit"] = code.map(indicators["unit"])
    out["target"] = code.map(indicators["target"]).astype("Int64")
    out["place_code"] = values["place_code"]
    out["place"] = values["place_code"].map(places)
    out["unit_code"] = values["unit_code"]
    out["unit"] = values["unit_code"].map(units["name"])
    out["period"] = [Period(year, s, e).label
                     for s, e in zip(values["start_month"], values["end_month"])]
    out["start_month"] = values["start_month"].astype("int64")
    out["end_month"] = values["end_month"].astype("int64")
    out["value"] = _counts(values["value"])

    named = _commune_names(plan, communes)
    key = pd.MultiIndex.from_frame(values[["submission_id", "indicator_code"]])
    count = pd.Series(pd.array(named["count"].reindex(key).to_numpy(), dtype="Int64"), index=out.index)
    by_commune = code.isin(counting.named_codes(plan))
    out["commune_count"] = count.mask(by_commune & count.isna(), 0)  # others: not applicable
    out["communes"] = named["names"].reindex(key).to_numpy()
    out["text"] = values["text"]
    out["note"] = values["note"]
    out["status"] = values["status"]
    out["version"] = values["version"].astype("int64")
    names = accounts.display_names(store)
    out["uploaded_by"] = values["uploaded_by"].map(lambda u: names.get(u, u))
    out["uploaded_at"] = values["uploaded_at"].dt.tz_convert(LOCAL_TZ)
    out["submission_id"] = values["submission_id"].astype("int64")
    out["demo"] = values["demo"].astype("bool")

    order = {c: i for i, c in enumerate(indicators.index)}
    unit_order = {c: i for i, c in enumerate(units.index)}
    out = out.assign(_i=code.map(order), _u=values["unit_code"].map(unit_order))
    out = out.sort_values(["task", "_i", "_u", "start_month", "end_month", "version"])
    return out.reset_index(drop=True)[TABLE_COLUMNS]


def _counts(value: pd.Series) -> pd.Series:
    """Counts as integers; a fraction (which validation refuses) would stay as it is."""
    value = value.astype("float64")
    whole = value.dropna()
    if (whole == whole.round()).all():
        return value.astype("Int64")
    return value


def _commune_names(plan, communes: pd.DataFrame) -> pd.DataFrame:
    """(submission_id, indicator_code) -> names joined with "; ", and their count."""
    index = pd.MultiIndex.from_tuples([], names=["submission_id", "indicator_code"])
    if communes.empty:
        return pd.DataFrame({"names": pd.Series(index=index, dtype=object),
                             "count": pd.Series(index=index, dtype="Int64")})
    ref = plan.communes.set_index("code")
    name = communes["commune_code"].map(ref["type"] + " " + ref["name"])
    name = name.fillna(communes["commune_code"])  # a code no longer in the list stays visible
    grouped = communes.assign(name=name).groupby(["submission_id", "indicator_code"])["name"]
    return pd.DataFrame({"names": grouped.agg("; ".join), "count": grouped.size()})


# --- Filters -------------------------------------------------------------------------------
def _tuple(items, convert=lambda x: x):
    """None or empty means "no filter"."""
    if items is None:
        return None
    if isinstance(items, (str, int, Period)):
        items = [items]
    out = tuple(dict.fromkeys(convert(x) for x in items))
    return out or None


def _period(x) -> Period:
    return x if isinstance(x, Period) else Period.parse(str(x))


@dataclass(frozen=True)
class Filters:
    """The filters of the Data page. Each field holds the accepted values (codes, task
    numbers, periods); None or an empty list accepts everything. `include_history` asks
    for every version of every report, not only those in force; a status other than
    "in force" implies it.

    `history_units` restricts the earlier versions to those units (the values in force
    always pass): a page sets it to `accounts.history_scope(user)`, so nobody exports a
    submission history they may not see. None: every unit's; empty: nobody's."""

    tasks: tuple[int, ...] | None = None
    indicators: tuple[str, ...] | None = None
    places: tuple[str, ...] | None = None  # codes of places at the plan's reporting level
    units: tuple[str, ...] | None = None  # reporting unit codes
    periods: tuple[Period, ...] | None = None  # Period or "2017-01..2017-03"
    statuses: tuple[str, ...] | None = None  # in_force, superseded, rolled_back
    include_history: bool = False
    year: int | None = None  # None: the plan year
    history_units: tuple[str, ...] | None = None  # unit codes

    def __post_init__(self):
        set_ = object.__setattr__
        set_(self, "tasks", _tuple(self.tasks, int))
        for name in ("indicators", "places", "units", "statuses"):
            set_(self, name, _tuple(getattr(self, name), str))
        set_(self, "periods", _tuple(self.periods, _period))
        if self.history_units is not None:  # here an empty set means "none", not "no filter"
            units = [self.history_units] if isinstance(self.history_units, str) else self.history_units
            set_(self, "history_units", tuple(sorted(set(units))))
        if self.statuses and set(self.statuses) - {IN_FORCE}:
            set_(self, "include_history", True)

    def select(self, plan, store: Store) -> pd.DataFrame:
        """The consolidated table these filters ask for (year, history) and let through."""
        return self.apply(consolidated(plan, store, self.year, include_history=self.include_history))

    def apply(self, table: pd.DataFrame) -> pd.DataFrame:
        """The rows of a `consolidated` table that pass these filters."""
        keep = pd.Series(True, index=table.index)
        for name, column in (("tasks", "task"), ("indicators", "indicator_code"),
                             ("places", "place_code"), ("units", "unit_code"),
                             ("statuses", "status")):
            wanted = getattr(self, name)
            if wanted is not None:
                keep &= table[column].isin(wanted)
        if self.periods is not None:
            months = set((p.start_month, p.end_month) for p in self.periods)
            keep &= pd.Series([(s, e) in months for s, e in
                               zip(table["start_month"], table["end_month"])], index=table.index)
        if self.history_units is not None:
            keep &= (table["status"] == IN_FORCE) | table["unit_code"].isin(self.history_units)
        return table[keep].reset_index(drop=True)

    def problems(self, plan) -> list[str]:
        """What in these filters the plan does not know, in Vietnamese (for the CLI)."""
        known = {
            "tasks": ("unknown_task", set(plan.tasks["number"])),
            "indicators": ("unknown_indicator", set(plan.indicators["code"])),
            "places": ("unknown_place", set(plan.places["code"])),
            "units": ("unknown_unit", set(plan.reporting_units["code"])),
        }
        level = level_word(plan.reporting_level)
        out = [TEXT[message].format(value=value, level=level)
               for name, (message, codes) in known.items()
               for value in getattr(self, name) or () if value not in codes]
        out += [TEXT["unknown_status"].format(value=s, choices=", ".join(STATUSES))
                for s in self.statuses or () if s not in STATUSES]
        return out

    def describe(self, plan) -> list[tuple[str, str]]:
        """(label, value) lines in Vietnamese, for the "Bộ lọc" sheet and the page."""
        def names(items, name_of) -> str:
            return TEXT["all"] if items is None else "; ".join(name_of(x) for x in items)

        places = plan.places.set_index("code")["name"]
        if self.statuses is not None:
            statuses = names(self.statuses, lambda s: SUBMISSION_STATUS.get(s, s))
        else:
            statuses = TEXT["all_versions" if self.include_history else "in_force_only"]
        return [
            (TEXT["year"], str(plan.year if self.year is None else self.year)),
            (TEXT["tasks"], names(self.tasks, lambda n: f"{n}. {plan.task(n).title}")),
            (TEXT["indicators"], names(self.indicators,
                                       lambda c: f"{c} – {plan.indicator(c).name}")),
            (level_word(plan.reporting_level, heading=True), names(self.places, lambda c: places.get(c, c))),
            (TEXT["units"], names(self.units, lambda c: plan.unit(c).name)),
            (TEXT["periods"], names(sorted(self.periods or ()) or None, lambda p: p.label)),
            (TEXT["statuses"], statuses),
        ] + self._describe_history_units(plan)

    def _describe_history_units(self, plan) -> list[tuple[str, str]]:
        if self.history_units is None or not self.include_history:
            return []
        names = "; ".join(plan.unit(c).name for c in self.history_units) or TEXT["no_unit"]
        return [(TEXT["history_units"], names)]


def filter_table(table: pd.DataFrame, *, tasks=None, indicators=None, places=None,
                 units=None, periods=None, statuses=None) -> pd.DataFrame:
    """The rows of `table` (from `consolidated`) that pass the Data page's filters."""
    return Filters(tasks=tasks, indicators=indicators, places=places, units=units,
                   periods=periods, statuses=statuses).apply(table)


# --- What the files show ---------------------------------------------------------------------
def headers(level: str) -> dict[str, str]:
    """The Vietnamese column headers for a plan that reports at `level` ("district", "commune")."""
    return HEADERS | {"place": level_word(level, heading=True)}


def for_display(table: pd.DataFrame, level: str, columns=None) -> pd.DataFrame:
    """The table as staff read it: Vietnamese headers and statuses, no hidden columns; only
    `columns` (keys, in reading order) when given."""
    wanted = COLUMNS if not columns else [c for c in COLUMNS if c in set(columns)]
    out = table[[c for c in wanted if c in table.columns]].copy()
    for key in ("status", "demo"):
        if key in out:
            out[key] = out[key].map(lambda v, key=key: _shown(key, v))
    return out.rename(columns=headers(level))


def _shown(key: str, value):
    """A status or the demo flag as words; any other value as it is."""
    if key == "status":
        return SUBMISSION_STATUS.get(value, value)
    if key == "demo":
        return TEXT["demo_yes"] if value else TEXT["demo_no"]
    return value


def is_demo_table(table: pd.DataFrame) -> bool:
    """Does the table hold demo data?"""
    return "demo" in table.columns and bool(table["demo"].any())


# --- Excel ---------------------------------------------------------------------------------
def to_xlsx(table: pd.DataFrame, filters: Filters, *, plan, exported_at: dt.datetime,
            exported_by: str, demo: bool | None = None) -> bytes:
    """The table as a formatted workbook: sheet "Số liệu" (bold frozen header, fitted widths,
    autofilter, `#,##0` counts, Times New Roman) and sheet "Bộ lọc" recording the plan, the
    filters, and who exported it when. With `demo` (default: when a row is demo data) the
    "Bộ lọc" sheet says first that this is demo data."""
    if exported_at.tzinfo is None:
        raise ValueError("exported_at must be timezone-aware")
    columns = [c for c in COLUMNS if c in table.columns]
    titles = headers(plan.reporting_level)

    wb = Workbook()
    ws = wb.active
    ws.title = TEXT["data_sheet"]
    widths = {}
    for j, key in enumerate(columns, start=1):
        cell = put_cell(ws, 1, j, titles[key], BOLD)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        # A header may wrap onto three lines; leave room for the autofilter button.
        words = titles[key].split()
        widths[j] = max(max(map(len, words)), -(-len(titles[key]) // 3)) + 3
    for i, row in enumerate(table[columns].itertuples(index=False), start=2):
        for j, (key, value) in enumerate(zip(columns, row), start=1):
            cell = put_cell(ws, i, j, _shown(key, value), FONT)
            if key in NUMBER_COLUMNS:
                cell.number_format = NUMBER_FORMAT
            elif key == "uploaded_at":
                cell.number_format = DATETIME_FORMAT
            wrap = key in WRAPPED_COLUMNS
            cell.alignment = Alignment(vertical="top", wrap_text=wrap)
            widths[j] = max(widths[j], cell_width(cell.value) + 1)
    for j, width in widths.items():
        widths[j] = max(MIN_WIDTH, min(width, _MAX_WIDTH))
        ws.column_dimensions[get_column_letter(j)].width = widths[j]
    # Not every program fits row heights to wrapped text when it opens a file; set them.
    wrapped = [j for j, key in enumerate(columns, start=1) if key in WRAPPED_COLUMNS]
    for i in range(2, len(table) + 2):
        lines = max((wrapped_lines(ws.cell(i, j).value, widths[j]) for j in wrapped), default=1)
        if lines > 1:
            ws.row_dimensions[i].height = row_height(lines)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(1, len(table)) + 1}"
    ws.row_dimensions[1].height = 32

    info = wb.create_sheet(TEXT["filters_sheet"])
    demo = is_demo_table(table) if demo is None else demo
    lines = [
        *([(TEXT["demo_data"], TEXT["demo_data_value"])] if demo else []),
        (TEXT["plan"], plan.title),
        (TEXT["decision"], plan.document),
        *filters.describe(plan),
        (TEXT["rows"], len(table)),
        (TEXT["exported_at"], vntext.format_datetime(exported_at.astimezone(LOCAL_TZ))),
        (TEXT["exported_by"], exported_by),
    ]
    put_cell(info, 1, 1, TEXT["filters_title"], BOLD)
    label_rows(info, lines)
    info.column_dimensions["A"].width = 26
    info.column_dimensions["B"].width = 90

    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# --- CSV ------------------------------------------------------------------------------------
def _csv_value(value, sep: str = ","):
    value = cell_value(value)
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        # ISO order is read as a date by spreadsheet programs in every locale.
        return local_naive(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, float):
        # Where ";" separates columns, "," is the decimal mark.
        return str(value).replace(".", ",") if sep == ";" else str(value)
    if is_dangerous(value):
        return "'" + value
    return value


def to_csv(table: pd.DataFrame, level: str, sep: str = ",") -> bytes:
    """The table as CSV: UTF-8 with a BOM (so Excel reads the Vietnamese correctly),
    Vietnamese headers, texts that could be formulas prefixed with '. `sep` "," (the
    standard) or ";" (what Excel expects on a Windows set to Vietnamese; decimals then
    take a comma)."""
    if sep not in CSV_SEPARATORS:
        raise ValueError(f"unknown CSV separator {sep!r}")
    columns = [c for c in COLUMNS if c in table.columns]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=sep, lineterminator="\r\n")
    titles = headers(level)
    writer.writerow([_csv_value(titles[c], sep) for c in columns])
    for row in table[columns].itertuples(index=False):
        writer.writerow([_csv_value(_shown(c, v), sep) for c, v in zip(columns, row)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def export(table: pd.DataFrame, filters: Filters, fmt: str, *, plan, exported_at: dt.datetime,
           exported_by: str, demo: bool | None = None) -> bytes:
    """`to_xlsx` or `to_csv` by name ("xlsx" | "csv")."""
    if fmt == "xlsx":
        return to_xlsx(table, filters, plan=plan, exported_at=exported_at, exported_by=exported_by,
                       demo=demo)
    if fmt == "csv":
        return to_csv(table, plan.reporting_level)
    raise ValueError(f"unknown export format {fmt!r}")
