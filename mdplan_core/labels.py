"""Vietnamese labels shared by pages, charts and exports. Logic uses the English keys."""

ROLES = {"lead": "Chủ trì", "cooperating": "Phối hợp", "": ""}

AGGREGATIONS = {
    "sum": "Cộng dồn",
    "distinct_communes": "Số xã không trùng",
    "qualitative": "Định tính",
}

STATUS = {
    "met": "Đạt",
    "on_track": "Đúng tiến độ",
    "behind": "Chậm",
    "not_started": "Chưa bắt đầu",
    "qualitative": "Định tính",
}
STATUS_ICON = {"met": "✅", "on_track": "🟢", "behind": "⚠️", "not_started": "⏳", "qualitative": "📝"}

UNIT_KINDS = {"district": "Cấp huyện", "agency": "Cấp tỉnh"}
