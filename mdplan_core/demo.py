"""Demo data: a realistic year of reports for each demo plan, Bắc Kạn 2017 (districts) and
Hà Nội 2026 (communes and wards), side by side in one database.

Every report is the real template of its plan, unit and period (`template.build_template`)
filled the way an officer fills it (`filling.fill_template`) and uploaded through the one
upload path (`intake.import_file`), with its upload time in the plan's year. Nothing is
written to the database directly, so the demo also exercises reading, validation and the
store. Only reports that have arrived by the day the demo loads are sent.

Hà Nội 2026 (`hanoi_script()`, deterministic): 16 of the city's 126 communes and wards report
quarterly (Phường Ba Đình month by month from October), numbers drawn from a seeded generator;
most on time, some late (Sóc Sơn Q1, Thanh Trì Q2, Hoàng Mai Q3, Mỹ Đức Q1 and Q3, Thường Tín
Q1, Công an thành phố Q2, Sở GD&ĐT Q3), a few missing (Ba Vì Q3, Mê Linh after Q1, Thường Tín
Q2); Phường Hoàn Kiếm revises Q2. The four city departments report their own indicators. At
3/12/2026: people reached and trained close to the targets, 82/100 cases, 70/100 trials; the
share-of-communes indicators low, since most communes have not reported.

Bắc Kạn 2017 (`script()`), deterministic (fixed seed for upload times and phone numbers):
- The 8 district committees report quarterly; TP Bắc Kạn sends monthly reports for Q1 and
  Na Rì for Q3. **UBND huyện Pác Nặm never reports** (the one unit that never does).
- Ahead: TP Bắc Kạn and Chợ Đồn (early, most results). Behind: Ngân Sơn (three late reports,
  Q3 missing, one class all year).
- Late (after the due date of `plan.expected_periods`: 10/4, 10/7, 10/10, 15/12; a monthly
  report is due with its quarter): Ngân Sơn Q1, Q2 and Q4; Na Rì Q1; Bạch Thông Q3; Chợ Mới Q4;
  Sở TT&TT Q2; Liên đoàn Lao động Q2; VKSND tỉnh Q4.
- Revisions: Ba Bể re-uploads a corrected Q2 (one more inspection); Công an tỉnh re-uploads
  Q3 (its first file said "3 cuộc").
- Officers' habits that raise warnings: "xa Banh Trach" (no diacritics, a prefix), a commune
  listed twice in one report, "2 lớp" / "3 cuộc" (a number with its unit), a number typed
  as text ("95"), notes written as "- ..." bullets.
- The departments and mass organisations named in section V all report at least once; the
  smaller ones only for some quarters, often zeros with a note.
- At 31/12/2017: CT1.1–CT1.3, CT3.1, CT3.2, CT4.1 and CT5.1 met; CT1.4 close (285/300);
  CT2.1 (1/2 models) and CT5.2 (5/8 supervision visits) clearly behind. CT1.3 and CT3.1 name
  communes again across quarters, which count once.
- Media items (CT1.5) with a description come from Đài PT-TH, Báo Bắc Kạn, Sở TT&TT and the
  Ban Tuyên giáo.
"""
from __future__ import annotations

import datetime as dt
import random
import time
from dataclasses import dataclass, field
from functools import lru_cache

from . import completeness, installation, progress
from .filling import fill_template
from .intake import import_file
from .plan import Plan
from .report import Period
from .settings import LOCAL_TZ
from .template import build_template
from .vntext import format_date

SEED = 2017
YEAR = 2017
DEMO_ACTOR = "mdplan-demo"
NEVER_REPORTS = "ubnd_060"  # UBND huyện Pác Nặm
NEVER_LISTED = 5  # more units than this that never reported are only counted


MESSAGES = {
    "not_empty": ("Cơ sở dữ liệu đã có {count} lần nộp báo cáo; dữ liệu mẫu chỉ nạp vào cơ sở "
                  "dữ liệu trống (dùng --if-empty để bỏ qua khi đã có dữ liệu)."),
    "refused": "Dữ liệu mẫu bị từ chối ({file}): {findings}",
    "skipped": "Cơ sở dữ liệu đã có dữ liệu ({count} lần nộp); không nạp dữ liệu mẫu.",
    "loaded": ("Đã nạp dữ liệu mẫu của kế hoạch {plan}: {files} tệp qua đường tải lên "
               "({stored} báo cáo mới, {revised} lần nộp sửa, {warned} tệp có cảnh báo) "
               "trong {seconds} giây. {units} đơn vị đã báo cáo; đến {as_of}: "
               "{on_time} kỳ báo cáo đúng hạn, {late} kỳ nộp muộn, {missing} kỳ chưa gửi."),
    "never": "Đơn vị không báo cáo: {names}.",
    "never_count": "{count} đơn vị chưa gửi báo cáo nào.",
    "no_story": "Chỉ có dữ liệu mẫu cho các kế hoạch: {known}.",
}


# --- The script -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Upload:
    """One file an officer uploads: what they type into the template, and when."""

    unit: str
    period: Period
    at: dt.datetime  # aware, Vietnam time
    user: str
    filename: str
    reporter: str
    phone: str
    results: dict = field(default_factory=dict)
    communes: dict = field(default_factory=dict)
    notes: dict = field(default_factory=dict)
    media_text: str | None = None


def Q(n: int, year: int = YEAR) -> Period:
    return Period(year, 3 * n - 2, 3 * n)


