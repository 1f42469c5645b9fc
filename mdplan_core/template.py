"""The report template: the Excel workbook an officer downloads, fills in and uploads.

`build_template(plan, unit_code, period)` writes it from code with openpyxl, for one
reporting unit and one period. Its sheets, labels and rows are `layout`'s, the contract
in `docs/template.md` that the reader reads by. This module adds how it looks: widths,
colours, prompts, the guide. The workbook is built from scratch (never an Excel-made file re-saved), because
openpyxl drops Excel's validation extensions when it re-saves.
"""
from __future__ import annotations

import datetime as dt
import io
import unicodedata

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from . import counting
from .layout import (
    COMMUNE_FIRST_ROW,
    COMMUNE_HEADER_ROW,
    COMMUNE_INPUT_ROWS,
    COMMUNE_LIST,
    COMMUNE_TABLE,
    DISTRICT_LIST,
    HEAD,
    HEADER,
    HEADER_FIRST_ROW,
    LABEL_COL,
    LIST_COLUMNS,
    MEDIA,
    MEDIA_ROWS,
    META_KEYS,
    PREPARED_BY,
    SHEET_COMMUNES,
    SHEET_GUIDE,
    SHEET_LISTS,
    SHEET_META,
    SHEET_REPORT,
    TABLE,
    TABLE_FIRST_ROW,
    TABLE_HEADER_ROW,
    TEMPLATE_VERSION,
    VALUE_COL,
)
from .plan import Plan
from .report import Period
from .vntext import match_key

# --- Column widths of `Báo cáo` (its names, labels and rows: mdplan_core.layout) ------------
REPORT_WIDTHS = {"A": 10, "B": 30, "C": 42, "D": 14, "E": 10, "F": 12, "G": 36}
GUIDE_WIDTH = 80

# --- Vietnamese text shown in the workbook ----------------------------------------------
TEXT = {
    "nation": "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "motto": "Độc lập - Tự do - Hạnh phúc",
    "province": "{kind} {province}",
    "title": "BÁO CÁO KẾT QUẢ THỰC HIỆN",
    "period": "Kỳ báo cáo: {label}",
    "legend": ("Chỉ điền vào các ô nền vàng. Ô nền xám do mdplan điền sẵn; ô nền xanh tự "
               "tính từ trang tính «Xã, phường». Cách điền: xem trang tính «Hướng dẫn»."),
    "legend_no_communes": ("Chỉ điền vào các ô nền vàng. Ô nền xám do mdplan điền sẵn. "
                           "Cách điền: xem trang tính «Hướng dẫn»."),
    "sign_date_blank": "…………, ngày …… tháng …… năm ……",
    "sign_date": '"{place}, ngày "&DAY({cell})&" tháng "&MONTH({cell})&" năm "&YEAR({cell})',
    "sign_hint_left": "(Ký, ghi rõ họ tên)",
    "sign_hint_right": "(Ký tên, đóng dấu)",
    "communes_title": "DANH SÁCH XÃ, PHƯỜNG, THỊ TRẤN ĐẠT CHỈ TIÊU TRONG KỲ",
    "communes_unit": "{unit} – kỳ báo cáo: {label}",
    "communes_help": ("Mỗi dòng ghi một xã, phường, thị trấn cho một chỉ tiêu: chọn mã chỉ tiêu, "
                      "{district_help}rồi chọn tên xã từ danh sách thả xuống. {codes}"),
    "communes_help_agency": "chọn huyện, thành phố, ",
    "lists_commune": "Danh sách xã, phường, thị trấn",
    "lists_type": "Loại",
    "lists_district_of": "Thuộc huyện, thành phố",
    "lists_commune_code": "Mã xã (TCTK)",
    "lists_district": "Danh sách huyện, thành phố",
    "lists_place_code": "Mã huyện (TCTK)",
    "footer": "Trang &P/&N",
}
PROMPT = {
    "count_title": TABLE["result"].text,  # a prompt is titled with its cell's label
    "count_error_title": "Số liệu không hợp lệ",
    "count_error": ("Chỉ nhập số nguyên không âm (0, 1, 2, …), không kèm chữ hay đơn vị. "
                    "Để trống nếu chưa có số liệu."),
    "percent_error": ("Chỉ nhập một số từ 0 đến 100 (tỉ lệ phần trăm, ví dụ 97,5), không kèm "
                      "dấu % hay chữ. Để trống nếu chưa có số liệu."),
    "date_title": HEADER["report_date"].text,
    "date": "Nhập ngày theo dạng ngày/tháng/năm, ví dụ 15/12/{year}.",
    "date_error_title": "Ngày không hợp lệ",
    "date_error": ("Ngày báo cáo phải là một ngày trong năm {year} hoặc {next_year}, "
                   "nhập theo dạng ngày/tháng/năm, ví dụ 15/12/{year}."),
    "phone": "Số điện thoại để Sở LĐTBXH liên hệ khi cần làm rõ số liệu.",
    "code_title": COMMUNE_TABLE["code"].text,
    "code": "Chọn mã chỉ tiêu từ danh sách: {codes}.",
    "code_error": "Chỉ chọn một trong các mã: {codes}.",
    "district_title": COMMUNE_TABLE["district"].text,
    "district": "Chọn huyện, thành phố nơi có xã, phường, thị trấn này.",
    "district_error": "Chọn huyện, thành phố từ danh sách thả xuống.",
    "commune_title": COMMUNE_TABLE["commune"].text,
    "commune": "Chọn tên xã, phường, thị trấn từ danh sách thả xuống (bấm mũi tên bên phải ô).",
    "commune_error": ("Tên này không có trong danh mục xã, phường, thị trấn năm {year}. "
                      "Hãy chọn từ danh sách thả xuống."),
    "list_error_title": "Không có trong danh sách",
}
ERRORS = {
    "unknown_unit": "Không có đơn vị báo cáo mã '{code}' trong kế hoạch {number}.",
    "wrong_year": "Kỳ báo cáo {period} không thuộc năm kế hoạch {year}.",
}


