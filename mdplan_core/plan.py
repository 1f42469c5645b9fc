"""The plan as mdplan uses it: tasks, targets, agencies, duties, its places and reporting
units, and the DataFrames that pages, progress and export use.

`load_plan()` returns a `Plan` made from a plan file (`mdplan_core.planfile` reads and checks
it; a broken file raises `PlanFileError`, which names the line and the field in Vietnamese).
"""
from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

import pandas as pd

from . import counting, geography, labels, places
from .planfile import (
    Agency,
    BasisDocument,
    Duty,
    Indicator,
    PlanFileError,
    PlanSpec,
    Problem,
    Task,
    read_spec,
    years_label,
)
from .report import Period
from .settings import PLANS_DIR

__all__ = ["FIRST_PLAN_FILE", "Plan", "PlanFileError", "Problem", "ReportingUnit", "load_plan", "parse_plan"]

FIRST_PLAN_FILE = PLANS_DIR / "backan-2017.yaml"

# Shown on pages, and to the officer who edits the plan file when its places are wrong.
MESSAGES = {
    "document": "{word} số {number} ngày {date:%d/%m/%Y} của {issuer}",
    "document_decision": "Quyết định",
    "document_plan": "Kế hoạch",
    "attached_decision": "(Kèm theo {document})",
    "attached_plan": "({document})",
    "whole_year": "Cả năm {year}",
    "offered_period": "{period} ({months}), hạn nộp {due:%d/%m/%Y}",
    "unknown_province": "không có tỉnh, thành phố mã '{value}' trong danh mục ngày {day:%d/%m/%Y}",
    "unknown_place": "{level} có mã '{value}' không có trong danh mục của tỉnh năm {year}",
    "file_unreadable": "không đọc được tệp kế hoạch ({error})",
}


# --- The plan as the rest of mdplan sees it -------------------------------------------
@dataclass(frozen=True)
class ReportingUnit:
    code: str
    name: str
    short_name: str
    kind: Literal["place", "agency"]  # a place's People's Committee, or an agency
    place_code: str | None
    agency_id: str | None


def _places_at(reporting_level: str, places: pd.DataFrame, communes: pd.DataFrame, level: str) -> pd.DataFrame:
    if level == reporting_level:
        return places
    return communes if level == "commune" else places.iloc[0:0]


def place_unit_code(place_code: str) -> str:
    return f"ubnd_{place_code}"


def _committee_name(name: str, kind: str, short_name: str) -> tuple[str, str]:
    """("Huyện Ba Bể", "huyện", "Ba Bể") -> ("UBND huyện Ba Bể", "UBND huyện Ba Bể");
    ("Thành phố Bắc Kạn", "thành phố", "TP Bắc Kạn") -> ("UBND thành phố Bắc Kạn", "UBND TP Bắc Kạn")."""
    bare = name[len(kind):].strip() if name.lower().startswith(kind.lower()) else name
    full = f"UBND {kind} {bare}"
    return full, (full if short_name == bare else f"UBND {short_name}")


