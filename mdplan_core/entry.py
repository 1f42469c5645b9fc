"""Web data entry: what an officer types into the browser form, for one unit and one period.

The form never stores anything itself. `workbook` writes an `Entry` into the real report
template (`template.build_template`, filled by `filling.fill_template`), and `check` hands
those bytes to the upload path (`intake.check_upload`; the page then calls `intake.submit`),
so validation, permissions, revisions, the audit log and the original file are the upload's own.

Typed text is stored as typed, once made storable (`vntext.clean_text`): `check` says which
field lost control characters, and refuses a text longer than an Excel cell holds before
any workbook is written.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from . import counting
from .filling import fill_template, text_cells
from .findings import Finding, error, has_errors, warning
from .intake import check_upload
from .layout import HEADER, MEDIA, SHEET_REPORT
from .report import Period
from .template import build_template, unit_slug
from .validation import CheckResult
from .vntext import CELL_TEXT_LIMIT, clean_text, dropped_controls, format_number, match_key, show_codepoints

MESSAGES = {
    "commune": "{type} {name}",
    "commune_in_district": "{type} {name} ({district})",
    "text.control_characters": (
        "{field} có ký tự điều khiển không hiển thị được ({codes}), thường do dán từ Word hoặc "
        "trang web; mdplan đã bỏ các ký tự này. Hãy kiểm tra lại nội dung."),
    "text.too_long": (
        "{field} dài {length} ký tự, quá {limit} ký tự mà một ô Excel chứa được. Hãy rút gọn "
        "nội dung này."),
    "field.reporter": HEADER["reporter"].text,  # as the template labels them
    "field.phone": HEADER["phone"].text,
    "field.media_text": MEDIA.text,
    "field.note": "Ghi chú của {code}",
}


@dataclass(frozen=True)
class Entry:
    """The form's contents. A blank input is absent from `results` (blank is not zero)."""

    unit_code: str
    period: Period
    results: dict[str, int | float] = field(default_factory=dict)  # numbers typed (percentages may be fractions)
    communes: dict[str, list[str]] = field(default_factory=dict)  # commune codes
    notes: dict[str, str] = field(default_factory=dict)
    media_text: str | None = None
    reporter: str | None = None
    phone: str | None = None
    report_date: dt.date | None = None
    version: int | None = None  # the submission in force it was read from; None: none

    def same_report(self, other: Entry) -> bool:
        """Whether both hold the same report, whichever version they were read from and in
        whatever order the communes were picked."""
        return _content(self) == _content(other)


def from_form(unit_code: str, period: Period, *, results: dict, communes: dict, notes: dict,
              media_text: str | None, reporter: str, phone: str, report_date: dt.date) -> Entry:
    """The entry a submitted form holds: blank counts left out (blank is not zero), texts
    stripped, and an empty text or commune list taken as nothing typed."""
    return Entry(
        unit_code, period, results={code: _number(n) for code, n in results.items() if n is not None},
        communes={code: list(names) for code, names in communes.items() if names},
        notes={code: note.strip() for code, note in notes.items() if note.strip()},
        media_text=(media_text or "").strip() or None, reporter=reporter.strip() or None,
        phone=phone.strip() or None, report_date=report_date)


def _content(e: Entry) -> tuple:
    e = _cleaned(e)  # what would be stored
    return (e.unit_code, e.period, e.results, {k: sorted(v) for k, v in e.communes.items() if v},
            e.notes, e.media_text, e.reporter, e.phone, e.report_date)


def _clean(text: str | None) -> str | None:
    """A typed text as it is stored: control characters cleaned, stripped, None when empty."""
    if not isinstance(text, str):
        return None
    return clean_text(text).strip() or None


def _cleaned(e: Entry) -> Entry:
    notes = {code: _clean(note) for code, note in e.notes.items()}
    return dataclasses.replace(e, notes={code: note for code, note in notes.items() if note},
                               media_text=_clean(e.media_text), reporter=_clean(e.reporter),
                               phone=_clean(e.phone))


def _texts(e: Entry) -> list[tuple[str, str, str | None]]:
    """(field, indicator code or "", text) for every text the form holds."""
    return [("reporter", "", e.reporter), ("phone", "", e.phone), ("media_text", "", e.media_text),
            *(("note", code, note) for code, note in e.notes.items())]


def in_force(plan, history: pd.DataFrame, values: pd.DataFrame, communes: pd.DataFrame,
             unit_code: str, period: Period) -> Entry:
    """The report in force for this unit and exactly this period, as the form holds it;
    a blank entry when there is none. `history`, `values` and `communes` are the store's
    reads (`Store.history`, `Store.values`, `Store.communes` of the period's year), which
    the dashboard already holds in its cache."""
    current = history[(history["unit_code"] == unit_code) & (history["year"] == period.year)
                      & (history["status"] == "in_force")
                      & (history["start_month"] == period.start_month)
                      & (history["end_month"] == period.end_month)]
    if current.empty:
        return Entry(unit_code, period)
    sub = current.iloc[0]
    submission = int(sub["submission_id"])

    values = values[values["submission_id"] == submission]
    results, notes, media_text = {}, {}, None
    for v in values.itertuples():
        if pd.notna(v.value):
            results[v.indicator_code] = _number(v.value)
        if pd.notna(v.note) and v.note:
            notes[v.indicator_code] = v.note
        if pd.notna(v.text) and v.text:
            media_text = v.text
    named = communes[communes["submission_id"] == submission]
    picked: dict[str, list[str]] = {}
    for c in named.itertuples():
        picked.setdefault(c.indicator_code, []).append(c.commune_code)
    # The count of named places is the length of its list, never an input of its own.
    results = {code: n for code, n in results.items() if code not in _commune_codes(plan)}

    # Cleaned: text stored before the store refused control characters must not break the form.
    return _cleaned(Entry(
        unit_code, period, results=results, communes=picked, notes=notes, media_text=media_text,
        reporter=_text(sub["reporter"]), phone=_text(sub["phone"]),
        report_date=sub["report_date"].date() if pd.notna(sub["report_date"]) else None,
        version=int(sub["version"])))