def M(n: int, year: int = YEAR) -> Period:
    return Period(year, n, n)


# Indicators a district committee fills with 0 when it did nothing in the period.
_DISTRICT_ZEROS = ("CT1.1", "CT1.2", "CT2.1", "CT3.2", "CT4.1")

# unit -> (user name, reporter, file name stem)
_OFFICERS = {
    "ubnd_058": ("canbo.tpbackan", "Hoàng Thị Thu Hà", "TP Bac Kan"),
    "ubnd_061": ("canbo.babe", "Nông Văn Thắng", "Ba Be"),
    "ubnd_062": ("canbo.nganson", "Lăng Văn Tuấn", "Ngan Son"),
    "ubnd_063": ("canbo.bachthong", "Triệu Thị Mai", "Bach Thong"),
    "ubnd_064": ("canbo.chodon", "Ma Văn Hùng", "Cho Don"),
    "ubnd_065": ("canbo.chomoi", "Lục Thị Hằng", "Cho Moi"),
    "ubnd_066": ("canbo.nari", "Hà Đức Long", "Na Ri"),
    "sldtbxh": ("canbo.sldtbxh", "Nguyễn Thị Hoa", "So LDTBXH"),
    "ca_tinh": ("canbo.congan", "Đặng Quốc Việt", "Cong an tinh"),
    "stttt": ("canbo.stttt", "Phạm Minh Đức", "So TTTT"),
    "sgddt": ("canbo.sgddt", "Lý Thị Nga", "So GDDT"),
    "syt": ("canbo.syt", "Bế Văn Toàn", "So Y te"),
    "dai_ptth": ("canbo.daiptth", "Hoàng Anh Tú", "Dai PTTH"),
    "bao_backan": ("canbo.baobackan", "Đinh Thị Lan", "Bao Bac Kan"),
    "hlhpn": ("canbo.hoiphunu", "Dương Thị Nhung", "Hoi LHPN"),
    "tinh_doan": ("canbo.tinhdoan", "Nông Quốc Khánh", "Tinh doan"),
    "svhttdl": ("canbo.svhttdl", "Trần Văn Bình", "So VHTTDL"),
    "stp": ("canbo.stp", "Lưu Thị Hương", "So Tu phap"),
    "stc": ("canbo.stc", "Vi Văn Cường", "So Tai chinh"),
    "btg_tu": ("canbo.bantuyengiao", "Hà Thị Phương", "Ban Tuyen giao"),
    "vksnd": ("canbo.vksnd", "Nguyễn Văn Sơn", "VKSND tinh"),
    "tand": ("canbo.tand", "Hoàng Văn Dũng", "TAND tinh"),
    "mttq": ("canbo.mttq", "Triệu Văn Lợi", "MTTQ tinh"),
    "hnd": ("canbo.hoinongdan", "Lò Văn Thái", "Hoi Nong dan"),
    "hccb": ("canbo.hoiccb", "Nông Văn Bảy", "Hoi CCB"),
    "ldld": ("canbo.ldld", "Mã Thị Thanh", "LDLD tinh"),
}

