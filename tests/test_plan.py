"""The plan file and its model.

The expected values below are copied from the plan text (Decision 1180/QĐ-UBND of
29/07/2016, Bắc Kạn), so the test stands on its own without the source file.
"""
from __future__ import annotations

import datetime as dt
import os
import unicodedata
from pathlib import Path

import pandas as pd
import pytest

from mdplan_core import PlanFileError, load_plan  # the engine's face, as issue 2 names it

PLAN_FILE = Path(__file__).resolve().parent.parent / "data" / "plans" / "backan-2017.yaml"
REAL_TEXT = PLAN_FILE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def plan():
    return load_plan(PLAN_FILE)


# --- Decision, purpose, funding ---------------------------------------------------------
def test_decision(plan):
    d = plan.decision
    assert d.number == "1180/QĐ-UBND"
    assert d.date == dt.date(2016, 7, 29)
    assert d.issuer == "Ủy ban nhân dân tỉnh Bắc Kạn"
    assert d.title == ("PHÊ DUYỆT KẾ HOẠCH PHÒNG, CHỐNG MẠI DÂM TRÊN ĐỊA BÀN TỈNH BẮC KẠN, "
                       "NĂM 2017")
    assert d.signer.name == "Phạm Duy Hưng"
    assert d.signer.signing_block == ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]
    assert plan.year == 2017
    assert plan.province == "Bắc Kạn"
    assert plan.title == "Kế hoạch phòng, chống mại dâm trên địa bàn tỉnh Bắc Kạn năm 2017"


def test_decision_basis_documents(plan):
    law, decision, submission = plan.decision.basis
    assert (law.kind, law.title, law.date) == (
        "law", "Luật Tổ chức chính quyền địa phương", dt.date(2015, 6, 19))
    assert (decision.kind, decision.number, decision.date) == (
        "decision", "635/QĐ-UBND", dt.date(2016, 5, 6))
    assert decision.subject == ("phê duyệt Kế hoạch phòng, chống mại dâm trên địa bàn tỉnh "
                                "Bắc Kạn giai đoạn 2015 - 2020")
    assert (submission.kind, submission.number, submission.date) == (
        "submission", "950/TTr-LĐTBXH", dt.date(2016, 7, 25))
    assert submission.issuer == "Giám đốc Sở Lao động - Thương binh và Xã hội"
    assert len(plan.tables()["basis"]) == 3


def test_purpose_and_requirements(plan):
    assert plan.purpose.startswith("Phát huy sức mạnh tổng hợp, tạo sự chuyển biến mạnh mẽ")
    assert plan.purpose.endswith("học sinh, sinh viên, xâm hại tình dục trẻ em.")
    assert len(plan.requirements) == 3
    assert plan.requirements[0].startswith("Tăng cường sự phối hợp chặt chẽ")
    assert plan.requirements[1].startswith("Thực hiện lồng ghép công tác phòng, chống mại dâm")
    assert plan.requirements[2].startswith("Các Sở, Ban, Ngành, đoàn thể; các huyện, thành phố")


def test_funding_sources(plan):
    assert plan.funding.text == (
        "Kinh phí thực hiện Kế hoạch từ ngân sách nhà nước; từ nguồn tài trợ, huy động của "
        "các tổ chức, cá nhân theo quy định của pháp luật.")
    assert [(s.id, s.text) for s in plan.funding.sources] == [
        ("state_budget", "ngân sách nhà nước"),
        ("sponsorship", "nguồn tài trợ, huy động của các tổ chức, cá nhân theo quy định của "
                        "pháp luật"),
    ]


