"""The plan: tasks, targets, agencies and duties, read from a human-edited YAML file.

`load_plan()` returns a `Plan`: the validated model plus the DataFrames that pages,
progress and export use. A broken plan file raises `PlanFileError`, which names the
line and the field in Vietnamese, because the file is edited by provincial officers.
"""
from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

import pandas as pd
import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from . import counting, geography, labels, places
from .report import Period
from .settings import PLANS_DIR

FIRST_PLAN_FILE = PLANS_DIR / "backan-2017.yaml"

# --- Messages shown to the officer who edits the plan file ---------------------------
MESSAGES = {
    "location": "{path}, dòng {line} ({field}): {message}",
    "location_no_field": "{path}, dòng {line}: {message}",
    "location_no_line": "{path}: {message}",
    "file_unreadable": "không đọc được tệp kế hoạch ({error})",
    "yaml_syntax": "lỗi cú pháp YAML: {problem}",
    "yaml_problem": "{vi} ({en})",
    "duplicate_key": "khóa '{key}' bị lặp lại (đã có ở dòng {first_line})",
    "missing": "thiếu trường bắt buộc '{name}'",
    "extra": "khóa '{name}' không có trong mẫu tệp kế hoạch (viết sai tên khóa?)",
    "literal": "giá trị '{value}' không hợp lệ; chỉ nhận: {expected}",
    "negative": "giá trị {value} không được âm",
    "too_small": "giá trị {value} phải lớn hơn hoặc bằng {limit}",
    "too_large": "giá trị {value} phải nhỏ hơn hoặc bằng {limit}",
    "not_int": "'{value}' không phải số nguyên",
    "not_date": "'{value}' không phải ngày hợp lệ (viết NĂM-THÁNG-NGÀY, ví dụ 2017-03-01)",
    "not_text": "phải là một đoạn văn bản",
    "empty_text": "không được để trống",
    "not_list": "phải là một danh sách",
    "not_mapping": "phải là một nhóm 'khóa: giá trị'",
    "not_bool": "phải là true hoặc false",
    "bad_id": "mã '{value}' chỉ được gồm chữ thường không dấu, chữ số và dấu gạch dưới",
    "schedule_order": "ngày kết thúc {end} trước ngày bắt đầu {start}",
    "bad_deadline": "ngày {day} tháng {month} không có thật",
    "places_value": "phải là 'all' hoặc danh sách mã địa bàn, ví dụ [\"058\", \"061\"]",
    "unknown_agency": "cơ quan '{value}' không có trong danh sách agencies",
    "did_you_mean": " (có phải '{suggestion}'?)",
    "duplicate": "{what} '{value}' bị trùng (đã có ở dòng {first_line})",
    "unknown_task": "nhiệm vụ số {value} không có trong danh sách tasks",
    "collective_unit": ("'{value}' là nhóm cơ quan ({kind}), không phải một đơn vị báo cáo; "
                        "UBND các huyện, xã được khai ở reporting_units.places"),
    "unknown_place": "{level} có mã '{value}' không có trong danh mục của tỉnh năm {year}",
    "unknown_province": "không có tỉnh, thành phố mã '{value}' trong danh mục ngày {day:%d/%m/%Y}",
    "bad_plan_period": "'{value}' không phải giai đoạn hợp lệ; viết một năm (2026) hoặc NĂM ĐẦU-NĂM CUỐI (2021-2025)",
    "plan_id": "mã kế hoạch '{value}' chỉ được gồm chữ thường không dấu, chữ số và dấu gạch ngang '-'",
    "target_year_outside": "năm {value} không nằm trong giai đoạn của kế hoạch ({years})",
    "continues_value": "phải viết MÃ KẾ HOẠCH:MÃ CHỈ TIÊU, ví dụ \"backan-2017:CT1.1\"",
    "bad_period": ("'{value}' không phải kỳ báo cáo hợp lệ; viết THÁNG ĐẦU..THÁNG CUỐI, "
                   "ví dụ \"2017-01..2017-03\""),
    "period_outside_year": "kỳ {period} không nằm trong giai đoạn của kế hoạch ({year})",
    "due_before_start": "hạn nộp {due} phải sau ngày bắt đầu kỳ ({start})",
    "periods_overlap": "kỳ {period} trùng tháng với kỳ {other} (dòng {line})",
    "document": "{word} số {number} ngày {date:%d/%m/%Y} của {issuer}",
    "document_decision": "Quyết định",
    "document_plan": "Kế hoạch",
    "attached_decision": "(Kèm theo {document})",
    "attached_plan": "({document})",
    "unknown_source": "nguồn '{value}' không có trong danh sách sources",
    # Shown when the plan file has no reporting.schedule: only the decision's deadline applies.
    "whole_year": "Cả năm {year}",
    "offered_period": "{period} ({months}), hạn nộp {due:%d/%m/%Y}",
}
# The commonest PyYAML complaints, by how their English text begins.
YAML_PROBLEMS = {
    "mapping values are not allowed": "dấu hai chấm ':' không được dùng ở đây; "
                                      "hãy đặt cả giá trị trong dấu ngoặc kép",
    "could not find expected ':'": "thiếu dấu hai chấm ':' sau tên khóa",
    "did not find expected key": "thụt lề không thẳng hàng với các dòng trên",
    "did not find expected '-' indicator": "thụt lề của danh sách không thẳng hàng",
    "expected ',' or ']'": "thiếu dấu ']' hoặc ',' trong danh sách",
    "expected ',' or '}'": "thiếu dấu '}' hoặc ',' trong nhóm",
    "found unexpected end of stream": "tệp kết thúc khi dấu ngoặc kép hoặc ngoặc chưa đóng",
    "found undefined alias": "tham chiếu '*...' tới một mục không có",
    "found character '\\t'": "không dùng phím Tab để thụt lề, hãy dùng dấu cách",
}
WHAT = {"agency": "mã cơ quan", "task": "số nhiệm vụ", "indicator": "mã chỉ tiêu",
        "clause": "khoản", "unit": "đơn vị báo cáo", "source": "mã nguồn kinh phí",
        "period": "tên kỳ báo cáo"}