# (unit, period, upload date (month, day), results, communes, notes, media text)
# Results are typed as officers type them; a district's unfilled counts are typed as 0.
_STORY = [
    # UBND thành phố Bắc Kạn: ahead, monthly for Q1, always early.
    ("ubnd_058", M(1), (2, 3), {"CT1.1": 1, "CT1.2": 52},
     {"CT1.3": ["phường Nguyễn Thị Minh Khai"]}, {}, None),
    ("ubnd_058", M(2), (3, 2), {}, {},
     {"CT1.1": "Tháng 2 trùng Tết Nguyên đán, chưa tổ chức lớp."}, None),
    ("ubnd_058", M(3), (4, 3), {"CT3.2": 1}, {},
     {"CT3.2": "Mô hình \"Tổ dân phố không có tệ nạn xã hội\" tại phường Sông Cầu."}, None),
    ("ubnd_058", Q(2), (7, 4), {}, {"CT3.1": ["phường Sông Cầu"]}, {}, None),
    ("ubnd_058", Q(3), (10, 3), {"CT1.1": 1, "CT1.2": 48},
     {"CT1.3": ["Nguyễn Thị Minh Khai"]}, {}, None),
    ("ubnd_058", Q(4), (12, 8), {"CT4.1": 1}, {"CT3.1": ["Sông Cầu", "Đức Xuân"]},
     {"CT4.1": "- Phối hợp Công an thành phố kiểm tra 01 cơ sở karaoke, không phát hiện vi phạm."},
     None),
    # UBND huyện Ba Bể: on time; re-uploads a corrected Q2.
    ("ubnd_061", Q(1), (4, 7), {"CT1.1": 2, "CT1.2": "95"},
     {"CT1.3": ["Chợ Rã", "xa Banh Trach"]}, {}, None),
    ("ubnd_061", Q(2), (7, 4), {"CT3.2": 1, "CT4.1": 1}, {}, {}, None),
    ("ubnd_061", Q(2), (7, 7), {"CT3.2": 1, "CT4.1": 2}, {},
     {"CT4.1": "Bổ sung 01 cuộc kiểm tra ngày 28/6/2017 tại thị trấn Chợ Rã."}, None),
    ("ubnd_061", Q(3), (10, 6), {}, {}, {}, None),
    ("ubnd_061", Q(4), (12, 12), {}, {}, {"CT1.1": "Lồng ghép tuyên truyền trong các buổi họp thôn."},
     None),
    # UBND huyện Ngân Sơn: behind; late three times, Q3 missing.
    ("ubnd_062", Q(1), (4, 24), {}, {}, {}, None),
    ("ubnd_062", Q(2), (7, 19), {}, {}, {}, None),
    ("ubnd_062", Q(4), (12, 22), {"CT1.1": 1, "CT1.2": 38}, {"CT1.3": ["Nà Phặc"]}, {}, None),
    # UBND huyện Bạch Thông: Q3 a few days late.
    ("ubnd_063", Q(1), (4, 6), {}, {}, {}, None),
    ("ubnd_063", Q(2), (7, 6), {"CT1.1": 1, "CT1.2": 50}, {"CT1.3": ["TT Phủ Thông"]}, {}, None),
    ("ubnd_063", Q(3), (10, 13), {}, {}, {}, None),
    ("ubnd_063", Q(4), (12, 13), {}, {"CT3.1": ["Phủ Thông"]}, {}, None),
    # UBND huyện Chợ Đồn: ahead.
    ("ubnd_064", Q(1), (4, 5), {"CT1.1": "2 lớp", "CT1.2": 110},
     {"CT1.3": ["Bằng Lũng", "TT Bằng Lũng"]},
     {"CT1.1": "Hai lớp cùng tổ chức tại thị trấn Bằng Lũng."}, None),
    ("ubnd_064", Q(2), (7, 5), {"CT3.2": 1}, {}, {}, None),
    ("ubnd_064", Q(3), (10, 4), {"CT4.1": 1}, {}, {}, None),
    ("ubnd_064", Q(4), (12, 7), {}, {"CT3.1": ["thị trấn Bằng Lũng"]}, {}, None),
    # UBND huyện Chợ Mới: Q1 on the due date itself, Q4 late.
    ("ubnd_065", Q(1), (4, 10), {}, {}, {}, None),
    ("ubnd_065", Q(2), (7, 7), {}, {}, {}, None),
    ("ubnd_065", Q(3), (10, 9), {"CT1.1": 1, "CT1.2": 45}, {"CT1.3": ["Thanh Mai"]}, {}, None),
    ("ubnd_065", Q(4), (12, 20), {}, {"CT3.1": ["TT Chợ Mới"]}, {}, None),
    # UBND huyện Na Rì: Q1 late, monthly for Q3.
    ("ubnd_066", Q(1), (4, 17), {}, {}, {}, None),
    ("ubnd_066", Q(2), (7, 10), {}, {}, {}, None),
    ("ubnd_066", M(7), (8, 4), {}, {}, {}, None),
    ("ubnd_066", M(8), (9, 5), {"CT1.1": 1, "CT1.2": 41}, {"CT1.3": ["Lang San"]}, {}, None),
    ("ubnd_066", M(9), (10, 5), {}, {}, {}, None),
    ("ubnd_066", Q(4), (12, 14), {}, {},
     {"CT2.1": "Đang khảo sát xây dựng mô hình, dự kiến triển khai năm 2018."}, None),
    # Sở LĐTBXH (lead of every task).
    ("sldtbxh", Q(1), (4, 7), {"CT1.1": 0, "CT5.2": 0}, {},
     {"CT5.2": "Nhiệm vụ 5 triển khai từ tháng 6/2017."}, None),
    ("sldtbxh", Q(2), (7, 6), {"CT1.1": 1, "CT1.2": 55, "CT5.1": 1, "CT5.2": 1},
     {"CT1.3": ["Huyền Tụng"]},
     {"CT5.1": "Tập huấn cho 80 cán bộ và thành viên Đội kiểm tra liên ngành 178."}, None),
    ("sldtbxh", Q(3), (10, 5), {"CT4.1": 1, "CT5.2": 2}, {}, {}, None),
    ("sldtbxh", Q(4), (12, 11), {"CT4.1": 1, "CT5.2": 1}, {},
     {"CT5.2": "Chưa thực hiện đủ 08 cuộc giám sát do thiếu kinh phí."}, None),
    # Công an tỉnh: re-uploads Q3.
    ("ca_tinh", Q(1), (4, 8), {"CT4.1": 0}, {},
     {"CT4.1": "Nhiệm vụ 4 triển khai từ tháng 6/2017."}, None),
    ("ca_tinh", Q(2), (7, 7), {"CT4.1": 2}, {}, {}, None),
    ("ca_tinh", Q(3), (10, 5), {"CT4.1": "3 cuộc"}, {}, {}, None),
    ("ca_tinh", Q(3), (10, 9), {"CT4.1": 4}, {},
     {"CT4.1": "Bổ sung 01 cuộc kiểm tra đột xuất ngày 29/9/2017."}, None),
    ("ca_tinh", Q(4), (12, 12), {"CT4.1": 3}, {}, {}, None),
    # Sở TT&TT: Q2 late.
    ("stttt", Q(1), (4, 10), {"CT1.5": 1}, {}, {},
     "Văn bản hướng dẫn các cơ quan báo chí tuyên truyền Kế hoạch phòng, chống mại dâm năm 2017."),
    ("stttt", Q(2), (7, 21), {"CT1.5": 1}, {}, {},
     "Chuyên mục hỏi đáp pháp luật về phòng, chống mại dâm trên Cổng thông tin điện tử tỉnh."),
    ("stttt", Q(3), (10, 10), {"CT1.5": 0}, {}, {"CT1.5": "Không phát sinh trong kỳ."}, None),
    ("stttt", Q(4), (12, 14), {"CT1.5": 2}, {}, {},
     "02 tin bài trên Cổng thông tin điện tử tỉnh về kết quả kiểm tra cơ sở kinh doanh dịch vụ."),
    # Sở GD&ĐT: pupils (CT1.4).
    ("sgddt", Q(1), (4, 6), {"CT1.4": 80}, {}, {}, None),
    ("sgddt", Q(2), (7, 5), {"CT1.4": 95}, {}, {}, None),
    ("sgddt", Q(3), (10, 6), {"CT1.4": 0}, {}, {"CT1.4": "Học sinh nghỉ hè."}, None),
    ("sgddt", Q(4), (12, 8), {"CT1.4": 60}, {}, {}, None),
    # Sở Y tế.
    ("syt", Q(1), (4, 7), {"CT3.2": 0}, {}, {}, None),
    ("syt", Q(2), (7, 6), {"CT3.2": 1}, {},
     {"CT3.2": "Mô hình can thiệp giảm tác hại về HIV/AIDS tại thành phố Bắc Kạn."}, None),
    ("syt", Q(3), (10, 6), {"CT5.2": 1}, {}, {}, None),
    ("syt", Q(4), (12, 13), {"CT3.2": 0, "CT5.2": 0}, {}, {}, None),
    # Đài PT-TH and Báo Bắc Kạn: media items (CT1.5) with what they were.
    ("dai_ptth", Q(1), (4, 5), {"CT1.5": 3}, {}, {},
     "Chuyên mục \"Pháp luật và đời sống\" 02 kỳ về phòng, chống mại dâm; 01 phóng sự trên "
     "bản tin Thời sự tối."),
    ("dai_ptth", Q(2), (7, 5), {"CT1.5": 4}, {}, {},
     "03 tin, 01 phóng sự \"Phòng ngừa mại dâm từ cơ sở\" phát trên sóng truyền hình Bắc Kạn."),
    ("dai_ptth", Q(3), (10, 5), {"CT1.5": 3}, {}, {},
     "Tọa đàm trên sóng phát thanh về phòng, chống mại dâm gắn với phòng, chống HIV/AIDS; 02 tin."),
    ("dai_ptth", Q(4), (12, 11), {"CT1.5": 5}, {}, {},
     "Chuyên mục \"Vì an ninh Tổ quốc\" 02 kỳ; 03 tin về kiểm tra cơ sở kinh doanh dịch vụ."),
    ("bao_backan", Q(1), (4, 6), {"CT1.5": 2}, {}, {},
     "02 bài trên Báo Bắc Kạn in về triển khai Kế hoạch phòng, chống mại dâm năm 2017."),
    ("bao_backan", Q(2), (7, 6), {"CT1.5": 2}, {}, {},
     "Chuyên trang \"Pháp luật\" số tháng 5 và tháng 6 dành cho phòng, chống mại dâm."),
    ("bao_backan", Q(3), (10, 4), {"CT1.5": 1}, {}, {},
     "01 bài phản ánh trên Báo Bắc Kạn điện tử về mô hình phòng ngừa mại dâm tại cộng đồng."),
    ("bao_backan", Q(4), (12, 12), {"CT1.5": 3}, {}, {},
     "03 tin, bài về kết quả thực hiện Kế hoạch phòng, chống mại dâm năm 2017."),
    # Hội LHPN tỉnh.
    ("hlhpn", Q(1), (4, 7), {"CT1.1": 0}, {}, {}, None),
    ("hlhpn", Q(2), (7, 7), {"CT1.1": 0}, {}, {}, None),
    ("hlhpn", Q(3), (10, 6), {"CT1.1": 1, "CT1.2": 60}, {"CT1.3": ["xa Cao Ky"]}, {}, None),
    ("hlhpn", Q(4), (12, 11), {"CT2.1": 1}, {},
     {"CT2.1": "Mô hình \"Phụ nữ giúp nhau phát triển kinh tế, phòng ngừa mại dâm\" tại xã "
               "Cao Kỳ, huyện Chợ Mới."}, None),
    # Tỉnh đoàn: one report on the due date itself.
    ("tinh_doan", Q(1), (4, 10), {"CT1.4": 0}, {}, {}, None),
    ("tinh_doan", Q(2), (7, 10), {"CT1.4": 50}, {}, {}, None),
    ("tinh_doan", Q(3), (10, 10), {"CT1.4": 0}, {}, {"CT1.4": "Học sinh nghỉ hè."}, None),
    ("tinh_doan", Q(4), (12, 15), {"CT1.4": 0}, {}, {}, None),
    # The other agencies of section V: some quarters only.
    ("svhttdl", Q(2), (7, 7), {"CT4.1": 1}, {},
     {"CT4.1": "- Kiểm tra 05 cơ sở karaoke, xoa bóp tại thành phố Bắc Kạn."}, None),
    ("svhttdl", Q(4), (12, 13), {"CT4.1": 1}, {}, {}, None),
    ("stp", Q(4), (12, 14), {"CT1.1": 0}, {},
     {"CT1.1": "Lồng ghép nội dung phòng, chống mại dâm trong 12 hội nghị phổ biến pháp luật."},
     None),
    ("stc", Q(4), (12, 15), {"CT5.1": 0}, {},
     {"CT5.1": "Đã thẩm định và cấp kinh phí thực hiện Kế hoạch năm 2017."}, None),
    ("btg_tu", Q(2), (7, 10), {"CT1.5": 1}, {}, {},
     "Hướng dẫn nội dung tuyên truyền phòng, chống mại dâm cho báo cáo viên cấp tỉnh."),
    ("btg_tu", Q(4), (12, 14), {"CT1.5": 1}, {}, {},
     "Định hướng thông tin cho các cơ quan báo chí tháng Hành động phòng, chống HIV/AIDS."),
    ("vksnd", Q(4), (12, 26), {"CT4.1": 0}, {},
     {"CT4.1": "Kiểm sát điều tra 02 vụ án về tội môi giới mại dâm."}, None),
    ("tand", Q(4), (12, 15), {"CT4.1": 0}, {},
     {"CT4.1": "Xét xử 02 vụ, 03 bị cáo về tội chứa mại dâm, môi giới mại dâm."}, None),
    ("mttq", Q(2), (7, 7), {"CT3.2": 0}, {}, {}, None),
    ("mttq", Q(4), (12, 12), {"CT3.2": 1}, {},
     {"CT3.2": "Mô hình \"Khu dân cư không có tệ nạn xã hội\" tại thôn Nà Pài, xã Cẩm Giàng."},
     None),
    ("hnd", Q(2), (7, 10), {"CT1.1": 0}, {}, {"CT1.1": "Lồng ghép tuyên truyền trong sinh hoạt chi hội."},
     None),
    ("hnd", Q(4), (12, 14), {"CT1.1": 0}, {}, {}, None),
    ("hccb", Q(4), (12, 13), {"CT1.1": 0}, {}, {"CT1.1": "Lồng ghép trong sinh hoạt chi hội."}, None),
    ("ldld", Q(2), (7, 12), {"CT1.1": 0}, {}, {}, None),
    ("ldld", Q(4), (12, 11), {"CT1.1": 0}, {},
     {"CT1.1": "Tuyên truyền cho công nhân tại 02 doanh nghiệp."}, None),
]