# --- Agencies -----------------------------------------------------------------------------
AGENCIES = {
    "sldtbxh": ("Sở Lao động - Thương binh và Xã hội", "department"),
    "stttt": ("Sở Thông tin và Truyền thông", "department"),
    "sgddt": ("Sở Giáo dục và Đào tạo", "department"),
    "mttq": ("Ủy ban Mặt trận Tổ quốc tỉnh", "mass_org"),
    "hlhpn": ("Hội Liên hiệp Phụ nữ tỉnh", "mass_org"),
    "syt": ("Sở Y tế", "department"),
    "ca_tinh": ("Công an tỉnh", "police"),
    "doi178": ("Đội kiểm tra liên ngành 178", "inter_agency_team"),
    "svhttdl": ("Sở Văn hóa - Thể thao và Du lịch", "department"),
    "stp": ("Sở Tư pháp", "department"),
    "dai_ptth": ("Đài Phát thanh và Truyền hình", "media"),
    "bao_backan": ("Báo Bắc Kạn", "media"),
    "stc": ("Sở Tài chính", "department"),
    "btg_tu": ("Ban Tuyên giáo Tỉnh ủy", "party"),
    "vksnd": ("Viện Kiểm sát nhân dân tỉnh", "judiciary"),
    "tand": ("Tòa án nhân dân tỉnh", "judiciary"),
    "tinh_doan": ("Đoàn Thanh niên Cộng sản Hồ Chí Minh", "mass_org"),
    "hnd": ("Hội Nông dân tỉnh", "mass_org"),
    "hccb": ("Hội Cựu chiến binh tỉnh", "mass_org"),
    "ldld": ("Liên đoàn Lao động tỉnh", "mass_org"),
    "ubnd_huyen": ("Ủy ban nhân dân các huyện, thành phố", "district_committees"),
    "cac_so_nganh": ("Các Sở, Ban, Ngành có liên quan", "group"),
    "ubnd_tinh": ("Ủy ban nhân dân tỉnh", "provincial_committee"),
    "bo_ldtbxh": ("Bộ Lao động - Thương binh và Xã hội", "ministry"),
}


def test_agencies(plan):
    frame = plan.agencies
    assert list(frame.columns[:4]) == ["id", "name", "short_name", "kind"]
    assert {r.id: (r.name, r.kind) for r in frame.itertuples()} == AGENCIES
    assert frame["id"].is_unique


def test_agency_aliases_cover_what_officers_type(plan):
    assert {"Sở LĐ-TB&XH", "Sở LĐTBXH", "LĐTBXH"} <= set(plan.agency("sldtbxh").aliases)
    assert plan.agency("sldtbxh").short_name == "Sở LĐTBXH"
    assert "CA tỉnh" in plan.agency("ca_tinh").aliases
    # The text names the Fatherland Front two ways (III and V.1.14).
    assert {"Ủy ban MTTQ tỉnh", "Mặt trận Tổ quốc tỉnh"} <= set(plan.agency("mttq").aliases)


# --- Tasks ---------------------------------------------------------------------------------
MARCH = ("Từ tháng 3 đến tháng 12 năm 2016", dt.date(2017, 3, 1), dt.date(2017, 12, 31))
JUNE = ("Từ tháng 6 đến tháng 12 năm 2016", dt.date(2017, 6, 1), dt.date(2017, 12, 31))
TASKS = {
    1: ("Tăng cường tuyên truyền, phổ biến, giáo dục pháp luật và nâng cao nhận thức về "
        "phòng, chống mại dâm",
        ["stttt", "sgddt", "mttq", "hlhpn", "ubnd_huyen"], MARCH),
    2: ("Đẩy mạnh thực hiện các hoạt động phòng ngừa mại dâm thông qua lồng ghép các chương "
        "trình kinh tế - xã hội tại địa bàn cơ sở",
        ["syt", "mttq", "hlhpn", "ubnd_huyen"], MARCH),
    3: ("Xây dựng, triển khai các hoạt động can thiệp giảm tác hại về HIV/AIDS; phòng ngừa, "
        "giảm tình trạng bạo lực trên cơ sở giới trong phòng, chống mại dâm",
        ["ubnd_huyen"], MARCH),
    4: ("Kiểm tra, xử lý các hành vi liên quan đến mại dâm",
        ["ca_tinh", "doi178", "ubnd_huyen"], JUNE),
    5: ("Tập huấn nâng cao năng lực đội ngũ cán bộ và giám sát thực hiện Chương trình",
        ["ca_tinh", "syt", "ubnd_huyen"], JUNE),
}