# --- The model of the file ------------------------------------------------------------
AgencyKind = Literal["department", "police", "media", "judiciary", "party", "mass_org",
                     "inter_agency_team", "district_committees", "commune_committees", "group",
                     "provincial_committee", "ministry"]
# The level of the places whose People's Committees report: districts until 1 July 2025,
# communes (xã, phường, đặc khu) on today's map.
ReportingLevel = Literal["district", "commune"]
# The ways of counting (mdplan_core.counting); `distinct_communes` is read as `distinct_places`.
Aggregation = Annotated[Literal["sum", "qualitative", "distinct_places", "share_of_places",
                                "all_places", "percent"], BeforeValidator(counting.canonical)]
PlaceLevel = Literal["district", "commune"]
COLLECTIVE_KINDS = ("district_committees", "commune_committees", "group")
_PLAN_PERIOD = re.compile(r"^\s*(\d{4})\s*(?:[-–]\s*(\d{4})\s*)?$")


def _no_bool(value):
    # YAML reads `yes`/`true` as booleans; pydantic would turn them into 1.
    if isinstance(value, bool):
        raise ValueError(MESSAGES["not_int"].format(value=value))
    return value


Text = Annotated[str, Field(min_length=1)]
Id = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
Count = Annotated[int, BeforeValidator(_no_bool), Field(ge=0)]
Number = Annotated[int, BeforeValidator(_no_bool), Field(ge=1)]


def _plan_id(value):
    if not isinstance(value, str) or not re.fullmatch(r"[a-z0-9][a-z0-9-]*", value):
        raise ValueError(MESSAGES["plan_id"].format(value=value))
    return value


def _plan_period(value) -> tuple[int, int]:
    """`2017` or `"2021-2025"` -> (first year, last year)."""
    match = None if isinstance(value, bool) else _PLAN_PERIOD.match(str(value))
    if match:
        first = int(match[1])
        last = int(match[2] or first)
        if 2000 <= first <= last <= 2100 and last - first < 20:
            return first, last
    raise ValueError(MESSAGES["bad_plan_period"].format(value=value))


