"""Reading a filled report workbook into a `ParsedReport`.

The reader finds everything by its label, compared with `vntext.match_key`, never by a fixed
cell (docs/template.md is the contract). It reads the template mdplan wrote as well as an
officer's own copy of it: moved rows and columns, titles and signature blocks, reordered rows,
names instead of codes, numbers typed as text, NFD and TCVN3/VNI text.

Bad data is expected: every problem becomes a `Finding` with its sheet and cell, nothing raises.
`read_report_with_cells` also returns where each value was read (`ReportCells`), so validation
can point at the right cell.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from . import counting, vntext
from .findings import Finding, error, warning
from .layout import AFTER_TABLE, COMMUNE_TABLE, HEADER, MEDIA, SHEET_COMMUNES, SHEET_META, SHEET_REPORT, TABLE, Label
from .report import ParsedReport, Period, ReportValue
from .workbook import RawSheet, RawWorkbook, cell_ref

# Every message an officer can see from the reader. `{...}` fields are filled with str.format.
MESSAGES = {
    "template.not_recognised": (
        "Không tìm thấy bảng chỉ tiêu: cần một hàng tiêu đề có các cột 'Mã chỉ tiêu' (hoặc "
        "'Tên chỉ tiêu') và 'Kết quả trong kỳ'. Hãy dùng mẫu báo cáo tải từ mdplan và giữ "
        "nguyên các tiêu đề cột."),
    "template.not_recognised/column": (
        "Bảng chỉ tiêu ở hàng {row} thiếu cột '{missing}'. Hãy ghi lại tiêu đề cột này như trong "
        "mẫu báo cáo."),
    "header.missing": (
        "Không tìm thấy ô '{label}' ở phần đầu báo cáo. Hãy ghi '{label}' và giá trị của nó "
        "vào ô bên phải, như trong mẫu báo cáo."),
    "header.missing/value": "Ô '{label}' chưa có giá trị. Hãy điền {what} vào ô bên phải.",
    "what.unit": "tên đơn vị (ví dụ UBND huyện Ba Bể)",
    "what.unit_code": "mã đơn vị",
    "what.year": "năm kế hoạch (ví dụ 2017)",
    "what.start_month": "tháng bắt đầu kỳ báo cáo (từ 1 đến 12)",
    "what.end_month": "tháng kết thúc kỳ báo cáo (từ 1 đến 12)",
    "template.other_plan": (
        "Tệp này là mẫu báo cáo của kế hoạch có mã '{other}', không phải của kế hoạch đang chọn "
        "({plan}). Hãy chọn đúng kế hoạch rồi nộp lại, hoặc tải mẫu báo cáo của kế hoạch này."),
    "unit.unknown": (
        "Không nhận ra đơn vị báo cáo '{text}'. Hãy ghi đúng tên đơn vị, ví dụ "
        "'UBND huyện Ba Bể' hoặc 'Sở Y tế', hoặc dùng mẫu báo cáo tải từ mdplan."),
    "unit.unknown/suggest": (
        "Không nhận ra đơn vị báo cáo '{text}'. Có phải: {candidates}? Hãy ghi đúng tên đầy đủ "
        "của đơn vị."),
    "unit.unknown/code": (
        "Mã đơn vị '{text}' không có trong kế hoạch. Hãy xóa ô này và ghi đúng tên đơn vị ở ô "
        "'Đơn vị báo cáo', hoặc dùng mẫu báo cáo tải từ mdplan."),
    "unit.ambiguous": (
        "Tên đơn vị '{text}' có thể là: {candidates}. Hãy ghi tên đầy đủ của đơn vị."),
    "unit.mismatch": (
        "Mã đơn vị '{code}' là của {code_name}, nhưng ô 'Đơn vị báo cáo' ghi '{text}'. Hãy "
        "tải mẫu báo cáo của đúng đơn vị, hoặc sửa hai ô này cho khớp."),
    "period.invalid/month": "'{label}' phải là một tháng từ 1 đến 12, nhưng ô ghi '{text}'.",
    "period.invalid/year": "'Năm kế hoạch' phải là một năm, ví dụ 2017, nhưng ô ghi '{text}'.",
    "period.invalid/order": (
        "Kỳ báo cáo không hợp lệ: 'Từ tháng' ({start}) lớn hơn 'Đến tháng' ({end}). "
        "Hãy sửa lại tháng bắt đầu và tháng kết thúc."),
    "date.invalid": (
        "Không đọc được 'Ngày báo cáo' '{text}': hãy ghi ngày theo thứ tự ngày/tháng/năm, ví dụ "
        "15/12/2017 hoặc 15 tháng 12 năm 2017. Báo cáo vẫn được đọc, nhưng sẽ được lưu không "
        "có ngày báo cáo."),
    "header.no_reporter": (
        "Chưa ghi 'Người báo cáo'. Hãy ghi họ tên người lập báo cáo để cấp tỉnh liên hệ khi "
        "cần."),
    "header.no_report_date": (
        "Chưa ghi 'Ngày báo cáo'. Hãy ghi ngày lập báo cáo, ví dụ 15/12/2017."),
    "table.column_unread": (
        "Tiêu đề cột '{text}' gần giống tiêu đề '{label}' của mẫu nhưng không khớp, nên mdplan "
        "không đọc được nội dung cột này. Nếu tệp gõ bằng phông chữ cũ (.VnTime, VNI-Times), "
        "hãy chuyển cả tệp sang Unicode; nếu không, hãy ghi lại tiêu đề '{label}' như trong "
        "mẫu báo cáo."),
    "value.not_a_number": (
        "Kết quả của {indicator} phải là một số, nhưng ô ghi '{text}'. Hãy ghi một số, ví dụ "
        "12 hoặc 1.234."),
    "value.formula_error": (
        "Ô kết quả của {indicator} có lỗi công thức {text}. Hãy sửa công thức hoặc ghi thẳng "
        "con số."),
    "value.unit_suffix": (
        "Kết quả của {indicator} ghi '{text}', mdplan đọc là {value}. Chỉ ghi con số, không "
        "kèm đơn vị tính."),
    "value.ambiguous": "Kết quả của {indicator}: {detail} Hãy kiểm tra lại con số.",
    "value.not_a_number/english": (
        "Kết quả của {indicator} ghi '{text}' theo kiểu tiếng Anh. Hãy dùng dấu chấm để ngăn "
        "cách hàng nghìn và dấu phẩy cho phần thập phân, ví dụ 1.234 hoặc 12,5."),
    "indicator.unknown": (
        "Hàng {row} không khớp chỉ tiêu nào của kế hoạch ('{text}'). Hãy ghi đúng mã chỉ tiêu "
        "({codes}) hoặc xóa hàng này."),
    "indicator.duplicate": (
        "Chỉ tiêu {code} có hai hàng (hàng {first} và hàng {row}). Hãy giữ lại một hàng."),
    "commune.unknown": (
        "Không tìm thấy '{text}' trong danh sách xã, phường, thị trấn của {district}. Hãy chọn "
        "tên trong danh sách thả xuống."),
    "commune.unknown/suggest": (
        "Không tìm thấy '{text}' trong danh sách xã, phường, thị trấn của {district}. Có phải: "
        "{candidates}? Hãy chọn tên trong danh sách thả xuống."),
    "commune.not_in_district": (
        "'{text}' thuộc {other}, không thuộc {district}. Hãy chọn xã, phường, thị trấn của "
        "{district}."),
    "commune.ambiguous": (
        "'{text}' có thể là: {candidates}. Hãy ghi rõ huyện, thành phố ở cột "
        "'Huyện, thành phố'."),
    "commune.duplicate": (
        "'{commune}' đã được liệt kê cho {code} ở hàng {first}; mỗi xã chỉ được tính một lần."),
    "commune.indicator_invalid": (
        "Hàng {row}: '{text}' không phải chỉ tiêu tính theo xã. Ở cột 'Mã chỉ tiêu' hãy chọn "
        "một trong các mã: {codes}."),
    "commune.indicator_invalid/empty": (
        "Hàng {row} ghi '{commune}' nhưng chưa có mã chỉ tiêu. Ở cột 'Mã chỉ tiêu' hãy chọn "
        "một trong các mã: {codes}."),
    "commune.list_missing": (
        "Kết quả của {code} ghi {value} nhưng chưa liệt kê xã nào ở trang tính 'Xã, phường'. "
        "Số xã được đếm từ danh sách: hãy ghi tên từng xã, phường, thị trấn."),
    "district.unknown": (
        "Không nhận ra huyện, thành phố '{text}'. Hãy chọn trong danh sách thả xuống."),
    "text.legacy_encoding": (
        "Trang tính '{sheet}' có {count} ô viết bằng bảng mã cũ {encoding}; mdplan đã chuyển sang "
        "Unicode. Hãy kiểm tra lại tên và nội dung; lần sau nên dùng phông Times New Roman."),
    "area.province": "tỉnh {province}",
    "more": (
        "Còn {count} ô khác có cùng lỗi này trên trang tính '{sheet}'. Hãy sửa các ô đã nêu rồi kiểm "
        "tra lại tệp."),
}

# How far labels are looked for: a header row below this many rows, or a label this far past
# the table, is not a report's. Bounds the work on a sheet padded with 100 000 rows.
SEARCH_ROWS = 1000
# Findings of one code beyond this many are summed up in one: a sheet of junk rows must not
# bury the officer (and the store) under thousands of findings.
MAX_FINDINGS_PER_CODE = 25

FORMULA_ERRORS = {"#REF!", "#VALUE!", "#DIV/0!", "#N/A", "#NAME?", "#NUM!", "#NULL!",
                  "#SPILL!", "#CALC!", "#GETTING_DATA", "#FIELD!", "#BLOCKED!", "#UNKNOWN!",
                  "ERR:502", "ERR:504", "ERR:508", "ERR:522", "#ERR502", "#ERR504"}
_LEGACY_NAMES = {"tcvn3": "TCVN3", "vni": "VNI"}
_MONTH = re.compile(r"^(?:thang\s*)?(\d{1,2})$")
_YEAR = re.compile(r"^(?:nam\s*)?(\d{4})$")
_CODE = re.compile(r"^(?:CT)?(\d{1,2})[.,](\d{1,2})\.?$")
_ENGLISH_NUMBER = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_NUMBERING = re.compile(r"^\(?[0-9]{1,2}\)?$|^\(?[A-Za-z]\)?$")


@dataclass
class ReportCells:
    """Where each part of a report was read: sheet names and A1 cells.

    Validation uses it to point its findings at the cell an officer has to fix.
    """

    report_sheet: str | None = None
    commune_sheet: str | None = None
    header: dict[str, str] = field(default_factory=dict)  # field ("unit", "year", ...) -> cell
    values: dict[str, str] = field(default_factory=dict)  # indicator code -> its result cell
    table: str | None = None  # the `Kết quả trong kỳ` header cell
    # (indicator code, commune code) -> the cell of its name on the commune sheet
    communes: dict[tuple[str, str], str] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)  # indicator code -> its note cell
    media_text: str | None = None
    media_sheet: str | None = None

    def at_header(self, name: str) -> dict:
        return {"sheet": self.report_sheet, "cell": self.header.get(name)}

    def at_period(self) -> dict:
        for name in ("start_month", "end_month", "year"):
            if name in self.header:
                return self.at_header(name)
        return {"sheet": self.report_sheet, "cell": None}

    def at_value(self, code: str) -> dict:
        return {"sheet": self.report_sheet, "cell": self.values.get(code)}

    def at_commune(self, code: str, commune: str) -> dict:
        if (code, commune) in self.communes:
            return {"sheet": self.commune_sheet, "cell": self.communes[(code, commune)]}
        return self.at_value(code)

    def at_table(self) -> dict:
        return {"sheet": self.report_sheet, "cell": self.table}

    def at_note(self, code: str) -> dict:
        if code in self.notes:
            return {"sheet": self.report_sheet, "cell": self.notes[code]}
        return self.at_value(code)

    def at_media(self) -> dict:
        return {"sheet": self.media_sheet or self.report_sheet, "cell": self.media_text}


@dataclass(frozen=True)
class _Field:
    """A header value: its row and column (the label's column when the value is empty)."""

    row: int
    col: int
    value: object
    text: str | None


@dataclass
class ReadResult:
    report: ParsedReport | None
    findings: list[Finding]
    cells: ReportCells


def read_report(raw: RawWorkbook, plan, *, filename: str | None = None
                ) -> tuple[ParsedReport | None, list[Finding]]:
    """The report in `raw` and what is wrong with it. The report is None when its unit or its
    period cannot be known; otherwise it holds every value that could be read."""
    result = read_report_with_cells(raw, plan, filename=filename)
    return result.report, result.findings


def read_report_with_cells(raw: RawWorkbook, plan, *, filename: str | None = None) -> ReadResult:
    return _Reader(raw, plan, filename).read()


# -- helpers over one sheet ------------------------------------------------------------------

def _key(text) -> str:
    return vntext.match_key(text) if text else ""


def _label_keys(labels: dict[str, Label]) -> list[tuple[str, str]]:
    """(column, label key) pairs, the longest label first, so `Chỉ tiêu năm` beats `Chỉ tiêu`."""
    pairs = [(col, _key(text)) for col, label in labels.items() for text in label.texts]
    return sorted(pairs, key=lambda p: -len(p[1]))


def _match_label(key: str, pairs: list[tuple[str, str]], prefix: bool) -> str | None:
    for col, label in pairs:
        if key == label or (prefix and key.startswith(label + " ")):
            return col
    return None


def _header_columns(view: _SheetView, r: int, pairs, prefix: bool) -> dict[str, int]:
    """Column name -> index for the labels on row r. A label written exactly beats one that
    only starts like it (`Kết quả trong kỳ` beats `Kết quả thực hiện năm trước`)."""
    best: dict[str, tuple[bool, int]] = {}
    for c in range(view.width(r)):
        if not isinstance(view.rows[r][c], str):
            continue
        key = view.key(r, c)
        name = _match_label(key, pairs, prefix)
        if name is None:
            continue
        exact = _match_label(key, pairs, False) == name
        if name not in best or (exact and not best[name][0]):
            best[name] = (exact, c)
    return {name: c for name, (_exact, c) in best.items()}


def _is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _plain(value) -> str:
    """A cell value as an officer would read it, for messages."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return vntext.show_number(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.strftime("%d/%m/%Y")
    return str(value).strip()


class _SheetView:
    """One sheet with its text decoded once: legacy fonts converted, NFC, control characters
    cleaned (`read_workbook` has already done so and said where; a grid from elsewhere gets
    the same rule), stripped."""

    def __init__(self, sheet: RawSheet):
        self.sheet = sheet
        self.name = sheet.name
        self.rows = sheet.rows
        self.fonts = getattr(sheet, "fonts", None) or {}
        self._text: dict[tuple[int, int], str | None] = {}
        self.converted: list[tuple[int, int, str]] = []  # (row, col, encoding)

    @property
    def nrows(self) -> int:
        return len(self.rows)

    def width(self, r: int) -> int:
        return len(self.rows[r]) if 0 <= r < len(self.rows) else 0

    def value(self, r: int, c: int):
        if 0 <= r < len(self.rows) and 0 <= c < len(self.rows[r]):
            value = self.rows[r][c]
            return self.text(r, c) if isinstance(value, str) else value
        return None

    def text(self, r: int, c: int) -> str | None:
        """The cell as text (numbers too), or None when the cell is empty."""
        if (r, c) in self._text:
            return self._text[(r, c)]
        raw = self.rows[r][c] if 0 <= r < len(self.rows) and 0 <= c < len(self.rows[r]) else None
        if _is_blank(raw):
            out = None
        elif isinstance(raw, str):
            fixed, encoding = vntext.fix_legacy(raw, self.fonts.get((r, c)))
            if encoding:
                self.converted.append((r, c, encoding))
            out = vntext.clean_text(fixed).strip() or None  # fix_legacy gives NFC
        else:
            out = _plain(raw)
        self._text[(r, c)] = out
        return out

    def key(self, r: int, c: int) -> str:
        return _key(self.text(r, c))

    def row_blank(self, r: int) -> bool:
        return all(_is_blank(v) for v in self.rows[r])

    def right_of(self, r: int, c: int, stop_keys: set[str]) -> int | None:
        """The column of the first non-empty cell right of (r, c), unless it is another label."""
        for cc in range(c + 1, self.width(r)):
            if not _is_blank(self.rows[r][cc]):
                return None if self.key(r, cc) in stop_keys else cc
        return None


# -- the reader --------------------------------------------------------------------------------

class _Reader:
    def __init__(self, raw: RawWorkbook, plan, filename: str | None):
        self.plan = plan
        self.raw = raw
        self.filename = filename
        self.findings: list[Finding] = []
        self._counts: dict[str, int] = {}
        self._more: dict[str, Finding] = {}  # code -> the last finding not shown
        self.cells = ReportCells()
        self.sheets = [_SheetView(s) for s in raw.sheets
                       if (getattr(s, "state", "visible") or "visible") == "visible"]
        self.indicators = {row["code"]: row for row in plan.indicators.to_dict("records")}
        # Names are matched whole (case, diacritics, punctuation and spacing ignored): they are
        # long phrases, so a near miss is more likely another indicator than a typo.
        self.indicator_names = {vntext.compact_key(i["name"]): code
                                for code, i in self.indicators.items()}
        self.units = plan.reporting_units
        self.places = plan.places
        self.communes = plan.communes.set_index("code", drop=False)
        self.commune_codes = counting.named_codes(plan)
        self.header_keys = {_key(text) for label in HEADER.values() for text in label.texts}

    # findings
    def _add(self, make, code: str, message_id: str | None = None, /, *, sheet=None, cell=None,
             **fields) -> None:
        self._counts[code] = self._counts.get(code, 0) + 1
        message = MESSAGES[message_id or code].format(sheet=sheet, cell=cell, **fields)
        finding = make(code, message, sheet=sheet, cell=cell, file=self.filename)
        if self._counts[code] > MAX_FINDINGS_PER_CODE:
            self._more[code] = finding
        else:
            self.findings.append(finding)

    def _sum_up_the_rest(self) -> None:
        for code, last in self._more.items():
            message = MESSAGES["more"].format(
                count=self._counts[code] - MAX_FINDINGS_PER_CODE, sheet=last.sheet)
            self.findings.append(Finding(last.severity, code, message, sheet=last.sheet,
                                         file=self.filename))

    def _error(self, code, message_id=None, /, **kw):
        self._add(error, code, message_id, **kw)

    def _warning(self, code, message_id=None, /, **kw):
        self._add(warning, code, message_id, **kw)

    def read(self) -> ReadResult:
        other = self._template_of_another_plan()
        if other is not None:
            self._error("template.other_plan", other=other, plan=self.plan.label)
            return ReadResult(None, self.findings, self.cells)
        table = self._find_table()
        if table is None:
            return ReadResult(None, self.findings, self.cells)
        view, header_row, columns, end_row = table
        self.cells.report_sheet = view.name
        self.cells.table = cell_ref(header_row, columns["result"])
        self._check_unread_columns(view, header_row, columns, TABLE, end_row)

        header = self._read_header(view, skip=range(header_row, end_row))
        unit_code = self._resolve_unit(view, header)
        period = self._read_period(view, header)
        reporter = header["reporter"].text if "reporter" in header else None
        if reporter is None:
            self._warning("header.no_reporter", **self.cells.at_header("reporter"))
        phone = self._read_phone(header)
        report_date = self._read_date(header)

        rows = self._read_table(view, header_row, columns, end_row)
        district = self._unit_district(unit_code)
        communes, listed = self._read_communes(district)
        media_text = self._read_media_text(view)
        values = self._assemble(rows, communes, listed, media_text)

        self._legacy_warnings()
        self._sum_up_the_rest()
        report = None
        if unit_code is not None and period is not None:
            report = ParsedReport(unit_code=unit_code, period=period, values=values,
                                  reporter=reporter, phone=phone, report_date=report_date)
        return ReadResult(report, self.findings, self.cells)

    # -- the indicator table --

    def _find_table(self):
        """(sheet, header row, {column: index}, end row) of the indicator table, preferring the
        sheet `Báo cáo`; None with a `template.not_recognised` finding when there is none."""
        pairs = _label_keys(TABLE)
        report_key = _key(SHEET_REPORT)
        ordered = sorted(self.sheets, key=lambda v: _key(v.name) != report_key)
        partial = None
        for view in ordered:
            for r in range(min(view.nrows, SEARCH_ROWS)):
                columns = _header_columns(view, r, pairs, prefix=True)
                if "result" in columns and ("code" in columns or "name" in columns):
                    return view, r, columns, self._table_end(view, r)
                if partial is None and len(columns) >= 3:
                    partial = (view, r, columns)
        if partial:
            view, r, columns = partial
            missing = TABLE["result" if "result" not in columns else "code"].text
            self._error("template.not_recognised", "template.not_recognised/column",
                        sheet=view.name, cell=cell_ref(r, min(columns.values())),
                        row=r + 1, missing=missing)
        else:
            self._error("template.not_recognised")
        return None

    def _check_unread_columns(self, view: _SheetView, r: int, columns: dict[str, int],
                              labels: dict[str, Label], end_row: int) -> None:
        """A column of the template that was not found, while a header on the row nearly spells
        its label (a TCVN3 'Ghi chú' reads as 'Ghi chó'): an error when the column holds
        anything, since its content would be lost without a word."""
        missing = [(name, _key(text)) for name, label in labels.items() if name not in columns
                   for text in label.texts]
        taken = set(columns.values())
        for c in range(view.width(r)):
            if c in taken or not missing or not isinstance(view.rows[r][c], str):
                continue
            key = view.key(r, c)
            name = next((name for name, label in missing
                         if key and _near_label(key, label)), None)
            if name is None:
                continue
            rows = range(r + 1, min(end_row, r + 1 + SEARCH_ROWS))
            if any(not _is_blank(view.rows[rr][c]) for rr in rows if c < view.width(rr)):
                self._error("table.column_unread", sheet=view.name, cell=cell_ref(r, c),
                            text=view.text(r, c), label=labels[name].text)

    def _template_of_another_plan(self) -> str | None:
        """The id of the plan a template from mdplan was made for, when it is not this plan's.
        Templates made before plans had ids say nothing, and are read as this plan's."""
        meta = self.raw.sheet(SHEET_META)
        if meta is None:
            return None
        stamped = {str(row[0]): row[1] for row in meta.rows if len(row) >= 2 and row[0]}
        plan_id = stamped.get("plan_id")
        return str(plan_id) if plan_id and str(plan_id) != self.plan.id else None

    def _table_end(self, view: _SheetView, header_row: int) -> int:
        """The row after the table: at a label that follows it, or the end of the sheet."""
        end_keys = {_key(label.text) for label in AFTER_TABLE}
        for r in range(header_row + 1, view.nrows):
            if any(view.key(r, c) in end_keys for c in range(view.width(r))
                   if isinstance(view.rows[r][c], str)):
                return r
        return view.nrows

    def _identify(self, code_text: str | None, name_text: str | None):
        """The indicator code a row stands for, or None."""
        if code_text:
            code = _normalise_code(code_text)
            if code in self.indicators:
                return code
        if name_text:
            return self.indicator_names.get(vntext.compact_key(name_text))
        return None

    def _read_table(self, view, header_row, columns, end_row) -> dict[str, dict]:
        """Indicator code -> {"value", "raw", "note", "row"} for the rows of the table.

        A blank row ends the contiguous block; below it only rows that name an indicator (or
        look like a code) are taken, so notes under the table do not become findings.
        """
        rows: dict[str, dict] = {}
        code_col, name_col = columns.get("code"), columns.get("name")
        result_col, note_col = columns["result"], columns.get("note")
        in_block, seen = True, False
        for r in range(header_row + 1, end_row):
            if view.row_blank(r):
                in_block = in_block and not seen
                continue
            if _is_numbering_row(view, r):
                continue
            code_text = view.text(r, code_col) if code_col is not None else None
            name_text = view.text(r, name_col) if name_col is not None else None
            result = view.value(r, result_col)
            where = {"sheet": view.name, "cell": cell_ref(r, result_col)}
            code = self._identify(code_text, name_text)
            if code is None:
                if _is_total_row(code_text, name_text):
                    continue
                looks_like_code = bool(code_text and re.match(r"^\s*CT\s*\d", code_text, re.I))
                labelled = seen or code_text or name_text
                if looks_like_code or (in_block and labelled and not _is_blank(result)):
                    label_col = code_col if code_text else name_col
                    if label_col is None:
                        label_col = result_col
                    self._error("indicator.unknown", sheet=view.name, cell=cell_ref(r, label_col),
                                row=r + 1, text=code_text or name_text or "",
                                codes=", ".join(self.indicators))
                continue
            seen = True
            if code in rows:
                self._error("indicator.duplicate", sheet=view.name,
                            cell=cell_ref(r, code_col if code_text else name_col),
                            code=code, first=rows[code]["row"] + 1, row=r + 1)
                continue
            self.cells.values[code] = where["cell"]
            entry = {"row": r, "raw": result, "value": None,
                     "note": view.text(r, note_col) if note_col is not None else None}
            if entry["note"] is not None:
                self.cells.notes[code] = cell_ref(r, note_col)
            if code not in self.commune_codes:
                entry["value"] = self._parse_count(result, code, where)
            rows[code] = entry
        return rows

    def _parse_count(self, value, code: str, where: dict):
        """A count from a result cell, or None (empty or unreadable, with a finding)."""
        if _is_blank(value):
            return None
        label = self._indicator_label(code)
        if isinstance(value, str) and value.strip().upper() in FORMULA_ERRORS:
            self._error("value.formula_error", **where, indicator=label, text=value.strip())
            return None
        if isinstance(value, (dt.date, dt.datetime, bool)):
            self._error("value.not_a_number", **where, indicator=label, text=_plain(value))
            return None
        parsed = vntext.parse_number(value)
        if parsed.error or parsed.value is None:
            english = _ENGLISH_NUMBER.fullmatch(_plain(value))
            self._error("value.not_a_number",
                        "value.not_a_number/english" if english else None,
                        **where, indicator=label, text=_plain(value))
            return None
        number = parsed.value
        if isinstance(number, float) and number.is_integer():
            number = int(number)
        if parsed.warning:
            suffix = parsed.code == "number.unit_suffix"
            self._warning("value.unit_suffix" if suffix else "value.ambiguous", **where,
                          indicator=label, text=_plain(value), detail=parsed.warning,
                          value=vntext.show_number(number))
        return number

    def _indicator_label(self, code: str) -> str:
        return f"{code} ({self.indicators[code]['name']})"

    # -- the header block --

    def _read_header(self, view: _SheetView, skip: range) -> dict[str, _Field]:
        """Header field -> where its value is. The template's own label wins over an alias,
        then the first in reading order."""
        pairs = [(name, i, _key(text)) for name, label in HEADER.items()
                 for i, text in enumerate(label.texts)]
        best: dict[str, tuple[int, _Field]] = {}

        def offer(name, rank, found):
            if name not in best or rank < best[name][0]:
                best[name] = (rank, found)

        for r in range(min(view.nrows, skip.stop + SEARCH_ROWS)):
            if r in skip:
                continue
            for c in range(view.width(r)):
                if not isinstance(view.rows[r][c], str):
                    continue
                key, text = view.key(r, c), view.text(r, c)
                for name, rank, label in pairs:
                    if key == label:
                        vc = view.right_of(r, c, self.header_keys)
                        offer(name, rank, _Field(r, vc, view.value(r, vc), view.text(r, vc))
                              if vc is not None else _Field(r, c, None, None))
                    elif ":" in text and _key(text.partition(":")[0]) == label:
                        tail = text.partition(":")[2].strip()  # "Label: value" in one cell
                        offer(name, rank, _Field(r, c, tail or None, tail or None))
        fields = {name: found for name, (_rank, found) in best.items()}
        for name, found in fields.items():
            self.cells.header[name] = cell_ref(found.row, found.col)
        return fields

    def _resolve_unit(self, view: _SheetView, header: dict) -> str | None:
        names = dict(zip(self.units["code"], self.units["name"]))
        code_text = header["unit_code"].text if "unit_code" in header else None
        name_text = header["unit"].text if "unit" in header else None
        code = code_text.strip().lower() if code_text else None
        by_name = self._unit_resolver().resolve(name_text) if name_text else None

        if code in names:
            if by_name is not None and by_name.status == "ok" and by_name.id != code:
                self._error("unit.mismatch", **self.cells.at_header("unit"), code=code_text,
                            code_name=names[code], text=name_text)
                return None
            return code
        if by_name is None:
            if code_text:
                self._error("unit.unknown", "unit.unknown/code",
                            **self.cells.at_header("unit_code"), text=code_text)
            else:
                self._missing(view, header, "unit")
            return None
        where = self.cells.at_header("unit")
        if by_name.status == "ok":
            return by_name.id
        if by_name.status == "ambiguous":
            candidates = ", ".join(names.get(c, c) for c in by_name.candidates)
            self._error("unit.ambiguous", **where, text=name_text, candidates=candidates)
        elif by_name.candidates:
            candidates = ", ".join(names.get(c, c) for c in by_name.candidates)
            self._error("unit.unknown", "unit.unknown/suggest", **where, text=name_text,
                        candidates=candidates)
        else:
            self._error("unit.unknown", **where, text=name_text)
        return None

    def _unit_resolver(self):
        """Units by name: a district's committee also by the district's names; an agency by
        its name, short name and aliases."""
        districts = {d["code"]: d for d in self.places.to_dict("records")}
        agencies = {a["id"]: a for a in self.plan.agencies.to_dict("records")}
        entries = []
        for unit in self.units.to_dict("records"):
            names = [unit["name"], unit.get("short_name")]
            district = districts.get(unit.get("place_code"))
            if unit["kind"] == "place" and district:
                names += [district["name"], district["short_name"]]
            agency = agencies.get(unit.get("agency_id") or unit["code"])
            if agency:
                names += [agency["name"], agency["short_name"], *_as_list(agency.get("aliases"))]
            names = [n for n in dict.fromkeys(names) if isinstance(n, str) and n.strip()]
            entries.append((unit["code"], names))
        return vntext.NameResolver(entries, kind="unit")

    def _missing(self, view: _SheetView, header: dict, name: str) -> None:
        label = HEADER[name].text
        if name in header:  # the label is there, its value is not
            self._error("header.missing", "header.missing/value", **self.cells.at_header(name),
                        label=label, what=MESSAGES[f"what.{name}"])
        else:
            self._error("header.missing", sheet=view.name, cell=None, label=label)

    def _read_period(self, view: _SheetView, header: dict) -> Period | None:
        parts = {}
        for name, pattern in (("year", _YEAR), ("start_month", _MONTH), ("end_month", _MONTH)):
            if name not in header or header[name].text is None:
                self._missing(view, header, name)
                continue
            value = header[name].value
            number = _whole_number(value, pattern)
            valid = number is not None and (1900 <= number <= 2100 if name == "year"
                                            else 1 <= number <= 12)
            if not valid:
                self._error("period.invalid",
                            "period.invalid/year" if name == "year" else "period.invalid/month",
                            **self.cells.at_header(name), label=HEADER[name].text,
                            text=_plain(value))
                continue
            parts[name] = number
        if len(parts) < 3:
            return None
        if parts["start_month"] > parts["end_month"]:
            self._error("period.invalid", "period.invalid/order",
                        **self.cells.at_header("end_month"),
                        start=parts["start_month"], end=parts["end_month"])
            return None
        return Period(parts["year"], parts["start_month"], parts["end_month"])

    @staticmethod
    def _read_phone(header: dict) -> str | None:
        if "phone" not in header or header["phone"].text is None:
            return None
        value = header["phone"].value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            # A number cell loses the leading 0 of every Vietnamese phone number.
            return "0" + str(int(value))
        return header["phone"].text

    def _read_date(self, header: dict) -> dt.date | None:
        if "report_date" not in header or header["report_date"].text is None:
            self._warning("header.no_report_date", **self.cells.at_header("report_date"))
            return None
        value = header["report_date"].value
        parsed = vntext.parse_date(value)
        if parsed.error or parsed.value is None:
            # Metadata: an unreadable date never refuses the report's numbers.
            self._warning("date.invalid", **self.cells.at_header("report_date"), text=_plain(value))
            return None
        value = parsed.value
        return value.date() if isinstance(value, dt.datetime) else value

    # -- the commune list --

    def _unit_district(self, unit_code: str | None) -> str | None:
        if unit_code is None:
            return None
        row = self.units[self.units["code"] == unit_code]
        if row.empty or row.iloc[0]["kind"] != "place":
            return None
        return row.iloc[0]["place_code"]

    def _find_commune_table(self):
        pairs = _label_keys(COMMUNE_TABLE)
        commune_key = _key(SHEET_COMMUNES)
        ordered = sorted(self.sheets, key=lambda v: _key(v.name) != commune_key)
        for view in ordered:
            for r in range(min(view.nrows, SEARCH_ROWS)):
                columns = _header_columns(view, r, pairs, prefix=False)
                if "commune" in columns and "code" in columns:
                    return view, r, columns
        return None

    def _read_communes(self, unit_district: str | None):
        """Indicator code -> commune codes in list order (each once), and the indicators that
        have list rows at all (resolved or not)."""
        out: dict[str, list[str]] = {}
        listed: set[str] = set()
        table = self._find_commune_table()
        if table is None:
            return out, listed
        view, header_row, columns = table
        self.cells.commune_sheet = view.name
        self._check_unread_columns(view, header_row, columns, COMMUNE_TABLE, view.nrows)
        first_row: dict[tuple[str, str], int] = {}
        commune_col, code_col = columns["commune"], columns["code"]

        for r in range(header_row + 1, view.nrows):
            commune_text = view.text(r, commune_col)
            if commune_text is None:
                continue
            code_text = view.text(r, code_col)
            code = _normalise_code(code_text) if code_text else None
            if code not in self.commune_codes and code_text:
                code = self._identify(None, code_text) or code
            if code not in self.commune_codes:
                self._error("commune.indicator_invalid",
                            None if code_text else "commune.indicator_invalid/empty",
                            sheet=view.name, cell=cell_ref(r, code_col), row=r + 1,
                            text=code_text, commune=commune_text,
                            codes=", ".join(self.commune_codes))
                continue
            listed.add(code)
            where = {"sheet": view.name, "cell": cell_ref(r, commune_col)}

            # The district that bounds the name: the unit's own, or the column's for agencies.
            district = unit_district
            if district is None and "district" in columns:
                district_text = view.text(r, columns["district"])
                if district_text:
                    found = self._district_resolver().resolve(district_text)
                    if found.status != "ok":
                        self._error("district.unknown", sheet=view.name,
                                    cell=cell_ref(r, columns["district"]), text=district_text)
                        continue
                    district = found.id
            commune = self._resolve_commune(commune_text, district, where)
            if commune is None:
                continue
            if (code, commune) in first_row:
                self._warning("commune.duplicate", **where, commune=self._commune_name(commune),
                              code=code, first=first_row[(code, commune)] + 1)
                continue
            first_row[(code, commune)] = r
            self.cells.communes[(code, commune)] = where["cell"]
            out.setdefault(code, []).append(commune)
        return out, listed

    def _district_resolver(self):
        if not hasattr(self, "_dist_resolver"):
            entries = [(d["code"], [d["name"], d["short_name"]])
                       for d in self.places.to_dict("records")]
            self._dist_resolver = vntext.NameResolver(entries, kind="district")
        return self._dist_resolver

    def _commune_resolver(self, district: str | None):
        cache = self.__dict__.setdefault("_commune_resolvers", {})
        if district not in cache:
            communes = self.communes
            if district is not None:
                communes = communes[communes["place_code"] == district]
            entries = [(c["code"], [c["name"], f"{c['type']} {c['name']}"])
                       for c in communes.to_dict("records")]
            cache[district] = vntext.NameResolver(entries, kind="commune")
        return cache[district]

    def _commune_name(self, code: str, with_district: bool = False) -> str:
        commune = self.communes.loc[code]
        name = f"{commune['type']} {commune['name']}"
        if with_district:
            name += f" ({self._district_name(commune['place_code'])})"
        return name

    def _district_name(self, code: str) -> str:
        return self.places.loc[self.places["code"] == code, "name"].iloc[0]

    def _resolve_commune(self, text: str, district: str | None, where: dict) -> str | None:
        """A commune code, searching the district when it is known, else the province. A name
        written with its district ("xã Kim Hỷ, huyện Na Rì") is looked for in that district."""
        found = self._commune_resolver(district).resolve(text)
        if found.status == "ok":
            return found.id
        for name, parent in vntext.with_parent(text):
            named = self._district_resolver().resolve(parent)
            if not named.ok:
                continue
            if district is not None and named.id != district:
                self._error("commune.not_in_district", **where, text=text,
                            other=self._district_name(named.id),
                            district=self._district_name(district))
                return None
            return self._resolve_commune(name, named.id, where)
        if found.status == "ambiguous":
            candidates = ", ".join(self._commune_name(c, with_district=district is None)
                                   for c in found.candidates)
            self._error("commune.ambiguous", **where, text=text, candidates=candidates)
            return None
        elsewhere = self._commune_resolver(None).resolve(text) if district else None
        if elsewhere is not None and elsewhere.status == "ok":
            other = self.communes.at[elsewhere.id, "place_code"]
            self._error("commune.not_in_district", **where, text=text,
                        other=self._district_name(other), district=self._district_name(district))
        else:
            area = (self._district_name(district) if district
                    else MESSAGES["area.province"].format(province=self.plan.province))
            if found.candidates:
                self._error("commune.unknown", "commune.unknown/suggest", **where, text=text,
                            district=area, candidates=", ".join(
                                self._commune_name(c) for c in found.candidates))
            else:
                self._error("commune.unknown", **where, text=text, district=area)
        return None

    # -- the media text and the result --

    def _read_media_text(self, view: _SheetView) -> str | None:
        keys = {_key(text) for text in MEDIA.texts}
        others = [v for v in self.sheets if v is not view]
        for sheet in [view, *others]:
            for r in range(min(sheet.nrows, SEARCH_ROWS * 2)):
                for c in range(sheet.width(r)):
                    if isinstance(sheet.rows[r][c], str) and sheet.key(r, c) in keys:
                        vc = sheet.right_of(r, c, set())
                        if vc is not None:
                            self.cells.media_text = cell_ref(r, vc)
                            self.cells.media_sheet = sheet.name
                            return sheet.text(r, vc)
                        below = sheet.text(r + 1, c) if r + 1 < sheet.nrows else None
                        if below and _key(below) not in {_key(label.text) for label in AFTER_TABLE}:
                            self.cells.media_text = cell_ref(r + 1, c)
                            self.cells.media_sheet = sheet.name
                            return below
                        return None
        return None

    def _assemble(self, rows: dict, communes: dict, listed: set, media_text) -> list[ReportValue]:
        values = []
        for code, indicator in self.indicators.items():
            entry = rows.get(code, {})
            note = entry.get("note")
            if code in self.commune_codes:
                named = tuple(communes.get(code, ()))
                if code not in listed:
                    self._check_commune_count(code, entry)
                value = ReportValue(code, len(named) if named else None, communes=named, note=note)
            elif counting.way(indicator).has_text:
                value = ReportValue(code, entry.get("value"), text=media_text, note=note)
            else:
                value = ReportValue(code, entry.get("value"), note=note)
            if value.value is not None or value.communes or value.text or value.note:
                values.append(value)
        return values

    def _check_commune_count(self, code: str, entry: dict) -> None:
        """A number typed in a commune indicator's cell with no list would be lost silently."""
        raw = entry.get("raw")
        if _is_blank(raw):
            return
        parsed = vntext.parse_number(raw) if not isinstance(raw, (dt.date, bool)) else None
        if parsed is not None and not parsed.error and parsed.value:
            self._error("commune.list_missing", **self.cells.at_value(code), code=code,
                        value=vntext.format_number(parsed.value))

    def _legacy_warnings(self) -> None:
        used = {self.cells.report_sheet, self.cells.commune_sheet}
        for view in self.sheets:
            if view.name not in used or not view.converted:
                continue
            r, c, encoding = view.converted[0]
            self._warning("text.legacy_encoding", sheet=view.name, cell=cell_ref(r, c),
                          encoding=_LEGACY_NAMES.get(str(encoding).lower(), encoding),
                          count=len(view.converted))


def _normalise_code(text: str) -> str:
    """`CT1.1`, `ct 1.1`, `CT1,1`, `1.1` -> `CT1.1`."""
    compact = re.sub(r"\s+", "", str(text)).upper()
    m = _CODE.match(compact)
    return f"CT{int(m.group(1))}.{int(m.group(2))}" if m else compact


def _near_label(key: str, label: str) -> bool:
    """A header a few letters off a label: a misspelling, or legacy text not recognised."""
    a, b = key.replace(" ", ""), label.replace(" ", "")
    return a != b and vntext.edit_distance(a, b) <= max(1, len(b) // 5)


def _whole_number(value, pattern: re.Pattern) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return int(value) if float(value).is_integer() else None
    m = pattern.match(_key(str(value)))
    return int(m.group(1)) if m else None


def _is_numbering_row(view: _SheetView, r: int) -> bool:
    """A row of column numbers under the header: `(1) (2) (3) ...` or `1 2 3 ...`."""
    texts = [view.text(r, c) for c in range(view.width(r))]
    texts = [t for t in texts if t is not None]
    return len(texts) >= 3 and all(_NUMBERING.match(t) for t in texts)


def _is_total_row(*texts) -> bool:
    """Officers often add a `Tổng cộng` row; a total of unlike units means nothing, so skip it."""
    return any(t and re.match(r"^(tong|cong)\b", _key(t)) for t in texts)


def _as_list(value) -> list[str]:
    if value is None or (isinstance(value, float) and value != value):
        return []
    if isinstance(value, str):
        return [value]
    return list(value)
