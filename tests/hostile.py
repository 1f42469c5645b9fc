"""Hostile and broken uploads, built as bytes in code (no binary fixtures).

Each builder returns the bytes of one file an officer, a broken tool or an attacker
might upload. The big ones (the zip bomb) stream into the zip so the test process never
holds the expanded XML. Other tests may import these freely.

The last section holds small functions for the sandbox tests to run in a worker:
allocating too much, sleeping past the timeout, aborting.
"""
from __future__ import annotations

import functools
import io
import os
import random
import time
import zipfile

from openpyxl.utils import get_column_letter

XLSX_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/{sheet_part}" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '</Types>'
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<workbook xmlns="{XLSX_NS}" xmlns:r="{REL_NS}"><sheets>'
    '<sheet name="{sheet_name}" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="{target}"/></Relationships>'
)


def sheet_xml(cells: str, dimension: str = "A1") -> str:
    """A worksheet part; `cells` is the inner XML of <sheetData>."""
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<worksheet xmlns="{XLSX_NS}"><dimension ref="{dimension}"/>'
        f"<sheetData>{cells}</sheetData></worksheet>"
    )


def number_cell(ref: str, value) -> str:
    return f'<c r="{ref}" t="n"><v>{value}</v></c>'


def xlsx_from_sheet(sheet, *, sheet_part: str = "xl/worksheets/sheet1.xml",
                    sheet_name: str = "Báo cáo", extra_entries=()) -> bytes:
    """A minimal hand-built xlsx with one sheet.

    `sheet` is the sheet XML as str/bytes, or an iterable of byte chunks streamed into
    the zip (so a huge sheet never sits in memory whole).
    """
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES.format(sheet_part=sheet_part))
        zf.writestr("_rels/.rels", ROOT_RELS)
        zf.writestr("xl/workbook.xml", WORKBOOK.format(sheet_name=sheet_name))
        target = sheet_part[3:] if sheet_part.startswith("xl/") else "/" + sheet_part
        zf.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.format(target=target))
        if isinstance(sheet, (str, bytes)):
            zf.writestr(sheet_part, sheet)
        else:
            with zf.open(sheet_part, "w", force_zip64=True) as part:
                for chunk in sheet:
                    part.write(chunk)
        for name, payload in extra_entries:
            zf.writestr(name, payload)
    return buf.getvalue()


# --- too big in shape -----------------------------------------------------------------------

def sparse_corner_xlsx() -> bytes:
    """Only A1 and XFD1048576: 5 KB on disk, 512 GiB for calamine, which aborts."""
    cells = (f'<row r="1">{number_cell("A1", 1)}</row>'
             f'<row r="1048576">{number_cell("XFD1048576", 2)}</row>')
    return xlsx_from_sheet(sheet_xml(cells, dimension="A1:XFD1048576"))


def sparse_corner_undeclared_xlsx() -> bytes:
    """The same cells, but the <dimension> claims A1 only: the cell scan must catch it."""
    cells = (f'<row r="1">{number_cell("A1", 1)}</row>'
             f'<row r="1048576">{number_cell("XFD1048576", 2)}</row>')
    return xlsx_from_sheet(sheet_xml(cells, dimension="A1"))


def sparse_odd_part_xlsx() -> bytes:
    """The sparse sheet stored under a part name outside xl/worksheets/."""
    cells = (f'<row r="1">{number_cell("A1", 1)}</row>'
             f'<row r="1048576">{number_cell("XFD1048576", 2)}</row>')
    return xlsx_from_sheet(sheet_xml(cells, dimension="A1"), sheet_part="xl/data/payload.xml")


def declared_rows_xlsx(rows: int = 100_001) -> bytes:
    """A sheet whose <dimension> declares `rows` rows; the cells themselves are few."""
    cells = f'<row r="1">{number_cell("A1", 1)}{number_cell("B1", 2)}</row>'
    return xlsx_from_sheet(sheet_xml(cells, dimension=f"A1:B{rows}"))