_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


def _file_stem(period: Period) -> str:
    if period.start_month == period.end_month:
        return f"thang {period.start_month}-{period.year}"
    return f"quy {_ROMAN[period.end_month // 3]}-{period.year}"


def script() -> list[Upload]:
    """The Bắc Kạn demo year as uploads, in the order they arrive. Deterministic."""
    rng = random.Random(SEED)
    phones = {unit: f"0209 3{rng.randrange(10**5, 10**6)}" for unit in sorted(_OFFICERS)}
    rows = [(unit, period, when, {**{code: 0 for code in _DISTRICT_ZEROS}, **results}
             if unit.startswith("ubnd_") else results, communes, notes, media)
            for unit, period, when, results, communes, notes, media in _STORY]
    return _uploads(rows, _OFFICERS, phones, YEAR, rng)


def _uploads(rows, officers: dict, phones: dict, year: int, rng: random.Random) -> list[Upload]:
    """Story rows (unit, period, (month, day), results, communes, notes, media text) as
    uploads in the order they arrive; a second upload of a period is a corrected file."""
    seen: dict[tuple[str, Period], int] = {}
    uploads = []
    for unit, period, (month, day), results, communes, notes, media in rows:
        user, reporter, stem = officers[unit]
        hour, minute = rng.randrange(7, 17), rng.randrange(60)
        at = dt.datetime(year, month, day, hour, minute, tzinfo=LOCAL_TZ)
        version = seen[unit, period] = seen.get((unit, period), 0) + 1
        suffix = "" if version == 1 else f" (sua lan {version - 1})"
        filename = f"BC PCMD {_file_stem(period)} - {stem}{suffix}.xlsx"
        uploads.append(Upload(unit, period, at, user, filename, reporter, phones[unit],
                              results, communes, notes, media))
    return sorted(uploads, key=lambda u: u.at)


