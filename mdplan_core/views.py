"""Tables shaped for reading: Vietnamese headers and labels, computed from the core's frames."""
from __future__ import annotations

import pandas as pd

from . import labels
from .vntext import format_date, format_number


def _task_label(number: int) -> str:
    return f"NV{number}"


def plan_tasks(plan) -> pd.DataFrame:
    t = plan.tasks
    return pd.DataFrame({
        "Nhiệm vụ": t["number"].map(_task_label),
        "Nội dung": t["title"],
        "Cơ quan chủ trì": t["lead_name"],
        "Cơ quan phối hợp": t["cooperating_names"],
        "Tiến độ (như văn bản)": t["schedule_text"],
        "Tiến độ áp dụng": [f"{format_date(s)} – {format_date(e)}"
                            for s, e in zip(t["start"].dt.date, t["end"].dt.date)],
    })


def plan_indicators(plan) -> pd.DataFrame:
    i = plan.indicators
    return pd.DataFrame({
        "Mã": i["code"],
        "Nhiệm vụ": i["task"].map(_task_label),
        "Chỉ tiêu": i["name"],
        "Chỉ tiêu năm": [format_number(x) if pd.notna(x) else "—" for x in i["target"]],
        "Đơn vị tính": i["unit"],
        "Cách tính": i["aggregation"].map(labels.AGGREGATIONS),
        "Nguyên văn": i["text"],
    })


def responsibility_matrix(plan) -> pd.DataFrame:
    """Agency x task, with Vietnamese role names and agency names as the index."""
    m = plan.responsibility
    names = plan.agencies.set_index("id")["name"]
    out = m.replace(labels.ROLES)
    out.index = out.index.map(names).rename("Cơ quan")
    out.columns = [_task_label(c) for c in out.columns]
    return out


def plan_duties(plan) -> pd.DataFrame:
    d = plan.duties
    return pd.DataFrame({
        "Mục": d["clause"],
        "Cơ quan": d["agency_names"],
        "Nhiệm vụ được giao": d["text"],
    })
