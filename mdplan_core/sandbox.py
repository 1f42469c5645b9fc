"""Running spreadsheet readers in a worker process that may die without harm.

Some files make a reader abort the whole process (calamine asks for 512 GiB for a
sheet with cells at A1 and XFD1048576, and Rust aborts when that fails) or take more
memory and time than a web server can give. So a reader runs in a fresh child
process (`python -m mdplan_core.sandbox`) with an address-space limit and a
wall-clock timeout; arguments go in over its stdin and the result comes back pickled
in a temporary file capped at RESULT_MAX_BYTES. Whatever happens to the child becomes a
finding for the officer.

`read_workbook_safely` is the one entry point other code uses to read an upload.
Plain subprocesses (no fork of the caller) keep this safe to call from Streamlit's
script threads, many at once.
"""
from __future__ import annotations

import dataclasses
import datetime
import importlib
import io
import logging
import os
import pickle
import signal
import subprocess
import sys
import tempfile
import threading
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .findings import Finding, error, has_errors
from .preflight import format_mb, preflight

if TYPE_CHECKING:  # the server process need not import the readers
    from .workbook import RawWorkbook

log = logging.getLogger(__name__)

READ_TIMEOUT_S = 20
READ_MEMORY_MB = 1024
# Workers running at once; each may use up to its memory limit.
MAX_CONCURRENT_WORKERS = max(2, os.cpu_count() or 2)
# How long a caller waits for a free worker slot before giving up.
QUEUE_TIMEOUT_S = 60
STDERR_KEPT_BYTES = 4000
# The most a worker may send back, and so about the most one upload costs the server (the
# reader's caps, layout.READ_MAX_*, keep a workbook's read far below it: a report is
# under 100 KB). The worker cannot write a longer result file even if a file subverts it.
RESULT_MAX_BYTES = 8 * 1024 * 1024

PACKAGE_ROOT = Path(__file__).resolve().parent.parent

MESSAGES = {
    "file.reader_crashed": (
        "Không đọc được tệp: trình đọc bị dừng do tệp bất thường (quá nhiều ô, quá lớn khi "
        "giải nén hoặc bị hỏng). Hãy mở tệp bằng Excel, sao chép bảng báo cáo sang một tệp "
        "mới, lưu thành .xlsx rồi nộp lại."
    ),
    "file.timeout": (
        "Không đọc được tệp: việc đọc tệp mất quá {seconds} giây nên đã bị dừng. Hãy xóa các "
        "trang tính, dòng và cột không cần thiết rồi nộp lại."
    ),
    "file.too_much_content": (
        "Không đọc được tệp: nội dung đọc được từ tệp quá lớn (hơn {limit}). Hãy chép riêng "
        "bảng báo cáo sang một mẫu báo cáo mới rồi nộp lại."
    ),
    "server.busy": (
        "Hệ thống đang bận đọc nhiều tệp cùng lúc. Hãy chờ vài phút rồi nộp lại."
    ),
}

_slots = threading.BoundedSemaphore(MAX_CONCURRENT_WORKERS)


@dataclass(frozen=True)
class SandboxResult:
    ok: bool
    value: Any = None
    finding: Finding | None = None  # set when not ok
    detail: str = ""  # for the server log: exit status, exception, stderr tail


def run_isolated(func_path: str, *args, timeout: float = READ_TIMEOUT_S,
                 memory_mb: int = READ_MEMORY_MB,
                 max_result_bytes: int = RESULT_MAX_BYTES) -> SandboxResult:
    """Call the top-level function "package.module:function" with `args` in a worker.

    The worker gets an address-space limit of `memory_mb` and is killed after `timeout`
    seconds. The value comes back only if it is made of plain data, datetime values
    and mdplan_core dataclasses, and pickles to at most `max_result_bytes`.
    """
    payload = pickle.dumps((func_path, args, memory_mb, timeout, max_result_bytes),
                           protocol=pickle.HIGHEST_PROTOCOL)
    if not _slots.acquire(timeout=QUEUE_TIMEOUT_S):
        return _failure("server.busy", "no free worker slot")
    try:
        return _run_worker(payload, timeout, max_result_bytes)
    finally:
        _slots.release()


def read_workbook_safely(data: bytes,
                         filename: str) -> tuple[RawWorkbook | None, list[Finding]]:
    """Preflight, then read the workbook in the sandbox.

    Returns (RawWorkbook | None, findings). The workbook is None when any finding is an
    error; warnings may come with a workbook.
    """
    findings = preflight(data, filename)
    if has_errors(findings):
        return None, findings
    result = run_isolated("mdplan_core.workbook:try_read_workbook", data, filename,
                          _read_limits())
    if not result.ok:
        log.warning("reading %r failed in the sandbox: %s", filename, result.detail)
        return None, findings + [dataclasses.replace(result.finding, file=filename)]
    book, more = result.value
    return book, findings + more


# --- parent side ----------------------------------------------------------------------------

def _read_limits():
    # Imported here, not at the top: the worker runs this module and imports the reader
    # itself, by name.
    from .layout import READ_MAX_CELLS, READ_MAX_COLS, READ_MAX_ROWS
    from .workbook import ReadLimits

    return ReadLimits(rows=READ_MAX_ROWS, cols=READ_MAX_COLS, cells=READ_MAX_CELLS)