class Plan:
    """A validated plan. DataFrame attributes return fresh copies, so callers may
    modify what they get without touching the cached plan."""

    def __init__(self, spec: PlanSpec, path: Path, geo: geography.Geography, year: int | None = None):
        self.spec = spec
        self.path = path
        self.id: str = spec.id
        self.years: tuple[int, int] = spec.period
        # The year this view of the plan counts: a plan for several years is seen one year at a time.
        self.year: int = spec.period[0] if year is None else year
        if not self.years[0] <= self.year <= self.years[1]:
            raise ValueError(f"{self.year} is outside the plan period {self.years}")
        self.reporting_level = spec.reporting_level
        self.province = spec.province
        self.province_code = spec.province_code
        self.title = spec.title
        self.decision = spec.decision
        self.purpose = spec.purpose
        self.requirements = list(spec.requirements)
        self.funding = spec.funding
        self.reporting = spec.reporting
        self._agencies = {a.id: a for a in spec.agencies}
        self._tasks = {t.number: t for t in spec.tasks}
        self._indicators = {i.code: i for i in spec.indicators}
        self._duties = {d.clause: d for d in spec.duties}
        self._units = OrderedDict((u.code, u) for u in self._build_units(geo))
        self._frames = self._build_frames(geo)

    def for_year(self, year: int) -> Plan:
        """This plan seen in one of its years (the same plan when it has a single year)."""
        if year == self.year:
            return self
        return Plan(self.spec, self.path, _geography(self.spec, year), year)

    @property
    def multi_year(self) -> bool:
        return self.years[0] != self.years[1]

    @property
    def period_label(self) -> str:
        """"2017" or "2021–2025"."""
        return years_label(self.years)

    @property
    def province_kind(self) -> str:
        """"tỉnh" or "thành phố" (a city under the central government, such as Hà Nội)."""
        found = places.load_places().province(self.province_code, dt.date(self.year, 12, 31))
        return "tỉnh" if found is None else str(found["type"])

    @property
    def document(self) -> str:
        """"Quyết định số 1180/QĐ-UBND ngày 29/07/2016 của Ủy ban nhân dân tỉnh Bắc Kạn"."""
        d = self.decision
        word = MESSAGES["document_" + d.kind]
        return MESSAGES["document"].format(word=word, number=d.number, date=d.date, issuer=d.issuer)

    @property
    def attached_line(self) -> str:
        """The line under a title: "(Kèm theo Quyết định số …)" or "(Kế hoạch số …)"."""
        return MESSAGES["attached_" + self.decision.kind].format(document=self.document)

    @property
    def label(self) -> str:
        """How a plan is named in a choice list: its document number, province and period."""
        return f"{self.decision.number} · {self.province} {self.period_label}"

    def target(self, indicator: Indicator) -> int | None:
        """The target this view counts against: the year's part where the plan states one,
        otherwise the plan's own target."""
        return indicator.targets_by_year.get(self.year, indicator.target)

    # Lookups
    def agency(self, agency_id: str) -> Agency:
        return self._lookup(self._agencies, agency_id, "agency")

    def task(self, number: int) -> Task:
        return self._lookup(self._tasks, int(number), "task")

    def indicator(self, code: str) -> Indicator:
        return self._lookup(self._indicators, code, "indicator")

    def duty(self, clause: str) -> Duty:
        return self._lookup(self._duties, clause, "duty clause")

    def unit(self, code: str) -> ReportingUnit:
        return self._lookup(self._units, code, "reporting unit")

    def indicators_of(self, task_number: int) -> list[Indicator]:
        return [i for i in self.spec.indicators if i.task == int(task_number)]

    def agency_name(self, agency_id: str, short: bool = False) -> str:
        agency = self.agency(agency_id)
        return agency.short_name if short else agency.name

    @property
    def units(self) -> list[ReportingUnit]:
        return list(self._units.values())

    @property
    def report_due_date(self) -> dt.date:
        """The date named in V.2.1 ("trước ngày 15 tháng 12") in the plan year."""
        return self.reporting.deadline.in_year(self.year)

    @property
    def expected_periods(self) -> pd.DataFrame:
        """The periods every reporting unit must report on, in month order: `period` (label),
        `months_label` ("Tháng 1–3/2017"), `start_month`, `end_month`, `due` (Timestamp).
        Without a `reporting.schedule`, the decision's rule alone: the whole year, due on
        the V.2.1 deadline."""
        return self._frames["expected_periods"].copy()

    def offered_periods(self) -> dict[str, Period]:
        """The periods an officer may report on, labelled for a choice list: the expected
        periods with their due dates first, then each month of the plan year."""
        offered = {MESSAGES["offered_period"].format(period=p.period, months=p.months_label.lower(),
                                                     due=p.due): Period(self.year, p.start_month, p.end_month)
                   for p in self.expected_periods.itertuples()}
        months = (Period(self.year, m, m) for m in range(1, 13))
        return offered | {p.label: p for p in months if p not in offered.values()}

    @staticmethod
    def _lookup(table: dict, key, what: str):
        try:
            return table[key]
        except KeyError:
            raise KeyError(f"no {what} {key!r} in the plan") from None

    # DataFrames
    @property
    def tasks(self) -> pd.DataFrame:
        return self._frames["tasks"].copy()

    @property
    def indicators(self) -> pd.DataFrame:
        return self._frames["indicators"].copy()

    @property
    def agencies(self) -> pd.DataFrame:
        return self._frames["agencies"].copy()

    @property
    def duties(self) -> pd.DataFrame:
        return self._frames["duties"].copy()

    @property
    def responsibility(self) -> pd.DataFrame:
        return self._frames["responsibility"].copy()

    @property
    def reporting_units(self) -> pd.DataFrame:
        return self._frames["reporting_units"].copy()

    @property
    def places(self) -> pd.DataFrame:
        """The places at the plan's reporting level (districts, or communes): code, name, type,
        short_name, and for Bắc Kạn's districts their tile-map cell."""
        return self._frames["places"].copy()

    @property
    def communes(self) -> pd.DataFrame:
        return self._frames["communes"].copy()

    def places_at(self, level: str) -> pd.DataFrame:
        """The places at `level` ("district", "commune") in the plan's area: code, name, ...
        (no districts for a plan on today's map)."""
        return _places_at(self.reporting_level, self._frames["places"], self._frames["communes"], level).copy()

    def tables(self) -> OrderedDict[str, pd.DataFrame]:
        """Every table of the plan, in reading order, for the CLI and exports."""
        names = ["plan", "basis", "tasks", "indicators", "responsibility", "agencies",
                 "duties", "funding", "reporting_units", "places", "communes"]
        out = OrderedDict((n, self._frames[n].copy()) for n in names)
        out["responsibility"] = out["responsibility"].reset_index()
        out["responsibility"].columns = [str(c) for c in out["responsibility"].columns]
        return out

    def _build_units(self, geo) -> list[ReportingUnit]:
        spec = self.spec.reporting_units
        districts = geo.places
        if spec.places != "all":
            districts = districts.set_index("code").loc[spec.places].reset_index()
        units = []
        for row in districts.itertuples(index=False):
            name, short = _committee_name(row.name, row.type, row.short_name)
            units.append(ReportingUnit(place_unit_code(row.code), name, short, "place",
                                       row.code, None))
        for agency_id in spec.agencies:
            agency = self._agencies[agency_id]
            units.append(ReportingUnit(agency.id, agency.name, agency.short_name, "agency",
                                       None, agency.id))
        return units

    def _names(self, ids) -> str:
        return "; ".join(self._agencies[i].name for i in ids)

    def _build_frames(self, geo) -> dict[str, pd.DataFrame]:
        spec = self.spec
        d = spec.decision
        summary = [
            ("plan_id", spec.id), ("period", self.period_label), ("year", str(self.year)),
            ("province", spec.province), ("province_code", spec.province_code),
            ("reporting_level", spec.reporting_level),
            ("title", spec.title), ("decision_number", d.number),
            ("decision_date", d.date.isoformat()), ("decision_title", d.title),
            ("issuer", d.issuer), ("signer", d.signer.name),
            ("signer_position", d.signer.position),
            ("signing_block", " / ".join(d.signer.signing_block)),
            ("purpose", spec.purpose), ("funding", spec.funding.text),
            ("report_due_date", self.report_due_date.isoformat()),
            ("report_via", self._agencies[spec.reporting.via].name),
            ("report_to", self._agencies[spec.reporting.to].name),
        ]
        tasks = pd.DataFrame([{
            "number": t.number, "title": t.title, "lead": t.lead,
            "lead_name": self._agencies[t.lead].name,
            "cooperating": list(t.cooperating), "cooperating_names": self._names(t.cooperating),
            "schedule_text": t.schedule.as_written,
            "start": pd.Timestamp(t.schedule.start), "end": pd.Timestamp(t.schedule.end),
            "schedule_note": t.schedule.note,
        } for t in spec.tasks])
        indicators = pd.DataFrame([{
            "code": i.code, "task": i.task, "name": i.name, "unit": i.unit,
            "target": counting.target(i.model_copy(update={"target": self.target(i)}),
                                      len(_places_at(self.reporting_level, geo.places, geo.communes, i.level))),
            "aggregation": i.aggregation, "level": i.level, "text": i.text, "continues": i.continues,
        } for i in spec.indicators])
        indicators["target"] = indicators["target"].astype("Int64")
        agencies = pd.DataFrame([{
            "id": a.id, "name": a.name, "short_name": a.short_name, "kind": a.kind,
            "aliases": list(a.aliases),
        } for a in spec.agencies])
        duties = pd.DataFrame([{
            "clause": x.clause, "title_vi": x.title_vi, "agencies": list(x.agencies),
            "agency_names": self._names(x.agencies), "requested": x.requested,
            "summary_en": x.summary_en, "text": x.text,
        } for x in spec.duties])
        units = pd.DataFrame({
            field: pd.Series([getattr(u, field) for u in self._units.values()],
                             dtype=object if field in ("place_code", "agency_id") else None)
            for field in ("code", "name", "short_name", "kind", "place_code", "agency_id")})
        basis = pd.DataFrame([b.model_dump(mode="json") for b in d.basis],
                             columns=list(BasisDocument.model_fields))
        funding = pd.DataFrame([s.model_dump() for s in spec.funding.sources],
                               columns=["id", "text"])
        return {
            "plan": pd.DataFrame(summary, columns=["field", "value"]),
            "basis": basis, "tasks": tasks, "indicators": indicators,
            "responsibility": self._responsibility(), "agencies": agencies,
            "duties": duties, "funding": funding, "reporting_units": units,
            "places": geo.places.copy(), "communes": geo.communes.copy(),
            "expected_periods": self._expected_periods(),
        }

    def _expected_periods(self) -> pd.DataFrame:
        schedule = self.spec.reporting.schedule
        items = [(p.label, p.period, p.due) for p in (schedule.periods if schedule else [])
                 if p.period.year == self.year]
        if not items:
            items = [(MESSAGES["whole_year"].format(year=self.year), Period(self.year, 1, 12),
                      self.report_due_date)]
        frame = pd.DataFrame({
            "period": [label for label, _, _ in items],
            "months_label": [period.months_label for _, period, _ in items],
            "start_month": [period.start_month for _, period, _ in items],
            "end_month": [period.end_month for _, period, _ in items],
            "due": pd.to_datetime([due for _, _, due in items]),
        })
        return frame.sort_values("start_month", ignore_index=True)

    def _responsibility(self) -> pd.DataFrame:
        """Agency x task from section III: 'lead', 'cooperating' or ''."""
        numbers = [t.number for t in self.spec.tasks]
        roles: dict[str, dict[int, str]] = {}
        for t in self.spec.tasks:
            for agency_id in t.cooperating:
                roles.setdefault(agency_id, {})[t.number] = "cooperating"
            roles.setdefault(t.lead, {})[t.number] = "lead"
        rows = [a.id for a in self.spec.agencies if a.id in roles]
        return pd.DataFrame([[roles[a].get(n, "") for n in numbers] for a in rows],
                            index=pd.Index(rows, name="agency_id"),
                            columns=pd.Index(numbers, name="task"))


