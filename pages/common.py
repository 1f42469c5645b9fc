"""What every page shares: the store, the plan, the logged-in user, the review date, the
demo banner. Streamlit glue only; every number comes from mdplan_core."""
from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import logging
import runpy
from pathlib import Path

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from mdplan_core import accounts, export, progress, template
from mdplan_core.intake import upload_scope
from mdplan_core.plan import Plan
from mdplan_core.plans import Catalogue, catalogue
from mdplan_core.report import Period
from mdplan_core.settings import Settings
from mdplan_core.store import Store
from mdplan_core.vntext import format_date, format_number

log = logging.getLogger(__name__)

ROOT_SCRIPT = Path(__file__).resolve().parent.parent / "dashboard.py"
# While dashboard.py runs its navigation: the user it looked up for this run (a page run any
# other way shows nothing). Unset outside the navigation.
_navigated = contextvars.ContextVar("mdplan_navigated")

# Streamlit 1.67's date field commits a typed date only on a click outside it (not on Enter,
# not on Tab, not on blur alone): on Enter in a date field, do what such a click does.
ENTER_COMMITS_DATE = """<script>
if (!window.mdplanEnterCommitsDate) {
  window.mdplanEnterCommitsDate = true;
  document.addEventListener("keydown", (event) => {
    const field = event.target.closest && event.target.closest("[data-testid='stDateInputField']");
    if (event.key !== "Enter" || !field) return;
    event.target.blur();
    for (const [Kind, type] of [[PointerEvent, "pointerdown"], [MouseEvent, "mousedown"],
                                [PointerEvent, "pointerup"], [MouseEvent, "mouseup"], [MouseEvent, "click"]]) {
      document.body.dispatchEvent(new Kind(type, {bubbles: true}));
    }
  }, true);
}
</script>"""
SENT_LATER = "{n} lần nộp sau ngày này chưa được tính"
AS_OF_HELP = ("Số liệu và tình hình báo cáo như đã biết vào hết ngày này: chỉ tính các báo cáo đã "
              "nhận đến hết ngày đó. Chọn từ {first} đến {last} (hạn nhận báo cáo muộn của năm).")
DEMO_BANNER = ("**Dữ liệu minh họa.** Các số liệu và tài khoản trên trang này là dữ liệu mẫu, "
               "không phải báo cáo thật.")


def settings() -> Settings:
    return Settings.from_env()


@st.cache_resource(show_spinner=False)
def _store(url: str, data_dir: str) -> Store:
    return Store.open(settings())


def store() -> Store:
    s = settings()
    return _store(s.database_url, str(s.data_dir))


# The plan (and, for a plan of several years, the year) chosen in the sidebar; kept for the session.
PLAN_KEY, YEAR_KEY = "plan_id", "plan_year"


def plans(current: accounts.User | None = None) -> Catalogue:
    """The plans `current` (default: the page's user) may open: an officer, those their unit
    reports under."""
    known = catalogue(store())
    if current is None:
        navigated = _navigated.get(None)
        current = navigated[0] if navigated is not None else None
    if current is not None and current.unit_code:
        mine = {p.id: p for p in known if current.unit_code in {u.code for u in p.units}
                and accounts.in_province(current, p)}
        if mine:
            return Catalogue(mine)
    return known


def plan(current: accounts.User | None = None) -> Plan:
    """The plan this session looks at, in the year chosen for it."""
    known = plans(current)
    chosen = st.session_state.get(PLAN_KEY) or settings().plan
    selected = known.plans.get(chosen) if chosen else None
    selected = selected or known.default()
    year = st.session_state.get(YEAR_KEY)
    if isinstance(year, int) and selected.years[0] <= year <= selected.years[1]:
        return selected.for_year(year)
    return selected


def plan_picker(current: accounts.User) -> Plan:
    """The sidebar's choice of plan (and year), remembered across pages."""
    known = plans(current)
    selected = plan(current)
    if len(known) > 1:
        st.session_state[PLAN_KEY] = selected.id
        st.sidebar.selectbox("Kế hoạch", list(known.plans), key=PLAN_KEY,
                             format_func=lambda i: known.get(i).label)
        selected = plan(current)
    if selected.multi_year:
        st.session_state[YEAR_KEY] = selected.year
        st.sidebar.selectbox("Năm", list(range(selected.years[0], selected.years[1] + 1)), key=YEAR_KEY)
        selected = plan(current)
    return selected


@st.cache_data(show_spinner=False, ttl=60)
def in_force(url: str, plan_id: str, year: int):
    """The in-force values and communes of a plan's year. Cached; cleared by every write from the app."""
    s = store()
    return s.values(plan_id, year), s.communes(plan_id, year)


