"""Nộp báo cáo: download the template, upload filled workbooks, see what is wrong and where,
confirm to store, and see the unit's own history."""
import hashlib

import streamlit as st

from mdplan_core import completeness, labels, views
from mdplan_core.accounts import Action
from mdplan_core.intake import against_in_force, check_upload, open_periods, problems, submit, upload_scope
from mdplan_core.report import Period
from mdplan_core.template import template_filename
from pages import common

TEXT = {
    "accepts": ("Nhận tệp .xlsx, .xlsm, .xls (Excel 97–2003) và .ods, tối đa {limit} MB mỗi tệp. "
                "Có thể chọn nhiều tệp một lúc."),
    "limit": "Tối đa {limit} MB mỗi tệp",
    "browse": "Chọn tệp",
    "too_large_here": "Tệp lớn hơn {limit} MB, không nhận được",
    "new": "Tệp hợp lệ, có thể lưu. Đây là báo cáo đầu tiên của đơn vị cho kỳ này.",
    "replaces": ("Tệp hợp lệ, có thể lưu. Lưu tệp này sẽ thay thế báo cáo đang có hiệu lực (lần "
                 "nộp thứ {version}) của kỳ này. Các thay đổi so với báo cáo đó:"),
    "same_file": ("Tệp này giống hệt tệp của lần nộp thứ {version} đang có hiệu lực, không có gì "
                  "để lưu."),
    "same_values": ("Số liệu trong tệp giống hệt lần nộp thứ {version} đang có hiệu lực, không có "
                    "gì để lưu."),
    "notes": " Xem các lưu ý bên dưới.",
}
ROUND = "upload-round"  # session key: bumped after a save, so that the uploader starts empty
SAVED = "upload-saved"  # session key: what the last save said, shown once


def uploader_words(limit: int) -> None:
    """Streamlit's uploader has no setting for its words ("Upload", "… per file", "Drag and
    drop …", "File must be … or smaller"): CSS hides them and writes Vietnamese ones."""
    st.html(f"""<style>
[data-testid="stFileUploaderDropzoneInstructions"] span {{ font-size: 0; }}
[data-testid="stFileUploaderDropzoneInstructions"] span::after {{
  content: "{TEXT['limit'].format(limit=limit)} · .xlsx, .xlsm, .xls, .ods"; font-size: 0.875rem; }}
[data-testid="stFileUploaderDropzone"] button span[data-testid="stIconMaterial"] + span,
[data-testid="stFileUploaderDropzone"] button p {{ font-size: 0; }}
[data-testid="stFileUploaderDropzone"] button p::after {{ content: "{TEXT['browse']}"; font-size: 0.875rem; }}
[data-testid="stFileUploaderFileErrorMessage"] {{ font-size: 0; }}
[data-testid="stFileUploaderFileErrorMessage"]::after {{
  content: "{TEXT['too_large_here'].format(limit=limit)}"; font-size: 0.875rem; }}
</style>""")


user = common.require_for_own_unit(Action.UPLOAD)
plan = common.plan()
store = common.store()
common.header("Nộp báo cáo")

unit, unit_names = common.reporting_unit(user)
day = common.as_of()
owing, reminder = completeness.unit_reminder(plan, completeness.report_status(plan, common.submissions(), day),
                                             unit, day)
(st.warning if owing else st.info)(reminder, icon=":material/mail:")

st.subheader("1. Tải mẫu báo cáo")
periods = open_periods(plan, common.submissions(), unit)
period = periods[st.selectbox("Kỳ báo cáo", list(periods))]
filename = template_filename(plan, unit, period)
st.caption(f"Mẫu của {unit_names[unit]}, kỳ {period.label}: `{filename}`")
st.download_button("Tải mẫu Excel", common.template_file(plan.id, plan.year, unit, str(period)),
                   file_name=filename,
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                   icon=":material/download:", type="primary")

st.subheader("2. Nộp tệp đã điền")
limit = common.settings().max_upload_mb
st.caption(TEXT["accepts"].format(limit=limit))
if SAVED in st.session_state:  # one confirmation of the last save, above an empty uploader
    saved, refused = st.session_state.pop(SAVED)
    if saved:
        st.success("\n\n".join(saved), icon=":material/check_circle:")
    for message, findings in refused:
        st.error(message, icon=":material/block:")
        st.table(views.findings_table(findings), hide_index=True)
