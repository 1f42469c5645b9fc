"""Every plan an installation knows, side by side: the plan files in the plans folder
(`data/plans/`, or MDPLAN_PLANS_DIR) and the ones an administrator added through the app,
which the store keeps. Each plan has a stable id; reports, allocations and audit entries are
keyed by it.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import sqlalchemy as sa

from .plan import Plan, load_plan, parse_plan
from .planfile import PlanFileError, Problem
from .settings import Settings
from .store import Store, utc_now
from .store import plans as plans_table

MESSAGES = {
    "duplicate_id": "mã kế hoạch '{id}' đã có ở {other}; mỗi kế hoạch cần một mã riêng",
    "unknown": "Không có kế hoạch mã '{id}'. Các kế hoạch hiện có: {known}.",
    "none": "Chưa có kế hoạch nào trong thư mục {folder}.",
    "not_utf8": "tệp kế hoạch phải là văn bản UTF-8 (lưu lại tệp với bảng mã UTF-8)",
    "same": "Kế hoạch '{id}' đã có với đúng nội dung này; không có gì thay đổi.",
    "replaces_file": ("mã kế hoạch '{id}' là của một kế hoạch có sẵn ({other}); kế hoạch có sẵn "
                      "không thay được qua ứng dụng"),
}
STORED = "cơ sở dữ liệu"  # where a plan added through the app lives, as messages name it


@dataclass(frozen=True)
class Catalogue:
    """The known plans by id, in the order a picker shows them: newest period first, then
    province."""
    plans: dict[str, Plan]

    def get(self, plan_id: str) -> Plan:
        try:
            return self.plans[plan_id]
        except KeyError:
            raise KeyError(MESSAGES["unknown"].format(id=plan_id, known=", ".join(self.plans))) from None

    def default(self, today: dt.date | None = None) -> Plan:
        """The plan to open first: one that runs this year, else the newest."""
        year = (today or dt.date.today()).year
        running = [p for p in self.plans.values() if p.years[0] <= year <= p.years[1]]
        return (running or list(self.plans.values()))[0]

    def __iter__(self):
        return iter(self.plans.values())

    def __len__(self) -> int:
        return len(self.plans)


def catalogue(store: Store | None = None, folder: Path | None = None) -> Catalogue:
    """The plans of the folder and, with a store, those added through the app."""
    folder = Path(folder or Settings.from_env().plans_dir)
    found: dict[str, tuple[Plan, str]] = {}
    problems = []
    for path in sorted(folder.glob("*.yaml")):
        _add(found, load_plan(path), str(path.name), problems)
    if store is not None:
        for row in _stored_rows(store):
            _add(found, _parse_stored(row.text, row.filename), STORED, problems)
    if problems:
        raise PlanFileError(str(folder), problems)
    if not found:
        raise PlanFileError(str(folder), [Problem(None, None, MESSAGES["none"].format(folder=folder))])
    ordered = sorted(found.values(), key=lambda item: (-item[0].years[1], item[0].province))
    return Catalogue({plan.id: plan for plan, _ in ordered})


def _add(found: dict, plan: Plan, where: str, problems: list) -> None:
    if plan.id in found:
        problems.append(Problem(None, None, MESSAGES["duplicate_id"].format(id=plan.id, other=found[plan.id][1])
                                + f" ({where})"))
    else:
        found[plan.id] = (plan, where)


def _stored_rows(store: Store):
    p = plans_table.c
    with store.engine.connect() as conn:
        return conn.execute(sa.select(p.id, p.text, p.filename).order_by(p.id)).all()


@lru_cache(maxsize=32)
def _parse_stored(text: str, filename: str) -> Plan:
    return parse_plan(text, Path(filename))


def check_plan_file(data: bytes, filename: str) -> Plan:
    """The plan in an uploaded file, validated (PlanFileError with line numbers otherwise)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PlanFileError(filename, [Problem(None, None, MESSAGES["not_utf8"])]) from None
    return parse_plan(text, Path(filename))


def add_plan(store: Store, data: bytes, filename: str, *, actor: str,
             folder: Path | None = None) -> tuple[Plan, bool]:
    """Validate a plan file and keep it in the store; (plan, added). A plan added before under the
    same id is replaced by a new text (audited with both hashes); the shipped plans cannot be."""
    plan = check_plan_file(data, filename)
    text = data.decode("utf-8-sig")
    shipped = {p.id: p for p in catalogue(None, folder)}
    if plan.id in shipped:
        raise PlanFileError(filename, [Problem(None, "id", MESSAGES["replaces_file"].format(
            id=plan.id, other=shipped[plan.id].path.name))])
    sha256 = hashlib.sha256(text.encode("utf-8")).hexdigest()
    p = plans_table.c
    with store.transaction(lock=f"#plan {plan.id}") as tx:
        before = tx.execute(sa.select(p.sha256).where(p.id == plan.id)).scalar_one_or_none()
        if before == sha256:
            return plan, False
        at = utc_now()
        values = dict(text=text, filename=filename, sha256=sha256, added_by=actor, added_at=at)
        if before is None:
            tx.execute(sa.insert(plans_table).values(id=plan.id, **values))
        else:
            tx.execute(sa.update(plans_table).where(p.id == plan.id).values(**values))
        tx.audit(at, actor, "plan_add" if before is None else "plan_replace", None, plan_id=plan.id,
                 filename=filename, sha256=sha256, replaced_sha256=before,
                 title=plan.title, period=plan.period_label, province=plan.province)
    return plan, True
