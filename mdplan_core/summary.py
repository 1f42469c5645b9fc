"""Summary: the year-end summary workbook ("Bảng tổng hợp kết quả") that staff paste into the
official report on the plan. Four sheets: results per indicator against the targets, results
per district, the reporting status of each unit, and what the workbook is (plan, review date,
who exported it when).

Every number comes from `progress` and `completeness` as of the review date; this module only
lays them out. Cells are written with `xlsxout.put_cell`, so a text an officer typed never
becomes a formula.
"""
from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from . import completeness, counting, progress, vntext
from .export import TEXT as EXPORT_TEXT
from .export import is_demo_table
from .labels import STATUS, level_word
from .settings import LOCAL_TZ
from .xlsxout import (
    BOLD,
    FONT,
    FONT_NAME,
    HEADER_FILL,
    LINE_HEIGHT,
    MAX_ROW_HEIGHT,
    MIN_WIDTH,
    NUMBER_FORMAT,
    cell_width,
    label_rows,
    put_cell,
    row_height,
    wrapped_lines,
)

# --- Vietnamese text of the workbook ---------------------------------------------------------
TEXT = {
    "indicators_sheet": "Theo chỉ tiêu",
    "districts_sheet": "Theo {level_short}",
    "reporting_sheet": "Tình hình báo cáo",
    "info_sheet": "Thông tin",
    "indicators_title": "BẢNG TỔNG HỢP KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU",
    "districts_title": "KẾT QUẢ THỰC HIỆN THEO {LEVEL}",
    "reporting_title": "TÌNH HÌNH GỬI BÁO CÁO CỦA CÁC ĐƠN VỊ",
    "info_title": "THÔNG TIN BẢNG TỔNG HỢP",
    "as_of_line": "Số liệu tính đến ngày {date}",
    "task_short": "NV{number}",
    "task_legend": "NV{number}: {title}",
    "notes": "Ghi chú:",
    # Per district
    "district": "{Level}",
    "indicator_header": "{code}\n({unit})",
    "province": "Toàn tỉnh",
    "actual_block": "Kết quả thực hiện",
    "allocated_block": "Chỉ tiêu phân bổ cho {level} và kết quả so với phân bổ",
    "no_allocation": ("Chưa có chỉ tiêu nào được phân bổ cho {level}; các chỉ tiêu là chỉ tiêu "
                      "chung của tỉnh (mdplan không tự đặt ra chỉ tiêu phân bổ)."),
    "province_level_note": (f"Dòng “{progress.PROVINCE_LEVEL}”: phần kết quả do các sở, ngành báo "
                            "cáo, không thuộc {level} nào."),
    "province_note": ("Dòng “Toàn tỉnh”: kết quả chung của tỉnh. Với chỉ tiêu tính theo số xã, "
                      "phường, thị trấn, mỗi xã chỉ tính một lần dù được nhiều đơn vị, nhiều kỳ "
                      "báo cáo."),
    "indicator_legend": "{code}: {name} ({unit})",
    # Reporting
    "nothing_due": "Đến ngày {date}, chưa có kỳ báo cáo nào đến hạn.",
    "periods_due": "Các kỳ báo cáo đã đến hạn: {periods}.",
    "no_schedule": ("Quyết định chỉ quy định hạn báo cáo cả năm (trước ngày {due}); không có "
                    "lịch báo cáo định kỳ trong năm."),
    # Information
    "plan": "Kế hoạch",
    "decision": "Văn bản",
    "as_of": "Ngày xem xét",
    "as_of_value": "Số liệu tính đến hết ngày {date}",
    "data": "Số liệu sử dụng",
    "data_value": ("Những gì đã biết vào ngày xem xét: các báo cáo đã nhận đến hết ngày đó, mỗi kỳ "
                   "lấy bản có hiệu lực vào ngày đó (bản nộp hoặc khôi phục sau ngày xem xét chưa "
                   "được tính). Kết quả của một kỳ báo cáo chỉ được tính khi kỳ đó đã kết thúc vào "
                   "hoặc trước ngày xem xét."),
    "method": "Cách tính",
    "method_value": ("Chỉ tiêu tính theo số xã, phường, thị trấn: mỗi xã chỉ tính một lần. "
                     "Cần đạt đến ngày xem xét: chỉ tiêu năm chia đều theo thời gian thực hiện "
                     "nhiệm vụ; chỉ tiêu đếm theo đơn vị (lớp, mô hình, cuộc, người…) làm tròn đến "
                     "số nguyên."),
    "assessment": "Đánh giá",
    "assessment_value": ("{met}: đã đạt chỉ tiêu năm. {on_track}: đạt mức cần đạt đến ngày xem xét. "
                         "{behind}: chưa đạt mức đó. {missed}: đã hết thời gian thực hiện nhiệm "
                         "vụ mà chưa đạt chỉ tiêu. {not_started}: nhiệm vụ chưa đến thời gian "
                         "thực hiện. {qualitative}: chỉ tiêu không có số, xem nội dung ở cột Ghi chú."),
    "schedule": "Lịch báo cáo",
    "exported_at": "Thời điểm xuất",
    "exported_by": "Người xuất",
    "demo": EXPORT_TEXT["demo_data"],
    "demo_value": EXPORT_TEXT["demo_data_value"],
}
INDICATOR_HEADERS = ["Mã", "Nhiệm vụ", "Chỉ tiêu", "Đơn vị tính", "Chỉ tiêu năm", "Thực hiện",
                     "Tỷ lệ so với chỉ tiêu năm", "Cần đạt đến ngày xem xét", "Đánh giá", "Ghi chú"]
