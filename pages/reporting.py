"""Tình hình báo cáo: expected reports against received, on time, late and missing."""
import streamlit as st

from mdplan_core import charts, completeness, views
from mdplan_core.vntext import format_number, format_percent
from pages import common

plan, as_of = common.monitoring_page("Tình hình báo cáo")

status = completeness.report_status(plan, common.submissions(), as_of)
summary = completeness.summary(status)
rates = completeness.rates(status)

a, b, c, d, e = st.columns(5)
a.metric("Báo cáo phải nộp", format_number(summary["expected"]))
b.metric("Đã nhận", format_number(summary["received"]), help="Gồm cả báo cáo nộp muộn")
c.metric("Đúng hạn", f"{format_number(summary['on_time'])} ({format_percent(summary['on_time_rate'])})")
d.metric("Nộp muộn", format_number(summary["late"]), help="Đã nhận sau hạn nộp")
e.metric("Chưa gửi", format_number(summary["missing"]), help="Chưa nhận đến hết ngày xem xét")
if plan.reporting.schedule is not None:
    st.caption(plan.reporting.schedule.source_note)

st.plotly_chart(charts.completeness_bars(rates), key="completeness")

st.subheader("Nhắc nhở các đơn vị chưa gửi báo cáo")
st.caption("Sao chép đoạn dưới đây vào công văn hoặc tin nhắn nhắc nhở.")
st.code(completeness.reminder_text(plan, status, as_of), language=None, wrap_lines=True)

st.subheader("Chi tiết theo đơn vị và kỳ")
st.dataframe(views.report_status_table(status), hide_index=True)
