"""Legacy encodings: TCVN3 (ABC) and VNI text, decoded by font name or detected."""
from __future__ import annotations

import re
import unicodedata

from .normalise import nfc

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
