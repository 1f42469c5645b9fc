"""Dates as Vietnamese sheets write them: always day first."""
from __future__ import annotations

import math
import numbers
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from .cells import EXCEL_ERRORS, is_missing
from .normalise import match_key, nfc

# User-facing text, kept together so wording can be reviewed in one place.
MESSAGES = {
    "date.not_a_date": "Không đọc được ngày từ '{text}'. Hãy ghi ngày/tháng/năm, ví dụ 15/12/2017.",
    "date.bad_month": "Ngày '{text}' không có thật: không có tháng {month}.",
    "date.bad_day": "Ngày '{text}' không có thật: tháng {month}/{year} chỉ có {days} ngày.",
    "date.serial_out_of_range": "Số {text} không phải là một ngày hợp lệ.",
    "date.formula_error": "Ô có lỗi công thức Excel {error}. Hãy sửa công thức hoặc nhập ngày trực tiếp.",
}


@dataclass(frozen=True)
class ParsedDate:
    value: date | None
    error: str | None = None
    code: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


_EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 = 31/12/1899 here; Excel's 1900 leap-year bug shifts serials below 61
_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})" + _TIME)
_DMY_DATE = re.compile(r"(\d{1,2})([/.\-])(\d{1,2})\2(\d{4}|\d{2})" + _TIME)
# On the match key (no case, diacritics or punctuation): "Ba Bể, ngày 28 tháng 3 năm 2017",
# "28 tháng 3 năm 2017", "ngay 28 thang 03 nam 17".
_WORDY_DATE = re.compile(r"(?:.* )?(?:ngay )?(\d{1,2}) thang (\d{1,2}) nam (\d{4}|\d{2})")
CENTURY = 2000  # a two-digit year is of this century: plans are from 2017 on


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
    or '.', 'ngày 15 tháng 12 năm 2017' (also without 'ngày', or after a place name as a
    document's date line is written), and Excel serial numbers. A two-digit year is of this
    century ('28/3/17' is 28/3/2017). Blank is None.
    """
    if isinstance(value, bool):
        return _date_error("date.not_a_date", value)
    if is_missing(value):
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
        return _make_date(_year(m[4]), int(m[3]), int(m[1]), text)
    if m := _WORDY_DATE.fullmatch(match_key(text)):
        return _make_date(_year(m[3]), int(m[2]), int(m[1]), text)
    return _date_error("date.not_a_date", text)


def _year(digits: str) -> int:
    return int(digits) + (CENTURY if len(digits) == 2 else 0)