def tall_xlsx(rows: int = 100_001) -> bytes:
    """`rows` real rows of one number each (about 3 MB of XML)."""
    def chunks():
        yield sheet_xml("@", dimension=f"A1:A{rows}").split("@")[0].encode()
        batch = []
        for r in range(1, rows + 1):
            batch.append(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>')
            if len(batch) == 5000:
                yield "".join(batch).encode()
                batch = []
        yield "".join(batch).encode()
        yield b"</sheetData></worksheet>"
    return xlsx_from_sheet(chunks())


def wide_xlsx(cols: int = 201) -> bytes:
    """One row with `cols` numbers."""
    cells = "".join(number_cell(f"{get_column_letter(c)}1", c) for c in range(1, cols + 1))
    return xlsx_from_sheet(sheet_xml(f'<row r="1">{cells}</row>',
                                     dimension=f"A1:{get_column_letter(cols)}1"))


@functools.cache
def shared_strings_xlsx(rows: int = 24_000, cols: int = 100, strings: int = 50_000) -> bytes:
    """`rows` x `cols` cells, each pointing at one of `strings` shared strings: about 6 MB,
    within every preflight limit, yet 2.4 million cells for a reader that keeps them all."""
    rng = random.Random(5)
    shared = "".join(f"<si><t>Ghi chú số {i}</t></si>" for i in range(strings))

    def chunks():
        yield sheet_xml("@", dimension=f"A1:{get_column_letter(cols)}{rows}").split("@")[0].encode()
        for start in range(1, rows + 1, 500):
            yield "".join(
                f'<row r="{r}">' + "".join(f'<c t="s"><v>{rng.randrange(strings)}</v></c>'
                                           for _ in range(cols)) + "</row>"
                for r in range(start, min(start + 500, rows + 1))).encode()
        yield b"</sheetData></worksheet>"
    sst = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           f'<sst xmlns="{XLSX_NS}" count="{rows * cols}" uniqueCount="{strings}">{shared}</sst>')
    return xlsx_from_sheet(chunks(), extra_entries=[("xl/sharedStrings.xml", sst)])


@functools.cache
def zip_bomb_xlsx(rows: int = 100_000, cols: int = 120) -> bytes:
    """About 250 MB of worksheet XML deflated to about 1 MB: `rows` numbered rows of
    `cols` identical cells (cells without r are placed one after another, as OOXML
    allows), so every reference stays within the shape limits and only the size is
    hostile. Streamed into the zip in batches of rows."""
    row_tail = '<c t="n"><v>1</v></c>' * cols + "</row>"

    def chunks():
        yield sheet_xml("@", dimension=f"A1:{get_column_letter(cols)}{rows}").split("@")[0].encode()
        for start in range(1, rows + 1, 1000):
            stop = min(start + 1000, rows + 1)
            yield "".join(f'<row r="{r}">{row_tail}' for r in range(start, stop)).encode()
        yield b"</sheetData></worksheet>"
    return xlsx_from_sheet(chunks())


def odd_spelling_xlsx() -> bytes:
    """The far cell with the reference spelled r = 'XFD1048576' (legal XML)."""
    cells = (f'<row r="1">{number_cell("A1", 1)}</row>'
             "<row r = '1048576'><c r = 'XFD1048576' t=\"n\"><v>2</v></c></row>")
    return xlsx_from_sheet(sheet_xml(cells))


def prefixed_sparse_xlsx() -> bytes:
    """The sparse sheet written with a namespace prefix on every element."""
    xml = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           f'<x:worksheet xmlns:x="{XLSX_NS}"><x:dimension ref="A1"/><x:sheetData>'
           '<x:row r="1"><x:c r="A1"><x:v>1</x:v></x:c></x:row>'
           '<x:row r="1048576"><x:c r="XFD1048576"><x:v>2</x:v></x:c></x:row>'
           "</x:sheetData></x:worksheet>")
    return xlsx_from_sheet(xml)


def long_cell_tag_xlsx(padding: int = 200_000) -> bytes:
    """A cell tag with a huge junk attribute in front of its reference, so the reference
    lies far past any chunk boundary."""
    cells = (f'<row r="1">{number_cell("A1", 1)}</row>'
             f'<row r="2"><c junk="{"x" * padding}" r="XFD2"><v>2</v></c></row>')
    return xlsx_from_sheet(sheet_xml(cells))


