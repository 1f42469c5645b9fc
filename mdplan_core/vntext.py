"""Vietnamese text handling: normalisation, name matching, legacy encodings,
numbers and dates as Vietnamese sheets write them, and display formatting.

Everything that turns an officer's typed text into data passes through here,
so the rules for "which spellings mean the same thing" live in one place.
Bad input is expected: parsers return a value plus a Vietnamese message and a
stable code; they never raise on user data.
"""
from __future__ import annotations

import difflib
import math
import numbers
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

# The control-character rule is part of this module's face, but lives in a light module of its
# own that the sandboxed reader worker imports without this module's tables.
from .controlchars import CELL_TEXT_LIMIT, clean_text, dropped_controls, show_codepoints  # noqa: F401

# User-facing text, kept together so wording can be reviewed in one place.
KIND_LABELS = {
    "district": "huyện",
    "commune": "xã/phường/thị trấn",
    "agency": "cơ quan",
    "unit": "đơn vị",
}

MESSAGES = {
    "name.empty": "Chưa nhập tên {kind}.",
    "name.unknown": "Không nhận ra tên {kind} '{text}'.",
    "name.unknown_suggest": "Không nhận ra tên {kind} '{text}'. Có phải: {candidates}?",
    "name.ambiguous": "Tên {kind} '{text}' khớp với nhiều mục: {candidates}. Hãy ghi tên đầy đủ hơn.",
    "number.not_a_number": "Không đọc được số từ '{text}'. Chỉ nhập số, ví dụ 1.234 hoặc 12,5.",
    "number.english_format": (
        "Không đọc được số '{text}': có vẻ được viết theo kiểu tiếng Anh. Hãy dùng dấu chấm "
        "để ngăn cách hàng nghìn và dấu phẩy cho phần thập phân, ví dụ 1.234,5."
    ),
    "number.formula_error": "Ô có lỗi công thức Excel {error}. Hãy sửa công thức hoặc nhập số trực tiếp.",
    "number.unit_suffix": "Đã bỏ chữ '{unit}' sau số {number}; chỉ nhập số.",
    "number.dot_decimal": (
        "Đã hiểu '{text}' là {number}. Tiếng Việt dùng dấu phẩy cho phần thập phân "
        "({number}); dấu chấm dùng để ngăn cách hàng nghìn."
    ),
    "number.ambiguous_separator": (
        "Đã hiểu '{text}' là {number} vì tiếng Việt dùng dấu phẩy cho phần thập phân. "
        "Nếu muốn ghi số hàng nghìn, hãy ghi {thousands} hoặc không dùng dấu ngăn cách."
    ),
    "number.fraction": "Phải là số nguyên, nhưng '{text}' có phần thập phân.",
    "date.not_a_date": "Không đọc được ngày từ '{text}'. Hãy ghi ngày/tháng/năm, ví dụ 15/12/2017.",
    "date.short_year": "Năm trong '{text}' phải ghi đủ 4 chữ số, ví dụ 15/12/2017.",
    "date.bad_month": "Ngày '{text}' không có thật: không có tháng {month}.",
    "date.bad_day": "Ngày '{text}' không có thật: tháng {month}/{year} chỉ có {days} ngày.",
    "date.serial_out_of_range": "Số {text} không phải là một ngày hợp lệ.",
    "date.formula_error": "Ô có lỗi công thức Excel {error}. Hãy sửa công thức hoặc nhập ngày trực tiếp.",
}

EXCEL_ERRORS = frozenset({"#REF!", "#VALUE!", "#DIV/0!", "#N/A", "#NAME?", "#NUM!", "#NULL!"})

# ---------------------------------------------------------------------------
# Normalisation and match keys
# ---------------------------------------------------------------------------

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


# ---------------------------------------------------------------------------
# Name resolution
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Resolution:
    id: str | None
    candidates: tuple[str, ...]
    status: str  # "ok" | "unknown" | "ambiguous" | "empty"
    message: str

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def _spellings(*forms: str) -> frozenset[str]:
    # A prefix word matches when typed with its own diacritics or with none,
    # so "huyện"/"huyen" strip but the commune "Huyền Tụng" keeps its name.
    return frozenset(forms) | {match_key(f) for f in forms}