uploader_words(limit)
upload_round = st.session_state.get(ROUND, 0)
files = st.file_uploader("Chọn tệp báo cáo", type=["xlsx", "xlsm", "xls", "ods"], accept_multiple_files=True,
                         max_upload_size=limit, key=f"upload-{upload_round}")
allowed = upload_scope(user)

checked = []
if files:
    bar = st.progress(0.0, text="Đang kiểm tra tệp…")
    for n, f in enumerate(files, start=1):
        data = f.getvalue()
        # The unit selected is part of the key: an administrator's choice binds the check.
        key = ("check", unit, f.name, hashlib.sha256(data).hexdigest())
        if key not in st.session_state:
            result = check_upload(data, f.name, plan=plan, store=store, allowed_unit=allowed, chosen_unit=unit,
                                  user=user.username)
            st.session_state[key] = (result, against_in_force(plan, store, result.report, data)
                                     if result.ok else None)
        checked.append((f.name, data, *st.session_state[key]))
        bar.progress(n / len(files), text=f"Đã kiểm tra {n}/{len(files)} tệp")
    bar.empty()

for name, _data, result, against in checked:
    with st.container(border=True):
        report = result.report
        head = f"**{views.plain(name)}**"
        if report is not None and (plan.reporting_units["code"] == report.unit_code).any():
            head += f" · {plan.unit(report.unit_code).name} · {report.period.label}"
        st.markdown(head)
        notes = TEXT["notes"] if result.findings else ""
        if not result.ok:
            for banner in problems(result.findings):
                st.error(banner, icon=":material/block:")
        elif against.identical:
            st.info(TEXT["same_file" if against.same_file else "same_values"].format(version=against.version),
                    icon=":material/info:")
        elif against.replaces:
            st.warning(TEXT["replaces"].format(version=against.version), icon=":material/published_with_changes:")
            st.table(views.changes_table(plan, against), hide_index=True)
            if notes:
                st.caption(notes.strip())
        else:
            st.success(TEXT["new"] + notes, icon=":material/check_circle:")
        if result.findings:
            st.table(views.findings_table(result.findings), hide_index=True)
        if result.ok and not against.identical:
            with st.expander("Xem trước số liệu sẽ được lưu", expanded=not against.replaces):
                st.dataframe(views.report_preview(plan, report), hide_index=True)

ready = [(name, data) for name, data, result, against in checked if result.ok and not against.identical]
if ready and st.button(f"Lưu {len(ready)} báo cáo hợp lệ", type="primary", icon=":material/save:",
                       key=f"save-{upload_round}"):
    saved, refused = [], []
    for name, data in ready:
        out = submit(data, name, user=user, plan=plan, store=store, chosen_unit=unit)
        text, _icon = labels.UPLOAD_OUTCOME[out.outcome]
        version = f" (lần nộp thứ {out.saved.version})" if out.saved and out.saved.version else ""
        message = f"{views.plain(name)}: {text}{version}"
        if out.outcome == "refused":
            refused.append((message, out.findings))
        else:
            saved.append(message)
    # Start again from an empty uploader, with no check of the files just saved left over.
    for key in [k for k in st.session_state if isinstance(k, tuple) and k[:1] == ("check",)]:
        del st.session_state[key]
    st.session_state[ROUND] = upload_round + 1
    st.session_state[SAVED] = (saved, refused)
    common.data_changed()
    st.rerun()

st.subheader("3. Lịch sử nộp báo cáo của đơn vị")
history = store.history(plan.id, unit)
if history.empty:
    st.write("Đơn vị chưa gửi báo cáo nào.")
else:
    st.dataframe(views.submissions_table(plan, history), hide_index=True)
    newest_first = history.sort_values("uploaded_at", ascending=False).set_index("submission_id")
    choices = {i: f"Mã {i} · {Period(r.year, r.start_month, r.end_month).label} · lần nộp {r.version} · {r.filename}"
               for i, r in newest_first.iterrows()}
    chosen = st.selectbox("Tải lại đúng tệp đã nộp", list(choices), format_func=choices.get)
    filename, original = store.original_file(int(chosen))
    st.download_button("Tải tệp gốc", original, file_name=filename, icon=":material/description:")
