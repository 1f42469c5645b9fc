"""Nhập trên web: type a report into a form instead of filling the Excel template. The form
is written into the real template and takes the upload path: check, see findings and a
preview, confirm to store."""
import datetime as dt
from dataclasses import dataclass

import streamlit as st

from mdplan_core import counting, entry, labels, views
from mdplan_core.accounts import Action
from mdplan_core.intake import submit, upload_scope
from mdplan_core.settings import LOCAL_TZ
from mdplan_core.validation import CheckResult
from pages import common

TEXT = {
    "intro": ("Dành cho đơn vị có ít số liệu: nhập ngay trên trình duyệt, không cần tải mẫu "
              "Excel. mdplan ghi số liệu vào đúng mẫu báo cáo, kiểm tra như một tệp nộp lên "
              "và giữ tệp đó làm tệp gốc."),
    "prefilled": ("Biểu mẫu đã điền sẵn số liệu của lần nộp thứ {version} đang có hiệu lực; "
                  "lưu sẽ tạo lần nộp mới thay thế."),
    "blank": "Đơn vị chưa có báo cáo đang có hiệu lực cho kỳ này; biểu mẫu để trống.",
    "blank_vs_zero": ("Để trống: chưa có số liệu. Ghi 0: đã theo dõi nhưng trong kỳ không "
                      "thực hiện. Ghi kết quả đạt được trong kỳ, không cộng dồn các kỳ trước."),
    "date_help": ("Mặc định là hôm nay, hoặc ngày sau khi kỳ báo cáo kết thúc nếu kỳ đã kết "
                  "thúc trước hôm nay. Biểu mẫu điền sẵn lấy ngày của lần nộp đang có hiệu lực."),
    "target": "Chỉ tiêu năm của toàn tỉnh: {target} {unit}.",
    "count_help": "Số {unit} đạt được trong kỳ; chỉ nhập số nguyên.",
    "percent_help": "Tỉ lệ phần trăm đạt được tính đến cuối kỳ, từ 0 đến 100.",
    "communes_help": "Chọn các xã, phường, thị trấn đạt chỉ tiêu trong kỳ; mỗi xã tính một lần.",
    "communes_placeholder": "Chọn xã, phường, thị trấn",
    "count_placeholder": "Để trống nếu chưa có số liệu",
    "media": "Nội dung chuyên trang, chuyên mục",
    "media_help": "Tên chuyên mục, cơ quan đăng, phát, số kỳ.",
    "ok": "Số liệu hợp lệ, có thể lưu.",
    "ok_notes": " Xem các lưu ý bên dưới.",
    "bad": ("Số liệu có lỗi, chưa thể lưu. Hãy sửa biểu mẫu theo các lỗi bên dưới rồi bấm "
            "«Kiểm tra» lại."),
    "cells": "Cột «Ô» chỉ vị trí trong tệp Excel mdplan tạo từ biểu mẫu (có thể tải về bên dưới).",
    "save_help": "Bấm «Kiểm tra» trước; nút này mở khi số liệu đã kiểm tra hợp lệ.",
    "changed": ("Biểu mẫu đã được sửa sau lần kiểm tra trước nên chưa lưu. Kết quả kiểm tra "
                "số liệu mới ở bên dưới; nếu hợp lệ, bấm «Lưu báo cáo» lần nữa."),
    "same": ("Số liệu giống hệt lần nộp thứ {version} đang có hiệu lực, không có gì để lưu. "
             "Hãy sửa biểu mẫu nếu cần nộp bản khác."),
}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHECKED = "entry-checked"   # session key: the last check, a Checked
OUTCOME_KEY = "entry-outcome"


@dataclass(frozen=True)
class Checked:
    """The last check: what was typed, the workbook made of it (None: refused before writing
    it), and what validation said."""
    entry: entry.Entry
    data: bytes | None
    result: CheckResult
    same: bool  # the same report as the version in force: nothing to store
    changed: bool = False  # "Lưu" was pressed on numbers changed since the check before

    @property
    def ok(self) -> bool:
        return self.result.ok and not self.same


user = common.require_for_own_unit(Action.UPLOAD)
plan = common.plan()
store = common.store()
common.header("Nhập trên web")
st.caption(TEXT["intro"])

left, right = st.columns(2)
unit, unit_names = common.reporting_unit(user, left)
periods = plan.offered_periods()
period = periods[right.selectbox("Kỳ báo cáo", list(periods))]

values, communes_named = common.data()
prefill = entry.in_force(plan, common.submissions(), values, communes_named, unit, period)
st.caption(TEXT["prefilled"].format(version=prefill.version) if prefill.version else TEXT["blank"])

# Keys name the unit, period and version pre-filled, so another choice (or a new version
# after saving) starts from its own numbers rather than what was typed for the last one.
prefix = f"entry-{unit}-{period}-{prefill.version or 0}"
first_day, last_day = entry.report_date_range(plan)
default_day = prefill.report_date or entry.default_report_date(plan, period, dt.datetime.now(LOCAL_TZ).date())
commune_labels = entry.commune_options(plan, unit)
indicators = plan.indicators
named = set(counting.named_codes(plan))

