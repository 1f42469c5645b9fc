"""Vietnamese text handling, one module per job:

- `normalise`: NFC, invisible characters, match keys (which spellings mean the same thing);
- `names`: typed names of places, agencies and units to their ids, never guessing;
- `legacy`: text typed in the old TCVN3 (ABC) and VNI fonts;
- `numbers`, `dates`: values as Vietnamese sheets write them;
- `display`: numbers, percentages and dates shown the Vietnamese way;
- `cells`: what a cell holds before any reading (blanks, Excel error values).
The control-character rule is `mdplan_core.controlchars`.

Everything that turns an officer's typed text into data passes through here, so the rules
for "which spellings mean the same thing" live in one place. Bad input is expected: parsers
return a value plus a Vietnamese message and a stable code; they never raise on user data.

`from mdplan_core.vntext import X` works for every public name. A name loads its module when
first asked for, so a caller that only shows dates never loads the legacy tables.
"""
from __future__ import annotations

from importlib import import_module

# The control-character rule is part of this package's face; it is light, so it loads at once.
from ..controlchars import CELL_TEXT_LIMIT, clean_text, dropped_controls, show_codepoints  # noqa: F401

_HOMES = {name: module for module, names in {
    "normalise": ("nfc", "match_key", "compact_key"),
    "names": ("KIND_LABELS", "Resolution", "NameResolver", "with_parent", "edit_distance"),
    "legacy": ("legacy_font_encoding", "tcvn3_to_unicode", "unicode_to_tcvn3", "vni_to_unicode",
               "unicode_to_vni", "detect_legacy", "fix_legacy"),
    "cells": ("EXCEL_ERRORS", "is_missing"),
    "numbers": ("ParsedNumber", "parse_number", "whole_if_near", "show_number"),
    "dates": ("ParsedDate", "parse_date"),
    "display": ("format_number", "format_percent", "format_amount", "format_date", "format_datetime"),
}.items() for name in names}


def __getattr__(name: str):
    module = _HOMES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # the next lookup is a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_HOMES})
