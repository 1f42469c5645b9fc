"""Files written by LibreOffice, so tests see workbooks written by another program than
openpyxl (what an officer who uses LibreOffice would upload).

Tests read the committed files in tests/fixtures/libreoffice/ (`written(name, fmt)`), so the
suite runs where LibreOffice is not installed. SOURCES says how each file is made: a function
that builds the input with openpyxl, converted by `soffice`. Regenerate them all with

    python -m tests.libreoffice [NAME ...]

Each conversion gets its own LibreOffice profile: two runs sharing the default profile block
each other.
"""
from __future__ import annotations

import argparse
import importlib
import io
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

INSTALL_HINT = "install it with: apt-get install -y libreoffice-calc-nogui"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "libreoffice"

# The export filter for each target format.
FILTERS = {
    "xlsx": "xlsx:Calc MS Excel 2007 XML",
    "xls": "xls:MS Excel 97",
    "ods": "ods:calc8",
    "pdf": "pdf:calc_pdf_Export",
    "csv": "csv:Text - txt - csv (StarCalc):44,34,76,1",
}

# Every committed file: name -> (the function that builds its input, the formats LibreOffice
# writes it in). The file of `name` in `fmt` is FIXTURES / f"{name}.{fmt}".
SOURCES: dict[str, tuple[str, tuple[str, ...]]] = {
    "workbook-report": ("tests.test_workbook:build_report", ("xlsx", "xls", "ods")),
    "workbook-control": ("tests.test_workbook:control_characters_book", ("xls",)),
    "intake-ba-be": ("tests.test_intake:filled", ("xlsx", "xls", "ods")),
    "intake-nul": ("tests.test_intake:nul_report", ("xls",)),
    "reader-filled": ("tests.test_reader:filled_report", ("xlsx", "xls", "ods")),
    "reader-formulas": ("tests.test_reader:formula_report", ("xlsx",)),
    "reader-tcvn3": ("tests.test_reader:tcvn3_report", ("xls",)),
    "reader-vni": ("tests.test_reader:vni_report", ("xls",)),
    "reader-tcvn3-notes": ("tests.test_reader:tcvn3_notes_report", ("ods",)),
    "preflight-report": ("tests.hostile:real_xlsx", ("xlsx", "xls", "ods")),
    "preflight-wide": ("tests.test_preflight:wide_report", ("xls",)),
    "corpus-divide-by-zero": ("tests.test_reading_corpus:divide_by_zero_report", ("xlsx",)),
    "template-filled": ("tests.test_template:filled_report", ("xlsx", "xls", "ods")),
}


def written(name: str, fmt: str) -> bytes:
    """The committed file LibreOffice wrote from SOURCES[name] in `fmt`."""
    if fmt not in SOURCES[name][1]:
        raise ValueError(f"{name} is not kept as .{fmt}; add the format to SOURCES")
    path = FIXTURES / f"{name}.{fmt}"
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: run `python -m tests.libreoffice {name}` "
                                f"(it needs LibreOffice; {INSTALL_HINT})")
    return path.read_bytes()


def source(name: str) -> bytes:
    """The input of SOURCES[name], built now by its function."""
    module, function = SOURCES[name][0].split(":")
    return getattr(importlib.import_module(module), function)()


def regenerate(names=None, out: Path = FIXTURES) -> list[Path]:
    """Convert the inputs of `names` (default: all) and write them under `out`."""
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name in names or SOURCES:
        data = source(name)
        for fmt in SOURCES[name][1]:
            path = out / f"{name}.{fmt}"
            path.write_bytes(convert(data, fmt, suffix=".xlsx"))
            paths.append(path)
    return paths


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.libreoffice",
                                     description="Rewrite the LibreOffice-written test fixtures.")
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help=f"which files (default: all): {', '.join(SOURCES)}")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.names) - set(SOURCES))
    if unknown:
        parser.error(f"unknown names: {', '.join(unknown)}")
    for path in regenerate(args.names):
        print(f"{path.name}: {path.stat().st_size} bytes")
    return 0


class LibreOfficeError(RuntimeError):
    pass


def soffice() -> str:
    """The path of the soffice binary, or a LibreOfficeError that says how to install it."""
    path = shutil.which("soffice") or shutil.which("libreoffice")
    if not path:
        raise LibreOfficeError(f"LibreOffice (soffice) is not on PATH; {INSTALL_HINT}")
    return path


def convert(source: str | Path | bytes, fmt: str, *, suffix: str | None = None,
            timeout: float = 180) -> bytes:
    """Convert a spreadsheet (a path or the bytes of .xlsx/.xls/.ods) to `fmt`
    (xlsx, xls, ods, pdf or csv) and return the converted bytes."""
    if fmt not in FILTERS:
        raise ValueError(f"unknown format {fmt!r}; use one of {sorted(FILTERS)}")
    binary = soffice()
    with tempfile.TemporaryDirectory(prefix="mdplan-lo-") as tmp:
        tmp = Path(tmp)
        if isinstance(source, (bytes, bytearray)):
            src = tmp / f"input{suffix or _sniff(bytes(source))}"
            src.write_bytes(source)
        else:
            src = Path(source).resolve()
        outdir = tmp / "out"
        profile = (tmp / "profile").as_uri()
        cmd = [binary, f"-env:UserInstallation={profile}", "--headless", "--norestore",
               "--convert-to", FILTERS[fmt], "--outdir", str(outdir), str(src)]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                                  env=_env(tmp))
        except subprocess.TimeoutExpired as exc:
            raise LibreOfficeError(f"soffice timed out after {timeout}s: {cmd}") from exc
        target = outdir / f"{src.stem}.{fmt}"
        if done.returncode != 0 or not target.exists():
            raise LibreOfficeError(
                f"soffice could not convert {src.name} to {fmt} (exit {done.returncode})\n"
                f"stdout: {done.stdout}\nstderr: {done.stderr}")
        return target.read_bytes()


def _sniff(data: bytes) -> str:
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return ".xls"
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            if "mimetype" in z.namelist() and b"opendocument" in z.read("mimetype"):
                return ".ods"
        return ".xlsx"
    raise ValueError("not a spreadsheet file this helper knows (xlsx, xls, ods)")


def _env(home: Path) -> dict:
    env = dict(os.environ)
    env["HOME"] = str(home)  # LibreOffice writes caches under HOME; keep runs apart
    return env


if __name__ == "__main__":
    sys.exit(main())
