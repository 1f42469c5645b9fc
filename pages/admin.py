"""Quản trị: users, the plans, allocations of targets to places, every submission with rollback,
and the audit log."""
import streamlit as st

from mdplan_core import accounts, actions, allocations, labels, views
from mdplan_core.accounts import AccountError, Action
from mdplan_core.planfile import PlanFileError
from mdplan_core.report import Period
from pages import common

user = common.require(Action.MANAGE_USERS)
plan = common.plan()
store = common.store()
common.header("Quản trị")

MESSAGES = {
    "user_added": "Đã thêm tài khoản {username}.",
    "disabled": "Đã khóa {username}.",
    "enabled": "Đã mở khóa {username}.",
    "reset": "Đã đặt lại mật khẩu cho {username}.",
    "rolled_back": "Đã khôi phục. Biểu đồ đã được cập nhật.",
    "no_change": "Phiên bản này giống hệt bản đang có hiệu lực: khôi phục không thay đổi số liệu nào.",
    "changes": "Khôi phục sẽ thay bản đang có hiệu lực bằng bản đã chọn. Những gì sẽ thay đổi:",
    "reason": "Lý do khôi phục (ghi vào nhật ký hoạt động)",
    "confirm": "Tôi đã xem các thay đổi ở trên và muốn khôi phục phiên bản này",
    "not_confirmed": "Hãy đánh dấu ô xác nhận trước khi khôi phục.",
}
AUDIT_ROWS = 1000
DONE_KEY = "admin-done"  # the confirmation to show after the rerun that follows a change
FORM_KEY = "admin-user-form"  # bumped after an account is added: a fresh, empty form
users_tab, plans_tab, allocations_tab, submissions_tab, audit_tab = st.tabs(
    ["Tài khoản", "Kế hoạch", "Phân bổ chỉ tiêu", "Các lần nộp báo cáo", "Nhật ký hoạt động"])


def done(message: str) -> None:
    """Rerun so every table shows the change, then say what was done."""
    st.session_state[DONE_KEY] = message
    st.rerun()


if DONE_KEY in st.session_state:
    st.success(st.session_state.pop(DONE_KEY), icon=":material/check_circle:")

with users_tab:
    st.dataframe(views.users_table(plan, accounts.list_users(store)), hide_index=True, placeholder="")
    units = plan.reporting_units
    unit_names = dict(zip(units["code"], units["name"]))
    # A refused form keeps what was typed; an added account starts a new, empty form.
    form = st.session_state.setdefault(FORM_KEY, 0)
    with st.form(f"add-user-{form}"):
        st.markdown("**Thêm tài khoản**")
        a, b = st.columns(2)
        username = a.text_input("Tên đăng nhập")
        name = b.text_input("Họ tên")
        role = a.selectbox("Vai trò", accounts.ROLES, format_func=accounts.ROLE_LABELS.get)
        unit = b.selectbox("Đơn vị (chỉ với cán bộ đơn vị)", [None, *unit_names],
                           format_func=lambda c: "—" if c is None else unit_names[c])
        password = a.text_input("Mật khẩu (ít nhất 10 ký tự)", type="password")
        if st.form_submit_button("Thêm tài khoản", type="primary"):
            try:
                made = actions.add_user(store, plan, user, username, password, role, unit_code=unit,
                                        display_name=name or None)
            except AccountError as exc:
                st.error(exc.message)
            else:
                st.session_state[FORM_KEY] = form + 1
                done(MESSAGES["user_added"].format(username=made.username))
    st.markdown("**Khóa, mở khóa, đặt lại mật khẩu**")
    names = list(accounts.list_users(store)["username"])
    target = st.selectbox("Tài khoản", names)
    a, b, c = st.columns(3)
    new_password = c.text_input("Mật khẩu mới", type="password")
    try:
        if a.button("Khóa tài khoản"):
            actions.disable_user(store, user, target)
            done(MESSAGES["disabled"].format(username=target))
        if b.button("Mở khóa"):
            actions.enable_user(store, user, target)
            done(MESSAGES["enabled"].format(username=target))
        if c.button("Đặt lại mật khẩu"):
            actions.reset_password(store, user, target, new_password)
            done(MESSAGES["reset"].format(username=target))
    except AccountError as exc:
        st.error(exc.message)

with plans_tab:
    st.dataframe(views.plans_table(common.plans(user)), hide_index=True, placeholder="")
    st.markdown("**Thêm kế hoạch**")
    st.caption("Tải lên tệp kế hoạch (.yaml, viết theo hướng dẫn docs/plan-file.md). mdplan kiểm tra "
               "tệp trước khi thêm; lỗi được chỉ rõ theo dòng. Mọi lần thêm đều được ghi nhật ký.")
    upload = st.file_uploader("Tệp kế hoạch", type=["yaml", "yml"], key="plan-file")
    if upload is not None and st.button("Kiểm tra và thêm kế hoạch", type="primary"):
        try:
            added_plan, added = actions.add_plan(store, user, upload.getvalue(), upload.name)
        except PlanFileError as exc:
            st.error("Tệp kế hoạch chưa dùng được:\n\n" + "\n".join(
                f"- {views.plain(line)}" for line in str(exc).splitlines()))
        else:
            if added:
                st.success(f"Đã thêm kế hoạch {added_plan.label}. Chọn kế hoạch ở thanh bên để xem.")
                common.data_changed()
            else:
                st.info(f"Kế hoạch {added_plan.label} đã có với đúng nội dung này; không có gì thay đổi.")