# --- The Hà Nội 2026 story -----------------------------------------------------------------
HANOI = "hanoi-2026"
HANOI_YEAR = 2026
HANOI_SEED = 2026

# 16 of the city's 126 communes and wards report, with their officers and when each quarter's
# report arrives ((month, day); None: not sent). Due dates: 10/4, 10/7, 10/10, 15/12.
_HANOI_COMMUNES = {
    "ubnd_00004": ("canbo.badinh", "Nguyễn Thu Trang", "P Ba Dinh", ((4, 6), (7, 6), (10, 5), None)),
    "ubnd_00070": ("canbo.hoankiem", "Trần Minh Tuấn", "P Hoan Kiem", ((4, 3), (7, 2), (10, 2), (12, 9))),
    "ubnd_00148": ("canbo.longbien", "Đỗ Thị Lan Anh", "P Long Bien", ((4, 7), (7, 10), (10, 8), (12, 15))),
    "ubnd_00167": ("canbo.caugiay", "Vũ Đức Thịnh", "P Cau Giay", ((4, 6), (7, 7), (10, 6), (12, 10))),
    "ubnd_00235": ("canbo.dongda", "Ngô Thị Thanh Hương", "P Dong Da", ((4, 10), (7, 10), (10, 10), (12, 15))),
    "ubnd_00319": ("canbo.hoangmai", "Đặng Thị Mai Phương", "P Hoang Mai", ((4, 9), (7, 9), (10, 14), (12, 16))),
    "ubnd_00367": ("canbo.thanhxuan", "Hoàng Văn Nam", "P Thanh Xuan", ((4, 7), (7, 8), (10, 8), (12, 14))),
    "ubnd_09556": ("canbo.hadong", "Nguyễn Thị Bích Ngọc", "P Ha Dong", ((4, 10), (7, 10), (10, 9), (12, 13))),
    "ubnd_09574": ("canbo.sontay", "Kiều Văn Dũng", "P Son Tay", ((4, 8), (7, 9), (10, 6), (12, 15))),
    "ubnd_00376": ("canbo.socson", "Ngô Văn Hải", "X Soc Son", ((4, 16), (7, 8), (10, 9), (12, 14))),
    "ubnd_00454": ("canbo.donganh", "Nguyễn Văn Tiến", "X Dong Anh", ((4, 6), (7, 7), (10, 7), (12, 12))),
    "ubnd_00640": ("canbo.thanhtri", "Phan Thị Thu", "X Thanh Tri", ((4, 10), (7, 22), (10, 9), (12, 18))),
    "ubnd_09700": ("canbo.bavi", "Đinh Công Sơn", "X Ba Vi", ((4, 8), (7, 13), None, None)),
    "ubnd_10441": ("canbo.myduc", "Lưu Thị Hạnh", "X My Duc", ((4, 20), (7, 10), (10, 24), None)),
    "ubnd_09022": ("canbo.melinh", "Trịnh Văn Long", "X Me Linh", ((4, 9), None, None, None)),
    "ubnd_10183": ("canbo.thuongtin", "Tạ Thị Huyền", "X Thuong Tin", ((4, 27), None, (10, 8), None)),
}
HANOI_MONTHLY = "ubnd_00004"  # Phường Ba Đình reports month by month from October
# Communes with industrial parks also reach their workers (CT1.6): unit -> per-quarter range.
_HANOI_PARKS = {"ubnd_00454": (1200, 1700), "ubnd_00376": (600, 1000)}