@pytest.mark.parametrize("number", sorted(TASKS))
def test_task(plan, number):
    title, cooperating, (as_written, start, end) = TASKS[number]
    task = plan.task(number)
    assert task.title == title
    assert task.lead == "sldtbxh"
    assert task.cooperating == cooperating
    assert task.schedule.as_written == as_written
    assert (task.schedule.start, task.schedule.end) == (start, end)
    # The source says 2016 for a 2017 plan; the note must say so, in Vietnamese.
    assert "2016" in task.schedule.note and "2017" in task.schedule.note


def test_tasks_frame(plan):
    frame = plan.tasks
    assert list(frame["number"]) == [1, 2, 3, 4, 5]
    assert {"number", "title", "lead", "cooperating", "schedule_text", "start", "end",
            "schedule_note"} <= set(frame.columns)
    assert set(frame["lead"]) == {"sldtbxh"}
    assert list(frame["start"]) == [pd.Timestamp(TASKS[n][2][1]) for n in range(1, 6)]
    assert frame.loc[3, "cooperating_names"] == (
        "Công an tỉnh; Đội kiểm tra liên ngành 178; Ủy ban nhân dân các huyện, thành phố")
    assert frame.loc[3, "schedule_note"] == (
        "Văn bản gốc ghi năm 2016; kế hoạch cho năm 2017 nên mdplan hiểu là tháng 6–12/2017.")


def test_responsibility_matrix(plan):
    matrix = plan.responsibility
    assert list(matrix.columns) == [1, 2, 3, 4, 5]
    assert list(matrix.loc["sldtbxh"]) == ["lead"] * 5
    assert list(matrix.loc["ubnd_huyen"]) == ["cooperating"] * 5
    assert list(matrix.loc["doi178"]) == ["", "", "", "cooperating", ""]
    assert list(matrix.loc["syt"]) == ["", "cooperating", "", "", "cooperating"]
    assert set(matrix.index) == {"sldtbxh", "stttt", "sgddt", "mttq", "hlhpn", "syt",
                                 "ca_tinh", "doi178", "ubnd_huyen"}


# --- Indicators ------------------------------------------------------------------------------
INDICATORS = [
    # code, task, unit, target, aggregation
    ("CT1.1", 1, "lớp", 10, "sum"),
    ("CT1.2", 1, "người", 500, "sum"),
    ("CT1.3", 1, "xã, phường, thị trấn", 10, "distinct_places"),
    ("CT1.4", 1, "học sinh", 300, "sum"),
    ("CT1.5", 1, "chuyên trang, chuyên mục", None, "qualitative"),
    ("CT2.1", 2, "mô hình", 2, "sum"),
    ("CT3.1", 3, "xã, phường", 5, "distinct_places"),
    ("CT3.2", 3, "mô hình", 5, "sum"),
    ("CT4.1", 4, "cuộc", 15, "sum"),
    ("CT5.1", 5, "lớp", 1, "sum"),
    ("CT5.2", 5, "cuộc", 8, "sum"),
]


def test_indicators(plan):
    frame = plan.indicators
    assert list(frame.columns) == ["code", "task", "name", "unit", "target", "aggregation",
                                   "level", "text", "continues"]
    assert set(frame["level"]) == {"commune"}  # the default; the file's distinct_communes is an alias
    assert str(frame["target"].dtype) == "Int64"
    got = [(r.code, r.task, r.unit, None if pd.isna(r.target) else int(r.target), r.aggregation)
           for r in frame.itertuples()]
    assert got == INDICATORS
    assert (frame["aggregation"] != "qualitative").sum() == 10
    assert (frame["aggregation"] == "qualitative").sum() == 1


def test_indicator_texts_are_as_written(plan):
    assert plan.indicator("CT1.2").text.startswith(
        "Tổ chức 10 lớp tuyên truyền cho 500 người tại 10 xã, phường, thị trấn trên địa bàn")
    assert plan.indicator("CT1.4").text.startswith("Tổ chức tuyên truyền cho 300 học sinh")
    assert plan.indicator("CT2.1").text.startswith("Triển khai 02 mô hình lồng ghép")
    assert plan.indicator("CT3.1").text == (
        "Xây dựng 05 xã, phường lành mạnh không có tệ nạn mại dâm tại các xã, phường, thị trấn.")
    assert plan.indicator("CT4.1").text.startswith("Tổ chức 15 cuộc kiểm tra các cơ sở kinh doanh")
    assert plan.indicator("CT5.1").text == (
        "Tổ chức 01 lớp tập huấn, nâng cao năng lực đội ngũ cán bộ làm công tác phòng, chống "
        "mại dâm, Đội kiểm tra liên ngành 178.")
    assert plan.indicator("CT5.2").text == (
        "Tổ chức 08 cuộc giám sát chương trình phòng, chống mại dâm.")
    assert plan.indicator("CT1.1").name == "Lớp tuyên truyền về phòng, chống mại dâm"
    assert [i.code for i in plan.indicators_of(3)] == ["CT3.1", "CT3.2"]


