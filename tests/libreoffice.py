"""Run LibreOffice headless to convert spreadsheets, so tests see files written by
another program than openpyxl (what an officer who uses LibreOffice would upload).

Each call gets its own LibreOffice profile: two runs sharing the default profile block
each other. A missing LibreOffice is an error, never a skip.
"""
from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

INSTALL_HINT = "install it with: apt-get install -y libreoffice-calc-nogui"

# The export filter for each target format.
FILTERS = {
    "xlsx": "xlsx:Calc MS Excel 2007 XML",
    "xls": "xls:MS Excel 97",
    "ods": "ods:calc8",
    "pdf": "pdf:calc_pdf_Export",
    "csv": "csv:Text - txt - csv (StarCalc):44,34,76,1",
}


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
    import os

    env = dict(os.environ)
    env["HOME"] = str(home)  # LibreOffice writes caches under HOME; keep runs apart
    return env
