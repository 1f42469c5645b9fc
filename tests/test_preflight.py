"""Preflight and the sandbox: every hostile or broken upload gets one clear finding, and
nothing an upload does can take the server process down with it."""
from __future__ import annotations

import io
import os
import subprocess
import sys
import threading

import openpyxl
import pytest

import mdplan_core.preflight as preflight_module
import mdplan_core.sandbox as sandbox_module
from mdplan_core.preflight import MAX_COLS, MAX_ROWS, MAX_ZIP_ENTRIES, format_mb, preflight, sniff_format
from mdplan_core.sandbox import read_workbook_safely, run_isolated
from mdplan_core.workbook import RawWorkbook
from tests import hostile
from tests.libreoffice import written

MB = 1024 * 1024
VIETNAMESE_LETTERS = set("ăâđêôơưàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ")


def is_vietnamese(text: str) -> bool:
    return len(VIETNAMESE_LETTERS & set(text.lower())) >= 3


def codes(findings) -> list[str]:
    return [f.code for f in findings]


# --- each hostile file -> its code ----------------------------------------------------------

HOSTILE_CASES = [
    ("zero_bytes", "bao-cao.xlsx", "file.empty"),
    ("random_bytes", "bao-cao.xlsx", "file.not_a_workbook"),
    ("csv_bytes", "bao-cao.xlsx", "file.wrong_extension"),
    ("pdf_bytes", "bao-cao.xlsx", "file.wrong_extension"),
    ("text_bytes", "bao-cao.xls", "file.wrong_extension"),
    ("html_table_bytes", "bao-cao.xls", "file.wrong_extension"),
    ("csv_bytes", "bao-cao.csv", "file.csv"),
    ("text_bytes", "ghi-chu.txt", "file.csv"),
    ("pdf_bytes", "bao-cao.pdf", "file.pdf"),
    ("empty_zip", "bao-cao.xlsx", "file.not_a_workbook"),
    ("non_workbook_zip", "bao-cao.xlsx", "file.not_a_workbook"),
    ("truncated_xlsx", "bao-cao.xlsx", "file.truncated"),
    ("bad_crc_xlsx", "bao-cao.xlsx", "file.truncated"),
    ("lying_size_xlsx", "bao-cao.xlsx", "file.truncated"),
    ("long_cell_tag_xlsx", "bao-cao.xlsx", "file.truncated"),
    ("encrypted_xlsx", "bao-cao.xlsx", "file.encrypted"),
    ("encrypted_ods", "bao-cao.ods", "file.encrypted"),
    ("many_entries_xlsx", "bao-cao.xlsx", "file.too_many_entries"),
    ("zip_bomb_xlsx", "bao-cao.xlsx", "file.zip_bomb"),
    ("sparse_corner_xlsx", "bao-cao.xlsx", "file.sheet_too_large"),
    ("sparse_corner_undeclared_xlsx", "bao-cao.xlsx", "file.sheet_too_large"),
    ("sparse_odd_part_xlsx", "bao-cao.xlsx", "file.sheet_too_large"),
    ("odd_spelling_xlsx", "bao-cao.xlsx", "file.sheet_too_large"),
    ("prefixed_sparse_xlsx", "bao-cao.xlsx", "file.sheet_too_large"),
    ("duplicate_entry_xlsx", "bao-cao.xlsx", "file.sheet_too_large"),
    ("declared_rows_xlsx", "bao-cao.xlsx", "file.sheet_too_large"),
    ("tall_xlsx", "bao-cao.xlsx", "file.sheet_too_large"),
    ("wide_xlsx", "bao-cao.xlsx", "file.sheet_too_large"),
    ("sparse_ods", "bao-cao.ods", "file.sheet_too_large"),
    ("repeated_rows_ods", "bao-cao.ods", "file.sheet_too_large"),
    ("wide_ods", "bao-cao.ods", "file.sheet_too_large"),
    ("formula_repeat_ods", "bao-cao.ods", "file.sheet_too_large"),
    ("quoted_gt_ods", "bao-cao.ods", "file.sheet_too_large"),
]


@pytest.mark.parametrize("builder,filename,code", HOSTILE_CASES,
                         ids=[f"{b}-{n}" for b, n, _ in HOSTILE_CASES])
def test_hostile_file_gets_exactly_its_code(builder, filename, code):
    findings = preflight(getattr(hostile, builder)(), filename)

    assert codes(findings) == [code]
    finding = findings[0]
    assert finding.is_error
    assert finding.file == filename
    assert is_vietnamese(finding.message), finding.message
    assert "{" not in finding.message  # every placeholder filled


