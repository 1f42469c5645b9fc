"""A report as read from a workbook, before it is stored: the unit, the period, the values."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

_PERIOD = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*(?:\.\.\s*(\d{4})-(\d{1,2}))?\s*$")
_QUARTERS = ("I", "II", "III", "IV")


@dataclass(frozen=True, order=True)
class Period:
    """A range of whole months within one plan year."""

    year: int
    start_month: int
    end_month: int

    def __post_init__(self):
        if not (1 <= self.start_month <= self.end_month <= 12):
            raise ValueError(f"invalid period months {self.start_month}..{self.end_month}")

    @classmethod
    def parse(cls, text: str) -> Period:
        """`2017-01..2017-03` or `2017-05` (one month)."""
        m = _PERIOD.match(text)
        if not m:
            raise ValueError(f"period must look like 2017-01..2017-03, got {text!r}")
        y1, m1, y2, m2 = m.groups()
        if y2 and y2 != y1:
            raise ValueError("a period must stay within one year")
        return cls(int(y1), int(m1), int(m2 or m1))

    def __str__(self) -> str:
        if self.start_month == self.end_month:
            return f"{self.year}-{self.start_month:02d}"
        return f"{self.year}-{self.start_month:02d}..{self.year}-{self.end_month:02d}"

    @property
    def is_quarter(self) -> bool:
        return self.end_month - self.start_month == 2 and self.start_month % 3 == 1

    @property
    def label(self) -> str:
        """The one Vietnamese name of the period everywhere: a calendar quarter is
        `Quý IV/2017`, any other span its months (`months_label`)."""
        if self.is_quarter:
            return f"Quý {_QUARTERS[self.end_month // 3 - 1]}/{self.year}"
        return self.months_label

    @property
    def months_label(self) -> str:
        """The months it spans: `Tháng 10–12/2017`, `Tháng 5/2017`."""
        if self.start_month == self.end_month:
            return f"Tháng {self.start_month}/{self.year}"
        return f"Tháng {self.start_month}–{self.end_month}/{self.year}"

    @property
    def in_sentence(self) -> str:
        """`label` inside a sentence: `quý IV/2017`, `tháng 1–2/2017`."""
        return self.label[0].lower() + self.label[1:]

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, self.start_month, 1)

    @property
    def end(self) -> dt.date:
        """The last day of the period."""
        if self.end_month == 12:
            return dt.date(self.year, 12, 31)
        return dt.date(self.year, self.end_month + 1, 1) - dt.timedelta(days=1)

    def overlaps(self, other: Period) -> bool:
        return (self.year == other.year and self.start_month <= other.end_month
                and other.start_month <= self.end_month)


@dataclass(frozen=True)
class ReportValue:
    indicator_code: str
    value: int | float | None = None
    communes: tuple[str, ...] = ()  # commune GSO codes, for distinct_communes indicators
    text: str | None = None  # the description, for qualitative indicators
    note: str | None = None


@dataclass
class ParsedReport:
    unit_code: str
    period: Period
    values: list[ReportValue] = field(default_factory=list)
    reporter: str | None = None
    phone: str | None = None
    report_date: dt.date | None = None

    def value(self, code: str) -> ReportValue | None:
        return next((v for v in self.values if v.indicator_code == code), None)

    @property
    def is_empty(self) -> bool:
        return not any(v.value is not None or v.communes or v.text for v in self.values)
