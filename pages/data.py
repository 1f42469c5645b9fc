"""Dữ liệu: the consolidated table, filtered, and exported exactly as filtered."""
import datetime as dt

import streamlit as st

from mdplan_core import accounts, allocations, export, labels, summary
from mdplan_core.accounts import Action
from mdplan_core.report import Period
from mdplan_core.settings import LOCAL_TZ
from mdplan_core.vntext import format_date, format_number
from pages import common

user = common.require(Action.VIEW)
as_of = common.as_of()  # for the summary workbook below
plan = common.plan()
common.header("Dữ liệu tổng hợp")
st.caption("Lọc bảng tổng hợp các báo cáo rồi tải đúng bảng đã lọc về Excel hoặc CSV.")

tasks, indicators, units = plan.tasks, plan.indicators, plan.reporting_units
places = plan.places
periods = {Period(plan.year, p.start_month, p.end_month) for p in plan.expected_periods.itertuples()}
stored = common.submissions()
periods |= {Period(y, a, b) for y, a, b in zip(stored["year"], stored["start_month"], stored["end_month"])}

def names(codes, labels):
    return dict(zip(codes, labels)).get


a, b, c = st.columns(3)
chosen_tasks = a.multiselect("Nhiệm vụ", list(tasks["number"]), placeholder="Tất cả", select_all=False,
                             format_func=names(tasks["number"], "NV" + tasks["number"].astype(str)
                                               + ". " + tasks["title"]))
chosen_indicators = b.multiselect("Chỉ tiêu", list(indicators["code"]), placeholder="Tất cả", select_all=False,
                                  format_func=names(indicators["code"],
                                                    indicators["code"] + " · " + indicators["name"]))
chosen_places = c.multiselect(labels.level_word(plan.reporting_level, heading=True), list(places["code"]),
                              placeholder="Tất cả", select_all=False, format_func=names(places["code"], places["name"]))
d, e, f = st.columns(3)
chosen_units = d.multiselect("Đơn vị báo cáo", list(units["code"]), placeholder="Tất cả", select_all=False,
                             format_func=names(units["code"], units["name"]))
chosen_periods = e.multiselect("Kỳ báo cáo", sorted(periods), placeholder="Tất cả", select_all=False,
                               format_func=lambda p: p.label)
chosen_statuses = f.multiselect("Trạng thái báo cáo", list(export.SUBMISSION_STATUS),
                                default=[export.IN_FORCE], placeholder="Tất cả", select_all=False,
                                format_func=export.SUBMISSION_STATUS.get,
                                help="Bản đã được thay thế, đã bị hủy chỉ hiện với cán bộ của đơn vị "
                                     "và quản trị viên.")

filters = export.Filters(tasks=chosen_tasks or None, indicators=chosen_indicators or None,
                         places=chosen_places or None, units=chosen_units or None,
                         periods=chosen_periods or None, statuses=chosen_statuses or None,
                         include_history=not chosen_statuses,
                         history_units=accounts.history_scope(user, plan))
table = filters.apply(common.consolidated(filters.include_history))
st.markdown(f"**{format_number(len(table))} dòng**")
titles = export.headers(plan.reporting_level)
columns = st.multiselect("Cột hiển thị", export.COLUMNS, default=export.SHOWN_COLUMNS, format_func=titles.get,
                         placeholder="Tất cả các cột", select_all=False, key="data-columns",
                         help="Chỉ đổi bảng trên trang; tệp Excel và CSV luôn có đủ các cột.")
st.dataframe(export.for_display(table, plan.reporting_level, columns), hide_index=True, placeholder="")

# The files are built when a button is clicked, not on every filter change; the export time
# written in them is the click's.
stamp = dt.datetime.now(LOCAL_TZ).strftime("%Y%m%d-%H%M")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
left, middle, right = st.columns(3)
left.download_button("Tải Excel (.xlsx)", lambda: export.to_xlsx(
                         table, filters, plan=plan, exported_at=dt.datetime.now(dt.UTC),
                         exported_by=user.display_name),
                     file_name=f"mdplan-du-lieu-{stamp}.xlsx", icon=":material/download:", type="primary",
                     mime=XLSX)
middle.download_button("Tải CSV cho Excel tiếng Việt (;)", lambda: export.to_csv(table, plan.reporting_level, ";"),
                       file_name=f"mdplan-du-lieu-{stamp}.csv", mime="text/csv", icon=":material/download:")
right.download_button("Tải CSV (dấu phẩy)", lambda: export.to_csv(table, plan.reporting_level, ","),
                      file_name=f"mdplan-du-lieu-{stamp}-dau-phay.csv", mime="text/csv", icon=":material/download:")
st.caption("CSV dùng mã UTF-8. Excel trên máy Windows đặt vùng Việt Nam tách cột bằng dấu chấm phẩy: "
           "chọn «CSV cho Excel tiếng Việt». Nếu tệp mở ra chỉ có một cột, hãy tải bản còn lại. "
           "LibreOffice và Google Trang tính hỏi dấu phân cách khi mở nên đọc được cả hai.")

st.divider()
st.subheader("Bảng tổng hợp cho báo cáo năm")
st.caption(f"Kết quả theo chỉ tiêu, theo {labels.level_word(plan.reporting_level)} và tình hình "
           "báo cáo, tính đến ngày xem xét "
           f"{format_date(as_of)} (chọn ở thanh bên), để đưa vào báo cáo kết quả thực hiện Kế hoạch.")
values, communes = common.data(as_of)
allocated = allocations.get_allocations(common.store(), plan.id)
st.download_button("Tải bảng tổng hợp (.xlsx)", lambda: summary.summary_xlsx(
                       plan, values, communes, stored, allocated, as_of=as_of,
                       exported_at=dt.datetime.now(dt.UTC), exported_by=user.display_name),
                   file_name=f"mdplan-tong-hop-{as_of:%Y%m%d}.xlsx", icon=":material/summarize:", mime=XLSX)
