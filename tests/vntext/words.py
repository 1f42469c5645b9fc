"""Real Vietnamese words, names and letters that the vntext tests share."""
from __future__ import annotations

import unicodedata

from hypothesis import strategies as st


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


# Real words and names: Bắc Kạn units (GSO list), agencies and words of the plan.
REAL_WORDS = """
Thành phố Bắc Kạn Huyện Pác Nặm Ba Bể Ngân Sơn Bạch Thông Chợ Đồn Chợ Mới Na Rì
Nguyễn Thị Minh Khai Sông Cầu Đức Xuân Phùng Chí Kiên Huyền Tụng Dương Quang Nông Thượng
Xuất Hóa Bằng Thành Nhạn Môn Bộc Bố Công Bằng Giáo Hiệu Xuân La An Thắng Cổ Linh
Nghiên Loan Cao Tân Chợ Rã Bành Trạch Phúc Lộc Hà Hiệu Cao Trĩ Khang Ninh Nam Mẫu
Thượng Giáo Địa Linh Yến Dương Chu Hương Quảng Khê Mỹ Phương Hoàng Trĩ Đồng Phúc
Nà Phặc Thượng Ân Bằng Vân Cốc Đán Trung Hoà Đức Vân Vân Tùng Thượng Quan Lãng Ngâm
Thuần Mang Hương Nê Phủ Thông Phương Linh Vi Hương Sĩ Bình Vũ Muộn Đôn Phong Tú Trĩ
Lục Bình Tân Tiến Quân Bình Nguyên Phúc Cẩm Giàng Mỹ Thanh Quang Thuận Bằng Lũng
Xuân Lạc Nam Cường Đồng Lạc Tân Lập Bản Thi Quảng Bạch Yên Thịnh Rã Bản Đông Viên
Lương Bằng Đại Sảo Nghĩa Tá Phong Huân Yên Mỹ Bình Trung Yên Nhuận Thanh Vận Mai Lạp
Hoà Mục Cao Kỳ Nông Hạ Yên Cư Như Cố Bình Văn Yên Đĩnh Quảng Chu Yến Lạc Vũ Loan
Lạng San Kim Hỷ Văn Học Cường Lợi Kim Lư Ân Tình Lam Sơn Côn Minh Cư Lễ Hữu Thác
Hảo Nghĩa Xuân Dương Đổng Xá Liêm Thuỷ Sở Lao động Thương binh và Xã hội Công an tỉnh
Giáo dục Đào tạo Y tế Tư pháp Tài chính Văn hóa Thể thao Du lịch Thông tin Truyền thông
Ủy ban nhân dân Uỷ Mặt trận Tổ quốc Hội Liên hiệp Phụ nữ Đoàn Thanh niên Cộng sản Hồ
Viện Kiểm sát Tòa án Toà Đài Phát thanh Truyền hình Báo kế hoạch phòng chống mại dâm
năm tổ chức tuyên truyền lớp người học sinh mô hình cuộc kiểm tra giám sát đội liên
ngành xã phường thị trấn quý Hoàng Toán Khoá Hoãn Quyết định gì giữ gìn khuya quà
""".split()
REAL_PHRASES = [
    "Huyện Ba Bể", "Thành phố Bắc Kạn", "Tổ chức tuyên truyền",
    "Sở Lao động - Thương binh và Xã hội", "Nguyễn Thị Minh Khai",
    "Đội kiểm tra liên ngành 178", "Chợ Đồn", "Ngân Sơn",
]

# Every Vietnamese letter, lower and upper case.
_VOWEL_SHAPES = "aăâeêioôơuưy"
_TONE_MARKS = ["", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323"]
VIET_LOWER = sorted({unicodedata.normalize("NFC", v + t) for v in _VOWEL_SHAPES for t in _TONE_MARKS}
                    | set("bcdđghklmnpqrstvx"))
VIET_UPPER = sorted({c.upper() for c in VIET_LOWER})

some_words = st.lists(st.sampled_from(REAL_WORDS), min_size=1, max_size=5)