ALLOCATION_HEADERS = ["{Level}", "Chỉ tiêu", "Phân bổ", "Thực hiện", "Tỷ lệ so với phân bổ"]
REPORTING_HEADERS = ["Đơn vị", "Phải nộp", "Đã nhận", "Đúng hạn", "Nộp muộn", "Chưa gửi",
                     "Tỷ lệ đã nhận", "Kỳ chưa gửi", "Kỳ nộp muộn"]

# --- Layout ----------------------------------------------------------------------------------
TEXT_KIND, COUNT, PERCENT, PACE = "text", "count", "percent", "pace"
MAX_ROW_LINES = MAX_ROW_HEIGHT // LINE_HEIGHT - 1  # 26: a long note goes on in the next row
_ITALIC = Font(name=FONT_NAME, size=11, italic=True)
_HEADING = Font(name=FONT_NAME, size=13, bold=True)
_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


@dataclass(frozen=True)
class _Column:
    header: str
    kind: str = TEXT_KIND  # text | count | percent | pace (a count that may have a fraction)
    wrap: int | None = None  # a fixed width, text wrapped to it; None: width fitted to content


def _number_format(kind: str, value) -> str | None:
    if value is None or kind == TEXT_KIND:
        return None
    if kind == PERCENT:
        # 100% rather than 100.0%, 62.5% kept: as vntext.format_percent shows them.
        return "0%" if round(value * 100, 1) == round(value * 100) else "0.0%"
    if kind == PACE and round(value, 1) != round(value):
        return "#,##0.0"
    return NUMBER_FORMAT


