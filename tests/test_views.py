"""views.plain: text shown through Streamlit's Markdown exactly as it was typed."""
import re

import pytest

from mdplan_core.views import WORD_JOINER, plain

TYPED = [
    "![x](http://host/x.png)",
    "[bấm vào đây](https://example.vn) và <img src=x> :red[đỏ] $x^2$ **đậm** `mã`",
    "Báo cáo quý I - Ba Bể (bản 2).xlsx",
    "www.example.vn\\_a",
]


@pytest.mark.parametrize("text", TYPED)
def test_plain_reads_back_as_typed(text):
    shown = re.sub(r"\\(.)", r"\1", plain(text)).replace(WORD_JOINER, "")
    assert shown == text


@pytest.mark.parametrize("text", TYPED)
def test_plain_leaves_no_markdown_and_no_bare_address(text):
    out = plain(text)
    unescaped = re.sub(r"\\.", "", out)
    assert not re.search(r"[\\`*_{}\[\]()<>#+\-.!|~$:&]", unescaped)
    assert not re.search(r"(?<!\u2060)\b(https?://|www\.)", re.sub(r"\\(.)", r"\1", out), re.I)