# Administrative prefixes officers type before a name, longest first.
_PREFIXES = tuple(
    tuple(_spellings(*word.split("|")) for word in prefix.split())
    for prefix in (
        "ủy|uỷ ban nhân dân", "ubnd", "thành phố", "thị xã", "thị trấn",
        "huyện", "phường", "xã", "tp", "tx", "tt", "h", "x", "p",
    )
)
_CONJUNCTIONS = _spellings("và")
_VOWELS = set("aeiouy")


def _soft_tokens(text: str) -> list[str]:
    """Lower-case words that keep their diacritics."""
    return re.findall(r"[^\W_]+", unicodedata.normalize("NFC", nfc(text).casefold()))


def _prefix_stages(text: str) -> list[list[str]]:
    """Words of text with 0, 1, 2, ... leading administrative prefixes removed."""
    tokens = _soft_tokens(text)
    stages = [tokens]
    while True:
        for prefix in _PREFIXES:
            n = len(prefix)
            # Strip only whole words, and only when a name remains after them.
            if len(tokens) > n and all(t in forms for t, forms in zip(tokens, prefix)):
                tokens = tokens[n:]
                stages.append(tokens)
                break
        else:
            return stages


def _key_stages(text: str, drop_conjunctions: bool = False) -> list[str]:
    """match_keys of text with 0, 1, 2, ... prefixes removed (compare them compacted)."""
    stages = _prefix_stages(text)
    if drop_conjunctions:
        # "Sở Lao động Thương binh Xã hội" is the same agency with or without "và".
        stages = [[t for t in stage if t not in _CONJUNCTIONS] or stage for stage in stages]
    return [match_key(" ".join(stage)) for stage in stages]


def _acronyms(name: str) -> set[str]:
    """Abbreviations officers write for a long agency name.

    'Sở Lao động - Thương binh và Xã hội' -> sldtbxh, soldtbxh, ...;
    'Công an tỉnh' -> 'catinh' (CA tỉnh).
    """
    tokens = _prefix_stages(name)[-1]
    words = [match_key(t) for t in tokens if t not in _CONJUNCTIONS]
    if len(words) < 3:
        return set()

    def initials(ws):
        # A word with no vowel ("mttq") is already an abbreviation: keep it whole.
        return "".join(w if not (_VOWELS & set(w)) else w[0] for w in ws)

    return {
        initials(words),
        words[0] + initials(words[1:]),
        words[0] + initials(words[1:-1]) + words[-1],
        initials(words[:-1]) + words[-1],
    }


class NameResolver:
    """Resolve typed names to ids without ever guessing.

    entries: [(id, [name, alias, ...]), ...]. Keys are compared after removing
    administrative prefixes (huyện, TP., xã, UBND, ...) and ignoring case,
    diacritics and punctuation. A key that two different ids share is ambiguous.
    For agencies and units, acronyms of each name are matched too, but only
    when no full name or alias matches.
    """

    def __init__(self, entries, kind: str = "district"):
        if kind not in KIND_LABELS:
            raise ValueError(f"unknown kind {kind!r}; expected one of {sorted(KIND_LABELS)}")
        self.kind = kind
        self._long_names = kind in ("agency", "unit")
        self._display: dict[str, str] = {}
        self._by_name: dict[str, list[str]] = {}
        self._by_acronym: dict[str, list[str]] = {}
        self._spaced: dict[str, list[str]] = {}  # for suggestions: spaces help difflib
        for entry_id, names in entries:
            entry_id = str(entry_id)
            names = [names] if isinstance(names, str) else list(names)
            if not names:
                raise ValueError(f"entry {entry_id!r} has no name")
            self._display.setdefault(entry_id, nfc(names[0]).strip())
            for name in names:
                key = _key_stages(name, self._long_names)[-1]
                if not key:
                    raise ValueError(f"entry {entry_id!r} has a blank name")
                self._add(self._by_name, key.replace(" ", ""), entry_id)
                self._add(self._spaced, key, entry_id)
                if self._long_names:
                    for acronym in _acronyms(name):
                        self._add(self._by_acronym, acronym, entry_id)

    @staticmethod
    def _add(index, key, entry_id):
        # The same key for the same id is harmless; for two ids it is ambiguous.
        ids = index.setdefault(key, [])
        if entry_id not in ids:
            ids.append(entry_id)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(self._display)

    def name_of(self, entry_id: str) -> str:
        return self._display[entry_id]

    def resolve(self, text) -> Resolution:
        shown = "" if text is None else " ".join(nfc(str(text)).split())
        kind = KIND_LABELS[self.kind]
        spaced = _key_stages(shown, self._long_names)
        stages = [key.replace(" ", "") for key in spaced]
        if not stages[-1]:
            return Resolution(None, (), "empty", MESSAGES["name.empty"].format(kind=kind))
        # Full names beat acronyms; within each, the least-stripped key wins.
        for index in (self._by_name, self._by_acronym):
            for key in stages:
                ids = index.get(key)
                if ids and len(ids) == 1:
                    return Resolution(ids[0], (ids[0],), "ok", "")
                if ids:
                    listed = ", ".join(f"{self._display[i]} (mã {i})" for i in ids)
                    message = MESSAGES["name.ambiguous"].format(kind=kind, text=shown, candidates=listed)
                    return Resolution(None, tuple(ids), "ambiguous", message)
        close = difflib.get_close_matches(spaced[-1], list(self._spaced), n=5, cutoff=0.6)
        ids = tuple(dict.fromkeys(i for key in close for i in self._spaced[key]))[:3]
        if not ids:
            return Resolution(None, (), "unknown", MESSAGES["name.unknown"].format(kind=kind, text=shown))
        listed = ", ".join(self._display[i] for i in ids)
        message = MESSAGES["name.unknown_suggest"].format(kind=kind, text=shown, candidates=listed)
        return Resolution(None, ids, "unknown", message)


