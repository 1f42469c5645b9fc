"""Name resolution: typed names of districts, communes, agencies and units to their ids,
without ever guessing."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .normalise import match_key, nfc

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
}


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
        "huyện", "phường", "xã", "tp", "tx", "ttr", "tt", "t t", "h", "x", "p",
    )
)
_CONJUNCTIONS = _spellings("và")
# "Nam Mẫu (Ba Bể)", "xã Kim Hỷ, huyện Na Rì", "TT Bằng Lũng - Chợ Đồn": a place and the
# place it lies in, as Vietnamese addresses write them.
_IN_BRACKETS = re.compile(r"^(.+?)\s*\((.+)\)$")
_SEPARATORS = re.compile(r"\s*,\s*|\s+[-\u2013\u2014]\s+")
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


def with_parent(text) -> list[tuple[str, str]]:
    """The ways `text` may be a name written with the name of the place it lies in:
    [(name, parent), ...], the usual order first. Empty when it has no such part."""
    text = " ".join(nfc(str(text or "")).split())
    if m := _IN_BRACKETS.match(text):
        return [(m[1], m[2].strip())]
    parts = [p for p in _SEPARATORS.split(text) if p]
    if len(parts) != 2:
        return []
    return [(parts[0], parts[1]), (parts[1], parts[0])]


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance: letters inserted, deleted or replaced to turn a into b."""
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def _close_enough(typed: str) -> int:
    """The most edits a suggestion may be from a typed key (compared without spaces)."""
    return max(2, len(typed) // 3)


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
        # Suggestions are names a typo away (on folded names), nearest first.
        typed = stages[-1]
        limit = _close_enough(typed)
        near = sorted((d, key) for key in self._by_name
                      if (d := edit_distance(typed, key)) <= limit)
        ids = tuple(dict.fromkeys(i for _d, key in near for i in self._by_name[key]))[:3]
        if not ids:
            return Resolution(None, (), "unknown", MESSAGES["name.unknown"].format(kind=kind, text=shown))
        listed = ", ".join(self._display[i] for i in ids)
        message = MESSAGES["name.unknown_suggest"].format(kind=kind, text=shown, candidates=listed)
        return Resolution(None, ids, "unknown", message)

