"""Nộp báo cáo: download the template, upload filled workbooks, see what is wrong and where,
confirm to store, and see the unit's own history."""
import hashlib

import streamlit as st

from mdplan_core import completeness, labels, views
from mdplan_core.accounts import Action
from mdplan_core.intake import check_upload, submit, upload_scope
from mdplan_core.report import Period
from mdplan_core.template import template_filename
from pages import common

user = common.require_for_own_unit(Action.UPLOAD)
plan = common.plan()
store = common.store()
common.header("Nộp báo cáo")

unit, unit_names = common.reporting_unit(user)
day = common.as_of()
owing, reminder = completeness.unit_reminder(plan, completeness.report_status(plan, common.submissions(), day),
                                             unit, day)
(st.warning if owing else st.info)(reminder, icon=":material/mark_email_unread:")

st.subheader("1. Tải mẫu báo cáo")
periods = plan.offered_periods()
period = periods[st.selectbox("Kỳ báo cáo", list(periods))]
filename = template_filename(unit, period)
st.caption(f"Mẫu của {unit_names[unit]}, kỳ {period.label}: `{filename}`")
st.download_button("Tải mẫu Excel", common.template_file(plan.id, plan.year, unit, str(period)),
                   file_name=filename,
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", icon=":material/download:",
                   type="primary")

st.subheader("2. Nộp tệp đã điền")
st.caption("Nhận tệp .xlsx, .xlsm, .xls (Excel 97–2003) và .ods. Có thể chọn nhiều tệp một lúc.")
files = st.file_uploader("Chọn tệp báo cáo", type=["xlsx", "xlsm", "xls", "ods"], accept_multiple_files=True)
allowed = upload_scope(user)

checked = []
if files:
    bar = st.progress(0.0, text="Đang kiểm tra tệp…")
    for n, f in enumerate(files, start=1):
        data = f.getvalue()
        key = ("check", f.name, hashlib.sha256(data).hexdigest())
        if key not in st.session_state:
            st.session_state[key] = check_upload(data, f.name, plan=plan, store=store, allowed_unit=allowed,
                                                 user=user.username)
        checked.append((f.name, data, st.session_state[key]))
        bar.progress(n / len(files), text=f"Đã kiểm tra {n}/{len(files)} tệp")
    bar.empty()

for name, _data, result in checked:
    with st.container(border=True):
        report = result.report
        head = f"**{views.plain(name)}**"
        if report is not None:
            head += f" · {plan.unit(report.unit_code).name} · {report.period.label}"
        st.markdown(head)
        if result.ok:
            st.success("Tệp hợp lệ, có thể lưu." + (" Xem các lưu ý bên dưới." if result.findings else ""),
                       icon=":material/check_circle:")
        else:
            st.error("Tệp có lỗi, chưa thể lưu. Hãy sửa các ô được chỉ ra rồi nộp lại.", icon=":material/error:")
        if result.findings:
            st.table(views.findings_table(result.findings), hide_index=True)
        if report is not None:
            with st.expander("Xem trước số liệu sẽ được lưu", expanded=result.ok):
                st.dataframe(views.report_preview(plan, report), hide_index=True)

ready = [(name, data) for name, data, result in checked if result.ok]
if ready and st.button(f"Lưu {len(ready)} báo cáo hợp lệ", type="primary", icon=":material/save:"):
    for name, data in ready:
        out = submit(data, name, user=user, plan=plan, store=store)
        text, icon = labels.UPLOAD_OUTCOME[out.outcome]
        version = f" (lần nộp thứ {out.saved.version})" if out.saved and out.saved.version else ""
        message = f"{views.plain(name)}: {text}{version}"
        st.toast(message, icon=icon)
        (st.error if out.outcome == "refused" else st.success)(message, icon=icon)
        if out.outcome == "refused":
            st.table(views.findings_table(out.findings), hide_index=True)
    common.data_changed()

st.subheader("3. Lịch sử nộp báo cáo của đơn vị")
history = store.history(plan.id, unit)
if history.empty:
    st.write("Đơn vị chưa nộp báo cáo nào.")
else:
    st.dataframe(views.submissions_table(plan, history), hide_index=True)
    newest_first = history.sort_values("uploaded_at", ascending=False).set_index("submission_id")
    choices = {i: f"Mã {i} · {Period(r.year, r.start_month, r.end_month).label} · lần nộp {r.version} · {r.filename}"
               for i, r in newest_first.iterrows()}
    chosen = st.selectbox("Tải lại đúng tệp đã nộp", list(choices), format_func=choices.get)
    filename, original = store.original_file(int(chosen))
    st.download_button("Tải tệp gốc", original, file_name=filename, icon=":material/description:")