# --- Duties (V.1) and reporting (V.2) -------------------------------------------------------
DUTIES = [
    ("1.1", ["sldtbxh"], False, "Sở Lao động - Thương binh và Xã hội"),
    ("1.2", ["ca_tinh"], False, "Công an tỉnh"),
    ("1.3", ["stttt"], False, "Sở Thông tin và Truyền thông"),
    ("1.4", ["svhttdl"], False, "Sở Văn hóa - Thể thao và Du lịch"),
    ("1.5", ["syt"], False, "Sở Y tế"),
    ("1.6", ["stp"], False, "Sở Tư pháp"),
    ("1.7", ["sgddt"], False, "Sở Giáo dục và Đào tạo"),
    ("1.8", ["cac_so_nganh"], False, "Các Sở, Ban, Ngành có liên quan"),
    ("1.9", ["dai_ptth", "bao_backan"], False, "Đài Phát thanh và Truyền hình, Báo Bắc Kạn"),
    ("1.10", ["stc"], False, "Sở Tài chính"),
    ("1.11", ["ubnd_huyen"], False, "Ủy ban nhân dân các huyện, thành phố"),
    ("1.12", ["btg_tu"], True, "Đề nghị Ban Tuyên giáo Tỉnh ủy"),
    ("1.13", ["vksnd", "tand"], True, "Đề nghị Viện Kiểm sát nhân dân tỉnh, Tòa án nhân dân tỉnh"),
    ("1.14", ["mttq", "hlhpn", "tinh_doan", "hnd", "hccb", "ldld"], True,
     "Đề nghị Mặt trận Tổ quốc tỉnh"),
]


def test_duties(plan):
    frame = plan.duties
    assert {"clause", "title_vi", "agencies", "summary_en"} <= set(frame.columns)
    assert len(frame) == 14
    for row, (clause, agencies, requested, title_start) in zip(frame.itertuples(), DUTIES):
        assert row.clause == clause
        assert row.agencies == agencies
        assert row.requested is requested
        assert row.title_vi.startswith(title_start)
        assert row.summary_en
    assert plan.duty("1.2").text.startswith("Công an tỉnh chỉ đạo lực lượng Công an các cấp")


def test_reporting_rule(plan):
    rep = plan.reporting
    assert (rep.deadline.month, rep.deadline.day) == (12, 15)
    assert plan.report_due_date == dt.date(2017, 12, 15)
    assert rep.via == "sldtbxh"
    assert rep.to == "ubnd_tinh"
    assert rep.standing_agency == "sldtbxh"
    assert rep.standing_reports_to == ["ubnd_tinh", "bo_ldtbxh"]
    texts = {c.clause: c.text for c in rep.clauses}
    assert texts["2.1"].endswith(
        "báo cáo Ủy ban nhân dân tỉnh (qua Sở Lao động - Thương binh và Xã hội) trước ngày "
        "15 tháng 12.")
    assert texts["2.2"].startswith("Giao Sở Lao động - Thương binh và Xã hội (cơ quan thường trực)")



def test_offered_periods_put_the_schedule_first_then_each_month(plan):
    offered = plan.offered_periods()
    labels = list(offered)
    assert labels[:4] == ["Quý I/2017 (tháng 1–3/2017), hạn nộp 10/04/2017",
                          "Quý II/2017 (tháng 4–6/2017), hạn nộp 10/07/2017",
                          "Quý III/2017 (tháng 7–9/2017), hạn nộp 10/10/2017",
                          "Quý IV/2017 (tháng 10–12/2017), hạn nộp 15/12/2017"]
    assert [str(p) for p in offered.values()][:4] == ["2017-01..2017-03", "2017-04..2017-06",
                                                       "2017-07..2017-09", "2017-10..2017-12"]
    assert labels[4:] == [f"Tháng {m}/2017" for m in range(1, 13)]
    assert [(p.start_month, p.end_month) for p in list(offered.values())[4:]] == [(m, m) for m in range(1, 13)]

