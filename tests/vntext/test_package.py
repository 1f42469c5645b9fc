"""Tests for mdplan_core.vntext's face: every name imports from the package, and a name loads
only the module it lives in."""
from __future__ import annotations

import ast
import subprocess
import sys

import pytest

from mdplan_core import controlchars, vntext
from mdplan_core.vntext import display, legacy, names, normalise, numbers

# Names the engine, the pages and the tests import from the package.
FACE = {
    normalise: ["nfc", "match_key", "compact_key"],
    names: ["KIND_LABELS", "Resolution", "NameResolver"],
    legacy: ["legacy_font_encoding", "tcvn3_to_unicode", "unicode_to_tcvn3", "vni_to_unicode",
             "unicode_to_vni", "detect_legacy", "fix_legacy"],
    numbers: ["ParsedNumber", "parse_number"],
    display: ["format_number", "format_percent", "format_date", "format_datetime"],
    controlchars: ["CELL_TEXT_LIMIT", "clean_text", "dropped_controls", "show_codepoints"],
}


@pytest.mark.parametrize("module, name", [(m, n) for m, ns in FACE.items() for n in ns],
                         ids=lambda x: getattr(x, "__name__", x))
def test_every_name_imports_from_the_package(module, name):
    assert getattr(vntext, name) is getattr(module, name)
    assert name in dir(vntext)


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no_such_name"):
        vntext.no_such_name  # noqa: B018


def test_showing_a_date_loads_neither_the_legacy_tables_nor_name_matching():
    code = ("import sys\n"
            "from mdplan_core.vntext import format_date, clean_text\n"
            "print(sorted(m for m in sys.modules if m.startswith('mdplan_core.vntext.')"
            " or m == 'difflib'))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert ast.literal_eval(out.stdout) == ["mdplan_core.vntext.cells", "mdplan_core.vntext.display"]