def _guide(plan: Plan, unit, period: Period, communes: list[str]) -> list[tuple[str, str]]:
    """The `Hướng dẫn` sheet as (style, text) lines; style is 'title', 'h' or ''. The section on
    the trang tính «Xã, phường» is there only when some indicator is counted from it."""
    due = plan.report_due_date.strftime("%d/%m/%Y")
    via = plan.agency_name(plan.reporting.via)
    to = plan.agency_name(plan.reporting.to)
    codes = ", ".join(communes)
    sections = [
        ("Ô nào cần điền", [
            "• Chỉ điền vào các ô nền vàng. Các ô nền xám (tên đơn vị, mã đơn vị, năm, kỳ "
            "báo cáo, mã và tên chỉ tiêu, chỉ tiêu năm) do mdplan điền sẵn và đã khóa.",
            "• Trang tính «Báo cáo»: điền Người báo cáo, Số điện thoại, Ngày báo cáo (dạng "
            f"ngày/tháng/năm, ví dụ 15/12/{plan.year}), rồi cột «Kết quả trong kỳ» và "
            "«Ghi chú» của từng chỉ tiêu.",
            f"• «Chỉ tiêu năm» là chỉ tiêu chung của toàn {plan.province_kind} theo Kế hoạch, để "
            "đối chiếu; không phải số đơn vị phải tự đạt."]),
        ("Cách ghi số", [
            "• Ghi kết quả đạt được TRONG KỲ báo cáo, không cộng dồn các kỳ trước.",
            "• Ghi số, không ghi đơn vị hay chữ: ghi 10, không ghi «10 lớp». Mỗi ô kết quả có "
            "lời nhắc riêng: số nguyên, tỉ lệ phần trăm (0–100) hoặc 1/0 (có/không).",
            "• Để trống nghĩa là CHƯA CÓ SỐ LIỆU (chưa báo cáo). Ghi 0 nghĩa là đã theo dõi "
            "nhưng trong kỳ không thực hiện được. Hai cách ghi này khác nhau, hãy ghi đúng.",
            "• Những giải thích khác (ví dụ: lớp ghép, số liệu ước tính) ghi ở cột «Ghi chú»."]),
        *([("Xã, phường, thị trấn", [
            f"• Các chỉ tiêu {codes} tính theo số xã, phường, thị trấn khác nhau. Không gõ số "
            "vào ô kết quả của các chỉ tiêu này: ô đó tự đếm từ trang tính «Xã, phường».",
            "• Ở trang tính «Xã, phường», mỗi dòng ghi một xã cho một chỉ tiêu: chọn mã chỉ tiêu, "
            "chọn tên xã từ danh sách thả xuống. Một xã tổ chức nhiều lớp chỉ ghi một lần "
            "(nếu ghi lặp, mdplan vẫn chỉ tính một).",
            "• Nếu một xã đạt cả hai chỉ tiêu, ghi hai dòng (mỗi chỉ tiêu một dòng)."])] if communes else []),
        ("Chuyên trang, chuyên mục", [
            "• Ghi số tin, bài, chuyên trang, chuyên mục vào ô kết quả của chỉ tiêu tương ứng; "
            "mô tả nội dung (tên chuyên mục, cơ quan đăng, phát, số kỳ) vào ô lớn "
            "«Nội dung chuyên trang, chuyên mục» bên dưới bảng."]),
        ("Những điều không được làm", [
            "• Không xóa, thêm, đổi tên hay đổi thứ tự các sheet; không xóa hoặc chèn dòng, "
            "cột; không sửa các ô đã khóa. Nếu thấy thông tin in sẵn sai (tên đơn vị, kỳ báo "
            "cáo), hãy tải lại mẫu đúng thay vì sửa.",
            "• Mở và lưu bằng Excel 2007 trở lên hoặc LibreOffice; lưu đúng dạng .xlsx "
            "(mdplan cũng nhận .xls và .ods). Nên dùng phông chữ Unicode (Times New Roman)."]),
        ("Thời hạn và cách gửi", [
            f"• Theo Kế hoạch, báo cáo gửi {to} (qua {via}) trước ngày {due}.",
            "• Tải tệp đã điền lên trang «Nộp báo cáo» của mdplan. mdplan kiểm tra ngay và "
            "chỉ rõ lỗi (sheet, ô) nếu có. Gửi lại cùng kỳ thì bản mới thay bản cũ."]),
        ("Cần hỗ trợ", [
            f"• Liên hệ {via} (cơ quan thường trực của Kế hoạch). Khi hỏi, nêu mã đơn vị "
            f"«{unit.code}» và kỳ báo cáo «{period.label}»."]),
    ]
    lines = [("title", "HƯỚNG DẪN ĐIỀN MẪU BÁO CÁO"),
             ("", f"Mẫu này dành cho {unit.name}, kỳ báo cáo {period.in_sentence}, theo "
                  f"{plan.title} ({plan.document}).")]
    for number, (heading, texts) in enumerate(sections, start=1):
        lines += [("h", f"{number}. {heading}"), *(("", text) for text in texts)]
    return lines


