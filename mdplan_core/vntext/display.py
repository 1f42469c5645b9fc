"""Display formatting the Vietnamese way: 1.234 / 12,5% / 15/12/2017.

The one rounding rule for every figure a person reads (cards, charts, titles, metrics,
exports): half up; a percentage keeps one decimal and drops ',0' (118,8%, 64%, 100%); an
amount is whole when it is whole and keeps one decimal otherwise (1.234, 7,4). A figure
shown twice is therefore written the same twice; pass `decimals` only for a figure that is
never shown elsewhere."""
from __future__ import annotations

import numbers
import re
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from .cells import is_missing


def format_number(x, decimals: int = 0) -> str:
    """'1.234', '-1.234', '12,5' (decimals=1); None/NaN -> ''. Rounds half up."""
    if is_missing(x):
        return ""
    d = x if isinstance(x, Decimal) else Decimal(int(x)) if isinstance(x, numbers.Integral) else Decimal(str(float(x)))
    if d.is_infinite():
        return "-∞" if d < 0 else "∞"
    d = d.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    if d == 0:
        d = abs(d)  # no "-0"
    return f"{d:,.{decimals}f}".translate(str.maketrans(",.", ".,"))


PERCENT_DECIMALS = 1
AMOUNT_DECIMALS = 1


def format_percent(ratio, decimals: int = PERCENT_DECIMALS) -> str:
    """A ratio shown as a percentage: 0.125 -> '12,5%', 1 -> '100%' (',0' dropped)."""
    if is_missing(ratio):
        return ""
    d = ratio if isinstance(ratio, Decimal) else Decimal(str(ratio))
    return re.sub(r",0+$", "", format_number(d * 100, decimals)) + "%"


def format_amount(x) -> str:
    """An amount as the rule writes it: '1.234' when whole, '7,4' otherwise; None -> ''."""
    if is_missing(x):
        return ""
    whole = float(x).is_integer() if not isinstance(x, numbers.Integral) else True
    return format_number(x, 0 if whole else AMOUNT_DECIMALS)


def format_date(d) -> str:
    """'15/12/2017'; None -> ''."""
    if is_missing(d):
        return ""
    return f"{d.day:02d}/{d.month:02d}/{d.year:04d}"


def format_datetime(dt) -> str:
    """'15/12/2017 14:05'; a plain date is shown as a date."""
    if is_missing(dt):
        return ""
    if not isinstance(dt, datetime):
        return format_date(dt)
    return f"{format_date(dt)} {dt.hour:02d}:{dt.minute:02d}"