def duplicate_entry_xlsx() -> bytes:
    """Two zip entries named xl/worksheets/sheet1.xml: a harmless one, then the sparse one.
    Readers disagree about which one counts, so preflight must check both."""
    import warnings

    harmless = sheet_xml(f'<row r="1">{number_cell("A1", 1)}</row>')
    sparse = sheet_xml(f'<row r="1">{number_cell("A1", 1)}</row>'
                       f'<row r="1048576">{number_cell("XFD1048576", 2)}</row>')
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # zipfile warns about the duplicate
        return xlsx_from_sheet(harmless, extra_entries=[("xl/worksheets/sheet1.xml", sparse)])


def lying_size_xlsx() -> bytes:
    """A real xlsx whose zip directory understates the sheet's uncompressed size."""
    data = bytearray(tall_xlsx(2_000))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        info = zf.getinfo("xl/worksheets/sheet1.xml")
    # patch the size in the local header and in the central directory entry
    data[info.header_offset + 22:info.header_offset + 26] = (1000).to_bytes(4, "little")
    pos = data.find(b"PK\x01\x02")
    while pos >= 0:
        name_len = int.from_bytes(data[pos + 28:pos + 30], "little")
        if data[pos + 46:pos + 46 + name_len] == info.filename.encode():
            data[pos + 24:pos + 28] = (1000).to_bytes(4, "little")
        pos = data.find(b"PK\x01\x02", pos + 4)
    return bytes(data)


def many_entries_xlsx(entries: int = 1_001) -> bytes:
    """A readable xlsx padded with tiny parts until the zip holds `entries` entries."""
    extra = [(f"xl/media/pad{i}.bin", b"x") for i in range(max(0, entries - 5))]
    return xlsx_from_sheet(sheet_xml(f'<row r="1">{number_cell("A1", 1)}</row>'),
                           extra_entries=extra)


def oversized_xlsx(size: int) -> bytes:
    """A readable xlsx carrying an incompressible stored part, so it weighs `size` bytes."""
    payload = random.Random(7).randbytes(size)
    buf = io.BytesIO(xlsx_from_sheet(sheet_xml(f'<row r="1">{number_cell("A1", 1)}</row>')))
    with zipfile.ZipFile(buf, "a", zipfile.ZIP_STORED) as zf:
        zf.writestr("xl/media/image1.png", payload)
    return buf.getvalue()


# --- ods --------------------------------------------------------------------------------------

ODS_MIMETYPE = "application/vnd.oasis.opendocument.spreadsheet"


def ods_from_rows(rows_xml: str, *, table_name: str = "Báo cáo", manifest_extra: str = "") -> bytes:
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="{table_name}">{rows_xml}'
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
        'manifest:version="1.2">'
        f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{ODS_MIMETYPE}"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml">'
        f"{manifest_extra}</manifest:file-entry></manifest:manifest>"
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("mimetype", ODS_MIMETYPE)  # stored, first, as ODF requires
        zf.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
        zf.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def _ods_value(value, repeat: int = 1) -> str:
    rep = f' table:number-columns-repeated="{repeat}"' if repeat > 1 else ""
    return f'<table:table-cell office:value-type="float" office:value="{value}"{rep}/>'


def sparse_ods() -> bytes:
    """A1 and XFD1048576 through repeated empty rows and cells, as LibreOffice pads."""
    return ods_from_rows(
        f"<table:table-row>{_ods_value(1)}</table:table-row>"
        '<table:table-row table:number-rows-repeated="1048574">'
        '<table:table-cell table:number-columns-repeated="16384"/></table:table-row>'
        '<table:table-row><table:table-cell table:number-columns-repeated="16383"/>'
        f"{_ods_value(2)}</table:table-row>"
    )


def repeated_rows_ods(rows: int = 100_001) -> bytes:
    """One value row repeated `rows` times: tiny XML, `rows` rows for a reader."""
    return ods_from_rows(
        f'<table:table-row table:number-rows-repeated="{rows}">{_ods_value(1)}</table:table-row>'
    )