# ---------------------------------------------------------------------------
# Legacy encodings: TCVN3 (ABC) and VNI
# ---------------------------------------------------------------------------

# Tone marks in the order both legacy tables list them: huyền, hỏi, ngã, sắc, nặng.
_TONES = "\u0300\u0309\u0303\u0301\u0323"


def _toned(shape: str) -> list[str]:
    return [unicodedata.normalize("NFC", shape + t) for t in _TONES]


# TCVN 5712:1993, VN3 subset (the "ABC" fonts .VnTime, .VnArial, ...): one
# byte per lower-case letter, shape letter then its five toned forms. Upper
# case exists only for the seven bare shape letters; the toned capitals are the
# same bytes drawn by the "H" fonts (.VnTimeH). Read as Latin-1 characters.
_TCVN3_LOWER = {
    "a": "aµ¶·¸¹", "ă": "¨»¼½¾Æ", "â": "©ÇÈÉÊË", "e": "eÌÎÏÐÑ", "ê": "ªÒÓÔÕÖ",
    "i": "i×ØÜÝÞ", "o": "oßáâãä", "ô": "«åæçèé", "ơ": "¬êëìíî", "u": "uïñòóô",
    "ư": "\xadõö÷øù", "y": "yúûüýþ",
}
_TCVN3_UPPER = dict(zip("ĂÂÊÔƠƯĐ", "¡¢£¤¥¦§"))

_TO_TCVN3: dict[str, str] = {"đ": "®"}
for _shape, _codes in _TCVN3_LOWER.items():
    _TO_TCVN3.update(zip([_shape, *_toned(_shape)], _codes))
_TO_TCVN3 = {u: c for u, c in _TO_TCVN3.items() if not c.isascii()}
_FROM_TCVN3 = {ord(c): u for u, c in _TO_TCVN3.items()}
_FROM_TCVN3.update({ord(c): u for u, c in _TCVN3_UPPER.items()})

# VNI Windows encoding (VNI Software's fonts VNI-Times, VNI-Helve, ...): a base
# letter followed by one modifier byte that carries the shape and/or tone.
# Exceptions: i's toned forms, ỵ, ơ, ư and đ are single bytes. Modifiers listed
# in tone order huyền, hỏi, ngã, sắc, nặng; read as cp1252 characters.
_VNI_TONE = "øûõùï"
_VNI_LOWER = {
    "a": ("a", ["a" + m for m in _VNI_TONE]),
    "ă": ("aê", ["a" + m for m in "èúüéë"]),
    "â": ("aâ", ["a" + m for m in "àåãáä"]),
    "e": ("e", ["e" + m for m in _VNI_TONE]),
    "ê": ("eâ", ["e" + m for m in "àåãáä"]),
    "i": ("i", list("ìæóíò")),
    "o": ("o", ["o" + m for m in _VNI_TONE]),
    "ô": ("oâ", ["o" + m for m in "àåãáä"]),
    "ơ": ("ô", ["ô" + m for m in _VNI_TONE]),
    "u": ("u", ["u" + m for m in _VNI_TONE]),
    "ư": ("ö", ["ö" + m for m in _VNI_TONE]),
    "y": ("y", ["y" + m for m in _VNI_TONE[:4]] + ["î"]),
}
_TO_VNI: dict[str, str] = {"đ": "ñ", "Đ": "Ñ"}
for _shape, (_bare, _forms) in _VNI_LOWER.items():
    for _u, _v in zip([_shape, *_toned(_shape)], [_bare, *_forms]):
        if not _v.isascii():
            _TO_VNI[_u] = _v
            _TO_VNI[_u.upper()] = _v.upper()
