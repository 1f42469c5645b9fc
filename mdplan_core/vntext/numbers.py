"""Numbers as Vietnamese sheets write them: a dot groups thousands, a comma marks decimals."""
from __future__ import annotations

import numbers
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from .cells import EXCEL_ERRORS, is_missing
from .display import format_number
from .normalise import nfc

# User-facing text, kept together so wording can be reviewed in one place.
MESSAGES = {
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
}


@dataclass(frozen=True)
class ParsedNumber:
    value: int | float | None
    warning: str | None = None
    error: str | None = None
    code: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


_NUMBER_TEXT = re.compile(
    r"(?P<sign>[+\-\u2212]?)(?P<body>\d(?:[\d.,\s]*\d)?)"
    r"(?:\s*(?P<unit>[^\W\d_]+(?:\s+[^\W\d_]+)*))?"
)



# A value this close to a whole number is that number: Excel stores `=90*70%` as
# 62.99999999999999, and an officer typed 63.
WHOLE_TOLERANCE = Decimal("1e-9")
# The most decimals a message shows: a typed 12,5 shows as typed, a computed 2,3333333 as 2,333.
SHOWN_DECIMALS = 3


def _plain(d: Decimal) -> int | float:
    return int(d) if d == d.to_integral_value() else float(d)


def _snap(d: Decimal) -> Decimal:
    whole = d.to_integral_value()
    return whole if abs(d - whole) <= WHOLE_TOLERANCE else d


def whole_if_near(value):
    """`value` as a whole number (int) when it lies within 1e-9 of one, else unchanged."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) \
            or isinstance(value, numbers.Integral):
        return value
    try:
        d = Decimal(str(float(value)))
    except (InvalidOperation, ValueError):
        return value
    if not d.is_finite():
        return value
    snapped = _snap(d)
    return int(snapped) if snapped != d or d == d.to_integral_value() else value


def show_number(value) -> str:
    """A number in a message, as an officer would write it: 1.234 / 12,5 / 2,333; a value
    within 1e-9 of a whole number as that number. Never more than SHOWN_DECIMALS decimals."""
    value = whole_if_near(value)
    if isinstance(value, numbers.Integral):
        return format_number(value)
    exponent = Decimal(str(value)).as_tuple().exponent
    decimals = min(SHOWN_DECIMALS, -exponent) if isinstance(exponent, int) and exponent < 0 else 0
    shown = format_number(value, decimals)
    return shown.rstrip("0").rstrip(",") if "," in shown else shown


_show = show_number


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
    if is_missing(value):
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
        d = _snap(d)  # a cell computed by a formula
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