# --- Reporting units ------------------------------------------------------------------------
DISTRICT_UNITS = {
    "ubnd_058": ("058", "UBND thành phố Bắc Kạn"),
    "ubnd_060": ("060", "UBND huyện Pác Nặm"),
    "ubnd_061": ("061", "UBND huyện Ba Bể"),
    "ubnd_062": ("062", "UBND huyện Ngân Sơn"),
    "ubnd_063": ("063", "UBND huyện Bạch Thông"),
    "ubnd_064": ("064", "UBND huyện Chợ Đồn"),
    "ubnd_065": ("065", "UBND huyện Chợ Mới"),
    "ubnd_066": ("066", "UBND huyện Na Rì"),
}
# Every agency named individually in V.1.1–1.14 (not the collectives of 1.8 and 1.11).
AGENCY_UNITS = ["sldtbxh", "ca_tinh", "stttt", "svhttdl", "syt", "stp", "sgddt", "dai_ptth",
                "bao_backan", "stc", "btg_tu", "vksnd", "tand", "mttq", "hlhpn", "tinh_doan",
                "hnd", "hccb", "ldld"]


def test_reporting_units(plan):
    frame = plan.reporting_units
    assert list(frame.columns[:6]) == ["code", "name", "short_name", "kind", "place_code",
                                       "agency_id"]
    districts = frame[frame["kind"] == "place"]
    assert {r.code: (r.place_code, r.name) for r in districts.itertuples()} == DISTRICT_UNITS
    assert districts["agency_id"].isna().all()
    agencies = frame[frame["kind"] == "agency"]
    assert list(agencies["code"]) == AGENCY_UNITS
    assert list(agencies["agency_id"]) == AGENCY_UNITS
    assert agencies["place_code"].isna().all()
    assert len(frame) == 8 + 19
    assert plan.unit("ubnd_061").name == "UBND huyện Ba Bể"
    assert plan.unit("ubnd_061").place_code == "061"
    assert plan.unit("sldtbxh").name == "Sở Lao động - Thương binh và Xã hội"
    # Every agency with an individual duty in V.1 reports.
    with_duties = {a for d in DUTIES for a in d[1]} - {"cac_so_nganh", "ubnd_huyen"}
    assert set(AGENCY_UNITS) == with_duties


def test_geography_of_the_plan_year(plan):
    assert len(plan.places) == 8
    assert len(plan.communes) == 122
    assert set(plan.communes["place_code"]) == set(plan.places["code"])


def test_tables_in_order(plan):
    tables = plan.tables()
    assert list(tables) == ["plan", "basis", "tasks", "indicators", "responsibility", "agencies",
                            "duties", "funding", "reporting_units", "places", "communes"]
    assert all(isinstance(t, pd.DataFrame) for t in tables.values())
    summary = dict(zip(tables["plan"]["field"], tables["plan"]["value"]))
    assert summary["decision_number"] == "1180/QĐ-UBND"
    assert summary["report_due_date"] == "2017-12-15"
    assert list(tables["responsibility"].columns) == ["agency_id", "1", "2", "3", "4", "5"]


def test_frames_are_copies(plan):
    frame = plan.indicators
    frame.loc[0, "target"] = 999
    assert plan.indicator("CT1.1").target == 10
    assert plan.indicators.loc[0, "target"] == 10


def test_unknown_lookups_raise_key_error(plan):
    with pytest.raises(KeyError):
        plan.indicator("CT9.9")
    with pytest.raises(KeyError):
        plan.unit("ubnd_999")


# --- Loading and caching -----------------------------------------------------------------
def test_default_path_is_the_first_plan():
    assert load_plan().id == "backan-2017"