PlanId = Annotated[str, BeforeValidator(_plan_id)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Signer(_Model):
    name: Text
    position: Text
    signing_block: list[Text] = []


class BasisDocument(_Model):
    kind: Literal["law", "resolution", "decree", "decision", "directive", "circular",
                  "plan", "submission", "other"]
    title: Text
    number: Text | None = None
    date: dt.date | None = None
    issuer: Text | None = None
    subject: Text | None = None
    as_written: Text


class Article(_Model):
    number: Number
    text: Text


class Decision(_Model):
    # The document that carries the plan: a decision approving it (Bắc Kạn 2017), or the
    # Kế hoạch itself (Hà Nội 2026).
    kind: Literal["decision", "plan"] = "decision"
    number: Text
    date: dt.date
    place: Text | None = None
    issuer: Text
    title: Text
    signer: Signer
    basis: list[BasisDocument] = []
    articles: list[Article] = []


class Agency(_Model):
    id: Id
    name: Text
    short_name: Text
    kind: AgencyKind
    aliases: list[Text] = []


class Schedule(_Model):
    as_written: Text
    start: dt.date
    end: dt.date
    note: Text | None = None

    @field_validator("end")
    @classmethod
    def _end_after_start(cls, end: dt.date, info: ValidationInfo) -> dt.date:
        start = info.data.get("start")
        if start is not None and end < start:
            raise ValueError(MESSAGES["schedule_order"].format(end=end, start=start))
        return end


class Task(_Model):
    number: Number
    title: Text
    lead: Text
    cooperating: list[Text] = []
    schedule: Schedule


class Source(_Model):
    """A public text a plan file's facts were read from."""
    id: Id
    url: Text
    what: Text


class Indicator(_Model):
    code: Text
    task: Number
    name: Text
    unit: Text
    target: Count | None = None
    # A plan for several years may say what is due in each year; `target` is the whole period's.
    targets_by_year: dict[int, Count] = {}
    aggregation: Aggregation
    level: PlaceLevel = "commune"  # which places a place-counting way counts
    text: Text
    # "PLAN ID:CODE": the same indicator in an earlier plan of the province, for year-on-year views.
    continues: Text | None = None
    # Where the target was read, when the plan's own text is not at hand (ids of `sources`).
    source: list[Text] = []


class FundingSource(_Model):
    id: Id
    text: Text


class Funding(_Model):
    text: Text
    sources: list[FundingSource]


class Duty(_Model):
    clause: Text
    title_vi: Text
    agencies: Annotated[list[Text], Field(min_length=1)]
    requested: bool = False
    summary_en: Text
    text: Text | None = None


class Deadline(_Model):
    month: Annotated[int, Field(ge=1, le=12)]
    day: Annotated[int, Field(ge=1, le=31)]

    @field_validator("day")
    @classmethod
    def _real_day(cls, day: int, info: ValidationInfo) -> int:
        month = info.data.get("month")
        if month is not None:
            try:
                dt.date(2000, month, day)  # a leap year, so 29/2 passes
            except ValueError:
                raise ValueError(MESSAGES["bad_deadline"].format(day=day, month=month)) from None
        return day

    def in_year(self, year: int) -> dt.date:
        return dt.date(year, self.month, self.day)


class ReportingClause(_Model):
    clause: Text
    text: Text


class ExpectedPeriod(_Model):
    """A period every reporting unit must report on, and when that report is due."""
    label: Text
    months: Text  # "2017-01..2017-03", as report periods are written
    due: dt.date

    @field_validator("months")
    @classmethod
    def _months(cls, months: str) -> str:
        try:
            return str(Period.parse(months))
        except ValueError:
            raise ValueError(MESSAGES["bad_period"].format(value=months)) from None

    @property
    def period(self) -> Period:
        return Period.parse(self.months)


class ReportingSchedule(_Model):
    """When reports are expected during the year. Not from the decision (which only sets the
    15/12 deadline): `source_note` says whose rule it is, for every page that shows it."""
    source_note: Text
    periods: Annotated[list[ExpectedPeriod], Field(min_length=1)]


class Reporting(_Model):
    deadline: Deadline
    via: Text
    to: Text
    standing_agency: Text
    standing_reports_to: list[Text] = []
    clauses: list[ReportingClause] = []
    schedule: ReportingSchedule | None = None


def _places(value):
    if value == "all":
        return value
    if isinstance(value, list) and all(isinstance(v, (str, int)) and not isinstance(v, bool)
                                       for v in value):
        return [str(v) for v in value]
    raise ValueError(MESSAGES["places_value"])


class ReportingUnitsSpec(_Model):
    # The places at the plan's reporting level whose People's Committee reports: all of them,
    # or a list of codes.
    places: Annotated[Any, BeforeValidator(_places)] = "all"
    agencies: list[Text] = []


class PlanSpec(_Model):
    id: PlanId
    period: Annotated[tuple[int, int], BeforeValidator(_plan_period)]
    province: Text
    province_code: Annotated[str, Field(pattern=r"^\d{2}$")]
    reporting_level: ReportingLevel
    title: Text
    decision: Decision
    purpose: Text
    requirements: list[Text] = []
    agencies: list[Agency]
    tasks: list[Task]
    indicators: list[Indicator]
    funding: Funding
    duties: list[Duty]
    reporting: Reporting
    reporting_units: ReportingUnitsSpec
    # Where the facts come from, and what the public text does not state.
    sources: list[Source] = []
    not_stated: list[Text] = []


# --- Errors with line numbers ---------------------------------------------------------
Loc = tuple  # a pydantic-style location: ("tasks", 2, "lead")


@dataclass(frozen=True)
class Problem:
    line: int | None
    field: str | None
    message: str


class PlanFileError(ValueError):
    """A plan file that cannot be used. `line`, `field` and `message` describe the first
    problem; `problems` holds all of them, sorted by line."""

    def __init__(self, path: str, problems: list[Problem]):
        self.path = path
        self.problems = sorted(problems, key=lambda p: (p.line is None, p.line or 0))
        first = self.problems[0]
        self.line, self.field, self.message = first.line, first.field, first.message
        super().__init__("\n".join(_render(path, p) for p in self.problems))


def _render(path: str, p: Problem) -> str:
    if p.line is None:
        return MESSAGES["location_no_line"].format(path=path, message=p.message)
    if not p.field:
        return MESSAGES["location_no_field"].format(path=path, line=p.line, message=p.message)
    return MESSAGES["location"].format(path=path, line=p.line, field=p.field, message=p.message)


def field_path(loc: Loc) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _line_of(root: yaml.Node | None, loc: Loc) -> int | None:
    """The 1-based line of the YAML node at `loc`, or of its nearest existing parent."""
    if root is None:
        return None
    node, line = root, root.start_mark.line + 1
    for part in loc:
        if isinstance(node, yaml.MappingNode) and isinstance(part, str):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value == part:
                    node, line = value, key.start_mark.line + 1
                    break
            else:
                return line
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) \
                and 0 <= part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line