def commune_options(plan, unit_code: str) -> dict[str, str]:
    """Commune code -> label, the communes a unit may name: its district's for a district
    committee, the whole province's (labelled with their district) for a provincial agency."""
    district = plan.unit(unit_code).place_code
    communes = plan.communes
    place_names = plan.places.set_index("code")["name"]
    if district is not None:
        communes = communes[communes["place_code"] == district]
    communes = communes.assign(sort_key=communes["name"].map(match_key))
    communes = communes.sort_values(["place_code", "sort_key"])
    label = MESSAGES["commune" if district is not None else "commune_in_district"]
    return {c.code: label.format(type=c.type.capitalize(), name=c.name,
                                 district=place_names[c.place_code])
            for c in communes.itertuples()}


def report_date_range(plan) -> tuple[dt.date, dt.date]:
    """The dates the template accepts as the report date: the plan year and the next."""
    return dt.date(plan.year, 1, 1), dt.date(plan.year + 1, 12, 31)


def default_report_date(plan, period: Period, today: dt.date) -> dt.date:
    """Today, or the day after the period ends when that is earlier (a report on a past
    period), within `report_date_range`."""
    first, last = report_date_range(plan)
    return min(max(min(today, period.end + dt.timedelta(days=1)), first), last)


def filename(plan, unit_code: str, period: Period) -> str:
    """The name the generated workbook is stored under; like `template.template_filename`."""
    return f"nhap-tren-web-{unit_slug(plan, unit_code)}-{period}.xlsx".replace("..", "_")


def check(plan, typed: Entry, *, store, allowed_unit: str | None = None, user: str | None = None
          ) -> tuple[bytes | None, CheckResult]:
    """What saving the form would store and be told: the workbook written of the entry (None
    when refused before writing) and the upload path's check of it, after the form's own
    findings on its texts (control characters dropped, texts too long for a cell). `user` is
    only for the log."""
    template = build_template(plan, typed.unit_code, typed.period)
    findings = _text_findings(template, typed)
    if has_errors(findings):
        return None, CheckResult(None, findings, False)
    data = _fill(plan, template, _cleaned(typed))
    result = check_upload(data, filename(plan, typed.unit_code, typed.period), plan=plan, store=store,
                          allowed_unit=allowed_unit, user=user)
    return data, dataclasses.replace(result, findings=[*findings, *result.findings])


def _text_findings(template: bytes, typed: Entry) -> list[Finding]:
    out: list[Finding] = []
    cells = None  # located only when there is something to say
    for name, code, text in _texts(typed):
        dropped = dropped_controls(text)
        too_long = len(_clean(text) or "") > CELL_TEXT_LIMIT
        if not (dropped or too_long):
            continue
        cells = cells or text_cells(template)
        where = {"sheet": SHEET_REPORT, "cell": cells.notes.get(code) if name == "note"
                 else getattr(cells, name)}
        label = MESSAGES[f"field.{name}"].format(code=code)
        if dropped:
            out.append(warning("text.control_characters", MESSAGES["text.control_characters"].format(
                field=label, codes=show_codepoints(dropped)), **where))
        if too_long:
            out.append(error("text.too_long", MESSAGES["text.too_long"].format(
                field=label, length=format_number(len(_clean(text))),
                limit=format_number(CELL_TEXT_LIMIT)), **where))
    return out


def workbook(plan, entry: Entry) -> bytes:
    """The report template of the entry's unit and period, filled with the entry (its texts
    cleaned): the file the upload path checks and stores. A text longer than a cell holds
    raises ValueError: `check` refuses it first."""
    return _fill(plan, build_template(plan, entry.unit_code, entry.period), _cleaned(entry))


def _fill(plan, template: bytes, entry: Entry) -> bytes:
    ref = plan.communes.set_index("code")
    place_names = plan.places.set_index("code")["name"]
    communes = {code: [(place_names[ref.at[c, "place_code"]], ref.at[c, "name"])
                       for c in codes]
                for code, codes in entry.communes.items() if codes}
    return fill_template(
        template,
        results={code: n for code, n in entry.results.items()
                 if n is not None and code not in _commune_codes(plan)},
        communes=communes,
        media_text=entry.media_text or None,
        reporter=entry.reporter or None,
        phone=entry.phone or None,
        report_date=entry.report_date,
        notes={code: note for code, note in entry.notes.items() if note},
    )


def _commune_codes(plan) -> set[str]:
    return set(counting.named_codes(plan))


def _number(n) -> int | float:
    """12.0 -> 12, 97.5 stays: counts are whole, a percentage reported directly may not be."""
    return int(n) if float(n).is_integer() else float(n)


def _text(value) -> str | None:
    return value if isinstance(value, str) and value else None