with st.form(prefix):
    a, b, c = st.columns(3)
    reporter = a.text_input("Người báo cáo", value=prefill.reporter or "", key=f"{prefix}-reporter")
    phone = b.text_input("Số điện thoại", value=prefill.phone or "", key=f"{prefix}-phone")
    report_date = c.date_input("Ngày báo cáo", value=min(max(default_day, first_day), last_day),
                               min_value=first_day, max_value=last_day, format="DD/MM/YYYY",
                               help=TEXT["date_help"], key=f"{prefix}-date")
    st.caption(TEXT["blank_vs_zero"])

    results, communes, notes, media_text = {}, {}, {}, None
    for task in plan.tasks.itertuples():
        with st.container(border=True):
            st.markdown(f"**NV{task.number}. {task.title}**")
            for ind in indicators[indicators["task"] == task.number].itertuples():
                label = f"{ind.code} · {ind.name} ({ind.unit})"
                way = counting.way(ind)
                help_text = TEXT["percent_help" if way.reported_percent else "count_help"].format(unit=ind.unit)
                if way.is_numeric:
                    help_text += " " + TEXT["target"].format(target=counting.show(ind, ind.target),
                                                             unit=ind.unit)
                value_col, note_col = st.columns([3, 2])
                if ind.code in named:
                    chosen = [code for code in prefill.communes.get(ind.code, [])
                              if code in commune_labels]
                    # No "Select all": its text is English, and no unit reaches every commune.
                    communes[ind.code] = value_col.multiselect(
                        label, list(commune_labels), default=chosen, format_func=commune_labels.get,
                        placeholder=TEXT["communes_placeholder"], help=TEXT["communes_help"],
                        select_all=False, key=f"{prefix}-{ind.code}-communes")
                elif way.reported_percent:
                    typed = prefill.results.get(ind.code)
                    results[ind.code] = value_col.number_input(
                        label, value=None if typed is None else float(typed), min_value=0.0,
                        max_value=100.0, step=0.5, placeholder=TEXT["count_placeholder"],
                        help=help_text, key=f"{prefix}-{ind.code}-value")
                else:
                    results[ind.code] = value_col.number_input(
                        label, value=prefill.results.get(ind.code), min_value=0, step=1,
                        placeholder=TEXT["count_placeholder"], help=help_text,
                        key=f"{prefix}-{ind.code}-value")
                notes[ind.code] = note_col.text_input(
                    "Ghi chú", value=prefill.notes.get(ind.code, ""), key=f"{prefix}-{ind.code}-note")
                if way.has_text:
                    media_text = st.text_area(
                        f"{ind.code} · {TEXT['media']}", value=prefill.media_text or "",
                        help=TEXT["media_help"], key=f"{prefix}-media")
    # Both buttons send what the form holds, so what is stored is always what is shown.
    last = st.session_state.get(CHECKED)
    savable = last is not None and last.entry.unit_code == unit and last.entry.period == period and last.ok
    check_col, save_col = st.columns(2)
    checked = check_col.form_submit_button("Kiểm tra", icon=":material/search:")
    save = save_col.form_submit_button("Lưu báo cáo", type="primary", icon=":material/save:", disabled=not savable,
                                       help=None if savable else TEXT["save_help"])

if checked or save:
    typed = entry.from_form(unit, period, results=results, communes=communes, notes=notes,
                            media_text=media_text, reporter=reporter, phone=phone, report_date=report_date)
    st.session_state.pop(OUTCOME_KEY, None)
    if save and last is not None and typed.same_report(last.entry):
        name = entry.filename(unit, period)
        out = submit(last.data, name, user=user, plan=plan, store=store)
        st.session_state[OUTCOME_KEY] = (name, out.outcome, out.saved.version if out.saved else None,
                                         out.findings)
        st.session_state.pop(CHECKED, None)
        common.data_changed()
    else:
        data, result = entry.check(plan, typed, store=store, allowed_unit=upload_scope(user),
                                   user=user.username)
        same = prefill.version is not None and typed.same_report(prefill)
        st.session_state[CHECKED] = Checked(typed, data, result, same, changed=save)
    # Draw the form again: after a save it starts from the new version; after a check, the
    # save button opens when the numbers are valid.
    st.rerun()

if OUTCOME_KEY in st.session_state:
    name, outcome, version, findings = st.session_state.pop(OUTCOME_KEY)
    text, icon = labels.UPLOAD_OUTCOME[outcome]
    message = f"{name}: {text}" + (f" (lần nộp thứ {version})" if version else "")
    st.toast(message, icon=icon)
    (st.error if outcome == "refused" else st.success)(message, icon=icon)
    if outcome == "refused":
        st.table(views.findings_table(findings), hide_index=True)

last = st.session_state.get(CHECKED)
if last is not None and last.entry.unit_code == unit and last.entry.period == period:
    result = last.result
    with st.container(border=True):
        st.markdown(f"**{unit_names[unit]} · {period.label}**")
        if last.changed:
            st.warning(TEXT["changed"], icon=":material/edit:")
        if last.same:
            st.info(TEXT["same"].format(version=prefill.version), icon=":material/info:")
        elif result.ok:
            st.success(TEXT["ok"] + (TEXT["ok_notes"] if result.findings else ""), icon=":material/check_circle:")
        else:
            st.error(TEXT["bad"], icon=":material/error:")
        if result.findings:
            st.table(views.findings_table(result.findings), hide_index=True)
            st.caption(TEXT["cells"])
        if result.report is not None:
            with st.expander("Xem trước số liệu sẽ được lưu", expanded=result.ok):
                st.dataframe(views.report_preview(plan, result.report), hide_index=True)
        if last.data is not None:
            st.download_button("Tải tệp Excel vừa tạo", last.data, file_name=entry.filename(unit, period),
                               mime=XLSX, icon=":material/description:")