def _pydantic_message(err: dict) -> str:
    kind, value, ctx = err["type"], err.get("input"), err.get("ctx") or {}
    name = err["loc"][-1] if err["loc"] else ""
    if kind == "missing":
        return MESSAGES["missing"].format(name=name)
    if kind == "extra_forbidden":
        return MESSAGES["extra"].format(name=name)
    if kind == "literal_error":
        expected = str(ctx.get("expected", "")).replace(" or ", ", ")
        return MESSAGES["literal"].format(value=value, expected=expected)
    if kind in ("greater_than_equal", "greater_than"):
        limit = ctx.get("ge", ctx.get("gt"))
        key = "negative" if limit == 0 and isinstance(value, (int, float)) and value < 0 \
            else "too_small"
        return MESSAGES[key].format(value=value, limit=limit)
    if kind in ("less_than_equal", "less_than"):
        return MESSAGES["too_large"].format(value=value, limit=ctx.get("le", ctx.get("lt")))
    if kind.startswith("int_"):
        return MESSAGES["not_int"].format(value=value)
    if kind.startswith("date_") or kind.startswith("datetime_"):
        return MESSAGES["not_date"].format(value=value)
    if kind == "string_type":
        return MESSAGES["not_text"]
    if kind == "string_too_short":
        return MESSAGES["empty_text"]
    if kind == "too_short" and isinstance(value, list):
        return MESSAGES["empty_text"]
    if kind == "string_pattern_mismatch":
        return MESSAGES["bad_id"].format(value=value)
    if kind == "list_type":
        return MESSAGES["not_list"]
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return MESSAGES["not_mapping"]
    if kind.startswith("bool_"):
        return MESSAGES["not_bool"]
    if kind == "value_error" and "error" in ctx:
        return str(ctx["error"])
    return err["msg"]


# --- Reading YAML ---------------------------------------------------------------------
class _Loader(yaml.SafeLoader):
    """SafeLoader that reads `08` as 8: the plan text writes counts with a leading zero,
    and YAML 1.1 would read `010` as octal 8 and `08` as a string."""


