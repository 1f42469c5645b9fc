"""Tổng quan: every target against what has been reported, at a glance."""
import streamlit as st

from mdplan_core import charts, completeness, labels, progress
from mdplan_core.vntext import format_number, format_percent
from pages import common

plan, as_of = common.monitoring_page("Tổng quan")

values, communes = common.data()
table = progress.by_indicator(plan, values, communes, as_of)
status = completeness.report_status(plan, common.submissions(), as_of)
summary = completeness.summary(status)

st.plotly_chart(charts.overall_gauge(table, as_of=as_of), key="overall")
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
        st.page_link("pages/reporting.py", label="Xem chi tiết và danh sách nhắc nhở", icon="📬")
    else:
        st.write("Chưa có kỳ báo cáo nào đến hạn vào ngày xem xét.")

st.subheader("Từng chỉ tiêu")
cols = st.columns(3)
for i, row in enumerate(table.itertuples(index=False)):
    with cols[i % 3].container(border=True):
        st.markdown(f"**{row.code}** · {row.name}")
        word = f"{labels.STATUS_ICON[row.status]} {labels.STATUS[row.status]}"
        if row.status == progress.STATUS_QUALITATIVE:
            st.markdown(f"### {format_number(row.actual)} {row.unit}")
            st.caption(f"{word} · không có chỉ tiêu số")
        else:
            st.markdown(f"### {format_number(row.actual)} / {format_number(row.target)} {row.unit}")
            st.progress(min(float(row.pct_target), 1.0))
            st.caption(f"{word} · đạt {format_percent(row.pct_target)} chỉ tiêu năm · "
                       f"cần đạt đến nay: {format_number(row.expected, 0 if row.expected % 1 == 0 else 1)}")

st.plotly_chart(charts.indicator_bars(table, as_of=as_of), key="indicators")
