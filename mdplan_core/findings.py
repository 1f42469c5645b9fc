"""Findings: what reading and validation say about a user's file.

Bad data from a user is expected, so readers and validators return findings
instead of raising. Each finding has a stable code, a place and a message in
Vietnamese that an officer can act on.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Finding:
    severity: Severity
    code: str
    message: str
    sheet: str | None = None
    cell: str | None = None
    file: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def as_dict(self) -> dict:
        return asdict(self)


def error(code: str, message: str, **where) -> Finding:
    return Finding("error", code, message, **where)


def warning(code: str, message: str, **where) -> Finding:
    return Finding("warning", code, message, **where)


def has_errors(findings) -> bool:
    return any(f.is_error for f in findings)