# --- Styles -----------------------------------------------------------------------------
FONT_NAME, FONT_SIZE = "Times New Roman", 12
INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")       # light yellow: the officer fills
FIXED_FILL = PatternFill("solid", fgColor="F2F2F2")       # light grey: pre-filled, locked
FORMULA_FILL = PatternFill("solid", fgColor="DDEBF7")     # light blue: computed, locked
HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")
_THIN = Side(style="thin", color="808080")
BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
UNLOCKED = Protection(locked=False)
WRAP = Alignment(wrap_text=True, vertical="top")
WRAP_MIDDLE = Alignment(wrap_text=True, vertical="center")
WRAP_CENTER = Alignment(wrap_text=True, horizontal="center", vertical="center")
CENTER = Alignment(horizontal="center", vertical="center")
LEFT = Alignment(horizontal="left", vertical="center")
NUMBER_FORMAT = "#,##0"
PERCENT_FORMAT = '0"%"'             # a target of 70 reads 70%, stored as the plan writes it
PERCENT_INPUT_FORMAT = "General"
DATE_FORMAT = "dd/mm/yyyy"
TEXT_FORMAT = "@"
MARGIN_SIDE, MARGIN_TOP = 0.5, 0.3  # inches
LINE_HEIGHT = 15.75  # points per line of Times New Roman 12


def _font(bold=False, italic=False, size=FONT_SIZE, color=None) -> Font:
    return Font(name=FONT_NAME, size=size, bold=bold, italic=italic, color=color)


# --- Public API -------------------------------------------------------------------------
def build_template(plan: Plan, unit_code: str, period: Period) -> bytes:
    """The xlsx bytes of the report template for one reporting unit and one period.

    Raises ValueError for a unit that is not in the plan or a period outside the plan year.
    """
    try:
        unit = plan.unit(unit_code)
    except KeyError:
        raise ValueError(ERRORS["unknown_unit"].format(
            code=unit_code, number=plan.decision.number)) from None
    if period.year != plan.year:
        raise ValueError(ERRORS["wrong_year"].format(period=period.label, year=plan.year))

    indicators = plan.indicators
    commune_codes = counting.named_codes(plan)
    districts = plan.places
    communes = plan.communes
    if unit.kind == "place":
        communes = communes[communes["place_code"] == unit.place_code]
    communes = _sorted_communes(communes)

    wb = _new_workbook()
    report = wb.active
    report.title = SHEET_REPORT
    commune_sheet = wb.create_sheet(SHEET_COMMUNES)
    guide = wb.create_sheet(SHEET_GUIDE)
    lists = wb.create_sheet(SHEET_LISTS)
    meta = wb.create_sheet(SHEET_META)

    _write_report(report, plan, unit, period, indicators, commune_codes)
    _write_communes(commune_sheet, plan, unit, period, districts, commune_codes)
    _write_guide(guide, _guide(plan, unit, period, commune_codes))
    _write_lists(wb, lists, communes, districts)
    _write_meta(meta, plan, unit, period)

    for ws in (report, commune_sheet, guide, lists):
        _protect(ws)
    lists.sheet_state = "hidden"
    meta.sheet_state = "veryHidden"
    # Keeps the hidden sheets hidden and the sheet names the reader looks for unchanged.
    wb.security = WorkbookProtection(lockStructure=True)
    wb.properties.title = f"{TEXT['title'].capitalize()} – {unit.name} – {period.label}"
    wb.properties.creator = "mdplan"

    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def template_filename(plan: Plan, unit_code: str, period: Period) -> str:
    """A file name without diacritics, safe for every browser and mail client, naming the
    unit as people know it: `mdplan-bao-cao-ubnd-huyen-ba-be-2017-10_2017-12.xlsx`."""
    return f"mdplan-bao-cao-{unit_slug(plan, unit_code)}-{period}.xlsx".replace("..", "_")