def test_file_over_the_configured_size_cap(monkeypatch):
    monkeypatch.setenv("MDPLAN_MAX_UPLOAD_MB", "10")
    data = hostile.oversized_xlsx(11 * MB)

    [finding] = preflight(data, "bao-cao.xlsx")

    assert finding.code == "file.too_large"
    assert f"({format_mb(len(data))})" in finding.message
    assert "Giới hạn là 10 MB" in finding.message
    assert format_mb(len(data)).endswith(" MB") and "," in format_mb(len(data))


def test_size_cap_can_be_passed_in():
    data = hostile.real_xlsx()

    assert preflight(data, "bao-cao.xlsx") == []
    assert codes(preflight(data, "bao-cao.xlsx", max_bytes=len(data) - 1)) == ["file.too_large"]


def test_format_mb_is_written_the_vietnamese_way():
    assert format_mb(10 * MB) == "10 MB"
    assert format_mb(int(12.3 * MB)) == "12,3 MB"


def test_too_many_entries_reports_the_count_and_limit():
    [finding] = preflight(hostile.many_entries_xlsx(MAX_ZIP_ENTRIES + 1), "bao-cao.xlsx")

    assert finding.code == "file.too_many_entries"
    assert str(MAX_ZIP_ENTRIES) in finding.message


def test_zip_at_the_entry_limit_passes():
    assert preflight(hostile.many_entries_xlsx(MAX_ZIP_ENTRIES), "bao-cao.xlsx") == []


def test_wrong_extension_names_what_the_file_really_is():
    [pdf] = preflight(hostile.pdf_bytes(), "bao-cao.xlsx")
    [csv] = preflight(hostile.csv_bytes(), "bao-cao.xlsx")

    assert ".xlsx" in pdf.message and "PDF" in pdf.message
    assert "CSV" in csv.message


def test_encrypted_message_asks_to_remove_the_password():
    [finding] = preflight(hostile.encrypted_xlsx(), "bao-cao.xlsx")

    assert "mật khẩu" in finding.message
    assert "gỡ mật khẩu" in finding.message


def test_sheet_too_large_says_where():
    [finding] = preflight(hostile.sparse_corner_xlsx(), "bao-cao.xlsx")

    assert finding.sheet == "Báo cáo"
    assert finding.cell == "XFD1048576"
    assert "XFD1048576" in finding.message and "“Báo cáo”" in finding.message


def test_declared_dimension_alone_is_refused():
    [finding] = preflight(hostile.declared_rows_xlsx(MAX_ROWS + 1), "bao-cao.xlsx")

    assert finding.cell == f"B{MAX_ROWS + 1}"


# --- files at the limits, and ordinary files, pass ------------------------------------------

@pytest.mark.parametrize("build,filename", [
    pytest.param(hostile.real_xlsx, "bao-cao.xlsx", id="openpyxl-report"),
    pytest.param(lambda: hostile.tall_xlsx(MAX_ROWS), "bao-cao.xlsx", id="rows-at-limit"),
    pytest.param(lambda: hostile.wide_xlsx(MAX_COLS), "bao-cao.xlsx", id="columns-at-limit"),
    pytest.param(lambda: hostile.declared_rows_xlsx(MAX_ROWS), "bao-cao.xlsx",
                 id="dimension-at-limit"),
    pytest.param(lambda: hostile.repeated_rows_ods(MAX_ROWS), "bao-cao.ods",
                 id="ods-repeated-rows-at-limit"),
    pytest.param(lambda: hostile.wide_ods(MAX_COLS), "bao-cao.ods", id="ods-columns-at-limit"),
    pytest.param(hostile.padded_ods, "bao-cao.ods", id="ods-padded-like-libreoffice"),
    pytest.param(lambda: hostile.quoted_gt_ods(MAX_COLS), "bao-cao.ods",
                 id="ods-quoted-gt-at-limit"),
])
def test_files_within_limits_pass(build, filename):
    assert preflight(build(), filename) == []


def wide_report() -> bytes:
    """A sheet 250 columns wide (LibreOffice saves it as .xls)."""
    wide = openpyxl.Workbook()
    wide.active.title = "Rộng"
    wide.active["A1"] = 1
    wide.active.cell(row=3, column=250, value=5)
    buf = io.BytesIO()
    wide.save(buf)
    return buf.getvalue()


