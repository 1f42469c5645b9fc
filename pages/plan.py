"""Kế hoạch: the plan as its document states it, and where the facts come from."""
import streamlit as st

from mdplan_core import labels, views
from mdplan_core.accounts import Action
from mdplan_core.vntext import format_date
from pages import common

common.require(Action.VIEW)
plan = common.plan()
d = plan.decision

common.header(plan.title)
st.caption(f"{plan.document}. Người ký: {d.signer.name}, {d.signer.position}. "
           f"Báo cáo theo {labels.level_word(plan.reporting_level)}: "
           f"{len(plan.places)} {labels.level_word(plan.reporting_level)} và "
           f"{len(plan.units) - len(plan.places)} cơ quan cấp tỉnh.")

st.subheader("Nhiệm vụ và tiến độ")
st.dataframe(views.plan_tasks(plan), hide_index=True)
for note in dict.fromkeys(plan.tasks["schedule_note"].dropna()):
    st.info(note, icon=":material/info:")

st.subheader("Chỉ tiêu")
st.dataframe(views.plan_indicators(plan), hide_index=True)

st.subheader("Ma trận trách nhiệm (cơ quan × nhiệm vụ)")
st.dataframe(views.responsibility_matrix(plan))

if not plan.duties.empty:
    st.subheader("Phân công trách nhiệm")
    st.dataframe(views.plan_duties(plan), hide_index=True)

st.subheader("Kinh phí")
st.write(plan.funding.text)

st.subheader("Chế độ thông tin, báo cáo")
for clause in plan.reporting.clauses:
    st.write(clause.text)
st.caption(f"Hạn báo cáo: trước ngày {format_date(plan.report_due_date)}.")

if plan.spec.sources or plan.spec.not_stated:
    st.subheader("Nguồn của các số liệu trong kế hoạch")
    if plan.spec.not_stated:
        st.warning("Phần công khai của văn bản không nêu: " + "; ".join(plan.spec.not_stated) + ".",
                   icon=":material/info:")
    st.dataframe(views.plan_sources(plan), hide_index=True)