def unit_slug(plan: Plan, unit_code: str) -> str:
    """The unit's name without diacritics, for file names: 'UBND huyện Ba Bể' -> 'ubnd-huyen-ba-be'."""
    return match_key(plan.unit(unit_code).name).replace(" ", "-") or unit_code


# --- Sheets -----------------------------------------------------------------------------
def _new_workbook() -> Workbook:
    wb = Workbook()
    # The default font of the workbook decides the width unit of columns and the font of
    # empty cells; openpyxl has no public setter for it.
    default = _font()
    wb._fonts = IndexedList([default])
    wb._named_styles["Normal"].font = default
    return wb


def _write_report(ws: Worksheet, plan: Plan, unit, period: Period,
                  indicators: pd.DataFrame, commune_codes: list[str]) -> None:
    for col, width in REPORT_WIDTHS.items():
        ws.column_dimensions[col].width = width
    last_col = "G"

    # Title block.
    _merged(ws, "A1:C1", TEXT["province"].format(kind=plan.province_kind.upper(),
                                                 province=plan.province.upper()),
            _font(), CENTER)
    _merged(ws, "D1:G1", TEXT["nation"], _font(bold=True), CENTER)
    _merged(ws, "A2:C2", unit.name.upper(), _font(bold=True), WRAP_CENTER)
    _merged(ws, "D2:G2", TEXT["motto"], _font(bold=True), CENTER)
    ws.row_dimensions[3].height = 6
    _merged(ws, "A4:G4", TEXT["title"], _font(bold=True, size=14), CENTER)
    _merged(ws, "A5:G5", plan.title, _font(bold=True), CENTER)
    _merged(ws, "A6:G6", plan.attached_line, _font(italic=True), CENTER)
    _merged(ws, "A7:G7", TEXT["period"].format(label=period.label), _font(bold=True), CENTER)
    legend = TEXT["legend" if commune_codes else "legend_no_communes"]
    _merged(ws, "A8:G8", legend, _font(italic=True, size=11, color="7F6000"), WRAP_CENTER)
    ws.row_dimensions[HEADER_FIRST_ROW - 1].height = 6
    ws.row_dimensions[TABLE_HEADER_ROW - 1].height = 6

    # Header block: one label per row, the value to its right and nothing after it, so a
    # blank input never makes the reader take a neighbour as its value.
    values = {"unit": unit.name, "unit_code": unit.code, "year": plan.year,
              "start_month": period.start_month, "end_month": period.end_month}
    rows = {}
    for i, (field, label) in enumerate(HEADER.items()):
        row = HEADER_FIRST_ROW + i
        rows[field] = row
        _merged(ws, f"{LABEL_COL}{row}:B{row}", label.text, _font(bold=True), LEFT)
        cell = ws[f"{VALUE_COL}{row}"]
        cell.border = BOX
        cell.alignment = LEFT
        if field in values:
            cell.value = values[field]
            cell.fill = FIXED_FILL
        else:
            _input(cell)
    ws[f"{VALUE_COL}{rows['reporter']}"].number_format = TEXT_FORMAT
    ws[f"{VALUE_COL}{rows['phone']}"].number_format = TEXT_FORMAT
    date_cell = ws[f"{VALUE_COL}{rows['report_date']}"]
    date_cell.number_format = DATE_FORMAT
    _validate(ws, f"{VALUE_COL}{rows['phone']}", DataValidation(
        allow_blank=True, showInputMessage=True,
        promptTitle=HEADER["phone"].text, prompt=PROMPT["phone"]))
    _validate(ws, date_cell.coordinate, DataValidation(
        type="date", operator="between", allow_blank=True,
        formula1=str(_serial(dt.date(plan.year, 1, 1))),
        formula2=str(_serial(dt.date(plan.year + 1, 12, 31))),
        # A warning, not a stop: an Excel set to US dates rejects 15/12/2017, and the
        # reader accepts that text.
        errorStyle="warning", showErrorMessage=True, showInputMessage=True,
        errorTitle=PROMPT["date_error_title"],
        error=PROMPT["date_error"].format(year=plan.year, next_year=plan.year + 1),
        promptTitle=PROMPT["date_title"], prompt=PROMPT["date"].format(year=plan.year)))

    # The indicator table.
    for i, label in enumerate(TABLE.values()):
        cell = ws.cell(TABLE_HEADER_ROW, i + 1, label.text)
        cell.font = _font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = WRAP_CENTER
        cell.border = BOX
    ws.row_dimensions[TABLE_HEADER_ROW].height = 33
    commune_range = _commune_ranges()
    row = TABLE_FIRST_ROW - 1
    for row, ind in enumerate(indicators.itertuples(index=False), start=TABLE_FIRST_ROW):
        fixed = [ind.code, None, ind.name, ind.unit,
                 None if pd.isna(ind.target) else int(ind.target)]
        for col, value in enumerate(fixed, start=1):
            cell = ws.cell(row, col, value)
            cell.fill, cell.border = FIXED_FILL, BOX
            cell.alignment = WRAP_MIDDLE if col in (2, 3, 4) else CENTER
        ws.cell(row, 1).font = _font(bold=True)
        percent = counting.way(ind).is_percent
        ws.cell(row, 5).number_format = PERCENT_FORMAT if percent else NUMBER_FORMAT
        result = ws.cell(row, 6)
        result.border, result.alignment = BOX, CENTER
        result.number_format = NUMBER_FORMAT
        kind = counting.input_kind(plan, ind)
        if kind == "places":
            result.value = _distinct_formula(ind.code, *commune_range)
            result.fill = FORMULA_FILL
        else:
            _input(result)
            prompt = counting.prompt(plan, ind, ind.unit)
            if kind == "rate":
                result.number_format = PERCENT_INPUT_FORMAT
                _validate(ws, result.coordinate, _percent_validation(prompt))
            else:
                _validate(ws, result.coordinate, _count_validation(prompt))
        note = ws.cell(row, 7)
        note.border, note.alignment, note.number_format = BOX, WRAP_MIDDLE, TEXT_FORMAT
        _input(note)
    _write_tasks(ws, plan, list(indicators["task"]))
    table_last = row

    # The qualitative entry, after one blank row that ends the table; printed on a new page
    # with the signatures, so neither the table nor the text box is cut in two.
    media = table_last + 2
    ws.row_breaks.append(Break(id=table_last + 1))
    _merged(ws, f"A{media}:B{media + MEDIA_ROWS - 1}", MEDIA.text, _font(bold=True),
            Alignment(wrap_text=True, vertical="top"))
    box = f"C{media}:{last_col}{media + MEDIA_ROWS - 1}"
    ws.merge_cells(box)
    for line in ws[box]:
        for cell in line:
            cell.border = BOX
    _input(ws[f"C{media}"])
    ws[f"C{media}"].alignment = WRAP
    ws[f"C{media}"].number_format = TEXT_FORMAT
    for r in range(media, media + MEDIA_ROWS):
        ws.row_dimensions[r].height = 20

    # The signature block.
    sign = media + MEDIA_ROWS + 1
    place = plan.province if unit.kind == "agency" else _district_short(plan, unit)
    date_ref = f"{VALUE_COL}{rows['report_date']}"
    ws[f"E{sign}"] = (f'=IF(ISNUMBER({date_ref}),'
                      f'{TEXT["sign_date"].format(place=place, cell=date_ref)},'
                      f'"{TEXT["sign_date_blank"]}")')
    ws.merge_cells(f"E{sign}:G{sign}")
    ws[f"E{sign}"].font, ws[f"E{sign}"].alignment = _font(italic=True), CENTER
    _merged(ws, f"A{sign + 1}:C{sign + 1}", PREPARED_BY.text.upper(), _font(bold=True),
            CENTER)
    _merged(ws, f"E{sign + 1}:G{sign + 1}", HEAD.text.upper(), _font(bold=True), CENTER)
    _merged(ws, f"A{sign + 2}:C{sign + 2}", TEXT["sign_hint_left"], _font(italic=True), CENTER)
    _merged(ws, f"E{sign + 2}:G{sign + 2}", TEXT["sign_hint_right"], _font(italic=True),
            CENTER)
    name_row = sign + 6
    reporter_ref = f"{VALUE_COL}{rows['reporter']}"
    ws[f"A{name_row}"] = f'=IF({reporter_ref}="","",{reporter_ref})'
    ws.merge_cells(f"A{name_row}:C{name_row}")
    ws[f"A{name_row}"].font, ws[f"A{name_row}"].alignment = _font(bold=True), CENTER

    ws.freeze_panes = f"A{TABLE_FIRST_ROW}"
    # The table header is repeated on printed pages only when the table cannot fit on the
    # first page; otherwise it would also top the page of the text box and signatures.
    long_table = _rows_height(ws, 1, table_last) > _page_height(REPORT_WIDTHS, landscape=True)
    _print_setup(ws, landscape=True, area=f"A1:{last_col}{name_row}",
                 title_rows=f"{TABLE_HEADER_ROW}:{TABLE_HEADER_ROW}" if long_table else None)