_HANOI_AGENCIES = {
    "syt": ("canbo.syt.hn", "Nguyễn Hải Yến", "So Y te HN"),
    "ca_tp": ("canbo.congan.hn", "Phạm Đức Anh", "Cong an TP HN"),
    "sgddt": ("canbo.sgddt.hn", "Trần Thị Minh Thư", "So GDDT HN"),
    "tand": ("canbo.tand.hn", "Lê Quốc Bảo", "TAND TP HN"),
}

# The city's departments report their own indicators: (unit, quarter, (month, day), results,
# notes, media text).
_HANOI_AGENCY_STORY = [
    ("syt", 1, (4, 8), {"CT1.2": 14, "CT1.3": 1, "CT1.6": 14200, "CT2.1": 1450}, {},
     "14 tin, bài trên Cổng thông tin điện tử Sở Y tế và trang mạng xã hội của Chi cục Dân số, "
     "Trẻ em và Phòng, chống tệ nạn xã hội; 01 phóng sự trên kênh Hà Nội 1."),
    ("syt", 2, (7, 9), {"CT1.2": 18, "CT1.3": 0, "CT1.6": 19800, "CT2.1": 1820},
     {"CT1.3": "Phóng sự thứ hai đang sản xuất, dự kiến phát sóng quý III."},
     "18 tin, bài; chuyên mục hỏi đáp pháp luật về phòng, chống mại dâm trên trang thông tin của Sở."),
    ("syt", 3, (10, 9), {"CT1.2": 22, "CT1.3": 1, "CT1.6": 17500, "CT2.1": 1260}, {},
     "22 tin, bài; phóng sự \"Hỗ trợ người bán dâm hòa nhập cộng đồng\" trên kênh Hà Nội 1."),
    ("syt", 4, (12, 14), {"CT1.2": 16, "CT1.3": 1, "CT1.6": 9800, "CT2.1": 740}, {},
     "16 tin, bài về kết quả thực hiện Kế hoạch năm 2026; 01 phóng sự cuối năm."),
    ("ca_tp", 1, (4, 9), {"CT4.1": 100, "CT4.2": 23}, {}, None),
    ("ca_tp", 2, (7, 15), {"CT4.1": 97.5, "CT4.2": 31},
     {"CT4.1": "01 tin báo đang xác minh, chuyển sang kỳ sau."}, None),
    ("ca_tp", 3, (10, 8), {"CT4.1": 100, "CT4.2": 28}, {}, None),
    ("ca_tp", 4, (12, 15), {"CT4.1": 100, "CT4.2": 21}, {}, None),
    ("sgddt", 1, (4, 7), {"CT1.7": 38500}, {}, None),
    ("sgddt", 2, (7, 8), {"CT1.7": 27300}, {}, None),
    ("sgddt", 3, (10, 12), {"CT1.7": 31200},
     {"CT1.7": "Lồng ghép trong Tuần sinh hoạt công dân đầu năm học 2026–2027."}, None),
    ("sgddt", 4, (12, 11), {"CT1.7": 9600}, {}, None),
    ("tand", 1, (4, 10), {"CT4.3": 17}, {}, None),
    ("tand", 2, (7, 10), {"CT4.3": 24}, {}, None),
    ("tand", 3, (10, 6), {"CT4.3": 29}, {}, None),
    ("tand", 4, (12, 15), {"CT4.3": 26}, {}, None),
]


