"""The report template's layout: its sheets, its labels and where mdplan writes them.

The one home of what the writer (`template`), the reader (`reader`) and the filler (`filling`)
must agree on; `docs/template.md` is the contract it spells out. A label holds the text the
template writes and the other texts officers' own copies carry for it, which the reader accepts
too. Plain constants: the sandbox takes the reader's caps from here, so this module imports
nothing.
"""
from __future__ import annotations

from dataclasses import dataclass

TEMPLATE_VERSION = "1"


@dataclass(frozen=True)
class Label:
    """A label: the text the template writes, and what officers write instead of it."""

    text: str
    aliases: tuple[str, ...] = ()

    @property
    def texts(self) -> tuple[str, ...]:
        """Every text read as this label, the template's own first."""
        return (self.text, *self.aliases)


# --- Sheets and defined names ---------------------------------------------------------------
SHEET_REPORT = "Báo cáo"
SHEET_COMMUNES = "Xã, phường"
SHEET_GUIDE = "Hướng dẫn"
SHEET_LISTS = "Danh mục"
SHEET_META = "_mdplan"
TEMPLATE_SHEETS = (SHEET_REPORT, SHEET_COMMUNES, SHEET_GUIDE, SHEET_LISTS, SHEET_META)
COMMUNE_LIST = "DS_XA"      # the communes a unit may name, on `Danh mục`
DISTRICT_LIST = "DS_HUYEN"  # the districts, on `Danh mục`

# --- Labels of `Báo cáo` ----------------------------------------------------------------------
# The header block, in the template's order: one label per row, its value to the right.
HEADER = {
    "unit": Label("Đơn vị báo cáo", ("Tên đơn vị", "Đơn vị")),
    "unit_code": Label("Mã đơn vị"),
    "year": Label("Năm kế hoạch", ("Năm báo cáo", "Năm")),
    "start_month": Label("Từ tháng"),
    "end_month": Label("Đến tháng"),
    "reporter": Label("Người báo cáo"),
    "phone": Label("Số điện thoại", ("Điện thoại", "SĐT")),
    "report_date": Label("Ngày báo cáo"),
}
# The indicator table's columns, in the template's order. A header cell matches the longest
# label it equals or starts with.
TABLE = {
    "code": Label("Mã chỉ tiêu", ("Mã CT", "Mã số")),
    "task": Label("Nhiệm vụ"),
    "name": Label("Tên chỉ tiêu", ("Chỉ tiêu", "Nội dung chỉ tiêu")),
    "unit": Label("Đơn vị tính", ("ĐVT",)),
    "target": Label("Chỉ tiêu năm", ("Chỉ tiêu kế hoạch",)),
    "result": Label("Kết quả trong kỳ", ("Kết quả thực hiện trong kỳ", "Kết quả thực hiện",
                                         "Kết quả", "Thực hiện trong kỳ")),
    "note": Label("Ghi chú"),
}
# Below the table: the qualitative entry's text, then the signature block.
MEDIA = Label("Nội dung chuyên trang, chuyên mục")
PREPARED_BY = Label("Người lập biểu")
HEAD = Label("Thủ trưởng đơn vị")
# Labels that end the indicator table.
AFTER_TABLE = (MEDIA, PREPARED_BY, HEAD)

# --- Labels of `Xã, phường` -----------------------------------------------------------------
COMMUNE_TABLE = {
    "code": Label("Mã chỉ tiêu", ("Chỉ tiêu",)),
    "district": Label("Huyện, thành phố", ("Huyện", "Huyện/thành phố")),
    "commune": Label("Xã, phường, thị trấn", ("Xã, phường", "Tên xã", "Xã")),
    "note": Label("Ghi chú"),
}

# --- `Danh mục` (hidden): the columns of the lists behind the dropdowns, 1-based ---------------
LIST_COLUMNS = {"commune": 1, "type": 2, "district_of": 3, "commune_code": 4,
                "district": 6, "place_code": 7}

# --- `_mdplan` (very hidden): key/value rows, in this order -----------------------------------
META_KEYS = ("template_version", "plan", "unit_code", "period", "plan_id")

# --- Where mdplan writes them (1-based rows; the reader does not rely on them; tests and docs
# do) ------------------------------------------------------------------------------------------
LABEL_COL, VALUE_COL = "A", "C"          # header block: label merged A:B, value in C
HEADER_FIRST_ROW = 10                    # `Đơn vị báo cáo`; the other fields follow
TABLE_HEADER_ROW = HEADER_FIRST_ROW + len(HEADER) + 1                 # 19
TABLE_FIRST_ROW = TABLE_HEADER_ROW + 1                                # 20
MEDIA_ROWS = 6
COMMUNE_HEADER_ROW = 4
COMMUNE_FIRST_ROW = COMMUNE_HEADER_ROW + 1
COMMUNE_INPUT_ROWS = 60

# --- How much of an upload is read (mdplan_core.workbook.ReadLimits) ----------------------------
# The template's longest sheet is the commune list, its widest the report (A:G). Officers add
# rows and columns, so the caps are generous; data beyond them is left out with a warning.
# They bound what one upload costs the server: see docs/operations.md.
READ_MAX_ROWS = 10 * (COMMUNE_FIRST_ROW + COMMUNE_INPUT_ROWS)              # 650
READ_MAX_COLS = 4 * len(TABLE)                                              # 28: A:AB
READ_MAX_CELLS = 2 * len(TEMPLATE_SHEETS) * READ_MAX_ROWS * READ_MAX_COLS   # 182 000
