"""Tổng quan: every target against what has been reported, at a glance."""
import streamlit as st

from mdplan_core import charts, completeness, progress, views
from mdplan_core.vntext import format_number, format_percent
from pages import common

plan, as_of = common.monitoring_page("Tổng quan")

values, communes = common.data(as_of)
table = common.computed(progress.by_indicator, values, communes, as_of)
status = common.computed(completeness.report_status, common.submissions(), as_of)
summary = completeness.summary(status)

st.plotly_chart(common.figure(charts.overall_gauge, table, as_of=as_of), key="overall")
with st.container(border=True):
    st.subheader("Tình hình báo cáo")
    if summary["expected"]:
        a, b, c = st.columns(3)
        a.metric("Đã nhận", f"{format_number(summary['received'])}/{format_number(summary['expected'])}",
                 help="Số báo cáo đã nhận trên số báo cáo phải nộp đến ngày xem xét")
        b.metric("Đúng hạn", format_percent(summary["on_time_rate"]))
        c.metric("Còn thiếu", format_number(summary["missing"]))
        st.caption(f"Kỳ đã đến hạn: {', '.join(summary['periods'])}. "
                   f"{format_number(summary['units_missing'])} đơn vị còn thiếu báo cáo.")
        st.page_link("pages/reporting.py", label="Xem chi tiết và danh sách nhắc nhở", icon=":material/mail:")
    else:
        st.write("Chưa có kỳ báo cáo nào đến hạn vào ngày xem xét.")

st.subheader("Từng chỉ tiêu")
cols = st.columns(3)
for i, (_, row) in enumerate(table.iterrows()):
    with cols[i % 3].container(border=True):
        card = views.indicator_card(row)
        st.markdown(f"**{row['code']}** · {row['name']}")
        st.markdown(f"### {card.headline}")
        if card.share is not None:
            st.progress(card.share)
        st.caption(card.caption)

st.plotly_chart(common.figure(charts.indicator_bars, table, as_of=as_of), key="indicators")