def _failure(code: str, detail: str, **values) -> SandboxResult:
    return SandboxResult(ok=False, finding=error(code, MESSAGES[code].format(**values)),
                         detail=detail)


def _run_worker(payload: bytes, timeout: float, max_result_bytes: int) -> SandboxResult:
    env = dict(os.environ)
    env["RUST_BACKTRACE"] = "0"
    # Files, not pipes: the parent reads back at most max_result_bytes, whatever was written.
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "mdplan_core.sandbox"],
            stdin=subprocess.PIPE, stdout=out, stderr=err,
            cwd=PACKAGE_ROOT, env=env, start_new_session=True, close_fds=True,
        )
        try:
            proc.communicate(payload, timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill(proc)
            proc.communicate()
            return _failure("file.timeout", f"killed after {timeout} s",
                            seconds=f"{timeout:g}")
        except BaseException:
            _kill(proc)
            proc.communicate()
            raise
        tail = _tail(err, STDERR_KEPT_BYTES).decode("utf-8", "replace")
        if proc.returncode != 0:
            how = _describe_exit(proc.returncode)
            return _failure("file.reader_crashed", f"{how}; stderr: {tail}")
        size = os.fstat(out.fileno()).st_size
        if size > max_result_bytes:
            return _too_large(size, max_result_bytes)
        out.seek(0)
        try:
            outcome = _RestrictedUnpickler(out).load()
        except Exception as exc:  # noqa: BLE001 - whatever came back is not a result
            return _failure("file.reader_crashed",
                            f"unreadable result ({exc!r}); stderr: {tail}")
    if outcome[0] == "ok":
        return SandboxResult(ok=True, value=outcome[1])
    if outcome[0] == "memory":
        return _failure("file.reader_crashed", f"MemoryError; stderr: {tail}")
    if outcome[0] == "too_large":
        return _too_large(outcome[1], max_result_bytes)
    return _failure("file.reader_crashed", f"{outcome[1]}: {outcome[2]}\n{outcome[3]}")


def _too_large(size: int, limit: int) -> SandboxResult:
    return _failure("file.too_much_content", f"result of {size} bytes, over {limit}",
                    limit=format_mb(limit))


def _tail(file, size: int) -> bytes:
    end = file.seek(0, io.SEEK_END)
    file.seek(max(0, end - size))
    return file.read()


def _describe_exit(returncode: int) -> str:
    if returncode >= 0:
        return f"exit status {returncode}"
    try:
        return f"killed by {signal.Signals(-returncode).name}"
    except ValueError:
        return f"killed by signal {-returncode}"


def _kill(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # the worker leads its own process group
    except ProcessLookupError:
        pass


class _RestrictedUnpickler(pickle.Unpickler):
    """Only data classes come back: a worker that was subverted by a hostile file cannot
    make the server call arbitrary functions through pickle."""

    _DATETIME = {"date", "datetime", "time", "timedelta", "timezone"}
    _BUILTINS = {"set", "frozenset", "bytearray", "complex"}

    def find_class(self, module, name):
        if module == "datetime" and name in self._DATETIME:
            return getattr(datetime, name)
        if module == "builtins" and name in self._BUILTINS:
            return super().find_class(module, name)
        if module.split(".")[0] == "mdplan_core" and "." not in name:
            cls = super().find_class(module, name)
            if isinstance(cls, type) and dataclasses.is_dataclass(cls):
                return cls
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed from a worker")


# --- worker side ----------------------------------------------------------------------------

def _limit_resources(memory_mb: int, timeout: float, max_result_bytes: int) -> None:
    import resource

    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    # The result and stderr files: a write past this fails (EFBIG), whatever the reader does.
    files = max_result_bytes + STDERR_KEPT_BYTES
    resource.setrlimit(resource.RLIMIT_FSIZE, (files, files))
    # A backstop should the parent vanish: CPU seconds, a little over the wall clock.
    cpu = int(timeout) + 5
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))


def _worker_main() -> None:
    result_fd = os.dup(1)
    os.dup2(2, 1)  # stray prints from libraries must not corrupt the result stream
    sys.stdout = sys.stderr
    func_path, args, memory_mb, timeout, max_result_bytes = pickle.loads(sys.stdin.buffer.read())
    _limit_resources(memory_mb, timeout, max_result_bytes)
    try:
        module_name, func_name = func_path.split(":")
        func = getattr(importlib.import_module(module_name), func_name)
        outcome = ("ok", func(*args))
        blob = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
        if len(blob) > max_result_bytes:
            blob = pickle.dumps(("too_large", len(blob)))
    except MemoryError:
        blob = pickle.dumps(("memory",))
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which decides
        blob = pickle.dumps(("raised", type(exc).__qualname__, str(exc)[:2000],
                             traceback.format_exc()[-STDERR_KEPT_BYTES:]))
    with os.fdopen(result_fd, "wb") as out:
        out.write(blob)
    sys.stderr.flush()
    os._exit(0)  # skip interpreter teardown of a possibly huge heap


if __name__ == "__main__":
    _worker_main()
