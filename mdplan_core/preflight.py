"""Preflight: cheap checks on an uploaded file's raw bytes, before any parser sees it.

Spreadsheet readers trust what a file declares. A 5 KB .xlsx with cells at A1 and
XFD1048576 makes calamine ask for 512 GiB and abort the whole process; a 1 MB zip
can expand to hundreds of MB of XML. This module looks at the bytes only: magic
numbers, the zip directory, and a bounded streaming pass over the compressed
parts. It never holds a decompressed part in memory and never raises on bad input.
"""
from __future__ import annotations

import html
import io
import os
import re
import struct
import zipfile
import zlib

from .findings import Finding, error
from .settings import Settings

# Limits. A district report is a few hundred rows and a few dozen columns.
MAX_ROWS = 100_000
MAX_COLS = 200
MAX_ZIP_ENTRIES = 1_000
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
RATIO_CHECK_MIN_BYTES = 1024 * 1024
# One tag we must inspect (a cell, a row) never legitimately gets this long.
MAX_TAG_BYTES = 64 * 1024
CHUNK_BYTES = 64 * 1024

WORKBOOK_EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".ods")

MESSAGES = {
    "file.empty": "Tệp rỗng (0 byte). Hãy kiểm tra lại tệp trên máy rồi nộp lại.",
    "file.too_large": (
        "Tệp quá lớn ({size}). Giới hạn là {limit}. "
        "Hãy xóa các trang tính không cần thiết rồi nộp lại."
    ),
    "file.not_a_workbook": (
        "Tệp này không phải là bảng tính Excel. "
        "Hãy nộp tệp báo cáo dạng .xlsx (hoặc .xls, .ods)."
    ),
    "file.pdf": (
        "Tệp này là tệp PDF, hệ thống không đọc được số liệu từ PDF. "
        "Hãy nộp tệp Excel (.xlsx) gốc của báo cáo."
    ),
    "file.csv": (
        "Tệp này là tệp văn bản (CSV/TXT), không phải bảng tính Excel. Hãy mở tệp bằng Excel, "
        "chọn Lưu thành (Save As) → Excel Workbook (.xlsx) rồi nộp lại."
    ),
    "file.wrong_extension": (
        "Tệp có đuôi {ext} nhưng thực chất là {kind}, không phải bảng tính Excel. "
        "Đổi tên tệp không đổi được định dạng: hãy mở tệp gốc bằng Excel, "
        "chọn Lưu thành (Save As) → Excel Workbook (.xlsx) rồi nộp lại."
    ),
    "file.encrypted": (
        "Tệp đang được đặt mật khẩu nên hệ thống không đọc được. Hãy mở tệp bằng Excel, "
        "gỡ mật khẩu (Tệp → Thông tin → Bảo vệ sổ làm việc → Mã hóa bằng mật khẩu, "
        "xóa mật khẩu và bấm OK), lưu lại rồi nộp lại."
    ),
    "file.truncated": (
        "Tệp bị hỏng hoặc tải lên chưa hết. Hãy thử mở tệp bằng Excel trên máy; "
        "nếu mở được, hãy lưu lại thành tệp mới (.xlsx) rồi nộp lại."
    ),
    "file.too_many_entries": (
        "Tệp có cấu trúc bất thường: có {count} thành phần bên trong, giới hạn là {limit}. "
        "Hãy mở tệp bằng Excel, lưu thành một tệp mới (.xlsx) rồi nộp lại."
    ),
    "file.zip_bomb": (
        "Tệp nén bất thường: khi giải nén, dữ liệu vượt quá giới hạn {limit} "
        "(hoặc bị nén với tỉ lệ bất thường). Hệ thống không đọc tệp này. "
        "Hãy sao chép bảng báo cáo sang một tệp Excel mới rồi nộp lại."
    ),
    "file.sheet_too_large": (
        "Trang tính{sheet_label} có dữ liệu ở ô {cell_ref}, vượt quá giới hạn {max_rows} dòng và "
        "{max_cols} cột. Hãy xóa các dòng, cột thừa (kể cả các ô ở rất xa bảng số liệu) "
        "rồi nộp lại."
    ),
    "file.unsupported_format": (
        "Định dạng {kind} chưa được hỗ trợ. Hãy mở tệp bằng Excel, "
        "lưu thành Excel Workbook (.xlsx) rồi nộp lại."
    ),
}