def _commune_results(rng: random.Random, unit: str, months: int = 3) -> dict:
    """What a commune typed for a period of `months`: 1 or 0 for the share-of-places
    indicators, people reached for the counts; a ward reaches more service workers than a
    rural commune."""
    ward = unit < "ubnd_00376" or unit in ("ubnd_09556", "ubnd_09574")

    def people(low: int, high: int) -> int:
        return rng.randrange(low, high) * months // 3

    results = {"CT1.1": int(rng.random() < 0.9), "CT3.1": int(rng.random() < 0.6),
               "CT3.2": int(rng.random() < 0.85),
               "CT1.4": people(45, 150) if ward else people(60, 180),
               "CT1.5": people(25, 95) if ward else people(0, 30),
               "CT2.1": people(10, 45)}
    if unit in _HANOI_PARKS:
        results["CT1.6"] = people(*_HANOI_PARKS[unit])
    return results


def hanoi_script() -> list[Upload]:
    """The Hà Nội 2026 demo year as uploads, in the order they arrive, to 31/12. Deterministic;
    `load_demo` sends those that arrived by the day it runs."""
    rng = random.Random(HANOI_SEED)
    officers = {unit: entry[:3] for unit, entry in _HANOI_COMMUNES.items()} | _HANOI_AGENCIES
    phones = {unit: f"024 3{rng.randrange(10**6, 10**7)}" for unit in sorted(officers)}
    rows = []
    for unit, (_, _, _, dates) in _HANOI_COMMUNES.items():
        for quarter, when in enumerate(dates, start=1):
            if when is not None:
                rows.append((unit, Q(quarter, HANOI_YEAR), when, _commune_results(rng, unit), {}, {}, None))
    for month, when in ((10, (11, 4)), (11, (12, 2)), (12, (12, 14))):
        rows.append((HANOI_MONTHLY, M(month, HANOI_YEAR), when,
                     _commune_results(rng, HANOI_MONTHLY, months=1), {}, {}, None))
    rows += [(unit, Q(quarter, HANOI_YEAR), when, results, {}, notes, media)
             for unit, quarter, when, results, notes, media in _HANOI_AGENCY_STORY]
    rows = [_hanoi_habits(row) for row in rows]
    # Phường Hoàn Kiếm corrects its second quarter two days later.
    first = next(r for r in rows if r[0] == "ubnd_00070" and r[1] == Q(2, HANOI_YEAR))
    rows.append(("ubnd_00070", first[1], (7, 4), {**first[3], "CT1.5": first[3]["CT1.5"] + 27}, {},
                 {"CT1.5": "Bổ sung 27 người làm việc tại 03 cơ sở karaoke kiểm tra ngày 29/6/2026."},
                 None))
    return _uploads(rows, officers, phones, HANOI_YEAR, rng)


def _hanoi_habits(row):
    """Officers' habits that raise warnings, as in Bắc Kạn: a number with its unit, a number as text."""
    unit, period, when, results, communes, notes, media = row
    if (unit, period) == ("ubnd_00167", Q(2, HANOI_YEAR)):
        results = {**results, "CT1.4": f"{results['CT1.4']} người"}
    if (unit, period) == ("ubnd_09574", Q(1, HANOI_YEAR)):
        results = {**results, "CT1.4": str(results["CT1.4"])}
    return unit, period, when, results, communes, notes, media


# The demo of each plan it has a story for.
STORIES = {"backan-2017": script, HANOI: hanoi_script}


def build_file(plan, upload: Upload, template: bytes | None = None) -> bytes:
    """The workbook the officer uploads: the real template (`template`, when already built
    for this unit and period), filled."""
    template = template or build_template(plan, upload.unit, upload.period)
    return fill_template(template, results=upload.results, communes=upload.communes,
                         media_text=upload.media_text, reporter=upload.reporter,
                         phone=upload.phone, report_date=upload.at.date(), notes=upload.notes)


def uploads_until(plan_id: str, today: dt.date) -> list[Upload]:
    """The uploads of a plan's story that have arrived by `today` (the day the demo loads)."""
    return [upload for upload in STORIES[plan_id]() if upload.at.date() <= today]


@lru_cache(maxsize=4)
def _files(plan, today: dt.date) -> tuple[tuple[Upload, bytes], ...]:
    # Building the workbooks takes much of the demo's time and gives the same content every
    # time, so a process builds them once per plan and day (`load_plan` returns one Plan per
    # file), and one template per unit and period.
    templates: dict[tuple[str, Period], bytes] = {}
    out = []
    for upload in uploads_until(plan.id, today):
        key = (upload.unit, upload.period)
        if key not in templates:
            templates[key] = build_template(plan, upload.unit, upload.period)
        out.append((upload, build_file(plan, upload, templates[key])))
    return tuple(out)


# --- Loading ----------------------------------------------------------------------------------
class DemoError(RuntimeError):
    """The demo cannot load (demo mode off, a real database, a non-empty store, no plan with
    a demo story), or the upload path refused one of its files, which is a bug in the demo."""


