"""So sánh các năm: targets and results of the indicators that continue from plan to plan (and
the years of a plan for several years) side by side; and the chosen plan's results on today's
map of places."""
import datetime as dt

import streamlit as st

from mdplan_core import compare, labels, views
from mdplan_core.accounts import Action
from mdplan_core.settings import LOCAL_TZ
from mdplan_core.vntext import format_date
from pages import common

MESSAGES = {
    "alone": ("Kế hoạch {plan} chưa nối tiếp kế hoạch nào và chưa có kế hoạch nào nối tiếp nó "
              "(tệp kế hoạch ghi `continues:` ở từng chỉ tiêu), nên chưa có năm nào để so sánh. "
              "Phần dưới đây đặt kết quả của kế hoạch lên bản đồ hành chính hiện nay."),
    "plans": "So sánh {count} năm của: {plans}.",
    "counted": ("Kết quả mỗi năm tính như trang «Tổng quan» vào ngày cuối năm; năm đang thực hiện tính "
                "đến ngày {day}. Ô trống: năm đó chưa bắt đầu hoặc kế hoạch năm đó không có chỉ tiêu này."),
    "broken": "Liên kết giữa các năm chưa đúng: {message}.",
    "same_map": "Kế hoạch này đã ở trên bản đồ hành chính hiện nay; không có địa bàn nào thay đổi.",
    "became": "{province} năm {year} nay thuộc {successors}.",
    "unrecorded": "không ghi nhận được tỉnh kế tiếp",
    "honest": ("Một {old} cũ nay thuộc nhiều {new} thì kết quả vẫn là của cả {old} cũ: mdplan không "
               "chia kết quả cho từng nơi. Kết quả do các sở, ngành báo cáo không gắn với địa bàn "
               "nào nên không có ở đây."),
}

common.require(Action.VIEW)
plan = common.plan()
today = dt.datetime.now(LOCAL_TZ).date()
common.header("So sánh các năm")


def read(plan_id: str, year: int):
    return common.in_force(common.settings().database_url, plan_id, year)


comparison = compare.compare_years(common.plans(), plan, read, today)
st.subheader("Chỉ tiêu và kết quả qua các năm")
for message in comparison.broken:
    st.warning(MESSAGES["broken"].format(message=message), icon=":material/warning:")
if comparison.continues:
    st.caption(MESSAGES["plans"].format(count=len(comparison.columns),
                                        plans="; ".join(p.label for p in comparison.plans)))
    st.dataframe(views.years_table(comparison), hide_index=True)
    st.caption(MESSAGES["counted"].format(day=format_date(today)))
else:
    st.info(MESSAGES["alone"].format(plan=plan.label), icon=":material/info:")

st.subheader(f"Kết quả năm {plan.year} trên bản đồ hiện nay")
since = compare.map_day(plan)
if since >= today:
    st.write(MESSAGES["same_map"])
    st.stop()
province, successors = compare.province_change(plan, today)
st.caption(MESSAGES["became"].format(province=province[:1].upper() + province[1:], year=plan.year,
                                     successors=", ".join(successors) or MESSAGES["unrecorded"]))
names = dict(zip(plan.indicators["code"], plan.indicators["code"] + " · " + plan.indicators["name"]))
code = st.selectbox("Chỉ tiêu", list(names), format_func=names.get, key="map-indicator")
values, communes = common.data()
frame = compare.on_todays_map(plan, values, communes, min(dt.date(plan.year, 12, 31), today), code, today)
indicator = plan.indicator(code)

old_word = labels.level_word(plan.reporting_level)
st.markdown(f"**Từng {old_word} năm {plan.year} và nơi nó thuộc ngày nay**")
st.dataframe(views.todays_map_table(frame, indicator, year=plan.year), hide_index=True)
st.caption(MESSAGES["honest"].format(old=labels.LEVEL_SHORT[plan.reporting_level],
                                     new=labels.level_word("commune")))

st.markdown(f"**Từng {labels.level_word('commune')} hiện nay và kết quả năm {plan.year} của các nơi cũ**")
query = st.text_input(f"Tìm {labels.level_word('commune')} hiện nay", key="map-query",
                      placeholder="Tên hoặc mã, gõ có dấu hay không dấu")
st.dataframe(views.todays_places_table(frame, indicator, year=plan.year, query=query), hide_index=True)