@st.cache_data(show_spinner=False, ttl=60)
def _known(url: str, plan_id: str, year: int, day: dt.date):
    return progress.known_data(store(), plan(), day)


@st.cache_data(show_spinner=False, ttl=60)
def history(url: str, plan_id: str):
    return store().history(plan_id)


def data(day: dt.date | None = None):
    """(values, communes) of the plan's year as known at the end of `day`, the review date
    (`progress.known_data`); without `day`, in force now (a form prefilled for a correction)."""
    current = plan()
    if day is None:
        return in_force(settings().database_url, current.id, current.year)
    return _known(settings().database_url, current.id, current.year, day)


def submissions():
    return history(settings().database_url, plan().id)


@st.cache_data(show_spinner=False, ttl=60)
def _consolidated(url: str, plan_id: str, year: int, include_history: bool):
    return export.consolidated(plan(), store(), include_history=include_history)


def consolidated(include_history: bool):
    """The Data page's table before filtering; cached like the in-force values."""
    current = plan()
    return _consolidated(settings().database_url, current.id, current.year, include_history)


@st.cache_data(show_spinner=False, max_entries=64)
def template_file(plan_id: str, year: int, unit_code: str, period: str) -> bytes:
    return template.build_template(plan(), unit_code, Period.parse(period))


def _called(func) -> str:
    """A cache key for `func` itself: a function put in its place (a test's stand-in) misses."""
    return f"{func.__module__}.{func.__qualname__}#{id(func)}"


@st.cache_data(show_spinner=False, max_entries=256)
def _computed(func_key: str, plan_key: tuple, args: tuple, kwargs: dict, _func, _plan):
    return _func(_plan, *args, **kwargs)


def computed(func, *args, **kwargs):
    """`func(plan(), *args, **kwargs)` for a pure core function of the plan and the data (the
    progress table, the reporting status …), once per distinct arguments: a rerun that changes
    nothing (a click in the menu, a widget on the page) reuses it. The data passed in (values,
    submissions) is part of the key, so new data is computed afresh."""
    current = plan()
    key = (current.id, current.year, str(current.path))
    return _computed(_called(func), key, args, kwargs, func, current)


@st.cache_resource(show_spinner=False, max_entries=128)
def _figure(func_key: str, args: tuple, kwargs: dict, _func):
    return _func(*args, **kwargs)


def figure(func, *args, **kwargs):
    """A chart of `mdplan_core.charts`, built once per distinct arguments. Building a plotly
    figure costs more than drawing it; st.plotly_chart only reads the figure, so one object
    serves every session (a resource, not pickled)."""
    return _figure(_called(func), args, kwargs, func)


@st.cache_data(show_spinner=False, max_entries=8)
def _refusal(url: str, demo: bool, func_key: str, _func) -> str | None:
    return _func(store(), demo=demo)


def refusal(check) -> str | None:
    """`installation.refusal` (passed as `check`) for this server's database and mode. It reads
    the whole census, so it is read once and again after every write from the app
    (`data_changed`); a write from the command line checks it itself (`installation.claim`)."""
    s = settings()
    return _refusal(s.database_url, s.demo, _called(check), check)


def data_changed() -> None:
    """After a write, every session must see the new numbers at once."""
    st.cache_data.clear()


def start_session(result: accounts.LoginResult) -> None:
    """After a successful login: a fresh session holding the user's name and token."""
    st.session_state.clear()
    st.session_state["username"] = result.user.username
    st.session_state["session_token"] = result.token


def end_session() -> None:
    """Forget everything of this session (forms, uploads, filters), so the next person at
    a shared computer starts clean."""
    st.session_state.clear()


def logout() -> None:
    """The logout button's callback: it runs before the rerun draws anything, whichever
    page the button was clicked on."""
    current = user()
    if current is not None:
        accounts.record_logout(store(), current)
    end_session()


def user() -> accounts.User | None:
    """The logged-in user, re-read from the database once per rerun (by dashboard.py, which
    hands it to the page through `navigation`), so a disabled account or a password reset
    ends the session at once."""
    navigated = _navigated.get(None)
    if navigated is not None:
        return navigated[0]
    name = st.session_state.get("username")
    if not name:
        return None
    current = accounts.session_user(store(), name, st.session_state.get("session_token"))
    if current is None:
        end_session()
    return current


@contextlib.contextmanager
def navigation(current: accounts.User | None):
    """Around dashboard.py's `st.navigation(...).run()`, the one way a page may show; the page
    gets `current`, looked up once for the run, from `user()`."""
    token = _navigated.set((current,))
    try:
        yield
    finally:
        _navigated.reset(token)