_FROM_VNI = {v: u for u, v in _TO_VNI.items()}
# Be lenient when reading: the base letter's case decides, whatever the modifier's.
for _v, _u in list(_FROM_VNI.items()):
    if len(_v) == 2:
        _FROM_VNI.setdefault(_v[0] + _v[1].swapcase(), _u)
del _shape, _codes, _bare, _forms, _u, _v
_VNI_TOKEN = re.compile("|".join(map(re.escape, sorted(_FROM_VNI, key=len, reverse=True))))

# Characters above Latin-1 that Windows-1252 also produces; legacy text may hold them.
_CP1252_EXTRA = frozenset(bytes(range(0x80, 0xA0)).decode("cp1252", errors="ignore"))
_LEGACY_CHARS = frozenset(c for c in "".join([*_TO_TCVN3.values(), *_TCVN3_UPPER.values(),
                                              *_TO_VNI.values()]) if not c.isascii())
_WORD = re.compile("(?:[^\\W\\d_]|[" + re.escape("".join(sorted(_LEGACY_CHARS))) + "])+")


def legacy_font_encoding(font_name) -> str | None:
    """'tcvn3' for .Vn* fonts, 'vni' for VNI-* fonts, else None."""
    if not isinstance(font_name, str):
        return None
    name = font_name.strip().lower()
    if name.startswith(".vn"):
        return "tcvn3"
    if name.startswith(("vni-", "vni ")):
        return "vni"
    return None


def _tcvn3_upper_font(font_name) -> bool:
    # .VnTimeH, .VnArialH, ...: capitals drawn at the lower-case codes.
    return isinstance(font_name, str) and font_name.strip().endswith("H")


def tcvn3_to_unicode(text, upper: bool = False):
    """Decode TCVN3 text read as Latin-1; upper=True for the .Vn...H fonts."""
    if not isinstance(text, str):
        return text
    out = text.translate(_FROM_TCVN3)
    return nfc(out.upper() if upper else out)


def unicode_to_tcvn3(text: str, upper: bool = False) -> str:
    """Encode to TCVN3. upper=True writes for an "H" font (all capitals).

    Raises ValueError for a toned capital without upper=True: plain TCVN3
    fonts cannot show it.
    """
    out = []
    for c in nfc(text):
        if upper:
            out.append(_TO_TCVN3.get(c.lower(), c.upper()))
        elif c in _TO_TCVN3 or c in _TCVN3_UPPER:
            out.append(_TO_TCVN3.get(c) or _TCVN3_UPPER[c])
        elif c.lower() in _TO_TCVN3 and c != c.lower():
            raise ValueError(f"{c!r} cannot be written in TCVN3 without an uppercase (H) font")
        else:
            out.append(c)
    return "".join(out)


def vni_to_unicode(text):
    """Decode VNI text read as cp1252 characters."""
    if not isinstance(text, str):
        return text
    return nfc(_VNI_TOKEN.sub(lambda m: _FROM_VNI[m.group()], text))


def unicode_to_vni(text: str) -> str:
    return "".join(_TO_VNI.get(c, c) for c in nfc(text))


# A rough Vietnamese syllable shape (tone removed), used to judge which reading
# of a word is Vietnamese. Over-permissive is fine; it only has to reject garbage.
_SYLLABLE = re.compile(
    "(?P<onset>ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnprstvx])?"
    "(?P<rhyme>iêu|yêu|oai|oao|oay|oeo|uây|uôi|ươi|ươu|uya|uyu|ai|ao|au|ay|âu|ây|eo|êu|ia|iu"
    "|oi|ôi|ơi|ua|ui|ưa|ưi|ưu"
    "|(?:uyê|iê|yê|uô|ươ|oo|ôô|oa|oă|oe|uâ|uê|uơ|uy|[aăâeêioôơuưy])(?:ch|ng|nh|[cmnpt])?)"
)
# A bare "y" follows only these onsets (kỳ, lý, quý, ...); "chỵ" is not Vietnamese.
_Y_ONSETS = {None, "d", "h", "k", "l", "m", "n", "qu", "s", "t", "v"}


