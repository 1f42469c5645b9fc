"""What a spreadsheet cell may hold before any reading: a blank or an Excel error value."""
from __future__ import annotations

EXCEL_ERRORS = frozenset({"#REF!", "#VALUE!", "#DIV/0!", "#N/A", "#NAME?", "#NUM!", "#NULL!"})


def is_missing(value) -> bool:
    """None, NaN, NaT or pandas.NA: nothing in the cell."""
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN, NaT
    except TypeError:
        return True  # pandas.NA refuses to be a bool
    except (ValueError, ArithmeticError):
        return False