def test_cache_is_per_path_and_refreshed_when_the_file_changes(tmp_path):
    path = tmp_path / "plan.yaml"
    path.write_text(REAL_TEXT, encoding="utf-8")
    first = load_plan(path)
    assert load_plan(path) is first
    path.write_text(REAL_TEXT.replace("target: 15", "target: 16"), encoding="utf-8")
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000_000))
    second = load_plan(path)
    assert second is not first
    assert second.indicator("CT4.1").target == 16


def test_decomposed_vietnamese_is_normalised(tmp_path):
    path = tmp_path / "nfd.yaml"
    path.write_text(unicodedata.normalize("NFD", REAL_TEXT), encoding="utf-8")
    assert load_plan(path).agency("ca_tinh").name == "Công an tỉnh"


def test_byte_order_mark_is_accepted(tmp_path):
    path = tmp_path / "bom.yaml"
    path.write_text(REAL_TEXT, encoding="utf-8-sig")
    assert load_plan(path).year == 2017


def test_leading_zero_counts_read_as_decimal(tmp_path):
    # The text writes "08 cuộc"; YAML 1.1 would read 08 as text and 010 as octal 8.
    path = tmp_path / "zero.yaml"
    path.write_text(REAL_TEXT.replace("target: 8\n", "target: 08\n")
                    .replace("target: 10\n", "target: 010\n", 1), encoding="utf-8")
    plan = load_plan(path)
    assert plan.indicator("CT5.2").target == 8
    assert plan.indicator("CT1.1").target == 10


# --- Broken files: the error names the line and the field ----------------------------------
def _edit(tmp_path, old: str, new: str, occurrence: int = 1) -> Path:
    """The real plan with the n-th `old` replaced by `new`, written to tmp_path."""
    start = -1
    for _ in range(occurrence):
        start = REAL_TEXT.index(old, start + 1)
    path = tmp_path / "broken.yaml"
    path.write_text(REAL_TEXT[:start] + new + REAL_TEXT[start + len(old):], encoding="utf-8")
    return path


