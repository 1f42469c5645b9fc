"""Theo nhiệm vụ: the five tasks of section III, each with its targets, pace and agencies.
One task at a time: only the chosen task's charts are built and drawn (tabs drew all ten)."""
import streamlit as st

from mdplan_core import charts, counting, progress
from mdplan_core.vntext import format_date
from pages import common

plan, as_of = common.monitoring_page("Theo nhiệm vụ")

values, communes = common.data(as_of)
table = common.computed(progress.by_indicator, values, communes, as_of)
tasks = plan.tasks.set_index("number", drop=False)

number = st.segmented_control("Nhiệm vụ", [int(n) for n in tasks.index], format_func=lambda n: f"Nhiệm vụ {n}",
                              default=int(tasks.index[0]), required=True, key=f"task:{plan.id}",
                              label_visibility="collapsed")
task = tasks.loc[number]
st.subheader(f"{task.number}. {task.title}")
who, when = st.columns(2)
who.markdown(f"**Cơ quan chủ trì:** {task.lead_name}  \n**Cơ quan phối hợp:** {task.cooperating_names}")
when.markdown(f"**Tiến độ (như văn bản):** {task.schedule_text}  \n"
              f"**Tiến độ áp dụng:** {format_date(task.start)} – {format_date(task.end)}")
when.info(task.schedule_note, icon=":material/info:")

rows = table[table["task"] == task.number]
st.plotly_chart(common.figure(charts.indicator_bars, rows, as_of=as_of, title="Kết quả so với chỉ tiêu năm"),
                key=f"bars-{task.number}")
numeric = rows[counting.mask(rows, "is_numeric")]
if not numeric.empty:
    names = dict(zip(numeric["code"], numeric["code"] + " · " + numeric["name"]))
    code = st.selectbox("Biểu đồ lũy kế theo tháng cho chỉ tiêu", list(names), format_func=names.get,
                        key=f"burnup-{task.number}")
    row = numeric.set_index("code").loc[code]
    cumulative = common.computed(progress.cumulative_by_month, values, communes, indicator=code, as_of=as_of)
    pacing = common.computed(progress.pacing_by_month, code)
    st.plotly_chart(common.figure(charts.burnup, cumulative, pacing, row["name"], row["unit"]),
                    key=f"burnup-chart-{task.number}")