def wide_ods(cols: int = 201) -> bytes:
    return ods_from_rows(f"<table:table-row>{_ods_value(1, repeat=cols)}</table:table-row>")


def formula_repeat_ods(cols: int = 16384) -> bytes:
    """A formula without a cached value, repeated across the row: calamine keeps formula
    cells even when they have no value."""
    return ods_from_rows(
        '<table:table-row><table:table-cell table:formula="of:=1" '
        f'table:number-columns-repeated="{cols}"/></table:table-row>'
    )


def quoted_gt_ods(cols: int = 300) -> bytes:
    """A raw '>' inside a quoted attribute value (legal XML) ahead of the repeat count."""
    return ods_from_rows(
        '<table:table-row><table:table-cell table:formula="of:=IF([.A1]>0;1;2)" '
        f'table:number-columns-repeated="{cols}" office:value-type="float" office:value="1"/>'
        "</table:table-row>"
    )


def padded_ods() -> bytes:
    """A normal small sheet with LibreOffice's padding to the last row and column."""
    return ods_from_rows(
        f"<table:table-row>{_ods_value(1)}{_ods_value(2)}"
        '<table:table-cell table:number-columns-repeated="16382"/></table:table-row>'
        '<table:table-row table:number-rows-repeated="1048575">'
        '<table:table-cell table:number-columns-repeated="16384"/></table:table-row>'
    )


def encrypted_ods() -> bytes:
    """An ods whose manifest says content.xml is encrypted (as a password-protected
    LibreOffice file does); the content is random bytes as ciphertext would be."""
    buf = io.BytesIO()
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
        f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{ODS_MIMETYPE}"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml">'
        '<manifest:encryption-data manifest:checksum-type="SHA1/1K" manifest:checksum="AAAA">'
        '<manifest:algorithm manifest:algorithm-name="Blowfish CFB" '
        'manifest:initialisation-vector="AAAA"/></manifest:encryption-data>'
        "</manifest:file-entry></manifest:manifest>"
    )
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("mimetype", ODS_MIMETYPE)
        zf.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
        zf.writestr("content.xml", random.Random(3).randbytes(2048))
    return buf.getvalue()


# --- text no cell may hold --------------------------------------------------------------------

def text_cell(ref: str, text: str) -> str:
    """An inline text cell; `text` goes into the XML as it is (escapes included)."""
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


# What Excel writes for a control character pasted into a cell (XML cannot hold one): its
# `_xHHHH_` escape. A1 holds two lines from Word (Shift+Enter is VT), A2 an ESC, A3 a NUL,
# A4 a Windows line break, A5 nothing but an ESC.
CONTROL_TEXTS = ["Lớp 1_x000B_Lớp 2", "màu _x001B_[31mđỏ", "Ghi chú_x0000_", "a_x000D_\nb", "_x001B_"]


def control_characters_xlsx(texts=CONTROL_TEXTS) -> bytes:
    """One column of text cells, each text as written into the XML."""
    rows = "".join(f'<row r="{r}">{text_cell(f"A{r}", t)}</row>' for r, t in enumerate(texts, 1))
    return xlsx_from_sheet(sheet_xml(rows, dimension=f"A1:A{len(texts)}"))