def _write_communes(ws: Worksheet, plan: Plan, unit, period: Period,
                    districts: pd.DataFrame, commune_codes: list[str]) -> None:
    widths = {"A": 14, "B": 24, "C": 30, "D": 44}
    for col, width in widths.items():
        ws.column_dimensions[col].width = width
    _merged(ws, "A1:D1", TEXT["communes_title"], _font(bold=True, size=13), CENTER)
    _merged(ws, "A2:D2", TEXT["communes_unit"].format(unit=unit.name, label=period.label),
            _font(italic=True), CENTER)
    names = plan.indicators.set_index("code")["name"]
    codes = " ".join(f"{code}: {names[code]}." for code in commune_codes)
    agency = unit.kind == "agency"
    _merged(ws, "A3:D3", TEXT["communes_help"].format(
        district_help=TEXT["communes_help_agency"] if agency else "", codes=codes),
        _font(italic=True, size=11, color="7F6000"), Alignment(wrap_text=True, vertical="top"))
    ws.row_dimensions[3].height = 45

    for i, label in enumerate(COMMUNE_TABLE.values(), start=1):
        cell = ws.cell(COMMUNE_HEADER_ROW, i, label.text)
        cell.font, cell.fill = _font(bold=True), HEADER_FILL
        cell.alignment, cell.border = WRAP_CENTER, BOX
    last = COMMUNE_FIRST_ROW + COMMUNE_INPUT_ROWS - 1
    place_name = None
    if not agency:
        place_name = districts.set_index("code").at[unit.place_code, "name"]
    for row in range(COMMUNE_FIRST_ROW, last + 1):
        for col in range(1, 5):
            cell = ws.cell(row, col)
            cell.border, cell.number_format = BOX, TEXT_FORMAT
            cell.alignment = CENTER if col == 1 else LEFT
            if col == 2 and not agency:
                cell.value, cell.fill = place_name, FIXED_FILL
            else:
                _input(cell)

    code_list = ",".join(commune_codes)
    _validate(ws, f"A{COMMUNE_FIRST_ROW}:A{last}", DataValidation(
        type="list", formula1=f'"{code_list}"', allow_blank=True,
        showErrorMessage=True, showInputMessage=True,
        errorTitle=PROMPT["list_error_title"],
        error=PROMPT["code_error"].format(codes=", ".join(commune_codes)),
        promptTitle=PROMPT["code_title"],
        prompt=PROMPT["code"].format(codes=", ".join(commune_codes))))
    if agency:
        _validate(ws, f"B{COMMUNE_FIRST_ROW}:B{last}", DataValidation(
            type="list", formula1=DISTRICT_LIST, allow_blank=True,
            showErrorMessage=True, showInputMessage=True,
            errorTitle=PROMPT["list_error_title"], error=PROMPT["district_error"],
            promptTitle=PROMPT["district_title"], prompt=PROMPT["district"]))
    _validate(ws, f"C{COMMUNE_FIRST_ROW}:C{last}", DataValidation(
        type="list", formula1=COMMUNE_LIST, allow_blank=True,
        showErrorMessage=True, showInputMessage=True,
        errorTitle=PROMPT["list_error_title"],
        error=PROMPT["commune_error"].format(year=plan.year),
        promptTitle=PROMPT["commune_title"], prompt=PROMPT["commune"]))

    ws.freeze_panes = f"A{COMMUNE_FIRST_ROW}"
    _print_setup(ws, landscape=False, area=f"A1:D{last}",
                 title_rows=f"{COMMUNE_HEADER_ROW}:{COMMUNE_HEADER_ROW}")