@pytest.fixture(scope="module")
def libreoffice_files():
    """The ordinary report (hostile.real_xlsx) saved by LibreOffice, plus the wide .xls."""
    return {
        "xls": written("preflight-report", "xls"),
        "ods": written("preflight-report", "ods"),
        "xlsx": written("preflight-report", "xlsx"),
        "wide_xls": written("preflight-wide", "xls"),
    }


@pytest.mark.parametrize("fmt", ["xls", "ods", "xlsx"])
def test_libreoffice_files_pass(libreoffice_files, fmt):
    data = libreoffice_files[fmt]

    assert sniff_format(data) == fmt
    assert preflight(data, f"bao-cao.{fmt}") == []


def test_xls_dimensions_record_is_checked(libreoffice_files):
    [finding] = preflight(libreoffice_files["wide_xls"], "bao-cao.xls")

    assert finding.code == "file.sheet_too_large"
    assert finding.sheet == "Rộng"
    assert finding.cell == "IP3"


def test_workbook_content_decides_not_the_extension(libreoffice_files):
    # An .xls saved under an .xlsx name is still a readable workbook.
    assert preflight(libreoffice_files["xls"], "bao-cao.xlsx") == []


# --- streaming details ----------------------------------------------------------------------

@pytest.mark.parametrize("chunk", [1, 7, 64, 4096])
def test_references_split_across_chunks_are_still_seen(monkeypatch, chunk):
    monkeypatch.setattr(preflight_module, "CHUNK_BYTES", chunk)

    assert codes(preflight(hostile.sparse_corner_undeclared_xlsx(), "a.xlsx")) == [
        "file.sheet_too_large"]
    assert codes(preflight(hostile.sparse_ods(), "a.ods")) == ["file.sheet_too_large"]
    assert preflight(hostile.padded_ods(), "a.ods") == []
    assert preflight(hostile.wide_xlsx(MAX_COLS), "a.xlsx") == []


def test_uncompressed_total_is_capped(monkeypatch):
    # About 5 MB of XML at a modest ratio: only the total gives it away.
    data = hostile.tall_xlsx(MAX_ROWS)
    assert preflight(data, "a.xlsx") == []

    monkeypatch.setattr(preflight_module, "MAX_UNCOMPRESSED_BYTES", 1 * MB)

    assert codes(preflight(data, "a.xlsx")) == ["file.zip_bomb"]


def test_sniff_format_names_each_kind():
    assert sniff_format(hostile.real_xlsx()) == "xlsx"
    assert sniff_format(hostile.padded_ods()) == "ods"
    assert sniff_format(hostile.encrypted_xlsx()) == "encrypted"
    assert sniff_format(hostile.pdf_bytes()) == "pdf"
    assert sniff_format(hostile.csv_bytes()) == "text"
    assert sniff_format(hostile.html_table_bytes()) == "html"
    assert sniff_format(hostile.non_workbook_zip()) == "zip"
    assert sniff_format(hostile.truncated_xlsx()) == "corrupt"
    assert sniff_format(hostile.random_bytes()) == "unknown"
    assert sniff_format(b"") == "empty"


# --- the sandbox ----------------------------------------------------------------------------

def test_sparse_file_through_the_safe_entry_point():
    book, findings = read_workbook_safely(hostile.sparse_corner_xlsx(), "bao-cao.xlsx")

    assert book is None
    assert codes(findings) == ["file.sheet_too_large"]
    assert is_vietnamese(findings[0].message)


def test_zip_bomb_through_the_safe_entry_point():
    book, findings = read_workbook_safely(hostile.zip_bomb_xlsx(), "bao-cao.xlsx")

    assert book is None
    assert codes(findings) == ["file.zip_bomb"]
    assert is_vietnamese(findings[0].message)