def through_navigation() -> None:
    """Stop a page Streamlit ran on its own. After a restart, until some session has run
    dashboard.py, Streamlit serves pages/*.py in its old multipage mode (AppTest, on every
    run): `/admin` runs the page without dashboard.py's login and menu, and the menu lists every
    file, `common` too. Then dashboard.py runs here instead, and its navigation shows the login
    or the page the address asks for; its st.navigation ends the old mode for all sessions.
    Run with any other main script, the page shows nothing."""
    if _navigated.get(None) is not None:
        return
    ctx = get_script_run_ctx()
    if ctx is not None and Path(ctx.main_script_path).resolve() == ROOT_SCRIPT:
        log.info("a page was run outside the app's navigation; dashboard.py runs it")
        runpy.run_path(str(ROOT_SCRIPT))
    else:
        log.warning("a page was run alone, main script %s; nothing shown",
                    ctx.main_script_path if ctx else None)
    st.stop()


def require(action: str, unit_code: str | None = None) -> accounts.User:
    """Stop the page unless it runs in the app's navigation and the user may do `action` (in
    the chosen plan); hiding a page from the menu is not access control. Every page starts
    with this."""
    through_navigation()
    current = user()
    if not accounts.can(current, action, unit_code, plan(current) if current else None):
        reason = "Bạn cần đăng nhập." if current is None else \
            f"Tài khoản của bạn không được phép {accounts.ACTION_LABELS[action]}."
        st.error(reason, icon=":material/block:")
        st.stop()
    return current


def require_for_own_unit(action: str) -> accounts.User:
    """`require(action)` for the user's own unit (an officer's; None, every unit, for the others)."""
    through_navigation()  # first: a page run on its own must not look the user up itself
    current = user()
    return require(action, current.unit_code if current else None)


def as_of() -> dt.date:
    """The review date (ngày xem xét): what was known at the end of that day. It runs from
    1 January of the plan year past the year's last report deadline, and to the latest upload
    (`progress.review_range`); default today, clipped to that range. One value for all pages
    of a plan's year, each plan (and year) keeping its own."""
    current = plan()
    uploads = submissions()
    first, last = progress.review_range(current, uploads)
    # The date in use is kept under a plain key (a widget's own state is dropped on a page that
    # does not draw it). Until the person picks one, it follows the uploads as they come.
    key, widget = f"as_of:{current.id}:{current.year}", f"as_of_widget:{current.id}:{current.year}"
    picked = f"as_of_picked:{current.id}:{current.year}"
    if st.session_state.get(picked):
        st.session_state[widget] = st.session_state[key]
    else:
        st.session_state[widget] = progress.review_default(current, history=uploads)

    def pick() -> None:
        st.session_state[picked] = True
        st.session_state[key] = st.session_state[widget]

    day = st.sidebar.date_input("Ngày xem xét", min_value=first, max_value=last, format="DD/MM/YYYY",
                                key=widget, on_change=pick,
                                help=AS_OF_HELP.format(first=format_date(first), last=format_date(last)))
    st.sidebar.html(ENTER_COMMITS_DATE, unsafe_allow_javascript=True, width="content")
    st.session_state[key] = day
    return day


def header(title: str) -> None:
    if settings().demo:
        st.warning(DEMO_BANNER, icon=":material/science:")
    st.title(title)


def caption_as_of(day: dt.date) -> None:
    later = progress.sent_later(submissions(), plan(), day)
    note = f" · {SENT_LATER.format(n=format_number(later))}" if later else ""
    st.caption(f"Số liệu tính đến ngày {format_date(day)} · {plan().attached_line.strip('()')}{note}")


def monitoring_page(title: str):
    """The top of a page that shows progress: any logged-in user, a review date, the banner.
    Returns (plan, as_of)."""
    require(accounts.Action.VIEW)
    day = as_of()
    header(title)
    caption_as_of(day)
    return plan(), day


def reporting_unit(user, where=st) -> tuple[str, dict[str, str]]:
    """The unit an upload or entry page acts for, chosen in `where`: fixed to an officer's
    own unit, any unit for an admin (`intake.upload_scope`). Returns (code, code -> name)."""
    units = plan().reporting_units
    scope = upload_scope(user)
    if scope is not None:
        units = units[units["code"] == scope]
    names = dict(zip(units["code"], units["name"]))
    unit = where.selectbox("Đơn vị báo cáo", list(names), format_func=names.get, disabled=len(names) == 1)
    return unit, names


if __name__ == "__main__":  # Streamlit's old multipage mode runs this file as a page too
    through_navigation()