def _write_guide(ws: Worksheet, lines: list[tuple[str, str]]) -> None:
    # Narrow enough to print on portrait A4 without scaling: LibreOffice does not scale a
    # single column of wrapped text to the page width, it cuts it.
    ws.column_dimensions["A"].width = GUIDE_WIDTH
    for row, (style, text) in enumerate(lines, start=1):
        cell = ws.cell(row, 1, text)
        cell.alignment = Alignment(wrap_text=True, vertical="top", indent=1)
        if style == "title":
            cell.font, cell.alignment = _font(bold=True, size=14), CENTER
            ws.row_dimensions[row].height = 24
        elif style == "h":
            cell.font = _font(bold=True)
            ws.row_dimensions[row].height = 22
            cell.alignment = Alignment(vertical="bottom")
        else:
            cell.font = _font()
            # Set heights ourselves: not every spreadsheet fits wrapped rows on opening.
            _fit_row(ws, row, {"A": GUIDE_WIDTH - 2})  # minus the indent
    _print_setup(ws, landscape=False, area=f"A1:A{len(lines)}")


def _write_lists(wb: Workbook, ws: Worksheet, communes: pd.DataFrame,
                 districts: pd.DataFrame) -> None:
    col = LIST_COLUMNS
    widths = {"commune": 30, "type": 10, "district_of": 24, "commune_code": 14,
              "district": 26, "place_code": 16}
    for name, width in widths.items():
        cell = ws.cell(1, col[name], TEXT[f"lists_{name}"])
        cell.font = _font(bold=True)
        ws.column_dimensions[cell.column_letter].width = width
    place_names = districts.set_index("code")["name"]
    for row, c in enumerate(communes.itertuples(index=False), start=2):
        ws.cell(row, col["commune"], c.name)
        ws.cell(row, col["type"], c.type)
        ws.cell(row, col["district_of"], place_names[c.place_code])
        ws.cell(row, col["commune_code"], c.code).number_format = TEXT_FORMAT
    for row, d in enumerate(districts.itertuples(index=False), start=2):
        ws.cell(row, col["district"], d.name)
        ws.cell(row, col["place_code"], d.code).number_format = TEXT_FORMAT
    sheet = _quote(ws.title)
    for name, key, count in ((COMMUNE_LIST, "commune", len(communes)),
                             (DISTRICT_LIST, "district", len(districts))):
        letter = get_column_letter(col[key])
        wb.defined_names[name] = DefinedName(
            name, attr_text=f"{sheet}!${letter}$2:${letter}${count + 1}")