_DECIMAL = re.compile(r"^[-+]?[0-9][0-9_]*$")


def _construct_int(loader, node):
    value = loader.construct_scalar(node)
    if _DECIMAL.match(value):
        return int(value.replace("_", ""), 10)
    return yaml.SafeLoader.construct_yaml_int(loader, node)


_Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)


def _nfc(value):
    # Officers' editors may save decomposed Vietnamese (NFD); compare everything as NFC.
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, list):
        return [_nfc(v) for v in value]
    if isinstance(value, dict):
        return {_nfc(k): _nfc(v) for k, v in value.items()}
    return value


def _parse_yaml(text: str, path: str):
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or str(exc)
        vi = next((v for en, v in YAML_PROBLEMS.items() if problem.startswith(en)), None)
        if vi:
            problem = MESSAGES["yaml_problem"].format(vi=vi, en=problem)
        message = MESSAGES["yaml_syntax"].format(problem=problem)
        raise PlanFileError(path, [Problem(mark.line + 1 if mark else None, None, message)]) \
            from None
    except yaml.YAMLError as exc:
        raise PlanFileError(path, [Problem(None, None, MESSAGES["yaml_syntax"].format(
            problem=exc))]) from None
    finally:
        loader.dispose()
    return root, _nfc(data)


def _duplicate_keys(node, loc: Loc = ()) -> list[tuple[Loc, int, str]]:
    """PyYAML keeps the last of two equal keys silently; an officer pasting a block
    twice must hear about it."""
    found = []
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key, value in node.value:
            k = key.value if isinstance(key, yaml.ScalarNode) else None
            if k in seen:
                found.append((loc + (k,), key.start_mark.line + 1,
                              MESSAGES["duplicate_key"].format(key=k, first_line=seen[k])))
            elif k is not None:
                seen[k] = key.start_mark.line + 1
            found += _duplicate_keys(value, loc + (k,))
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            found += _duplicate_keys(item, loc + (i,))
    return found


# --- Checks across the file -----------------------------------------------------------
def _cross_check(spec: PlanSpec, line_of) -> list[tuple[Loc, str]]:
    issues: list[tuple[Loc, str]] = []
    agencies = {a.id: a for a in spec.agencies}

    def unique(items, what, attr, section):
        first: dict = {}
        for i, item in enumerate(items):
            value = getattr(item, attr)
            loc = (section, i, attr)
            if value in first:
                issues.append((loc, MESSAGES["duplicate"].format(
                    what=WHAT[what], value=value, first_line=line_of(first[value]))))
            else:
                first[value] = loc

    def agency_ref(loc, value):
        if value not in agencies:
            message = MESSAGES["unknown_agency"].format(value=value)
            close = difflib.get_close_matches(value, list(agencies), n=1)
            if close:
                message += MESSAGES["did_you_mean"].format(suggestion=close[0])
            issues.append((loc, message))

    unique(spec.agencies, "agency", "id", "agencies")
    unique(spec.tasks, "task", "number", "tasks")
    unique(spec.indicators, "indicator", "code", "indicators")
    unique(spec.duties, "clause", "clause", "duties")
    unique(spec.funding.sources, "source", "id", ("funding", "sources"))

    for i, task in enumerate(spec.tasks):
        agency_ref(("tasks", i, "lead"), task.lead)
        for j, agency_id in enumerate(task.cooperating):
            agency_ref(("tasks", i, "cooperating", j), agency_id)

    task_numbers = {t.number for t in spec.tasks}
    for i, ind in enumerate(spec.indicators):
        if ind.task not in task_numbers:
            issues.append((("indicators", i, "task"), MESSAGES["unknown_task"].format(value=ind.task)))
        target_problem = counting.target_problem(ind.aggregation, ind.target)
        if target_problem:
            issues.append((("indicators", i, "target"), target_problem))
        first, last = spec.period
        for year in ind.targets_by_year:
            if not first <= year <= last:
                issues.append((("indicators", i, "targets_by_year", year),
                               MESSAGES["target_year_outside"].format(value=year, years=_years_label(spec.period))))
        known_sources = {s.id for s in spec.sources}
        for j, source in enumerate(ind.source):
            if source not in known_sources:
                issues.append((("indicators", i, "source", j), MESSAGES["unknown_source"].format(value=source)))
        if ind.continues is not None and not re.fullmatch(r"[a-z0-9][a-z0-9-]*:\S+", ind.continues):
            issues.append((("indicators", i, "continues"), MESSAGES["continues_value"]))

    for i, duty in enumerate(spec.duties):
        for j, agency_id in enumerate(duty.agencies):
            agency_ref(("duties", i, "agencies", j), agency_id)

    rep = spec.reporting
    agency_ref(("reporting", "via"), rep.via)
    agency_ref(("reporting", "to"), rep.to)
    agency_ref(("reporting", "standing_agency"), rep.standing_agency)
    for j, agency_id in enumerate(rep.standing_reports_to):
        agency_ref(("reporting", "standing_reports_to", j), agency_id)

    if rep.schedule is not None:
        issues += _check_schedule(spec.period, rep.schedule, line_of)

    seen: dict[str, Loc] = {}
    for j, agency_id in enumerate(spec.reporting_units.agencies):
        loc = ("reporting_units", "agencies", j)
        agency_ref(loc, agency_id)
        if agency_id in agencies and agencies[agency_id].kind in COLLECTIVE_KINDS:
            issues.append((loc, MESSAGES["collective_unit"].format(
                value=agency_id, kind=agencies[agency_id].kind)))
        if agency_id in seen:
            issues.append((loc, MESSAGES["duplicate"].format(
                what=WHAT["unit"], value=agency_id, first_line=line_of(seen[agency_id]))))
        seen.setdefault(agency_id, loc)
    return issues