def replace_text(data: bytes, old: str, new: str) -> bytes:
    """An xlsx with a text replaced in its XML parts: a text no writer would write, such as
    one longer than a cell holds (openpyxl cuts those)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            part = zin.read(item)
            if item.filename.endswith(".xml"):
                part = part.replace(old.encode(), new.encode())
            zout.writestr(item, part)
    return out.getvalue()


# --- broken or not a workbook ---------------------------------------------------------------

def real_xlsx(rows: int = 20) -> bytes:
    """An ordinary report written by openpyxl."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Báo cáo"
    ws.append(["Mã xã", "Tên xã", "Chỉ tiêu", "Kế hoạch", "Thực hiện"])
    for i in range(1, rows + 1):
        ws.append([f"X{i:03d}", f"Xã số {i}", "Diện tích lúa (ha)", 100 + i, 90.5 + i])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def truncated_xlsx() -> bytes:
    """A real xlsx cut in half, as an interrupted upload leaves it."""
    data = real_xlsx()
    return data[: len(data) // 2]


def bad_crc_xlsx() -> bytes:
    """A real xlsx whose sheet part has one flipped byte inside its compressed data."""
    data = bytearray(xlsx_from_sheet(sheet_xml(
        "".join(f'<row r="{r}">{number_cell(f"A{r}", r)}</row>' for r in range(1, 200)),
        dimension="A1:A199")))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        info = zf.getinfo("xl/worksheets/sheet1.xml")
    # local header: 30 bytes + name + extra; flip a byte in the middle of the payload
    name_len = int.from_bytes(data[info.header_offset + 26: info.header_offset + 28], "little")
    extra_len = int.from_bytes(data[info.header_offset + 28: info.header_offset + 30], "little")
    start = info.header_offset + 30 + name_len + extra_len
    data[start + info.compress_size // 2] ^= 0x55
    return bytes(data)


def encrypted_xlsx(password: str = "matkhau") -> bytes:
    """A password-protected xlsx as Excel writes it: an OLE2 container holding
    EncryptionInfo and EncryptedPackage (ECMA-376 agile encryption, via msoffcrypto-tool)."""
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    OOXMLFile(io.BytesIO(real_xlsx())).encrypt(password, out)
    return out.getvalue()


def empty_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w"):
        pass
    return buf.getvalue()


def zero_bytes() -> bytes:
    return b""


def random_bytes(size: int = 4096, seed: int = 1) -> bytes:
    return random.Random(seed).randbytes(size)


def csv_bytes() -> bytes:
    """What Excel's "CSV UTF-8" export writes."""
    return ("\ufeffMã xã,Tên xã,Chỉ tiêu,Kế hoạch,Thực hiện\r\n"
            "X001,Xã Đồng Phúc,Diện tích lúa (ha),120,98.5\r\n"
            "X002,Xã Quảng Khê,Diện tích lúa (ha),80,81\r\n").encode("utf-8")


def pdf_bytes() -> bytes:
    """A tiny one-page PDF."""
    return (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
            b"1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
            b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
            b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
            b"trailer<</Root 1 0 R>>\n%%EOF\n")


def text_bytes() -> bytes:
    return "Báo cáo tiến độ quý I\nXã Đồng Phúc: đạt 85%\n".encode()


def html_table_bytes() -> bytes:
    """An HTML table, as many web systems export it under an .xls name."""
    return ('<html><head><meta charset="utf-8"></head><body><table>'
            "<tr><td>Mã xã</td><td>Thực hiện</td></tr><tr><td>X001</td><td>98</td></tr>"
            "</table></body></html>").encode()


def non_workbook_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("readme.txt", "Không phải bảng tính")
        zf.writestr("data/report.csv", csv_bytes())
    return buf.getvalue()


# --- work for the sandbox tests (run inside a worker process) ------------------------------

def allocate(megabytes: int) -> int:
    """Touch `megabytes` of memory; under the sandbox's limit this dies with MemoryError."""
    block = bytearray(megabytes * 1024 * 1024)
    return len(block)


def sleep_for(seconds: float) -> str:
    time.sleep(seconds)
    return "woke up"


def abort() -> None:
    os.abort()


def echo(*args):
    return args


def raise_value_error(text: str):
    raise ValueError(text)


def return_function():
    """A result the parent must refuse to unpickle: pickle would look up os.getcwd."""
    return os.getcwd


def print_noise_then_return(value):
    """Writes to stdout, which the worker uses for its result; the result must survive."""
    print("noise from a library", flush=True)
    os.write(1, b"raw noise on fd 1\n")
    return value


def return_text(size: int) -> str:
    """A result of `size` characters, to test the cap on what a worker sends back."""
    return "x" * size


def flood_stdout(megabytes: int) -> str:
    """What a subverted reader might do: write far more than any result, bypassing pickle."""
    block = b"x" * (1024 * 1024)
    for _ in range(megabytes):
        os.write(1, block)
    return "done"