def _is_syllable(word: str) -> bool:
    decomposed = unicodedata.normalize("NFD", word.lower())
    if sum(c in _TONES for c in decomposed) > 1:
        return False
    bare = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONES))
    m = _SYLLABLE.fullmatch(bare)
    return m is not None and (m["rhyme"] != "y" or m["onset"] in _Y_ONSETS)


def _is_unicode_vietnamese(c: str) -> bool:
    o = ord(c)
    return ((0x100 <= o <= 0x24F and c not in _CP1252_EXTRA)
            or 0x300 <= o <= 0x36F or 0x1E00 <= o <= 0x1EFF)


def _gain(text: str, decode) -> int:
    """How many more words read as Vietnamese syllables after decoding."""
    gain = 0
    for word in _WORD.findall(text):
        decoded = decode(word)
        if len(word) >= 2 and decoded != word:
            gain += _is_syllable(decoded) - _is_syllable(word)
    return gain


def detect_legacy(text) -> str | None:
    """Guess 'tcvn3' or 'vni' for text that carries no font information.

    Conservative: any Vietnamese letter outside Latin-1 (NFC or NFD) means the
    text is already Unicode. Otherwise each encoding scores by how many words
    become Vietnamese syllables once decoded; the clear winner is returned.
    """
    if not isinstance(text, str) or text.isascii():
        return None
    if any(_is_unicode_vietnamese(c) for c in text):
        return None
    tcvn3 = _gain(text, tcvn3_to_unicode)
    vni = _gain(text, vni_to_unicode)
    if max(tcvn3, vni) <= 0 or tcvn3 == vni:
        return None
    return "tcvn3" if tcvn3 > vni else "vni"


def fix_legacy(text, font_name=None) -> tuple:
    """(unicode_text, encoding or None). A legacy font name wins over detection.

    Text that already holds Unicode Vietnamese letters is left alone even in a
    legacy-font cell (pasted Unicode keeps the old font).
    """
    if not isinstance(text, str):
        return text, None
    encoding = legacy_font_encoding(font_name)
    if encoding is not None:
        if any(_is_unicode_vietnamese(c) for c in text):
            return nfc(text), None
        upper = _tcvn3_upper_font(font_name)
    else:
        encoding = detect_legacy(text)
        ascii_letters = [c for c in text if c.isascii() and c.isalpha()]
        # Without a font, all-capital Latin letters mean an "H" font was used.
        upper = len(ascii_letters) >= 2 and all(c.isupper() for c in ascii_letters)
    if encoding is None:
        return nfc(text), None
    out = tcvn3_to_unicode(text, upper=upper) if encoding == "tcvn3" else vni_to_unicode(text)
    return out, (encoding if out != nfc(text) else None)


# ---------------------------------------------------------------------------
# Numbers and dates as Vietnamese sheets write them
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class ParsedNumber:
    value: int | float | None
    warning: str | None = None
    error: str | None = None
    code: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class ParsedDate:
    value: date | None
    error: str | None = None
    code: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


_NUMBER_TEXT = re.compile(
    r"(?P<sign>[+\-\u2212]?)(?P<body>\d(?:[\d.,\s]*\d)?)"
    r"(?:\s*(?P<unit>[^\W\d_]+(?:\s+[^\W\d_]+)*))?"
)


def _is_missing(value) -> bool:
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN, NaT
    except TypeError:
        return True  # pandas.NA refuses to be a bool
    except (ValueError, ArithmeticError):
        return False


def _plain(d: Decimal) -> int | float:
    return int(d) if d == d.to_integral_value() else float(d)


def _show(value) -> str:
    """A parsed value the way the message reader writes it: 1.234,5."""
    exponent = Decimal(str(value)).as_tuple().exponent
    return format_number(value, max(0, -exponent) if isinstance(exponent, int) else 0)


def _number_error(code: str, text, key: str | None = None, **extra) -> ParsedNumber:
    message = MESSAGES[key or code].format(text=text, **extra)
    return ParsedNumber(None, None, message, code)


