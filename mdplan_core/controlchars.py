"""Control characters: what typed text may hold once it is data. One rule for every path by
which typed text becomes data (the readers, the web form, account names, file names), kept
apart from `vntext` so that the sandboxed reader worker imports only this."""
from __future__ import annotations

import re

# The longest text an Excel cell holds; openpyxl silently cuts anything longer.
CELL_TEXT_LIMIT = 32_767

# Line breaks other programs write: VT is Word's manual line break pasted into Excel
# (Shift+Enter), FF a page break, NEL/LS/PS Unicode's own, CR and CR LF Windows' and old Macs'.
_LINE_BREAK = re.compile("\r\n|[\r\x0b\x0c\x85\u2028\u2029]")
# The other control characters (C0 but tab and newline, DEL, C1): invisible, refused by
# XML (openpyxl raises), and NUL is refused by PostgreSQL.
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]")
_UNCLEAN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")  # either of the two


def clean_text(text, *, single_line: bool = False):
    """Text as mdplan stores it: line-break characters become "\\n" and the other control
    characters (C0 but tab and newline, DEL, C1) are dropped. `single_line` (names, file
    names) makes every line break a space. None and non-strings are returned unchanged.

    Every path by which typed text becomes data calls this (readers, the web form, account
    names, file names); the store refuses text it would still change."""
    if not isinstance(text, str):
        return text
    if _UNCLEAN.search(text) is not None:
        text = _CONTROL.sub("", _LINE_BREAK.sub("\n", text))
    return text.replace("\n", " ") if single_line and "\n" in text else text


def dropped_controls(text) -> list[str]:
    """The characters `clean_text` drops from `text` (line breaks are kept), each once,
    in order of appearance."""
    if not isinstance(text, str) or _UNCLEAN.search(text) is None:
        return []
    return list(dict.fromkeys(_CONTROL.findall(_LINE_BREAK.sub("\n", text))))


def show_codepoints(chars) -> str:
    """'\\x00\\x1b' -> 'U+0000, U+001B': invisible characters named for a message."""
    return ", ".join(f"U+{ord(c):04X}" for c in chars)