with allocations_tab:
    level = labels.level_word(plan.reporting_level)
    st.caption(f"Cơ quan thường trực có thể phân bổ một phần chỉ tiêu của tỉnh cho từng {level}. "
               "Để trống nghĩa là không phân bổ. Mọi thay đổi đều được ghi nhật ký.")
    grid = allocations.allocation_grid(plan, allocations.get_allocations(store, plan.id))
    edited = st.data_editor(grid, hide_index=True, disabled=[c for c in grid.columns if c != "target"],
                            placeholder="",
                            column_config={
                                "indicator_code": "Mã", "indicator_name": "Chỉ tiêu",
                                "provincial_target": st.column_config.NumberColumn("Chỉ tiêu tỉnh"),
                                "place_code": None,
                                "place_name": labels.level_word(plan.reporting_level, heading=True),
                                "target": st.column_config.NumberColumn("Phân bổ", min_value=0, step=1),
                            }, key="allocations")
    if st.button("Lưu phân bổ", type="primary"):
        result = actions.save_allocations(store, plan, user, edited)
        for f in result.findings:
            (st.error if f.is_error else st.warning)(f.message)
        if result.saved:
            st.success(f"Đã lưu {len(result.changes)} thay đổi.")
            common.data_changed()

with submissions_tab:
    history = store.history(plan.id)
    if history.empty:
        st.write("Chưa có báo cáo nào.")
    else:
        st.dataframe(views.submissions_table(plan, history, accounts.display_names(store)),
                     hide_index=True, placeholder="")
        st.markdown("**Khôi phục một phiên bản cũ**")
        older = history[history["status"] != "in_force"]
        if older.empty:
            st.write("Chưa có phiên bản cũ nào để khôi phục.")
        else:
            versions = {row.submission_id: f"{unit_names[row.unit_code]} · "
                                         f"{Period(row.year, row.start_month, row.end_month).label} · "
                                         f"lần nộp {row.version}"
                      for row in older.itertuples()}
            chosen = st.selectbox("Phiên bản", list(versions), format_func=versions.get)
            row = older.set_index("submission_id").loc[chosen]
            period = Period(int(row["year"]), int(row["start_month"]), int(row["end_month"]))
            changes = views.rollback_changes(plan, store.values(plan.id, period.year, history=True),
                                             store.communes(plan.id, period.year, history=True),
                                             row["unit_code"], period, int(row["version"]))
            if changes.empty:
                st.info(MESSAGES["no_change"], icon=":material/info:")
            else:
                st.caption(MESSAGES["changes"])
                st.dataframe(changes, hide_index=True, placeholder="")
            reason = st.text_input(MESSAGES["reason"], key=f"rollback-reason-{chosen}")
            confirmed = st.checkbox(MESSAGES["confirm"], key=f"rollback-confirm-{chosen}")
            if st.button("Khôi phục phiên bản này", type="primary"):
                if not confirmed:
                    st.error(MESSAGES["not_confirmed"])
                else:
                    result = actions.rollback(store, plan, user, row["unit_code"], period, int(row["version"]),
                                              reason=reason)
                    for f in result.findings:
                        (st.error if f.is_error else st.warning)(f.message)
                    if not result.refused:
                        common.data_changed()
                        done(MESSAGES["rolled_back"])

with audit_tab:
    st.caption("Mọi lần đăng nhập, đăng xuất, nộp báo cáo, khôi phục, thay đổi phân bổ và tài khoản đều "
               "được ghi lại. Nhật ký chỉ được thêm vào, không ai sửa hay xóa được.")
    a, b = st.columns(2)
    kinds = a.multiselect("Loại việc", list(labels.AUDIT_ACTIONS), format_func=labels.AUDIT_ACTIONS.get,
                          placeholder="Tất cả", select_all=False)
    actor = b.text_input("Người thực hiện (tên đăng nhập)").strip()
    log = store.audit(AUDIT_ROWS, actor=actor or None, actions=kinds or None)
    if log.empty:
        st.write("Không có mục nào khớp với bộ lọc.")
    else:
        shown = f"{len(log)} mục mới nhất" if len(log) == AUDIT_ROWS else f"{len(log)} mục"
        st.caption(f"{shown}, mới nhất ở trên.")
        st.dataframe(views.audit_table(plan, log), hide_index=True, height=460, placeholder="")
