"""Normalisation and match keys: which spellings of a typed text mean the same thing."""
from __future__ import annotations

import re
import unicodedata

# Zero-width characters come from copy-paste out of Word and web pages; they
# make identical-looking names differ. The soft hyphen is NOT removed: it is
# the letter "ư" in TCVN3 text.
_INVISIBLE = {ord(c): None for c in "\u200b\u200c\u200d\u2060\ufeff"}
_INVISIBLE.update({0x00A0: " ", 0x202F: " ", 0x2007: " "})
_NON_WORD = re.compile(r"[\W_]+")


def nfc(text):
    """NFC-normalise text; drop zero-width characters; NBSP becomes a space.

    None and non-strings are returned unchanged.
    """
    if not isinstance(text, str):
        return text
    return unicodedata.normalize("NFC", text.translate(_INVISIBLE))


def _fold(text: str) -> str:
    # "Ð" (Icelandic eth) is often typed for "Đ" by fonts that lack it.
    s = nfc(text).casefold().replace("đ", "d").replace("ð", "d")
    return "".join(c for c in unicodedata.normalize("NFD", s) if not unicodedata.combining(c))


def match_key(text) -> str:
    """Key that ignores case, diacritics, punctuation and spacing: 'Bắc Kạn' -> 'bac kan'."""
    if text is None:
        return ""
    return " ".join(_NON_WORD.sub(" ", _fold(str(text))).split())


def compact_key(text) -> str:
    """match_key without spaces: 'Sở LĐ-TB&XH' -> 'soldtbxh'."""
    return match_key(text).replace(" ", "")
