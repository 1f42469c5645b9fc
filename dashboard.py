"""mdplan: the Streamlit entry point. It logs the user in and shows each role its own pages.
Pages are thin; everything they show comes from mdplan_core."""
import contextlib
import logging
import secrets

import plotly.graph_objects as go
import streamlit as st

from mdplan_core import accounts, installation, views
from mdplan_core.accounts import Action
from mdplan_core.plans import catalogue
from mdplan_core.settings import configure_logging
from pages import common

log = logging.getLogger("dashboard")  # Streamlit runs this file as __main__

MESSAGES = {
    "error": ("Đã có lỗi, trang chưa hiển thị được. Hãy tải lại trang; nếu vẫn lỗi, hãy báo quản trị "
              "hệ thống kèm mã lỗi {ref}."),
}

st.set_page_config(page_title="mdplan", page_icon=":material/monitoring:", layout="wide")


@st.cache_resource(show_spinner=False)
def start_logging(level: str) -> None:
    """Once per server process (and again if MDPLAN_LOG_LEVEL changes)."""
    configure_logging(common.settings())


def alone(title: str, body) -> None:
    """Show only `body` and stop. It runs as the one page of a navigation, so Streamlit never
    falls back to listing the files of pages/ in the sidebar (its old multipage mode)."""
    st.navigation([st.Page(body, title=title)], position="hidden").run()
    st.stop()


@contextlib.contextmanager
def errors_in_brief(page: str, user: accounts.User | None, *, navigated: bool = True):
    """A visitor sees a short Vietnamese message with a reference, and the run stops; the server
    log gets the whole error, the user and the page. Streamlit's st.stop and st.rerun pass through.
    Before any navigation has run (`navigated=False`), the message is a page of its own."""
    try:
        yield
    except Exception:
        ref = secrets.token_hex(4)
        log.exception("error %s on page %r for user %s", ref, page, user.username if user else "-")
        message = MESSAGES["error"].format(ref=ref)
        if navigated:
            st.error(message, icon=":material/warning:")
            st.stop()
        alone("mdplan", lambda: st.error(message, icon=":material/warning:"))


@st.cache_resource(show_spinner=False)
def demo_accounts(url: str):
    return accounts.ensure_demo_accounts(common.store(), catalogue(common.store()), common.settings())


def warm_up_browser() -> None:
    """The browser fetches the code of each kind of element the first time one is drawn, the
    chart code above all. Drawing one of each, hidden, on the login page lets it fetch them while
    the person types, so the overview draws at once after the click. No keys: nothing of it stays
    in the session."""
    with st.container(key="warm-up"):
        st.html("<style>.st-key-warm-up {display: none}</style>")
        st.plotly_chart(go.Figure())
        st.metric("warm-up", 0, label_visibility="collapsed")
        st.progress(0)
        st.selectbox("warm-up", [""], label_visibility="collapsed", disabled=True)
        st.date_input("warm-up", value=None, label_visibility="collapsed", disabled=True)


def login() -> None:
    common.header("Đăng nhập mdplan")
    st.write("Theo dõi thực hiện kế hoạch của tỉnh, thành phố: chỉ tiêu, kết quả và tình hình báo cáo.")
    with st.form("login"):
        username = st.text_input("Tên đăng nhập")
        password = st.text_input("Mật khẩu", type="password")
        submitted = st.form_submit_button("Đăng nhập", type="primary")
    if submitted:
        result = accounts.authenticate(common.store(), username, password, demo=common.settings().demo)
        if result.ok:
            common.start_session(result)
            st.rerun()
        # Not the name typed: it may be a password typed in the wrong box (the audit log has it).
        log.warning("login refused: %s", result.status)
        st.error(result.message, icon=":material/block:")
    if common.settings().demo:
        demo = demo_accounts(common.settings().database_url)
        st.info("Tài khoản minh họa (chỉ có ở chế độ minh họa):", icon=":material/science:")
        st.table(accounts.demo_table(common.store(), demo))
    warm_up_browser()


def current_user() -> accounts.User | None:
    """Who is logged in, once the database is known to be the right one for this mode."""
    # Demo data and a real install never share a database: say what is wrong, offer no login.
    wrong_database = common.refusal(installation.refusal)
    if wrong_database is not None:
        def refusal() -> None:
            st.title("mdplan không thể mở cơ sở dữ liệu này")
            st.error(wrong_database, icon=":material/error:")
        alone("mdplan", refusal)
    if common.settings().demo:
        demo_accounts(common.settings().database_url)
    return common.user()


with errors_in_brief("dashboard", None, navigated=False):
    start_logging(common.settings().log_level)
    user = current_user()
if user is None:
    with errors_in_brief("login", None, navigated=False):
        st.navigation([st.Page(login, title="Đăng nhập", icon=":material/login:")]).run()
    st.stop()

pages = {
    "Theo dõi": [
        st.Page("pages/overview.py", title="Tổng quan", icon=":material/monitoring:", default=True),
        st.Page("pages/tasks.py", title="Theo nhiệm vụ", icon=":material/checklist:"),
        st.Page("pages/districts.py", title="Theo địa bàn", icon=":material/map:"),
        st.Page("pages/reporting.py", title="Tình hình báo cáo", icon=":material/mark_email_unread:"),
        st.Page("pages/compare.py", title="So sánh các năm", icon=":material/compare_arrows:"),
        st.Page("pages/data.py", title="Dữ liệu", icon=":material/table_view:"),
        st.Page("pages/plan.py", title="Kế hoạch", icon=":material/description:"),
    ],
}
if accounts.can(user, Action.UPLOAD, user.unit_code):
    pages["Báo cáo"] = [st.Page("pages/upload.py", title="Nộp báo cáo", icon=":material/upload_file:"),
                        st.Page("pages/entry.py", title="Nhập trên web", icon=":material/keyboard:")]
if accounts.can(user, Action.MANAGE_USERS):
    pages["Hệ thống"] = [st.Page("pages/admin.py", title="Quản trị", icon=":material/admin_panel_settings:")]

with errors_in_brief("dashboard", user):
    chosen = common.plan_picker(user)
    unit = f" · {chosen.unit(user.unit_code).short_name}" if user.unit_code else ""
    st.sidebar.markdown(f"**{views.plain(user.display_name or user.username)}**  \n"
                        f"{accounts.ROLE_LABELS[user.role]}{unit}")
    st.sidebar.button("Đăng xuất", icon=":material/logout:", key="logout", on_click=common.logout)
page = st.navigation(pages)
with errors_in_brief(page.url_path or page.title, user), common.navigation(user):
    page.run()