# What a file's bytes turn out to be, as sniff_format() names them.
KIND_LABELS = {
    "pdf": "tệp PDF",
    "text": "tệp văn bản (CSV/TXT)",
    "html": "tệp trang web (HTML/XML)",
    "xlsb": "Excel nhị phân (.xlsb)",
    "biff_old": "Excel đời cũ (Excel 2.0–4.0)",
}

ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"


def _message(code: str, **values) -> str:
    return MESSAGES[code].format(**values)


def _fail(code: str, filename: str, *, sheet: str | None = None, cell: str | None = None,
          **values) -> list[Finding]:
    return [error(code, _message(code, **values), sheet=sheet, cell=cell, file=filename)]


def format_mb(n: int) -> str:
    """12.3 MB the Vietnamese way: '12,3 MB'; whole numbers without decimals."""
    mb = n / (1024 * 1024)
    if mb == int(mb):
        return f"{int(mb)} MB"
    return f"{mb:.1f}".replace(".", ",") + " MB"


# --- public entry points -------------------------------------------------------------------

def preflight(data: bytes, filename: str, *, max_bytes: int | None = None) -> list[Finding]:
    """Return error findings for a file that must not reach a spreadsheet parser.

    An empty list means the file looks like a workbook of sane size and shape.
    """
    if max_bytes is None:
        max_bytes = Settings.from_env().max_upload_bytes
    if len(data) == 0:
        return _fail("file.empty", filename)
    if len(data) > max_bytes:
        return _fail("file.too_large", filename, size=format_mb(len(data)),
                     limit=format_mb(max_bytes))

    ext = os.path.splitext(filename)[1].lower()
    if data.startswith(ZIP_MAGICS):
        return _check_zip(data, filename)
    if data.startswith(OLE2_MAGIC):
        return _check_ole2(data, filename)
    kind = _sniff_loose(data)
    if kind in ("pdf", "text", "html") and ext in WORKBOOK_EXTENSIONS:
        return _fail("file.wrong_extension", filename, ext=ext, kind=KIND_LABELS[kind])
    if kind == "pdf":
        return _fail("file.pdf", filename)
    if kind in ("text", "html"):
        return _fail("file.csv", filename)
    if kind == "biff_old":
        return _fail("file.unsupported_format", filename, kind=KIND_LABELS[kind])
    return _fail("file.not_a_workbook", filename)


def sniff_format(data: bytes) -> str:
    """Name what the bytes are, cheaply.

    Workbooks: "xlsx", "xlsm", "xls", "ods". Others: "xlsb", "encrypted", "zip" (not a
    workbook), "ole2" (not a workbook), "pdf", "text", "html", "biff_old", "empty",
    "corrupt", "unknown".
    """
    if not data:
        return "empty"
    if data.startswith(ZIP_MAGICS):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                return _zip_kind(zf)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, struct.error,
                NotImplementedError, RuntimeError, zlib.error):
            return "corrupt"
    if data.startswith(OLE2_MAGIC):
        try:
            return _ole2_kind(_Cfb(data))
        except (_CorruptCfb, struct.error, KeyError, IndexError):
            return "corrupt"
    return _sniff_loose(data)


# --- loose sniffing of non-container files ------------------------------------------------