def test_the_reader_worker_starts_without_the_analysis_stack():
    """Every upload starts a worker; importing pandas, pydantic or SQLAlchemy there would cost
    most of a second per file, and vntext's tables a few tens of ms (benchmarks/bench_read.py)."""
    out = subprocess.run([sys.executable, "-c", "import sys, mdplan_core.sandbox, mdplan_core.workbook; "
                          "print(' '.join(m for m in ('pandas', 'pydantic', 'yaml', 'sqlalchemy', "
                          "'mdplan_core.vntext') if m in sys.modules))"],
                         capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""

def test_sandbox_alone_survives_calamine_aborting():
    """No preflight: calamine really asks for 512 GiB and aborts; only the worker dies."""
    pid = os.getpid()

    result = run_isolated("mdplan_core.workbook:read_workbook",
                          hostile.sparse_corner_xlsx(), "bao-cao.xlsx")

    assert not result.ok
    assert result.finding.code == "file.reader_crashed"
    assert is_vietnamese(result.finding.message)
    assert "SIGABRT" in result.detail
    assert os.getpid() == pid
    assert run_isolated("tests.hostile:echo", "still here").value == ("still here",)


def test_safe_entry_point_still_survives_what_preflight_misses(monkeypatch):
    """The second line of defence: a file preflight lets through still cannot take the
    server down; the officer gets a finding naming the file."""
    monkeypatch.setattr(sandbox_module, "preflight", lambda data, filename: [])

    book, findings = read_workbook_safely(hostile.sparse_corner_xlsx(), "bao-cao.xlsx")

    assert book is None
    assert [(f.code, f.file) for f in findings] == [("file.reader_crashed", "bao-cao.xlsx")]


def test_sandbox_alone_contains_the_zip_bomb():
    result = run_isolated("mdplan_core.workbook:read_workbook", hostile.zip_bomb_xlsx(),
                          "bao-cao.xlsx", memory_mb=512)

    assert not result.ok
    assert result.finding.code == "file.reader_crashed"


def test_sandbox_turns_memory_exhaustion_into_a_finding():
    result = run_isolated("tests.hostile:allocate", 2048, memory_mb=256)

    assert not result.ok
    assert result.finding.code == "file.reader_crashed"
    assert "MemoryError" in result.detail


def test_the_same_allocation_fits_under_a_larger_limit():
    result = run_isolated("tests.hostile:allocate", 64, memory_mb=512)

    assert result.ok and result.value == 64 * MB


def test_sandbox_kills_a_worker_past_its_timeout():
    result = run_isolated("tests.hostile:sleep_for", 120, timeout=1)

    assert not result.ok
    assert result.finding.code == "file.timeout"
    assert "1 giây" in result.finding.message


def test_sandbox_reports_an_abort():
    result = run_isolated("tests.hostile:abort")

    assert result.finding.code == "file.reader_crashed"
    assert "SIGABRT" in result.detail


def test_sandbox_reports_an_exception_with_its_traceback():
    result = run_isolated("tests.hostile:raise_value_error", "hỏng")

    assert result.finding.code == "file.reader_crashed"
    assert "ValueError" in result.detail and "raise_value_error" in result.detail


def test_stdout_noise_in_the_worker_does_not_corrupt_the_result():
    result = run_isolated("tests.hostile:print_noise_then_return", {"a": [1, 2.5, None]})

    assert result.ok and result.value == {"a": [1, 2.5, None]}


def test_parent_refuses_to_unpickle_anything_but_data():
    result = run_isolated("tests.hostile:return_function")

    assert not result.ok
    assert result.finding.code == "file.reader_crashed"
    assert "not allowed" in result.detail


def test_safe_read_of_an_ordinary_report():
    book, findings = read_workbook_safely(hostile.real_xlsx(rows=20), "bao-cao.xlsx")

    assert findings == []
    assert isinstance(book, RawWorkbook)
    assert book.format == "xlsx"
    [sheet] = book.sheets
    assert sheet.rows[0][:2] == ["Mã xã", "Tên xã"]
    assert len(sheet.rows) == 21


def test_safe_read_of_an_encrypted_file_stops_at_preflight():
    book, findings = read_workbook_safely(hostile.encrypted_xlsx(), "bao-cao.xlsx")

    assert book is None and codes(findings) == ["file.encrypted"]


def test_many_threads_read_at_once_while_one_worker_crashes():
    """As Streamlit does: each session's script runs in its own thread."""
    report = hostile.real_xlsx()
    sparse = hostile.sparse_corner_xlsx()
    results: dict[int, object] = {}

    def read(i):
        if i == 0:
            results[i] = run_isolated("mdplan_core.workbook:read_workbook", sparse, "x.xlsx")
        else:
            results[i] = read_workbook_safely(report, f"bao-cao-{i}.xlsx")

    threads = [threading.Thread(target=read, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert results[0].finding.code == "file.reader_crashed"
    for i in range(1, 8):
        book, findings = results[i]
        assert findings == [] and book.sheets[0].rows[1][0] == "X001"