# --- Loading --------------------------------------------------------------------------
def _display_path(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def parse_plan(text: str, path: Path) -> Plan:
    """Validate the text of a plan file; `path` is used for messages and `Plan.path`."""
    shown = _display_path(path)
    spec, problem = read_spec(text, shown)
    first = spec.period[0]
    if places.load_places().province(spec.province_code, dt.date(first, 12, 31)) is None:
        raise PlanFileError(shown, [problem(("province_code",), MESSAGES["unknown_province"].format(
            value=spec.province_code, day=dt.date(first, 12, 31)))])
    geo = _geography(spec, first)
    if spec.reporting_units.places != "all":
        known = set(geo.places["code"])
        bad = [problem(("reporting_units", "places", j), MESSAGES["unknown_place"].format(
            level=labels.level_word(spec.reporting_level, heading=True), value=code, year=first))
            for j, code in enumerate(spec.reporting_units.places) if code not in known]
        if bad:
            raise PlanFileError(shown, bad)
    year = _current_year(spec.period)
    return Plan(spec, path, geo if year == first else _geography(spec, year), year)


def _geography(spec: PlanSpec, year: int) -> geography.Geography:
    return geography.load_geography(year, spec.province_code, spec.reporting_level)


def _current_year(years: tuple[int, int], today: dt.date | None = None) -> int:
    """The year a plan opens on: this year while the plan runs, else its nearest year."""
    year = (today or dt.date.today()).year
    return min(max(year, years[0]), years[1])


@lru_cache(maxsize=8)
def _load_cached(path: Path, mtime_ns: int, size: int) -> Plan:
    return parse_plan(path.read_text(encoding="utf-8-sig"), path)


def load_plan(path=None) -> Plan:
    """The plan at `path` (default: mdplan's first plan, Bắc Kạn 2017), cached until the file
    changes. The plans an installation monitors are listed by `plans.catalogue()`."""
    path = Path(path) if path is not None else FIRST_PLAN_FILE
    path = path.expanduser().resolve()
    try:
        stat = path.stat()
    except OSError as exc:
        raise PlanFileError(_display_path(path), [Problem(None, None, MESSAGES[
            "file_unreadable"].format(error=exc.strerror or exc))]) from None
    return _load_cached(path, stat.st_mtime_ns, stat.st_size)