def _write_meta(ws: Worksheet, plan: Plan, unit, period: Period) -> None:
    values = {"template_version": TEMPLATE_VERSION, "plan": plan.decision.number,
              "unit_code": unit.code, "period": str(period), "plan_id": plan.id}
    for row, key in enumerate(META_KEYS, start=1):
        ws.cell(row, 1, key)
        ws.cell(row, 2, values[key]).number_format = TEXT_FORMAT


def _write_tasks(ws: Worksheet, plan: Plan, task_of_row: list[int]) -> None:
    """The `Nhiệm vụ` column: one cell merged over the rows of each task, holding the
    task's number and title, shortened only when the rows cannot hold it whole; then
    the height of every row of the table."""
    titles = plan.tasks.set_index("number")["title"]
    width = REPORT_WIDTHS["B"]
    start = 0
    while start < len(task_of_row):
        end = start
        while end + 1 < len(task_of_row) and task_of_row[end + 1] == task_of_row[start]:
            end += 1
        rows = range(TABLE_FIRST_ROW + start, TABLE_FIRST_ROW + end + 1)
        # Two lines at least: room for a short note, which Excel does not grow a row for.
        lines = {r: max(2, *(_lines(ws[f"{c}{r}"].value, REPORT_WIDTHS[c]) for c in "CD"))
                 for r in rows}
        number = task_of_row[start]
        title = _fit_text(f"{number}. {titles[number]}", width, sum(lines.values()))
        if sum(lines.values()) < _lines(title, width):
            lines[rows[-1]] += _lines(title, width) - sum(lines.values())
        ws.cell(rows[0], 2, title)
        if len(rows) > 1:
            ws.merge_cells(f"B{rows[0]}:B{rows[-1]}")
        for r, n in lines.items():
            ws.row_dimensions[r].height = LINE_HEIGHT * n + 1
        start = end + 1


def _fit_text(text: str, width: float, max_lines: int) -> str:
    """`text`, or its longest word prefix with `…` that wraps into `max_lines` lines."""
    if _lines(text, width) <= max_lines:
        return text
    words = text.split()
    while words:
        words.pop()
        short = " ".join(words).rstrip(" ,;:-") + "…"
        if _lines(short, width) <= max_lines:
            return short
    return text[:int(width)] + "…"


# --- Helpers ----------------------------------------------------------------------------
def _merged(ws: Worksheet, cells: str, value, font: Font, alignment: Alignment) -> None:
    ws.merge_cells(cells)
    first = ws[cells.split(":")[0]]
    first.value, first.font, first.alignment = value, font, alignment


def _input(cell) -> None:
    cell.fill = INPUT_FILL
    cell.protection = UNLOCKED


def _validate(ws: Worksheet, cells: str, validation: DataValidation) -> None:
    for attr, limit in (("promptTitle", 32), ("errorTitle", 32), ("prompt", 255),
                        ("error", 255)):
        text = getattr(validation, attr)
        # Excel refuses to open a file whose validation texts are longer than this.
        assert text is None or len(text) <= limit, (attr, len(text), text)
    ws.add_data_validation(validation)
    validation.add(cells)


def _count_validation(prompt: str) -> DataValidation:
    return DataValidation(
        type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
        showErrorMessage=True, showInputMessage=True, errorStyle="stop",
        errorTitle=PROMPT["count_error_title"], error=PROMPT["count_error"],
        promptTitle=PROMPT["count_title"], prompt=prompt)