def _check_schedule(years: tuple[int, int], schedule: ReportingSchedule,
                    line_of) -> list[tuple[Loc, str]]:
    """Periods inside the plan's years, due after they start, and no month expected twice
    (a month in two expected periods would be asked for, and counted, twice)."""
    issues: list[tuple[Loc, str]] = []
    section = ("reporting", "schedule", "periods")
    labels: dict[str, Loc] = {}
    months: dict[tuple[int, int], int] = {}  # (year, month) -> index of the period that claims it
    for i, item in enumerate(schedule.periods):
        period = item.period
        if item.label in labels:
            issues.append(((*section, i, "label"), MESSAGES["duplicate"].format(
                what=WHAT["period"], value=item.label, first_line=line_of(labels[item.label]))))
        labels.setdefault(item.label, (*section, i, "label"))
        if not years[0] <= period.year <= years[1]:
            issues.append(((*section, i, "months"), MESSAGES["period_outside_year"].format(
                period=item.months, year=_years_label(years))))
            continue
        if item.due <= period.start:
            issues.append(((*section, i, "due"), MESSAGES["due_before_start"].format(
                due=item.due, start=period.start)))
        claimed = [(period.year, m) for m in range(period.start_month, period.end_month + 1)]
        clash = next((months[m] for m in claimed if m in months), None)
        if clash is not None:
            other = schedule.periods[clash]
            issues.append(((*section, i, "months"), MESSAGES["periods_overlap"].format(
                period=item.months, other=other.months,
                line=line_of((*section, clash, "months")))))
        else:
            months.update(dict.fromkeys(claimed, i))
    return issues


def _years_label(years: tuple[int, int]) -> str:
    first, last = years
    return str(first) if first == last else f"{first}–{last}"


def _flatten_loc(loc) -> Loc:
    out: tuple = ()
    for part in loc:
        out += part if isinstance(part, tuple) else (part,)
    return out


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
        return _years_label(self.years)

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
            "months_label": [period.label for _, period, _ in items],
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
    root, data = _parse_yaml(text, shown)
    problems = [Problem(line, field_path(loc), msg) for loc, line, msg in _duplicate_keys(root)]
    if problems:
        raise PlanFileError(shown, problems)

    def line_of(loc) -> int | None:
        return _line_of(root, _flatten_loc(loc))

    def problem(loc, message) -> Problem:
        loc = _flatten_loc(loc)
        return Problem(line_of(loc), field_path(loc), message)

    try:
        spec = PlanSpec.model_validate(data)
    except ValidationError as exc:
        raise PlanFileError(shown, [problem(e["loc"], _pydantic_message(e))
                                    for e in exc.errors()]) from None
    issues = _cross_check(spec, line_of)
    if issues:
        raise PlanFileError(shown, [problem(loc, msg) for loc, msg in issues])

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