def _sniff_loose(data: bytes) -> str:
    head = data[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if head[:2] in (b"\x09\x00", b"\x09\x02", b"\x09\x04") and head[2:4] in (
            b"\x04\x00", b"\x06\x00", b"\x08\x00"):
        return "biff_old"  # BIFF2-4 BOF record without an OLE2 container
    if _looks_like_text(data[:65536]):
        stripped = data[:1024].lstrip(b"\xef\xbb\xbf\xff\xfe\x00 \t\r\n").lower()
        if stripped.startswith(b"<"):
            return "html"
        return "text"
    return "unknown"


def _looks_like_text(sample: bytes) -> bool:
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True  # UTF-16 with a BOM, as Excel's "Unicode text" export writes
    if b"\x00" in sample:
        return False
    for cut in range(4):  # the sample may end inside a multi-byte character
        try:
            sample[:len(sample) - cut].decode("utf-8")
            return True
        except UnicodeDecodeError:
            continue
    # Legacy 8-bit encodings (TCVN3, VNI, cp1258): mostly printable bytes.
    controls = sum(1 for b in sample if b < 0x20 and b not in (9, 10, 12, 13))
    return controls <= len(sample) // 100


# --- zip containers (xlsx, xlsm, ods) -----------------------------------------------------

def _eocd_entry_count(data: bytes) -> int | None:
    """Entry count from the end-of-central-directory record, before zipfile builds its list."""
    pos = data.rfind(b"PK\x05\x06", max(0, len(data) - 65557))
    if pos < 0 or pos + 22 > len(data):
        return None
    return struct.unpack_from("<H", data, pos + 10)[0]


def _zip_kind(zf: zipfile.ZipFile) -> str:
    names = set(zf.namelist())
    if "mimetype" in names:
        with zf.open("mimetype") as f:
            mimetype = f.read(200).strip()
        if mimetype.startswith(ODS_MIMETYPE):
            return "ods"
    if "[Content_Types].xml" in names:
        if "xl/workbook.xml" in names:
            return "xlsm" if "xl/vbaProject.bin" in names else "xlsx"
        if "xl/workbook.bin" in names:
            return "xlsb"
    return "zip"


def _ods_is_encrypted(zf: zipfile.ZipFile) -> bool:
    try:
        info = zf.getinfo("META-INF/manifest.xml")
    except KeyError:
        return False
    if info.file_size > 1024 * 1024:
        return False
    with zf.open(info) as f:
        return b"encryption-data" in f.read(1024 * 1024)


def _check_zip(data: bytes, filename: str) -> list[Finding]:
    count = _eocd_entry_count(data)
    if count is None:
        return _fail("file.truncated", filename)
    if count > MAX_ZIP_ENTRIES:
        return _fail("file.too_many_entries", filename, count=f"{count:,}".replace(",", "."),
                     limit=MAX_ZIP_ENTRIES)
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, struct.error,
            NotImplementedError, zlib.error):
        return _fail("file.truncated", filename)
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_ZIP_ENTRIES:  # a zip64 directory can hide the real count
            return _fail("file.too_many_entries", filename,
                         count=f"{len(infos):,}".replace(",", "."), limit=MAX_ZIP_ENTRIES)
        try:
            kind = _zip_kind(zf)
            if kind == "ods" and _ods_is_encrypted(zf):
                kind = "encrypted"
        except RuntimeError:  # zip-level password on an entry
            return _fail("file.encrypted", filename)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, struct.error,
                NotImplementedError, zlib.error):
            return _fail("file.truncated", filename)
        if kind == "encrypted":
            return _fail("file.encrypted", filename)
        if kind == "xlsb":
            return _fail("file.unsupported_format", filename, kind=KIND_LABELS["xlsb"])
        if kind not in ("xlsx", "xlsm", "ods"):
            return _fail("file.not_a_workbook", filename)
        if any(info.flag_bits & 0x1 for info in infos):
            return _fail("file.encrypted", filename)

        declared = sum(info.file_size for info in infos)
        if declared > MAX_UNCOMPRESSED_BYTES:
            return _fail("file.zip_bomb", filename, limit=format_mb(MAX_UNCOMPRESSED_BYTES))
        for info in infos:
            if (info.file_size > RATIO_CHECK_MIN_BYTES
                    and info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1)):
                return _fail("file.zip_bomb", filename, limit=format_mb(MAX_UNCOMPRESSED_BYTES))
        return _stream_entries(zf, infos, kind, filename)


