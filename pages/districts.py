"""Theo địa bàn: the plan's places compared (a tile map for a few, a ranked chart and a
searchable table for many), and one place in detail."""
import streamlit as st

from mdplan_core import accounts, allocations, charts, counting, labels, progress, views
from mdplan_core.accounts import Action
from pages import common

NOT_YOURS = ("Lịch sử nộp báo cáo (các lần nộp, người nộp, tệp) chỉ hiện với cán bộ của đơn vị và "
             "quản trị viên. Tình hình nộp báo cáo của mọi đơn vị có ở trang «Tình hình báo cáo».")

MESSAGES = {
    "heatmap_title": "Kết quả theo {word}",
    "heatmap_caption": ("Dòng “Sở, ngành cấp tỉnh” là phần kết quả do các sở, ngành báo cáo, không thuộc "
                        "{word} nào. mdplan không tự đặt ra chỉ tiêu phân bổ."),
    "map_choice": "Chỉ tiêu cho bản đồ và xếp hạng",
    "map_left_out": ("Không có trong danh sách vì chưa có kết quả nào của một {word}: {codes} "
                     "(do sở, ngành cấp tỉnh báo cáo hoặc chưa được báo cáo)."),
    "map_nothing": "Chưa có chỉ tiêu nào có kết quả của một {word} để vẽ bản đồ và xếp hạng.",
}

SHOWN_FEW = 15
SHOWN = {"all": "Tất cả", "first": f"{SHOWN_FEW} nơi cao nhất", "last": f"{SHOWN_FEW} nơi thấp nhất"}

plan, as_of = common.monitoring_page("Theo địa bàn")
user = common.user()

values, communes = common.data(as_of)
level = plan.reporting_level
word = labels.level_word(level)
matrix = progress.place_matrix(plan, values, communes, allocations.get_allocations(common.store(), plan.id), as_of)
if len(plan.places) <= charts.TILE_MAP_MAX_PLACES:  # a grid of every place by every indicator
    st.plotly_chart(charts.district_heatmap(progress.with_province_level(matrix), level=level,
                                            title=MESSAGES["heatmap_title"].format(word=word)), key="heatmap")
    st.caption(MESSAGES["heatmap_caption"].format(word=word))

numeric = plan.indicators[counting.mask(plan.indicators, "is_numeric")]
names = dict(zip(numeric["code"], numeric["code"] + " · " + numeric["name"]))
drawn, left_out = charts.mappable(matrix[matrix["indicator_code"].isin(names)])
code = st.selectbox(MESSAGES["map_choice"], drawn, format_func=names.get)
if left_out:
    st.caption(MESSAGES["map_left_out"].format(word=word, codes=", ".join(left_out)))
chosen = matrix[matrix["indicator_code"] == code]
if code is None:
    st.info(MESSAGES["map_nothing"].format(word=word))
elif charts.uses_tile_map(chosen):
    # One title for the pair, written by the page so it wraps at any width.
    st.markdown(f"**{views.plain(names[code])}**")
    left, right = st.columns(2)
    left.plotly_chart(charts.tile_map(chosen, ""), key="tiles")
    right.plotly_chart(charts.district_ranking(chosen, title=""), key="ranking")
else:
    places = progress.place_progress(plan, chosen, as_of)
    unit = numeric.set_index("code").at[code, "unit"]
    shown = st.radio("Hiển thị", list(SHOWN), format_func=SHOWN.get, horizontal=True)
    st.plotly_chart(charts.place_ranking(places, level=level, title=names[code], unit=unit, as_of=as_of,
                                         limit=None if shown == "all" else SHOWN_FEW,
                                         lowest=shown == "last"), key="ranking")
    query = st.text_input(f"Tìm {labels.level_word(level)}", placeholder="Tên hoặc mã, gõ có dấu hay không dấu")
    # Only places with a target of their own have a pace to be behind.
    behind = places["target"].gt(0).any() and st.checkbox("Chỉ những nơi chậm tiến độ")
    st.dataframe(views.places_table(places, level=level, unit=unit, query=query, behind_only=behind),
                 hide_index=True)

st.divider()
st.subheader("Chi tiết một địa bàn")
places = plan.places
district = st.selectbox(labels.level_word(level, heading=True), list(places["code"]),
                        format_func=dict(zip(places["code"], places["name"])).get)
place_name = places.set_index("code").at[district, "name"]
indicator = st.selectbox("Chỉ tiêu", list(names), format_func=names.get, key="drill-indicator")
monthly = progress.cumulative_by_month(plan, values, communes, indicator=indicator, district=district,
                                       as_of=as_of)
st.plotly_chart(charts.monthly_bars(monthly, names[indicator], numeric.set_index("code").at[indicator, "unit"],
                                    place_name), key="monthly")

if level != "commune":  # a commune's own report names no communes
    reached = views.communes_reached(plan, communes, as_of, district=district)
    st.markdown("**Xã, phường, thị trấn đã có hoạt động**")
    if reached.empty:
        st.write("Chưa có xã, phường, thị trấn nào được báo cáo.")
    else:
        st.dataframe(reached, hide_index=True)

st.markdown("**Báo cáo của địa bàn**")
unit = next(u.code for u in plan.units if u.place_code == district)
reports = accounts.visible_history(user, common.submissions(), plan)
reports = reports[reports["unit_code"] == unit]
if not accounts.can(user, Action.HISTORY, unit, plan):
    st.write(NOT_YOURS)
elif reports.empty:
    st.write("Đơn vị này chưa gửi báo cáo nào.")
else:
    st.dataframe(views.submissions_table(plan, reports), hide_index=True)
