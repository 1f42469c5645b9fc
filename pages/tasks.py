"""Theo nhiệm vụ: the five tasks of section III, each with its targets, pace and agencies."""
import streamlit as st

from mdplan_core import charts, counting, progress
from mdplan_core.vntext import format_date
from pages import common

plan, as_of = common.monitoring_page("Theo nhiệm vụ")

values, communes = common.data(as_of)
table = progress.by_indicator(plan, values, communes, as_of)
tasks = plan.tasks

for tab, task in zip(st.tabs([f"Nhiệm vụ {n}" for n in tasks["number"]]), tasks.itertuples()):
    with tab:
        st.subheader(f"{task.number}. {task.title}")
        who, when = st.columns(2)
        who.markdown(f"**Cơ quan chủ trì:** {task.lead_name}  \n**Cơ quan phối hợp:** {task.cooperating_names}")
        when.markdown(f"**Tiến độ (như văn bản):** {task.schedule_text}  \n"
                      f"**Tiến độ áp dụng:** {format_date(task.start)} – {format_date(task.end)}")
        when.info(task.schedule_note, icon=":material/info:")

        rows = table[table["task"] == task.number]
        st.plotly_chart(charts.indicator_bars(rows, as_of=as_of, title="Kết quả so với chỉ tiêu năm"),
                        key=f"bars-{task.number}")
        numeric = rows[counting.mask(rows, "is_numeric")]
        if numeric.empty:
            continue
        names = dict(zip(numeric["code"], numeric["code"] + " · " + numeric["name"]))
        code = st.selectbox("Biểu đồ lũy kế theo tháng cho chỉ tiêu", list(names), format_func=names.get,
                            key=f"burnup-{task.number}")
        row = numeric.set_index("code").loc[code]
        cumulative = progress.cumulative_by_month(plan, values, communes, indicator=code, as_of=as_of)
        st.plotly_chart(charts.burnup(cumulative, progress.pacing_by_month(plan, code), row["name"], row["unit"]),
                        key=f"burnup-chart-{task.number}")