def _stream_entries(zf: zipfile.ZipFile, infos, kind: str, filename: str) -> list[Finding]:
    """Decompress every entry with a byte budget, scanning sheet XML on the way.

    Every entry is scanned, not only xl/worksheets/*: a workbook's relationships may point
    a sheet at any part name, and a zip may hold two entries with the same name.
    """
    sheet_names = _xlsx_sheet_names(zf) if kind != "ods" else {}
    budget = MAX_UNCOMPRESSED_BYTES
    for info in infos:
        if info.is_dir() and info.file_size == 0:
            continue
        if kind == "ods":
            scanner = _OdsScanner() if info.filename.rsplit("/", 1)[-1] == "content.xml" else None
        else:
            scanner = _XlsxScanner()
        try:
            with zf.open(info) as part:
                while True:
                    chunk = part.read(CHUNK_BYTES)
                    if not chunk:
                        break
                    budget -= len(chunk)
                    if budget < 0:
                        return _fail("file.zip_bomb", filename,
                                     limit=format_mb(MAX_UNCOMPRESSED_BYTES))
                    if scanner is not None:
                        scanner.feed(chunk)
                        if scanner.problem:
                            break
            if scanner is not None and not scanner.problem:
                scanner.close()
        except RuntimeError:
            return _fail("file.encrypted", filename)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, struct.error,
                NotImplementedError, zlib.error):
            return _fail("file.truncated", filename)
        if scanner is not None and scanner.problem:
            problem, cell, sheet = scanner.problem
            if problem == "corrupt":
                return _fail("file.truncated", filename)
            sheet = sheet or sheet_names.get(info.filename)
            return _fail("file.sheet_too_large", filename, sheet=sheet, cell=cell,
                         **_sheet_values(sheet, cell))
    return []


def _sheet_values(sheet: str | None, cell: str) -> dict:
    return {
        "sheet_label": f" “{sheet}”" if sheet else "",
        "cell_ref": cell,
        "max_rows": f"{MAX_ROWS:,}".replace(",", "."),
        "max_cols": MAX_COLS,
    }


def _xlsx_sheet_names(zf: zipfile.ZipFile) -> dict[str, str]:
    """Map part name -> sheet name, best effort, for friendlier messages only."""
    try:
        workbook = _read_small(zf, "xl/workbook.xml")
        rels = _read_small(zf, "xl/_rels/workbook.xml.rels")
    except (KeyError, zipfile.BadZipFile, OSError, ValueError, EOFError, zlib.error,
            NotImplementedError, RuntimeError):
        return {}
    if workbook is None or rels is None:
        return {}
    targets = {}
    for tag in re.finditer(rb"<(?:[\w.-]+:)?Relationship\s([^>]*)>", rels):
        attrs = _attrs(tag.group(1))
        if "Id" in attrs and "Target" in attrs:
            target = attrs["Target"]
            targets[attrs["Id"]] = target.lstrip("/") if target.startswith("/") else "xl/" + target
    names = {}
    for tag in re.finditer(rb"<(?:[\w.-]+:)?sheet\s([^>]*)>", workbook):
        attrs = _attrs(tag.group(1))
        rid = next((v for k, v in attrs.items() if k.endswith(":id")), None)
        if rid in targets and "name" in attrs:
            names[targets[rid]] = attrs["name"]
    return names


def _read_small(zf: zipfile.ZipFile, name: str, limit: int = 4 * 1024 * 1024) -> bytes | None:
    info = zf.getinfo(name)
    if info.file_size > limit:
        return None
    with zf.open(info) as f:
        return f.read(limit)