def _read_body(body: str):
    """Digits with Vietnamese separators -> (Decimal, warning key) or None."""
    if re.search(r"\s", body):
        # Spaces (also NBSP) group thousands: "1 234" or "1 234,5".
        body = " ".join(body.split())
        if not re.fullmatch(r"\d{1,3}(?: \d{3})+(?:,\d+)?", body):
            return None
        body = body.replace(" ", "")
    if re.fullmatch(r"\d+", body):
        return Decimal(body), None
    if re.fullmatch(r"[1-9]\d{0,2}(?:\.\d{3})+(?:,\d+)?", body):
        return Decimal(body.replace(".", "").replace(",", ".")), None
    if re.fullmatch(r"\d+,\d+", body):
        # In an English sheet "1,234" is a thousand; here it is a decimal comma.
        key = "number.ambiguous_separator" if re.fullmatch(r"[1-9]\d{0,2},\d{3}", body) else None
        return Decimal(body.replace(",", ".")), key
    if re.fullmatch(r"\d+\.\d+", body):
        return Decimal(body), "number.dot_decimal"
    return None


def parse_number(value, *, integer: bool = False) -> ParsedNumber:
    """Read a number the way Vietnamese sheets write it.

    A dot followed by groups of exactly three digits separates thousands
    ("1.234.567"); the comma is the decimal mark ("12,5", "1.234,5"). Ambiguous
    forms are read the Vietnamese way with a warning: "12.5" is 12,5
    (number.dot_decimal) and "1,234" is 1,234 (number.ambiguous_separator),
    not one thousand. Trailing unit words ("10 lớp") are dropped with a warning
    (number.unit_suffix); "12,5%" is 12.5. Blank stays None, never zero. Signs
    pass through: refusing negatives is validation's job. Anything else is an
    error (number.not_a_number, number.formula_error, number.fraction).
    """
    if isinstance(value, bool):
        return _number_error("number.not_a_number", value)
    if _is_missing(value):
        return ParsedNumber(None)
    if isinstance(value, numbers.Number):
        try:
            if isinstance(value, numbers.Integral):
                d = Decimal(int(value))
            else:
                d = value if isinstance(value, Decimal) else Decimal(str(float(value)))
        except (InvalidOperation, TypeError, ValueError):
            return _number_error("number.not_a_number", value)
        if not d.is_finite():
            return _number_error("number.not_a_number", value)
        return _finish(d, [], integer, _show(_plain(d)))
    if not isinstance(value, str):
        return _number_error("number.not_a_number", value)

    text = " ".join(nfc(value).split())
    if not text:
        return ParsedNumber(None)
    if text.upper() in EXCEL_ERRORS:
        return _number_error("number.formula_error", text, error=text.upper())
    percent = text.endswith("%")
    m = _NUMBER_TEXT.fullmatch(text[:-1].rstrip() if percent else text)
    if not m or (percent and m["unit"]):
        return _number_error("number.not_a_number", text)
    read = _read_body(m["body"])
    if read is None:
        english = re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", m["body"])
        return _number_error("number.not_a_number", text, "number.english_format" if english else None)
    d, separator_key = read
    if m["sign"] in ("-", "\u2212"):
        d = -d
    warnings = []
    if separator_key:
        int_part, _, frac = m["body"].partition(",")
        warnings.append((separator_key, MESSAGES[separator_key].format(
            text=text, number=_show(_plain(d)), thousands=f"{int_part}.{frac}")))
    if m["unit"]:
        warnings.append(("number.unit_suffix", MESSAGES["number.unit_suffix"].format(
            unit=m["unit"], number=_show(_plain(d)))))
    return _finish(d, warnings, integer, text)


def _finish(d: Decimal, warnings, integer: bool, shown) -> ParsedNumber:
    if integer and d != d.to_integral_value():
        # Keep the separator explanation: "1,234" for a count was likely meant as 1234.
        refused = _number_error("number.fraction", shown)
        hints = [msg for code, msg in warnings if code != "number.unit_suffix"]
        return ParsedNumber(None, None, " ".join([refused.error, *hints]), refused.code)
    if not warnings:
        return ParsedNumber(_plain(d))
    # The first warning's code identifies the case; all messages are kept.
    return ParsedNumber(_plain(d), " ".join(msg for _, msg in warnings), None, warnings[0][0])


_EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 = 31/12/1899 here; Excel's 1900 leap-year bug shifts serials below 61
_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})" + _TIME)
_DMY_DATE = re.compile(r"(\d{1,2})([/.\-])(\d{1,2})\2(\d{4})" + _TIME)
_DMY_SHORT_YEAR = re.compile(r"\d{1,2}([/.\-])\d{1,2}\1\d{2}")
_WORDY_DATE = re.compile(r"ngày\s*(\d{1,2})\s*tháng\s*(\d{1,2})\s*năm\s*(\d{4})", re.IGNORECASE)