@dataclass(frozen=True)
class PlanDemo:
    """What the demo put into one plan."""
    plan_id: str
    label: str  # the plan as the picker names it
    as_of: dt.date  # the day the reporting status is counted at: the load day, clipped as the app's default
    files: int = 0  # uploads sent through the upload path
    stored: int = 0  # new reports
    revised: int = 0  # re-uploads that superseded a report
    with_warnings: int = 0  # uploads accepted with warnings
    on_time: int = 0  # expected reports (unit x period) due by `as_of`, as `completeness` counts
    late: int = 0
    missing: int = 0
    units_reporting: int = 0
    never_reported: tuple[str, ...] = ()  # unit codes
    never_names: tuple[str, ...] = ()  # their names
    seconds: float = 0.0

    def lines(self) -> list[str]:
        out = [MESSAGES["loaded"].format(
            plan=self.label, files=self.files, stored=self.stored, revised=self.revised,
            units=self.units_reporting, on_time=self.on_time, late=self.late,
            missing=self.missing, warned=self.with_warnings, as_of=format_date(self.as_of),
            seconds=f"{self.seconds:.1f}".replace(".", ","))]
        if len(self.never_names) > NEVER_LISTED:
            out.append(MESSAGES["never_count"].format(count=len(self.never_names)))
        elif self.never_names:
            out.append(MESSAGES["never"].format(names=", ".join(self.never_names)))
        return out


@dataclass(frozen=True)
class DemoSummary:
    loaded: bool
    plans: tuple[PlanDemo, ...] = ()  # one per plan loaded, in load order
    existing: int = 0  # submissions already in the store (when not loaded)

    def of(self, plan_id: str) -> PlanDemo:
        return next(part for part in self.plans if part.plan_id == plan_id)

    @property
    def files(self) -> int:
        return sum(part.files for part in self.plans)

    def lines(self) -> list[str]:
        """The summary in Vietnamese, for the CLI."""
        if not self.loaded:
            return [MESSAGES["skipped"].format(count=self.existing)]
        return [line for part in self.plans for line in part.lines()]


def demo_plans(plans) -> list:
    """Of `plans` (a Plan, or several: a list, a `plans.Catalogue`), those the demo has a
    story for, in the order of `STORIES`."""
    given = {p.id: p for p in ([plans] if isinstance(plans, Plan) else plans)}
    return [given[plan_id] for plan_id in STORIES if plan_id in given]


def load_demo(store, plans, *, today: dt.date | None = None, if_empty: bool = False,
              demo_mode: bool = False) -> DemoSummary:
    """Upload the demo of each plan in `plans` that has a story (Bắc Kạn 2017, Hà Nội 2026)
    through the upload path, as demo data: every report that has arrived by `today` (default:
    today in Vietnam). Only in demo mode (`demo_mode`: settings.demo) and into a demo or empty
    database, which it marks demo (`installation.claim_for_demo_data`); anything else is a
    DemoError, even with `if_empty`. The store must hold no submissions: with `if_empty` a
    non-empty store is left alone, otherwise it is an error."""
    chosen = demo_plans(plans)
    if not chosen:
        raise DemoError(MESSAGES["no_story"].format(known=", ".join(STORIES)))
    try:
        installation.claim_for_demo_data(store, demo_mode=demo_mode)
    except installation.WrongDatabase as exc:
        raise DemoError(exc.message) from exc
    existing = len(store.history(None))
    if existing:
        if if_empty:
            return DemoSummary(loaded=False, existing=existing)
        raise DemoError(MESSAGES["not_empty"].format(count=existing))
    today = today or dt.datetime.now(LOCAL_TZ).date()
    parts = tuple(_load_plan(store, plan, today) for plan in chosen)
    # The totals as before (the audit page shows them), and what each plan got.
    store.record_audit(DEMO_ACTOR, "demo_loaded", files=sum(p.files for p in parts),
                       stored=sum(p.stored for p in parts), revised=sum(p.revised for p in parts),
                       today=today.isoformat(), plans={
                           part.plan_id: {"files": part.files, "stored": part.stored, "revised": part.revised,
                                          "as_of": part.as_of.isoformat()} for part in parts})
    return DemoSummary(loaded=True, plans=parts)


def _load_plan(store, plan, today: dt.date) -> PlanDemo:
    started = time.perf_counter()
    files = _files(plan, today)
    outcomes = []
    for upload, data in files:
        out = import_file(data, upload.filename, user=upload.user, plan=plan,
                          store=store, allowed_unit=upload.unit, uploaded_at=upload.at)
        if out.outcome not in ("stored", "revised"):
            findings = "; ".join(f"{f.code} {f.cell or ''}: {f.message}" for f in out.findings)
            raise DemoError(MESSAGES["refused"].format(file=upload.filename, findings=findings))
        outcomes.append(out)
    reporting = {upload.unit for upload, _ in files}
    as_of = progress.review_default(plan.for_year(plan.years[1]), today)
    status = completeness.report_status(plan, store.history(plan.id), as_of)
    counts = status["status"].value_counts()
    never = [u for u in plan.units if u.code not in reporting]
    return PlanDemo(
        plan_id=plan.id, label=plan.label, as_of=as_of, files=len(files),
        stored=sum(o.outcome == "stored" for o in outcomes),
        revised=sum(o.outcome == "revised" for o in outcomes),
        with_warnings=sum(bool(o.findings) for o in outcomes),
        on_time=int(counts.get(completeness.ON_TIME, 0)),
        late=int(counts.get(completeness.LATE, 0)),
        missing=int(counts.get(completeness.MISSING, 0)),
        units_reporting=len(reporting),
        never_reported=tuple(u.code for u in never), never_names=tuple(u.name for u in never),
        seconds=time.perf_counter() - started,
    )