def _percent_validation(prompt: str) -> DataValidation:
    return DataValidation(
        type="decimal", operator="between", formula1="0", formula2="100", allow_blank=True,
        showErrorMessage=True, showInputMessage=True, errorStyle="stop",
        errorTitle=PROMPT["count_error_title"], error=PROMPT["percent_error"],
        promptTitle=PROMPT["count_title"], prompt=prompt)


def _commune_ranges() -> tuple[str, str]:
    last = COMMUNE_FIRST_ROW + COMMUNE_INPUT_ROWS - 1
    sheet = _quote(SHEET_COMMUNES)
    return (f"{sheet}!$A${COMMUNE_FIRST_ROW}:$A${last}",
            f"{sheet}!$C${COMMUNE_FIRST_ROW}:$C${last}")


def _distinct_formula(code: str, codes: str, names: str) -> str:
    """Distinct communes listed for `code`: each row adds 1/(rows with the same code and
    commune). `&""` makes blank rows count as "" so the divisor is never 0."""
    return (f'=SUMPRODUCT(({codes}="{code}")*({names}<>"")'
            f'/COUNTIFS({codes},{codes}&"",{names},{names}&""))')


def _protect(ws: Worksheet) -> None:
    # No password: the protection guides officers, it is not security.
    ws.protection.sheet = True
    ws.protection.formatColumns = False   # False allows: widening a column is harmless
    ws.protection.formatRows = False
    ws.protection.selectLockedCells = False
    ws.protection.selectUnlockedCells = False


def _print_setup(ws: Worksheet, landscape: bool, area: str, title_rows: str | None = None):
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = MARGIN_SIDE
    ws.page_margins.top = ws.page_margins.bottom = MARGIN_TOP
    ws.page_margins.header = ws.page_margins.footer = 0.15
    ws.print_area = area
    if title_rows:
        ws.print_title_rows = title_rows
    ws.oddFooter.center.text = TEXT["footer"]
    ws.oddFooter.center.font = FONT_NAME
    ws.oddFooter.center.size = 10


def _rows_height(ws: Worksheet, first: int, last: int) -> float:
    return sum(ws.row_dimensions[r].height or LINE_HEIGHT for r in range(first, last + 1))


def _page_height(widths: dict[str, float], landscape: bool) -> float:
    """The sheet height, in points, that one printed A4 page holds once the columns are
    scaled to the page width. A column unit is about 6.2 points wide in Excel (6.4 in
    LibreOffice); the smaller figure gives the smaller page, to be safe."""
    page_w, page_h = (11.69, 8.27) if landscape else (8.27, 11.69)
    printable_w = (page_w - 2 * MARGIN_SIDE) * 72
    printable_h = (page_h - 2 * MARGIN_TOP) * 72
    scale = min(1.0, printable_w / (sum(widths.values()) * 6.2))
    return printable_h / scale


def _quote(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


def _serial(day: dt.date) -> int:
    return (day - dt.date(1899, 12, 30)).days


def _lines(text, width: float) -> int:
    """How many lines a wrapped text takes in a column `width` units wide (word wrap,
    about 1.1 characters of Times New Roman 12 per unit, a little generous)."""
    if text is None or text == "":
        return 1
    capacity = max(1.0, width * 1.1 - 1)
    lines, used = 1, 0
    for word in str(text).split():
        need = len(word) if used == 0 else used + 1 + len(word)
        if need <= capacity:
            used = need
        else:
            lines += 1 + int(len(word) // capacity)
            used = len(word) % capacity
    return lines


def _fit_row(ws: Worksheet, row: int, widths: dict[str, float]) -> None:
    """Set the height of a row with wrapped text: LibreOffice keeps the default height
    of rows written without one, which cuts the text."""
    lines = max(_lines(ws[f"{col}{row}"].value, width) for col, width in widths.items())
    ws.row_dimensions[row].height = LINE_HEIGHT * lines + 1


def _district_short(plan: Plan, unit) -> str:
    return plan.places.set_index("code").at[unit.place_code, "short_name"]


_VI_ALPHABET = "aăâbcdđeêghiklmnoôơpqrstuưvxy"
_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def _vi_key(text: str) -> tuple:
    """Vietnamese dictionary order: letters first (ă after a, đ after d), tones second."""
    decomposed = unicodedata.normalize("NFD", text.lower())
    base = unicodedata.normalize("NFC", "".join(ch for ch in decomposed if ch not in _TONES))
    letters = tuple(_VI_ALPHABET.index(ch) if ch in _VI_ALPHABET else 100 + ord(ch)
                    for ch in base)
    return letters, text


def _sorted_communes(communes: pd.DataFrame) -> pd.DataFrame:
    """Communes in alphabetical order, the easiest for finding a name in a dropdown."""
    return communes.iloc[sorted(range(len(communes)),
                                key=lambda i: _vi_key(communes["name"].iloc[i]))]
