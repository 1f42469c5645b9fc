"""A plan file: its model, reading it, and its errors, which name the line and the field in
Vietnamese, because the file is edited by provincial officers. `mdplan_core.plan` turns a
valid file into the Plan the rest of mdplan uses.
"""
from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from . import counting
from .report import Period

# --- Messages shown to the officer who edits the plan file ---------------------------
MESSAGES = {
    "location": "{path}, dòng {line} ({field}): {message}",
    "location_no_field": "{path}, dòng {line}: {message}",
    "location_no_line": "{path}: {message}",
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
    "bad_plan_period": "'{value}' không phải giai đoạn hợp lệ; viết một năm (2026) hoặc NĂM ĐẦU-NĂM CUỐI (2021-2025)",
    "plan_id": "mã kế hoạch '{value}' chỉ được gồm chữ thường không dấu, chữ số và dấu gạch ngang '-'",
    "target_year_outside": "năm {value} không nằm trong giai đoạn của kế hoạch ({years})",
    "continues_value": "phải viết MÃ KẾ HOẠCH:MÃ CHỈ TIÊU, ví dụ \"backan-2017:CT1.1\"",
    "bad_period": ("'{value}' không phải kỳ báo cáo hợp lệ; viết THÁNG ĐẦU..THÁNG CUỐI, "
                   "ví dụ \"2017-01..2017-03\""),
    "period_outside_year": "kỳ {period} không nằm trong giai đoạn của kế hoạch ({year})",
    "due_before_start": "hạn nộp {due} phải sau ngày bắt đầu kỳ ({start})",
    "periods_overlap": "kỳ {period} trùng tháng với kỳ {other} (dòng {line})",
    "unknown_source": "nguồn '{value}' không có trong danh sách sources",
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
                               MESSAGES["target_year_outside"].format(value=year, years=years_label(spec.period))))
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
                period=item.months, year=years_label(years))))
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


def years_label(years: tuple[int, int]) -> str:
    first, last = years
    return str(first) if first == last else f"{first}–{last}"


def _flatten_loc(loc) -> Loc:
    out: tuple = ()
    for part in loc:
        out += part if isinstance(part, tuple) else (part,)
    return out


# --- Reading a file -------------------------------------------------------------------
def read_spec(text: str, shown: str) -> tuple[PlanSpec, Callable[[Loc, str], Problem]]:
    """The validated model of a plan file's text, and a maker of problems located in that text
    (for the checks that need more than the file: places, provinces). `shown` names the file
    in messages. Raises PlanFileError, every problem with its line."""
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

    return spec, problem