def _date_error(code: str, text, key: str | None = None, **extra) -> ParsedDate:
    return ParsedDate(None, MESSAGES[key or code].format(text=text, **extra), code)


def _make_date(year: int, month: int, day: int, text: str) -> ParsedDate:
    if year < 1:
        return _date_error("date.not_a_date", text)
    if not 1 <= month <= 12:
        return _date_error("date.invalid", text, "date.bad_month", month=month)
    try:
        return ParsedDate(date(year, month, day))
    except ValueError:
        first_of_next = date(year + month // 12, month % 12 + 1, 1)
        days = (first_of_next - timedelta(days=1)).day
        return _date_error("date.invalid", text, "date.bad_day", month=month, year=year, days=days)


def parse_date(value) -> ParsedDate:
    """Read a date, always day first: '03/04/2017' is 3 April 2017.

    Accepts date/datetime objects, ISO '2017-12-15', 'dd/mm/yyyy' with '/', '-'
    or '.', 'ngày 15 tháng 12 năm 2017', and Excel serial numbers. Blank is None.
    """
    if isinstance(value, bool):
        return _date_error("date.not_a_date", value)
    if _is_missing(value):
        return ParsedDate(None)
    if isinstance(value, datetime):
        return ParsedDate(value.date())
    if isinstance(value, date):
        return ParsedDate(value)
    if isinstance(value, numbers.Real):
        serial = float(value)
        if not (math.isfinite(serial) and 1 <= serial < 60001):
            return _date_error("date.not_a_date", value, "date.serial_out_of_range")
        return ParsedDate(_EXCEL_EPOCH + timedelta(days=int(serial)))
    if not isinstance(value, str):
        return _date_error("date.not_a_date", value)

    text = " ".join(nfc(value).split())
    if not text:
        return ParsedDate(None)
    if text.upper() in EXCEL_ERRORS:
        return _date_error("date.formula_error", text, error=text.upper())
    if m := _ISO_DATE.fullmatch(text):
        return _make_date(int(m[1]), int(m[2]), int(m[3]), text)
    if m := _DMY_DATE.fullmatch(text):
        return _make_date(int(m[4]), int(m[3]), int(m[1]), text)
    if m := _WORDY_DATE.fullmatch(text):
        return _make_date(int(m[3]), int(m[2]), int(m[1]), text)
    if _DMY_SHORT_YEAR.fullmatch(text):
        return _date_error("date.not_a_date", text, "date.short_year")
    return _date_error("date.not_a_date", text)


# ---------------------------------------------------------------------------
# Display formatting: 1.234 / 12,5% / 15/12/2017
# ---------------------------------------------------------------------------

def format_number(x, decimals: int = 0) -> str:
    """'1.234', '-1.234', '12,5' (decimals=1); None/NaN -> ''. Rounds half up."""
    if _is_missing(x):
        return ""
    d = x if isinstance(x, Decimal) else Decimal(int(x)) if isinstance(x, numbers.Integral) else Decimal(str(float(x)))
    if d.is_infinite():
        return "-∞" if d < 0 else "∞"
    d = d.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    if d == 0:
        d = abs(d)  # no "-0"
    return f"{d:,.{decimals}f}".translate(str.maketrans(",.", ".,"))


def format_percent(ratio, decimals: int = 1) -> str:
    """A ratio shown as a percentage: 0.125 -> '12,5%', 1 -> '100%' (',0' dropped)."""
    if _is_missing(ratio):
        return ""
    d = ratio if isinstance(ratio, Decimal) else Decimal(str(ratio))
    return re.sub(r",0+$", "", format_number(d * 100, decimals)) + "%"


def format_date(d) -> str:
    """'15/12/2017'; None -> ''."""
    if _is_missing(d):
        return ""
    return f"{d.day:02d}/{d.month:02d}/{d.year:04d}"


def format_datetime(dt) -> str:
    """'15/12/2017 14:05'; a plain date is shown as a date."""
    if _is_missing(dt):
        return ""
    if not isinstance(dt, datetime):
        return format_date(dt)
    return f"{format_date(dt)} {dt.hour:02d}:{dt.minute:02d}"