def _line(path: Path, needle: str, occurrence: int = 1, after: str | None = None) -> int:
    """1-based line of the n-th line containing `needle` (below the line `after`, if given)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    first = lines.index(after) + 1 if after is not None else 0
    hits = [n for n, line in enumerate(lines, 1) if n > first and needle in line]
    return hits[occurrence - 1]


def _error(path: Path) -> PlanFileError:
    with pytest.raises(PlanFileError) as caught:
        load_plan(path)
    return caught.value


@pytest.mark.parametrize("old, new, occurrence, needle, field, bad", [
    ("lead: sldtbxh", "lead: sldtbxhx", 3, "sldtbxhx", "tasks[2].lead", "sldtbxhx"),
    ("[ca_tinh, doi178, ubnd_huyen]", "[ca_tinh, doi179, ubnd_huyen]", 1, "doi179",
     "tasks[3].cooperating[1]", "doi179"),
    ("agencies: [vksnd, tand]", "agencies: [vksnd, toa_an]", 1, "toa_an",
     "duties[12].agencies[1]", "toa_an"),
    ("    - tand         # 1.13", "    - tandd", 1, "- tandd", "reporting_units.agencies[12]",
     "tandd"),
    ("via: sldtbxh", "via: sldtbxh2", 1, "via: sldtbxh2", "reporting.via", "sldtbxh2"),
    ("to: ubnd_tinh", "to: ubnd_tinhh", 1, "to: ubnd_tinhh", "reporting.to", "ubnd_tinhh"),
])
def test_unknown_agency(tmp_path, old, new, occurrence, needle, field, bad):
    path = _edit(tmp_path, old, new, occurrence)
    err = _error(path)
    assert err.line == _line(path, needle)
    assert err.field == field
    assert f"cơ quan '{bad}' không có trong danh sách agencies" in err.message
    assert str(err).startswith(f"{path}, dòng {err.line} ({field}): cơ quan '{bad}'")
    assert isinstance(err, ValueError)


def test_unknown_agency_suggests_the_close_id(tmp_path):
    err = _error(_edit(tmp_path, "lead: sldtbxh", "lead: sldtbxhx", 3))
    assert "có phải 'sldtbxh'" in err.message


def test_duplicate_indicator_code(tmp_path):
    path = _edit(tmp_path, "code: CT3.2", "code: CT3.1")
    err = _error(path)
    assert err.line == _line(path, "code: CT3.1", occurrence=2)
    assert err.field == "indicators[7].code"
    assert "'CT3.1' bị trùng" in err.message
    assert f"dòng {_line(path, 'code: CT3.1')}" in err.message


def test_negative_target(tmp_path):
    path = _edit(tmp_path, "target: 15", "target: -15")
    err = _error(path)
    assert err.line == _line(path, "target: -15")
    assert err.field == "indicators[8].target"
    assert "-15 không được âm" in err.message


def test_schedule_ending_before_it_starts(tmp_path):
    path = _edit(tmp_path, "end: 2017-12-31", "end: 2017-05-31", occurrence=4)
    err = _error(path)
    assert err.line == _line(path, "end: 2017-05-31")
    assert err.field == "tasks[3].schedule.end"
    assert "ngày kết thúc 2017-05-31 trước ngày bắt đầu 2017-06-01" in err.message


def test_unknown_aggregation(tmp_path):
    path = _edit(tmp_path, "aggregation: distinct_communes", "aggregation: distinct_villages", 2)
    err = _error(path)
    assert err.line == _line(path, "distinct_villages")
    assert err.field == "indicators[6].aggregation"
    assert "'distinct_villages' không hợp lệ" in err.message
    assert "distinct_places" in err.message and "share_of_places" in err.message


def test_indicator_of_a_task_that_does_not_exist(tmp_path):
    path = _edit(tmp_path, "code: CT5.2\n    task: 5", "code: CT5.2\n    task: 6")
    err = _error(path)
    assert err.line == _line(path, "task: 6")
    assert err.field == "indicators[10].task"
    assert "nhiệm vụ số 6 không có" in err.message


def test_yaml_syntax_error(tmp_path):
    path = _edit(tmp_path, 'title: "Kiểm tra, xử lý các hành vi liên quan đến mại dâm"',
                 "title: Kiểm tra: xử lý các hành vi liên quan đến mại dâm")
    err = _error(path)
    assert err.line == _line(path, "title: Kiểm tra: xử lý")
    assert err.field is None
    assert "lỗi cú pháp YAML" in err.message
    assert str(err).startswith(f"{path}, dòng {err.line}: lỗi cú pháp YAML")


def test_tab_indentation_is_explained(tmp_path):
    path = _edit(tmp_path, "    lead: sldtbxh\n", "\tlead: sldtbxh\n", occurrence=2)
    err = _error(path)
    assert err.line == _line(path, "\tlead: sldtbxh")
    assert "Tab" in err.message


def test_missing_required_field(tmp_path):
    path = _edit(tmp_path, "    lead: sldtbxh\n", "", occurrence=2)
    err = _error(path)
    assert err.line == _line(path, "- number: 2", after="tasks:")
    assert err.field == "tasks[1].lead"
    assert "thiếu trường bắt buộc 'lead'" in err.message


def test_misspelt_key(tmp_path):
    path = _edit(tmp_path, "    target: 15", "    targets: 15")
    err = _error(path)
    assert err.line == _line(path, "targets: 15")
    assert err.field == "indicators[8].targets"
    assert "khóa 'targets'" in err.message


def test_duplicate_key(tmp_path):
    path = _edit(tmp_path, "  via: sldtbxh", "  via: sldtbxh\n  via: stc")
    err = _error(path)
    assert err.line == _line(path, "via: stc")
    assert err.field == "reporting.via"
    assert "bị lặp lại" in err.message


def test_target_on_a_qualitative_indicator(tmp_path):
    path = _edit(tmp_path, "target: null", "target: 3")
    err = _error(path)
    assert (err.line, err.field) == (_line(path, "target: 3 "), "indicators[4].target")


def test_collective_cannot_be_a_reporting_unit(tmp_path):
    path = _edit(tmp_path, "    - tand         # 1.13", "    - ubnd_huyen")
    err = _error(path)
    assert (err.line, err.field) == (_line(path, "    - ubnd_huyen"),
                                     "reporting_units.agencies[12]")


def test_unknown_district_code(tmp_path):
    path = _edit(tmp_path, "  places: all\n", '  places: ["058", "099"]\n')
    err = _error(path)
    assert (err.line, err.field) == (_line(path, '"099"'), "reporting_units.places[1]")
    assert "'099'" in err.message


def test_bad_date(tmp_path):
    path = _edit(tmp_path, "start: 2017-06-01", "start: 2017-6-1")
    err = _error(path)
    assert (err.line, err.field) == (_line(path, "2017-6-1"), "tasks[3].schedule.start")


def test_all_problems_are_reported(tmp_path):
    path = _edit(tmp_path, "target: 15", "target: -15")
    path.write_text(path.read_text(encoding="utf-8").replace("target: 500", "target: -500"),
                    encoding="utf-8")
    err = _error(path)
    assert [p.field for p in err.problems] == ["indicators[1].target", "indicators[8].target"]
    assert len(str(err).splitlines()) == 2


def test_missing_file(tmp_path):
    err = _error(tmp_path / "khong-co.yaml")
    assert err.line is None and "không đọc được tệp kế hoạch" in err.message


# --- Plans side by side: identity, period, years ---------------------------------------
def test_plan_identity(plan):
    assert (plan.id, plan.years, plan.year, plan.reporting_level) == (
        "backan-2017", (2017, 2017), 2017, "district")
    assert (plan.province_code, plan.label) == ("06", "1180/QĐ-UBND · Bắc Kạn 2017")
    assert plan.for_year(2017) is plan


def _multi_year(tmp_path) -> Path:
    """The real plan stretched over 2017–2019, with CT1.1 due 4 classes in 2018."""
    text = REAL_TEXT.replace("period: 2017\n", 'period: "2017-2019"\n', 1).replace(
        "id: backan-2017\n", "id: backan-2017-2019\n", 1)
    old = "  - code: CT1.1\n"
    start = text.index(old)
    target = text.index("    target: 10\n", start) + len("    target: 10\n")
    text = text[:target] + "    targets_by_year: {2018: 4}\n" + text[target:]
    path = tmp_path / "multi.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_plan_of_several_years_is_seen_one_year_at_a_time(tmp_path):
    plan = load_plan(_multi_year(tmp_path)).for_year(2018)
    assert (plan.id, plan.years, plan.year, plan.period_label) == ("backan-2017-2019", (2017, 2019),
                                                                  2018, "2017–2019")
    targets = plan.indicators.set_index("code")["target"]
    assert (targets["CT1.1"], targets["CT1.2"]) == (4, 500)
    # The 2017 schedule does not apply to 2018: the whole year, due on the V.2.1 deadline.
    periods = plan.expected_periods
    assert list(periods["period"]) == ["Cả năm 2018"]
    assert periods["due"].iloc[0] == pd.Timestamp("2018-12-15")
    with pytest.raises(ValueError):
        plan.for_year(2020)


@pytest.mark.parametrize("old, new, field, words", [
    ("period: 2017\n", "period: 2017-2015\n", "period", "giai đoạn hợp lệ"),
    ("period: 2017\n", "period: năm 2017\n", "period", "giai đoạn hợp lệ"),
    ("id: backan-2017\n", "id: Bắc Kạn 2017\n", "id", "mã kế hoạch"),
    ('province_code: "06"\n', 'province_code: "6"\n', "province_code", None),
    ("reporting_level: district\n", "reporting_level: huyen\n", "reporting_level", "commune"),
    ("    target: 10\n", "    target: 10\n    targets_by_year: {2018: 4}\n",
     "indicators[0].targets_by_year[2018]", "không nằm trong giai đoạn của kế hoạch (2017)"),
    ("    target: 10\n", '    target: 10\n    continues: "CT1.1"\n', "indicators[0].continues",
     "MÃ KẾ HOẠCH:MÃ CHỈ TIÊU"),
])
def test_plan_identity_errors_name_the_line(tmp_path, old, new, field, words):
    path = _edit(tmp_path, old, new)
    err = _error(path)
    assert err.field == field
    assert path.read_text(encoding="utf-8").splitlines()[err.line - 1] == new.splitlines()[-1]
    if words:
        assert words in err.message
