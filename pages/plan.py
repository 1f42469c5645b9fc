"""Kế hoạch: the plan as the decision states it."""
import streamlit as st

from mdplan_core import views
from mdplan_core.accounts import Action
from mdplan_core.vntext import format_date
from pages import common

common.require(Action.VIEW)
plan = common.plan()
d = plan.decision

common.header(plan.title)
st.caption(f"Kèm theo Quyết định số {d.number} ngày {format_date(d.date)} của {d.issuer}. "
           f"Người ký: {d.signer.name}, {d.signer.position}.")

st.subheader("Nhiệm vụ và tiến độ")
st.dataframe(views.plan_tasks(plan), hide_index=True)
for note in dict.fromkeys(plan.tasks["schedule_note"]):
    st.info(note, icon="ℹ️")

st.subheader("Chỉ tiêu")
st.dataframe(views.plan_indicators(plan), hide_index=True)

st.subheader("Ma trận trách nhiệm (cơ quan × nhiệm vụ, theo mục III)")
st.dataframe(views.responsibility_matrix(plan))

st.subheader("Phân công trách nhiệm (mục V.1)")
st.dataframe(views.plan_duties(plan), hide_index=True)

st.subheader("Kinh phí (mục IV)")
st.write(plan.funding.text)

st.subheader("Chế độ thông tin, báo cáo (mục V.2)")
for clause in plan.reporting.clauses:
    st.write(clause.text)
st.caption(f"Hạn báo cáo: trước ngày {format_date(plan.report_due_date)}.")