class _Sheet:
    """One sheet: a title block, bordered tables, notes; widths and heights fitted at `finish`."""

    def __init__(self, wb: Workbook, title: str, columns: list[_Column]):
        self.ws = wb.create_sheet(title)
        self.columns = columns
        self.row = 1
        self.widths = {j: self._header_width(c) for j, c in enumerate(columns, start=1)}
        self._spans: list[tuple[int, str]] = []  # rows merged across the sheet, wrapped
        self._rows: list[int] = []  # table rows whose wrapped cells set the height
        self._headers: list[int] = []

    @staticmethod
    def _header_width(column: _Column) -> int:
        if column.wrap:
            return column.wrap
        # A header may wrap onto three lines.
        lines = column.header.split("\n")
        words = [w for line in lines for w in line.split()]
        return max(max(map(len, words)), *(-(-len(line) // 3) for line in lines)) + 2

    def span(self, text: str, font: Font = FONT, *, center: bool = False) -> None:
        """A line across the whole table, wrapped (titles and notes)."""
        last = get_column_letter(len(self.columns))
        cell = put_cell(self.ws, self.row, 1, text, font)
        cell.alignment = Alignment(horizontal="center" if center else "left", vertical="top",
                                   wrap_text=True)
        self.ws.merge_cells(f"A{self.row}:{last}{self.row}")
        self._spans.append((self.row, text))
        self.row += 1

    def skip(self, rows: int = 1) -> None:
        self.row += rows

    def title_block(self, plan, heading: str, as_of: dt.date) -> None:
        self.span(heading, _HEADING, center=True)
        self.span(plan.title, BOLD, center=True)
        self.span(plan.attached_line, _ITALIC, center=True)
        self.span(TEXT["as_of_line"].format(date=vntext.format_date(as_of)), _ITALIC, center=True)
        self.skip()

    def header(self, headers: list[str] | None = None) -> int:
        """A header row: the columns' headers, or `headers` for a block laid out otherwise."""
        headers = headers or [c.header for c in self.columns]
        for j, text in enumerate(headers, start=1):
            cell = put_cell(self.ws, self.row, j, text, BOLD)
            cell.fill = HEADER_FILL
            cell.border = _BORDER
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        self._headers.append(self.row)
        self.row += 1
        return self.row - 1

    def cells(self, values: list, *, bold: bool = False, kinds: list[str] | None = None) -> int:
        """One table row; None or a missing value (NaN, NA) leaves a cell empty. `kinds`
        overrides the columns' kinds, for a block laid out otherwise (see `header`). Returns
        the row number."""
        kinds = kinds or [c.kind for c in self.columns]
        for j, (column, kind, value) in enumerate(zip(self.columns, kinds, values), start=1):
            cell = put_cell(self.ws, self.row, j, value, BOLD if bold else FONT)
            cell.border = _BORDER
            number_format = _number_format(kind, cell.value)
            if number_format:
                cell.number_format = number_format
            numeric = kind != TEXT_KIND
            cell.alignment = Alignment(vertical="top", wrap_text=column.wrap is not None,
                                       horizontal="right" if numeric else None)
            if not column.wrap:
                self.widths[j] = max(self.widths[j], cell_width(cell.value) + 2)
        self._rows.append(self.row)
        self.row += 1
        return self.row - 1

    def merge_down(self, first: int, last: int, keep: set[int]) -> None:
        """Merge rows first..last in every column but `keep`: one logical row over several."""
        for j in range(1, len(self.columns) + 1):
            if j not in keep and last > first:
                letter = get_column_letter(j)
                self.ws.merge_cells(f"{letter}{first}:{letter}{last}")

    def finish(self, *, freeze_columns: int = 0, repeat_header: bool = True) -> None:
        """Fit widths and heights, freeze the first header, set up the printed page;
        `repeat_header` prints the first header again on every page."""
        ws = self.ws
        for j, width in self.widths.items():
            self.widths[j] = max(MIN_WIDTH, width)
            ws.column_dimensions[get_column_letter(j)].width = self.widths[j]
        total = sum(self.widths.values())
        # Not every program fits row heights to wrapped text when it opens a file; set them.
        for row, text in self._spans:
            ws.row_dimensions[row].height = row_height(wrapped_lines(text, total), 4)
        for row in self._headers:
            lines = max(wrapped_lines(ws.cell(row, j).value, w) for j, w in self.widths.items())
            ws.row_dimensions[row].height = row_height(lines, 4)
        for row in self._rows:
            lines = max((wrapped_lines(ws.cell(row, j).value, self.widths[j])
                         for j, c in enumerate(self.columns, start=1) if c.wrap), default=1)
            if lines > 1:
                ws.row_dimensions[row].height = row_height(lines, 2)
        if self._headers:
            first = self._headers[0]
            ws.freeze_panes = f"{get_column_letter(freeze_columns + 1)}{first + 1}"
            if repeat_header:
                ws.print_title_rows = f"{first}:{first}"
        _page_setup(ws)


def _page_setup(ws) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddFooter.center.text = "Trang &P/&N"
    ws.oddFooter.center.font = FONT_NAME
    ws.oddFooter.center.size = 10


def _chunks(text: str, width: int, max_lines: int) -> list[str]:
    """`text` cut between its lines into pieces that each fit a row `max_lines` high."""
    pieces: list[str] = []
    for line in text.split("\n"):
        joined = f"{pieces[-1]}\n{line}" if pieces else line
        if pieces and wrapped_lines(joined, width) <= max_lines:
            pieces[-1] = joined
        else:
            pieces.append(line)
    return pieces


# --- The sheets --------------------------------------------------------------------------------
def _indicators_sheet(wb, plan, table: pd.DataFrame, as_of: dt.date) -> None:
    note = _Column(INDICATOR_HEADERS[9], wrap=55)
    columns = [_Column(INDICATOR_HEADERS[0]), _Column(INDICATOR_HEADERS[1]),
               _Column(INDICATOR_HEADERS[2], wrap=38), _Column(INDICATOR_HEADERS[3], wrap=13),
               _Column(INDICATOR_HEADERS[4], COUNT), _Column(INDICATOR_HEADERS[5], COUNT),
               _Column(INDICATOR_HEADERS[6], PERCENT), _Column(INDICATOR_HEADERS[7], PACE),
               _Column(INDICATOR_HEADERS[8]), note]
    sheet = _Sheet(wb, TEXT["indicators_sheet"], columns)
    sheet.title_block(plan, TEXT["indicators_title"], as_of)
    sheet.header()
    for r in table.itertuples(index=False):
        text = r.text
        # A long list of reported items continues in the rows below, never cut by the row cap.
        pieces = _chunks(text, note.wrap, MAX_ROW_LINES) if isinstance(text, str) else [None]
        kinds = [c.kind for c in columns]
        numbers = [r.target, r.actual, r.expected]
        if counting.way(r).is_percent:  # a target in % (0–100) is written as an Excel percentage
            kinds[4] = kinds[5] = kinds[7] = PERCENT
            numbers = [x / 100 if pd.notna(x) else x for x in numbers]
        target, actual, expected = numbers
        first = sheet.cells([r.code, TEXT["task_short"].format(number=r.task), r.name, r.unit,
                             target, actual, r.pct_target, expected, STATUS[r.status], pieces[0]],
                            kinds=kinds)
        for piece in pieces[1:]:
            sheet.cells([None] * (len(columns) - 1) + [piece])
        sheet.merge_down(first, first + len(pieces) - 1, keep={len(columns)})
    sheet.skip()
    sheet.span(TEXT["notes"], BOLD)
    for task in plan.tasks.itertuples(index=False):
        sheet.span(TEXT["task_legend"].format(number=task.number, title=task.title))
    sheet.finish()


def _level_words(plan) -> dict[str, str]:
    """The words for the plan's places in this sheet's texts: huyện or xã, phường."""
    heading = level_word(plan.reporting_level, heading=True)
    return {"level": level_word(plan.reporting_level), "Level": heading, "LEVEL": heading.upper(),
            "level_short": "huyện" if plan.reporting_level == "district" else "xã, phường"}


def _districts_sheet(wb, plan, matrix: pd.DataFrame, table: pd.DataFrame, as_of: dt.date) -> None:
    numeric = plan.indicators[counting.mask(plan.indicators, "is_numeric")]
    codes = list(numeric["code"])
    words = _level_words(plan)
    text = {key: TEXT[key].format(**words) for key in
            ("districts_sheet", "districts_title", "district", "allocated_block", "no_allocation",
             "province_level_note")}
    columns = [_Column(text["district"])] + [_Column(TEXT["indicator_header"].format(
        code=c, unit=u), COUNT, wrap=None) for c, u in zip(codes, numeric["unit"])]
    sheet = _Sheet(wb, text["districts_sheet"], columns)
    sheet.title_block(plan, text["districts_title"], as_of)
    matrix = matrix[matrix["indicator_code"].isin(codes)]
    rows = {name: group.set_index("indicator_code")
            for name, group in matrix.groupby("place_name", sort=False)}
    province = table.set_index("code")["actual"]

    sheet.span(TEXT["actual_block"], BOLD)
    sheet.header()
    for name, group in rows.items():
        sheet.cells([name, *(group.at[c, "actual"] for c in codes)])
    sheet.cells([TEXT["province"], *(province[c] for c in codes)], bold=True)

    # One row per allocated target (few, if any), rather than a sparse district x indicator grid.
    allocated = matrix[matrix["allocated"].notna()]
    if not allocated.empty:
        sheet.skip()
        sheet.span(text["allocated_block"], BOLD)
        sheet.header([h.format(**words) for h in ALLOCATION_HEADERS])
        for r in allocated.itertuples(index=False):
            sheet.cells([r.place_name, r.indicator_code, r.allocated, r.actual,
                         r.pct_allocated],
                        kinds=[TEXT_KIND, TEXT_KIND, COUNT, COUNT, PERCENT])
    sheet.skip()
    sheet.span(TEXT["notes"], BOLD)
    sheet.span(TEXT["province_note"])
    if progress.PROVINCE_LEVEL in rows:
        sheet.span(text["province_level_note"])
    if allocated.empty:
        sheet.span(text["no_allocation"])
    for r in numeric.itertuples(index=False):
        sheet.span(TEXT["indicator_legend"].format(code=r.code, name=r.name, unit=r.unit))
    sheet.finish(freeze_columns=1, repeat_header=False)  # a short table; notes follow


def _reporting_sheet(wb, plan, rates: pd.DataFrame, periods: list[str], as_of: dt.date) -> None:
    columns = [_Column(REPORTING_HEADERS[0]), *(_Column(h, COUNT) for h in REPORTING_HEADERS[1:6]),
               _Column(REPORTING_HEADERS[6], PERCENT), _Column(REPORTING_HEADERS[7], wrap=36),
               _Column(REPORTING_HEADERS[8], wrap=36)]
    sheet = _Sheet(wb, TEXT["reporting_sheet"], columns)
    sheet.title_block(plan, TEXT["reporting_title"], as_of)
    sheet.header()
    for r in rates.itertuples(index=False):
        sheet.cells([r.unit_name, r.expected, r.received, r.on_time, r.late, r.missing,
                     r.rate, r.missing_periods or None, r.late_periods or None], bold=bool(r.is_total))
    sheet.skip()
    sheet.span(TEXT["notes"], BOLD)
    if periods:
        sheet.span(TEXT["periods_due"].format(periods=", ".join(periods)))
    else:
        sheet.span(TEXT["nothing_due"].format(date=vntext.format_date(as_of)))
    sheet.span(_schedule_note(plan))
    sheet.finish()


def _schedule_note(plan) -> str:
    schedule = plan.reporting.schedule
    if schedule is not None:
        return schedule.source_note
    return TEXT["no_schedule"].format(due=vntext.format_date(plan.report_due_date))


def _info_sheet(wb, plan, as_of: dt.date, exported_at: dt.datetime, exported_by: str,
                demo: bool) -> None:
    lines = [
        *([(TEXT["demo"], TEXT["demo_value"])] if demo else []),
        (TEXT["plan"], plan.title),
        (TEXT["decision"], plan.document),
        (TEXT["as_of"], TEXT["as_of_value"].format(date=vntext.format_date(as_of))),
        (TEXT["data"], TEXT["data_value"]),
        (TEXT["method"], TEXT["method_value"]),
        (TEXT["assessment"], TEXT["assessment_value"].format(**STATUS)),
        (TEXT["schedule"], _schedule_note(plan)),
        (TEXT["exported_at"], vntext.format_datetime(exported_at.astimezone(LOCAL_TZ))),
        (TEXT["exported_by"], exported_by),
    ]
    ws = wb.create_sheet(TEXT["info_sheet"])
    put_cell(ws, 1, 1, TEXT["info_title"], _HEADING)
    widths = {"A": 20, "B": 100}
    label_rows(ws, lines, fit_width=widths["B"])
    for letter, width in widths.items():
        ws.column_dimensions[letter].width = width
    _page_setup(ws)


# --- The workbook ------------------------------------------------------------------------------
def summary_xlsx(plan, values: pd.DataFrame, communes: pd.DataFrame, history: pd.DataFrame,
                 allocations: pd.DataFrame, *, as_of: dt.date, exported_at: dt.datetime,
                 exported_by: str, demo: bool | None = None) -> bytes:
    """The year-end summary workbook as of `as_of`. `values` / `communes` are the in-force
    reports of the plan year (`Store.values` / `Store.communes`), `history` every upload
    (`Store.history`), `allocations` the districts' allocated targets (indicator_code,
    place_code, target; may be empty). Sheets: "Theo chỉ tiêu", "Theo huyện",
    "Tình hình báo cáo", "Thông tin". With `demo` (default: when an upload in `history` is demo
    data) "Thông tin" says first that this is demo data."""
    if exported_at.tzinfo is None:
        raise ValueError("exported_at must be timezone-aware")
    table = progress.by_indicator(plan, values, communes, as_of)
    matrix = progress.with_province_level(
        progress.place_matrix(plan, values, communes, allocations, as_of))
    status = completeness.report_status(plan, history, as_of)

    wb = Workbook()
    wb.remove(wb.active)
    _indicators_sheet(wb, plan, table, as_of)
    _districts_sheet(wb, plan, matrix, table, as_of)
    _reporting_sheet(wb, plan, completeness.rates(status), list(dict.fromkeys(status["period"])),
                     as_of)
    demo = is_demo_table(history) if demo is None else demo
    _info_sheet(wb, plan, as_of, exported_at, exported_by, demo)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
