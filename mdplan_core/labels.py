"""Vietnamese labels shared by pages, charts and exports. Logic uses the English keys."""

ROLES = {"lead": "Chủ trì", "cooperating": "Phối hợp", "": ""}

STATUS = {
    "met": "Đạt",
    "on_track": "Đúng tiến độ",
    "behind": "Chậm",
    "missed": "Chưa đạt",  # the period is over and the target was not met
    "not_started": "Chưa bắt đầu",
    "qualitative": "Định tính",
}
# Status marks are plain text shapes, not emoji: an office PC without an emoji font shows an
# emoji as an empty box. These are in the ordinary fonts (Segoe UI Symbol, DejaVu, Arial Unicode).
STATUS_ICON = {"met": "✓", "on_track": "●", "behind": "▲", "not_started": "○", "qualitative": "◊", "missed": "✗"}


# Colours per status, from the Okabe–Ito palette (safe for the common colour-vision
# deficiencies). Colour is never the only cue: charts also write the word and the icon.
STATUS_COLORS = {
    "met": "#009E73",          # bluish green
    "on_track": "#56B4E9",     # sky blue
    "behind": "#E69F00",       # orange: behind, still time to catch up
    "missed": "#D55E00",       # vermillion: not reached, and no time left
    "not_started": "#999999",  # grey
    "qualitative": "#CC79A7",  # reddish purple
}

# Reporting completeness (DHIS2-style reporting rates).
REPORT_STATUS = {"on_time": "Đúng hạn", "late": "Nộp muộn", "missing": "Chưa gửi"}
REPORT_STATUS_ICON = {"on_time": "✓", "late": "▲", "missing": "✗"}
REPORT_STATUS_COLORS = {"on_time": "#009E73", "late": "#E69F00", "missing": "#D55E00"}

# The words for a plan's reporting level: "12 xã, phường chậm tiến độ", column "Xã, phường".
LEVEL_WORDS = {"district": "huyện", "commune": "xã, phường"}
LEVEL_SHORT = {"province": "tỉnh", "district": "huyện", "commune": "xã"}  # "cấp huyện", "cấp xã"
LEVEL_HEADINGS = {"district": "Huyện, thành phố", "commune": "Xã, phường"}

# What a district figure is measured against: its allocated target, or the provincial actual.
BASIS = {"allocation": "phân bổ", "share": "tổng tỉnh"}


def status_text(status: str) -> str:
    """'▲ Chậm': mark and word of a progress status."""
    return f"{STATUS_ICON[status]} {STATUS[status]}"


def level_word(level: str, *, heading: bool = False) -> str:
    """'xã, phường' (in a sentence) or 'Xã, phường' (a column or a field label) for a
    reporting level ('district' or 'commune')."""
    return (LEVEL_HEADINGS if heading else LEVEL_WORDS)[level]


def report_status_text(status: str) -> str:
    """'✗ Chưa gửi': mark and word of a reporting status."""
    return f"{REPORT_STATUS_ICON[status]} {REPORT_STATUS[status]}"


# A finding's severity in the findings table (key: is it an error).
FINDING_SEVERITY = {True: "✗ Lỗi", False: "▲ Lưu ý"}

SUBMISSION_STATUS = {"in_force": "Đang có hiệu lực", "superseded": "Đã được thay thế",
                     "rolled_back": "Đã bị hủy (khôi phục bản cũ)"}

# What each audit-log action means, for people to read.
AUDIT_ACTIONS = {
    "upload": "Nộp báo cáo", "revision": "Nộp bản sửa (thay thế bản cũ)",
    "unchanged": "Nộp lại tệp giống hệt (không thay đổi)", "upload_refused": "Tệp nộp bị từ chối",
    "rollback": "Khôi phục phiên bản cũ", "allocations_save": "Lưu phân bổ chỉ tiêu",
    "login": "Đăng nhập", "logout": "Đăng xuất", "login_failed": "Đăng nhập không thành công",
    "login_locked": "Tài khoản bị tạm khóa do đăng nhập sai nhiều lần",
    "user_add": "Thêm tài khoản", "user_disable": "Khóa tài khoản", "user_enable": "Mở khóa tài khoản",
    "user_reset_password": "Đặt lại mật khẩu", "user_set_role": "Đổi vai trò",
    "demo_loaded": "Nạp dữ liệu minh họa",
    "plan_add": "Thêm kế hoạch", "plan_replace": "Thay tệp kế hoạch đã thêm",
}

# What became of a stored upload (`intake.ImportOutcome.outcome`): message and Material icon.
UPLOAD_OUTCOME = {"stored": ("Đã lưu báo cáo", ":material/check_circle:"),
                  "revised": ("Đã lưu, thay thế báo cáo cùng kỳ trước đó", ":material/check_circle:"),
                  "unchanged": ("Tệp giống hệt báo cáo đang có hiệu lực, không có gì thay đổi",
                                ":material/info:"),
                  "refused": ("Không lưu được", ":material/block:")}

# How much of an old place went into the place it became (`places.SHARES`), for people to read.
SHARES = {"whole": "toàn bộ", "main": "phần chính", "part": "một phần", "": "chưa ghi nhận nơi kế tiếp"}