_ATTR_RE = re.compile(rb"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def _attrs(raw: bytes) -> dict[str, str]:
    out = {}
    for m in _ATTR_RE.finditer(raw):
        value = m.group(2) if m.group(2) is not None else m.group(3)
        out[m.group(1).decode("utf-8", "replace")] = html.unescape(value.decode("utf-8", "replace"))
    return out


def column_number(letters: str) -> int:
    """'A' -> 1, 'XFD' -> 16384."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ord(ch) - 64)
    return n


class _ChunkScanner:
    """Feeds complete tags to scan(); keeps the unfinished tail for the next chunk.

    '<' never occurs inside a tag, so everything before the last '<' in the buffer holds
    only complete tags. The tail is kept across chunks; when it grows past MAX_TAG_BYTES
    it is dropped unless it starts a tag this scanner must inspect, in which case the
    file is abnormal ("corrupt").
    """

    # Local tag names whose attributes matter, as a regex on the tail's start.
    watched: re.Pattern

    def __init__(self):
        self._tail = b""
        self.problem: tuple[str, str | None, str | None] | None = None

    def feed(self, chunk: bytes) -> None:
        buf = self._tail + chunk
        cut = buf.rfind(b"<")
        if cut < 0:
            self._tail = b""
            self.scan(buf)
            return
        self.scan(buf[:cut])
        self._tail = buf[cut:]
        if len(self._tail) > MAX_TAG_BYTES:
            if self.watched.match(self._tail):
                self.problem = ("corrupt", None, None)
            self._tail = b""

    def close(self) -> None:
        if self._tail and not self.problem:
            self.scan(self._tail)
        self._tail = b""

    def scan(self, buf: bytes) -> None:
        raise NotImplementedError


# A suspect reference: an attribute named r whose value has a column of three or more
# letters or beyond GR (column 200), or a row of six or more digits (100000 and up).
# The regex engine walks the ordinary references in C; Python only sees the suspects.
_XLSX_SUSPECT_RE = re.compile(
    rb"r\s*=\s*[\"']\s*(?:(?P<col>[A-Za-z]{3,}|[H-Zh-z][A-Za-z]|[Gg][S-Zs-z])0*(?P<row1>\d+)"
    rb"|(?P<col2>[A-Za-z]*)0*(?P<row2>[1-9]\d{5,}))\s*[\"']"
)
_ATTR_SEPARATORS = (b" ", b"\t", b"\r", b"\n", b":")  # what precedes an attribute named r
_XLSX_DIMENSION_RE = re.compile(
    rb"dimension\s(?:[^>\"']|\"[^\"]*\"|'[^']*')*?\bref\s*=\s*[\"']([^\"']*)[\"']"
)
_REF_RE = re.compile(r"\$?([A-Za-z]+)\$?(\d+)")


class _XlsxScanner(_ChunkScanner):
    """Checks <dimension ref> and every r="..." reference of cells and rows."""

    watched = re.compile(rb"<(?:[\w.-]+:)?(?:c|row|dimension)\s")

    def scan(self, buf: bytes) -> None:
        if self.problem:
            return
        for m in _XLSX_DIMENSION_RE.finditer(buf):
            for ref in _REF_RE.finditer(m.group(1).decode("ascii", "replace")):
                if _beyond_limits(ref.group(1), int(ref.group(2))):
                    self.problem = ("too_large", f"{ref.group(1).upper()}{ref.group(2)}", None)
                    return
        row_only = None
        for m in _XLSX_SUSPECT_RE.finditer(buf):
            if buf[m.start() - 1:m.start()] not in _ATTR_SEPARATORS:
                continue  # an attribute whose name merely ends in r
            if m.group("row1") is not None:
                letters, row = m.group("col").decode("ascii"), int(m.group("row1"))
            else:
                letters, row = m.group("col2").decode("ascii"), int(m.group("row2"))
            if not _beyond_limits(letters, row):
                continue
            if letters:  # a cell: the most telling place to show the officer
                self.problem = ("too_large", f"{letters.upper()}{row}", None)
                return
            row_only = row_only or row
        if row_only:
            self.problem = ("too_large", f"A{row_only}", None)


def _beyond_limits(letters: str, row: int) -> bool:
    return row > MAX_ROWS or (bool(letters) and column_number(letters) > MAX_COLS)


# calamine matches ODS element and attribute names literally, with the "table:" prefix,
# so those are the only spellings that can make it allocate.
_ODS_TAG_RE = re.compile(
    rb"<table:(table-row|table-cell|covered-table-cell|table)(?=[\s/>])([^>]*)>"
    rb"|</table:(table-row|table)>"
)
# The same, reading quoted attribute values whole: for the rare tag with '>' in a value.
_ODS_STRICT_TAG_RE = re.compile(
    rb"<table:(table-row|table-cell|covered-table-cell|table)"
    rb"((?:\s+[\w:.-]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*\s*/?)>"
)
_ODS_ROWS_REPEATED = re.compile(rb"table:number-rows-repeated\s*=\s*[\"']\s*(\d+)")
_ODS_COLS_REPEATED = re.compile(rb"table:number-columns-repeated\s*=\s*[\"']\s*(\d+)")
_ODS_TABLE_NAME = re.compile(rb"table:name\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")


class _OdsScanner(_ChunkScanner):
    """Tracks row and column positions through repeats, as calamine does.

    Only cells with a value or a formula count: LibreOffice pads every sheet with empty
    repeated cells out to column 16384 and row 1048576, and calamine skips those.
    """

    watched = re.compile(rb"<table:(?:table|table-row|table-cell|covered-table-cell)\s")

    def __init__(self):
        super().__init__()
        self._tables: list[tuple[str | None, int]] = []  # (name, next row) per open table
        self._row = 0
        self._row_repeat = 1
        self._row_has_content = False
        self._col = 0
        self._name: str | None = None

    def scan(self, buf: bytes) -> None:
        pos = 0
        while not self.problem:
            m = _ODS_TAG_RE.search(buf, pos)
            if m is None:
                return
            local, attrs, closing = m.group(1), m.group(2), m.group(3)
            pos = m.end()
            if closing:
                self._close(closing)
                continue
            if attrs.count(b'"') % 2 or attrs.count(b"'") % 2:
                strict = _ODS_STRICT_TAG_RE.match(buf, m.start())
                if strict is None:
                    continue  # not well-formed: calamine will refuse it too
                attrs, pos = strict.group(2), strict.end()
            self._open(local, attrs, attrs.endswith(b"/"))

    def _open(self, local: bytes, attrs: bytes, self_closing: bool) -> None:
        if local == b"table":
            if not self_closing:
                self._tables.append((self._name, self._row))
                name = _ODS_TABLE_NAME.search(attrs)
                raw = name and (name.group(1) if name.group(1) is not None else name.group(2))
                self._name = html.unescape(raw.decode("utf-8", "replace")) if raw else None
                self._row = 0
        elif local == b"table-row":
            rep = _ODS_ROWS_REPEATED.search(attrs) if b"repeated" in attrs else None
            self._row_repeat = int(rep.group(1)) if rep else 1
            self._row_has_content = False
            self._col = 0
            if self_closing:
                self._end_row()
        else:  # a cell or a covered cell
            rep = _ODS_COLS_REPEATED.search(attrs) if b"repeated" in attrs else None
            repeat = int(rep.group(1)) if rep else 1
            if b"value" in attrs or b"formula" in attrs:
                self._row_has_content = True
                if self._col + repeat > MAX_COLS:
                    self._report(self._row + 1, self._col + repeat)
                    return
            self._col += repeat

    def _close(self, local: bytes) -> None:
        if local == b"table-row":
            self._end_row()
        elif self._tables:
            self._name, self._row = self._tables.pop()

    def _end_row(self) -> None:
        last_row = self._row + self._row_repeat
        if self._row_has_content and last_row > MAX_ROWS:
            self._report(last_row, max(self._col, 1))
        self._row = last_row
        self._row_repeat = 1
        self._row_has_content = False
        self._col = 0

    def _report(self, row: int, col: int) -> None:
        self.problem = ("too_large", f"{column_letters(min(col, 16384))}{row}", self._name)


def column_letters(col: int) -> str:
    """1 -> 'A', 16384 -> 'XFD'."""
    letters = ""
    while col > 0:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


# --- OLE2 / compound file containers (xls, encrypted OOXML) -------------------------------

class _CorruptCfb(Exception):
    pass


_FREE, _END_OF_CHAIN = 0xFFFFFFFF, 0xFFFFFFFE


class _Cfb:
    """Just enough of [MS-CFB] to list stream names and read a stream, with every offset
    and chain bounded by the file's own size."""

    def __init__(self, data: bytes):
        if len(data) < 512:
            raise _CorruptCfb("header")
        self.data = data
        shift, mini_shift = struct.unpack_from("<HH", data, 0x1E)
        if shift not in (9, 12) or mini_shift != 6:
            raise _CorruptCfb("sector size")
        self.sector = 1 << shift
        self.mini_sector = 1 << mini_shift
        # The last sector may be cut short by the writer; _sector() then returns fewer bytes.
        self.n_sectors = max(0, -(-(len(data) - self.sector) // self.sector))
        (n_fat, self.dir_start, self.mini_cutoff, self.minifat_start, _n_minifat,
         difat_start, n_difat) = struct.unpack_from("<I I 4x I I I I I", data, 0x2C)
        difat = list(struct.unpack_from("<109I", data, 0x4C))
        sect = difat_start
        for _ in range(min(n_difat, self.n_sectors)):
            if sect >= self.n_sectors:
                break
            block = self._sector(sect)
            entries = struct.unpack_from(f"<{self.sector // 4}I", block)
            difat.extend(entries[:-1])
            sect = entries[-1]
        fat_sectors = [s for s in difat[:n_fat] if s < self.n_sectors]
        if len(fat_sectors) != n_fat:
            raise _CorruptCfb("fat")
        self.fat: list[int] = []
        for s in fat_sectors:
            self.fat.extend(struct.unpack_from(f"<{self.sector // 4}I", self._sector(s)))
        self.entries = self._directory()
        root = self.entries[0] if self.entries else None
        if root is None or root[1] != 5:
            raise _CorruptCfb("root")
        self._root = root
        self._minifat: list[int] | None = None

    def _sector(self, n: int) -> bytes:
        if n >= self.n_sectors:
            raise _CorruptCfb("sector out of range")
        start = (n + 1) * self.sector
        return self.data[start:start + self.sector]

    def _chain(self, start: int, table: list[int], limit: int) -> list[int]:
        chain, seen = [], set()
        sect = start
        while sect not in (_END_OF_CHAIN, _FREE):
            if sect in seen or sect >= len(table) or len(chain) >= limit:
                raise _CorruptCfb("chain")
            seen.add(sect)
            chain.append(sect)
            sect = table[sect]
        return chain

    def _directory(self) -> list[tuple[str, int, int, int]]:
        raw = b"".join(self._sector(s) for s in self._chain(self.dir_start, self.fat,
                                                               self.n_sectors))
        entries = []
        for off in range(0, len(raw) - 127, 128):
            name_len, kind = struct.unpack_from("<HB", raw, off + 0x40)
            if kind not in (1, 2, 5):
                continue
            name = raw[off:off + max(0, min(name_len, 64) - 2)].decode("utf-16-le", "replace")
            start, size = struct.unpack_from("<IQ", raw, off + 0x74)
            if self.sector == 512:
                size &= 0xFFFFFFFF
            entries.append((name, kind, start, size))
        return entries

    def names(self) -> set[str]:
        return {name for name, kind, _, _ in self.entries if kind == 2}

    def read_stream(self, name: str, limit: int) -> bytes:
        """The first `limit` bytes of a stream."""
        found = next((e for e in self.entries if e[1] == 2 and e[0] == name), None)
        if found is None:
            raise KeyError(name)
        _, _, start, size = found
        want = min(size, limit)
        if size < self.mini_cutoff:
            return self._read_mini(start, want)
        chain = self._chain(start, self.fat, self.n_sectors)
        out = bytearray()
        for s in chain:
            if len(out) >= want:
                break
            out += self._sector(s)
        return bytes(out[:want])

    def _read_mini(self, start: int, want: int) -> bytes:
        if self._minifat is None:
            raw = b"".join(self._sector(s) for s in self._chain(self.minifat_start, self.fat,
                                                                   self.n_sectors))
            self._minifat = list(struct.unpack_from(f"<{len(raw) // 4}I", raw))
            root_chain = self._chain(self._root[2], self.fat, self.n_sectors)
            self._ministream = b"".join(self._sector(s) for s in root_chain)
        out = bytearray()
        for s in self._chain(start, self._minifat, len(self._minifat)):
            if len(out) >= want:
                break
            off = s * self.mini_sector
            if off + self.mini_sector > len(self._ministream):
                raise _CorruptCfb("mini sector out of range")
            out += self._ministream[off:off + self.mini_sector]
        return bytes(out[:want])


def _ole2_kind(cfb: _Cfb) -> str:
    names = cfb.names()
    if "EncryptionInfo" in names or "EncryptedPackage" in names:
        return "encrypted"
    if "Workbook" in names or "Book" in names:
        return "xls"
    return "ole2"


# BIFF record types whose first four bytes are (row: u16, col: u16).
_BIFF_CELL_RECORDS = {0x0006, 0x00BD, 0x00BE, 0x00FD, 0x0201, 0x0203, 0x0204, 0x0205, 0x027E,
                      0x0406}
_BIFF_MULTI_CELL_RECORDS = {0x00BD, 0x00BE}
_BIFF_FILEPASS, _BIFF_DIMENSIONS, _BIFF_BOF, _BIFF_BOUNDSHEET = 0x002F, 0x0200, 0x0809, 0x0085


def _check_ole2(data: bytes, filename: str) -> list[Finding]:
    try:
        cfb = _Cfb(data)
        kind = _ole2_kind(cfb)
        if kind == "encrypted":
            return _fail("file.encrypted", filename)
        if kind != "xls":
            return _fail("file.not_a_workbook", filename)
        stream = cfb.read_stream("Workbook" if "Workbook" in cfb.names() else "Book", len(data))
    except (_CorruptCfb, struct.error, KeyError, IndexError):
        return _fail("file.truncated", filename)
    return _check_biff(stream, filename)


def _check_biff(stream: bytes, filename: str) -> list[Finding]:
    """Walk the BIFF records: FILEPASS means encrypted; DIMENSIONS and cell records give
    the sheet extents that calamine would allocate for."""
    sheet_names: dict[int, str] = {}
    sheet: str | None = None
    pos, end = 0, len(stream)
    while pos + 4 <= end:
        rtype, length = struct.unpack_from("<HH", stream, pos)
        body = pos + 4
        pos = body + length
        if rtype == _BIFF_FILEPASS:
            return _fail("file.encrypted", filename)
        if rtype == _BIFF_BOUNDSHEET and length >= 8:
            offset = struct.unpack_from("<I", stream, body)[0]
            name_len, flags = stream[body + 6], stream[body + 7] if length > 7 else 0
            raw = stream[body + 8:body + 8 + name_len * (2 if flags & 1 else 1)]
            sheet_names[offset] = raw.decode("utf-16-le" if flags & 1 else "latin-1", "replace")
        elif rtype == _BIFF_BOF:
            sheet = sheet_names.get(body - 4)
        elif rtype == _BIFF_DIMENSIONS and length >= 14:
            _, last_row, _, last_col = struct.unpack_from("<IIHH", stream, body)
            if last_row > MAX_ROWS or last_col > MAX_COLS:
                return _too_large_xls(filename, sheet, last_row, last_col)
        elif rtype in _BIFF_CELL_RECORDS and length >= 4 and pos <= end:
            row, col = struct.unpack_from("<HH", stream, body)
            if rtype in _BIFF_MULTI_CELL_RECORDS:  # the last column closes the record
                col = struct.unpack_from("<H", stream, pos - 2)[0]
            if col + 1 > MAX_COLS:
                return _too_large_xls(filename, sheet, row + 1, col + 1)
    return []


def _too_large_xls(filename: str, sheet: str | None, row: int, col: int) -> list[Finding]:
    cell = f"{column_letters(max(col, 1))}{max(row, 1)}"
    return _fail("file.sheet_too_large", filename, sheet=sheet, cell=cell,
                 **_sheet_values(sheet, cell))
