"""Accounts: who may log in, in which role, and what each role may do.

The access rules live here and nowhere else: `PERMISSIONS` says what each role may do,
`can()` answers, and every write path calls `require()`. Hiding a page from a menu is
not access control.

Passwords are kept only as argon2id hashes (the database refuses anything else). Every
write is one store transaction with its audit entry inside it. Five failed logins in a
row lock an account for 15 minutes. Whether a username exists never shows: an unknown
name costs the same argon2 work, is counted and locked the same way, and gets the same
answers; the audit log keeps only a masked form of it (it may be a password typed into
the wrong box).

A logged-in session holds a token of the account's password (`LoginResult.token`); a
password reset, like disabling, ends every session of that account at its next rerun.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import hmac
import json
import re
import secrets
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Literal

import argon2
import pandas as pd
import sqlalchemy as sa

from .settings import LOCAL_TZ
from .store import Store, audit_log, users, utc_now
from .vntext import clean_text, format_datetime

if TYPE_CHECKING:
    from .plan import Plan
    from .settings import Settings

# --- Messages (Vietnamese, shown to users and admins) ----------------------------------------------
MESSAGES = {
    "login.ok": "Đăng nhập thành công. Xin chào {name}.",
    "login.bad_credentials": "Sai tên đăng nhập hoặc mật khẩu.",
    "login.last_try": ("Sai tên đăng nhập hoặc mật khẩu. Còn {left} lần thử trước khi tài khoản bị tạm khóa "
                       "{minutes} phút."),
    "login.now_locked": ("Sai tên đăng nhập hoặc mật khẩu. Tài khoản đã nhập sai {attempts} lần liên tiếp "
                         "nên bị tạm khóa đến {until} (giờ Việt Nam)."),
    "login.locked": ("Tài khoản đang bị tạm khóa vì nhập sai mật khẩu nhiều lần. Hãy thử lại sau "
                     "{until} (giờ Việt Nam), hoặc nhờ quản trị viên đặt lại mật khẩu."),
    "login.disabled": "Tài khoản này đã bị vô hiệu hóa. Hãy liên hệ quản trị viên (Sở LĐTBXH).",
    "user.bad_role": "Vai trò '{role}' không hợp lệ; chỉ nhận: {expected}.",
    "user.bad_username": ("Tên đăng nhập '{username}' không hợp lệ: cần 3–64 ký tự gồm chữ, số và các dấu "
                          ". _ -, bắt đầu bằng chữ hoặc số."),
    "user.officer_needs_unit": "Tài khoản cán bộ đơn vị phải gắn với một đơn vị báo cáo.",
    "user.unit_not_allowed": ("Chỉ tài khoản cán bộ đơn vị mới gắn với một đơn vị báo cáo; "
                              "vai trò {role} thì để trống đơn vị."),
    "user.unknown_unit": "Đơn vị '{unit}' không có trong danh sách đơn vị báo cáo của kế hoạch.",
    "user.duplicate": "Tên đăng nhập '{username}' đã có người dùng.",
    "user.unknown": "Không có tài khoản '{username}'.",
    "user.weak_password": "Mật khẩu phải có ít nhất {min} ký tự.",
    "user.password_is_username": "Mật khẩu không được trùng với tên đăng nhập.",
    "user.last_admin": ("Không thể {what} '{username}': đây là tài khoản quản trị cuối cùng còn hoạt động. "
                        "Hãy tạo một tài khoản quản trị khác trước."),
    "user.last_admin.disable": "vô hiệu hóa",
    "user.last_admin.set_role": "đổi vai trò của",
    "denied.anonymous": "Bạn cần đăng nhập để {action}.",
    "denied.inactive": "Tài khoản của bạn đã bị vô hiệu hóa nên không thể {action}.",
    "denied.role": "Vai trò {role} không được phép {action}.",
    "denied.own_unit": "Tài khoản của bạn chỉ được {action} của đơn vị mình.",
}


class Role:
    LEADER = "leader"    # provincial leaders: read only
    OFFICER = "officer"  # one reporting unit's officer
    ADMIN = "admin"      # Sở LĐTBXH staff who run mdplan


ROLES = (Role.LEADER, Role.OFFICER, Role.ADMIN)
ROLE_LABELS = {Role.LEADER: "Lãnh đạo", Role.OFFICER: "Cán bộ đơn vị", Role.ADMIN: "Quản trị"}


class Action:
    VIEW = "view"                  # dashboards, progress, completeness, exports
    UPLOAD = "upload"              # store a unit's report
    HISTORY = "history"            # a unit's submissions, their versions and original files
    ROLLBACK = "rollback"          # put an earlier version back in force
    MANAGE_USERS = "manage_users"  # add, disable, enable users, reset passwords
    ALLOCATIONS = "allocations"    # edit the district allocations of targets
    PLANS = "plans"                # add a plan file


ACTIONS = (Action.VIEW, Action.UPLOAD, Action.HISTORY, Action.ROLLBACK, Action.MANAGE_USERS,
           Action.ALLOCATIONS, Action.PLANS)
ACTION_LABELS = {
    Action.VIEW: "xem số liệu",
    Action.UPLOAD: "nộp báo cáo",
    Action.HISTORY: "xem lịch sử nộp báo cáo",
    Action.ROLLBACK: "khôi phục phiên bản báo cáo",
    Action.MANAGE_USERS: "quản lý tài khoản",
    Action.ALLOCATIONS: "phân bổ chỉ tiêu cho các địa bàn",
    Action.PLANS: "thêm kế hoạch",
}

# Scope of a permission: every unit, or only the user's own unit.
ALL, OWN_UNIT = "all", "own_unit"
PERMISSIONS = MappingProxyType({
    Role.LEADER: MappingProxyType({Action.VIEW: ALL}),
    Role.OFFICER: MappingProxyType({Action.VIEW: ALL, Action.UPLOAD: OWN_UNIT, Action.HISTORY: OWN_UNIT}),
    Role.ADMIN: MappingProxyType({action: ALL for action in ACTIONS}),
})

MAX_FAILED_LOGINS = 5
LOCKOUT = dt.timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 10

# argon2id with argon2-cffi's default (RFC 9106 low-memory) parameters. Tests may swap it;
# a stored hash made with other parameters is replaced at the next successful login.
PASSWORD_HASHER = argon2.PasswordHasher()

# Every user write takes this PostgreSQL advisory lock (SQLite writers queue anyway), so the
# duplicate and last-admin checks see every earlier write. No unit code starts with '#'.
_USERS_LOCK = "#users"
_USERNAME = re.compile(r"[^\W_][\w.\-]{2,63}")

LoginStatus = Literal["ok", "bad_credentials", "locked", "disabled"]


# --- Types -----------------------------------------------------------------------------------------
class AccountError(ValueError):
    """A user-management request that cannot be done; `message` is Vietnamese, for the admin."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


class PermissionDenied(Exception):
    """Raised by `require()`; `message` is Vietnamese, for the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class DemoModeRequired(RuntimeError):
    """Demo accounts were asked for outside demo mode (a programming or configuration error)."""


@dataclass(frozen=True)
class User:
    id: int
    username: str
    display_name: str
    role: str
    unit_code: str | None
    active: bool
    # An officer's province (GSO code): the same agency id may report in plans of other
    # provinces, and an officer reports only in their own province's plans.
    province_code: str | None = None


@dataclass(frozen=True)
class LoginResult:
    user: User | None
    status: LoginStatus
    message: str
    token: str | None = None  # for `session_user`; only with a successful login

    @property
    def ok(self) -> bool:
        return self.status == "ok"


# --- Access rules ----------------------------------------------------------------------------------
def can(user: User | None, action: str, unit_code: str | None = None, plan=None) -> bool:
    """May `user` do `action` (for `unit_code`; None means every unit; in `plan`, when given:
    an officer acts only in plans of their own province)?

    Nobody logged in, or a disabled user, may do nothing. An unknown action is a
    programming error and raises, rather than quietly denying everyone.
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}; expected one of {ACTIONS}")
    if user is None or not user.active:
        return False
    scope = PERMISSIONS.get(user.role, {}).get(action)
    if scope == ALL:
        return True
    if scope == OWN_UNIT:
        return unit_code is not None and unit_code == user.unit_code and in_province(user, plan)
    return False


def in_province(user: User, plan) -> bool:
    """Is `plan` (None: no plan in question) one of the officer's province? An account made
    before plans had provinces (no province_code) is not restricted."""
    return plan is None or user.province_code is None or user.province_code == plan.province_code


def require(user: User | None, action: str, unit_code: str | None = None, plan=None) -> None:
    """Raise `PermissionDenied` (with a Vietnamese message) unless `can(...)`."""
    if can(user, action, unit_code, plan):
        return
    label = ACTION_LABELS[action]
    if user is None:
        key = "denied.anonymous"
    elif not user.active:
        key = "denied.inactive"
    elif PERMISSIONS.get(user.role, {}).get(action) == OWN_UNIT:
        key = "denied.own_unit"
    else:
        key = "denied.role"
    role = ROLE_LABELS.get(user.role, user.role) if user is not None else ""
    raise PermissionDenied(MESSAGES[key].format(action=label, role=role))


def history_scope(user: User | None, plan=None) -> frozenset[str] | None:
    """The units whose submission history (earlier versions, uploaders, files) `user` may
    see (in `plan`): None for every unit, else a set of unit codes, which may be empty. The
    values in force are not history: everyone who may view sees them."""
    if not can(user, Action.HISTORY, user.unit_code if user is not None else None, plan):
        return frozenset()
    if can(user, Action.HISTORY):
        return None
    return frozenset({user.unit_code})


def visible_history(user: User | None, history: pd.DataFrame, plan=None) -> pd.DataFrame:
    """The rows of `history` (`Store.history()` of `plan`) that `user` may see."""
    scope = history_scope(user, plan)
    if scope is None:
        return history
    return history[history["unit_code"].isin(scope)].reset_index(drop=True)


# --- Names and passwords ---------------------------------------------------------------------------
def normalise_username(username: str) -> str:
    """How a username is stored and looked up: control characters cleaned (PostgreSQL refuses
    NUL), trimmed, lowercase, NFC."""
    username = clean_text(username, single_line=True)
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", username.strip()).lower())


def _password(password: str) -> str:
    # A Vietnamese password typed on another system may arrive decomposed (NFD).
    return unicodedata.normalize("NFC", password)


def _check_password(password: str, username: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError("user.weak_password", MESSAGES["user.weak_password"].format(min=MIN_PASSWORD_LENGTH))
    if normalise_username(password) == username:
        raise AccountError("user.password_is_username", MESSAGES["user.password_is_username"])


def _hash(password: str) -> str:
    return PASSWORD_HASHER.hash(password)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return PASSWORD_HASHER.verify(password_hash, password)
    except (argon2.exceptions.VerificationError, argon2.exceptions.InvalidHashError):
        return False


_dummy_hashes: dict[tuple, str] = {}


def _verify_dummy(password: str) -> None:
    """Spend the work of one verification, for a username that does not exist."""
    h = PASSWORD_HASHER
    key = (h.time_cost, h.memory_cost, h.parallelism, h.hash_len, h.salt_len, h.type)
    if key not in _dummy_hashes:
        _dummy_hashes[key] = h.hash("mdplan: no such user")
    _verify(_dummy_hashes[key], password)


def _unit_codes(units: Plan | Collection[str]) -> set[str]:
    frame = getattr(units, "reporting_units", None)
    return set(frame["code"]) if frame is not None else set(units)


def _check_role_and_unit(role: str, unit_code: str | None, units) -> None:
    if role not in ROLES:
        raise AccountError("user.bad_role", MESSAGES["user.bad_role"].format(
            role=role, expected=", ".join(ROLES)))
    if role == Role.OFFICER:
        if not unit_code:
            raise AccountError("user.officer_needs_unit", MESSAGES["user.officer_needs_unit"])
        if unit_code not in _unit_codes(units):
            raise AccountError("user.unknown_unit", MESSAGES["user.unknown_unit"].format(unit=unit_code))
    elif unit_code:
        raise AccountError("user.unit_not_allowed", MESSAGES["user.unit_not_allowed"].format(
            role=ROLE_LABELS[role]))


def _province_of(role: str, units) -> str | None:
    """The province an officer made for a plan's unit belongs to (None for other roles)."""
    return getattr(units, "province_code", None) if role == Role.OFFICER else None


def _display_time(at: dt.datetime) -> str:
    """dd/mm/yyyy HH:MM in Vietnam, rounded up to the minute (never earlier than `at`)."""
    local = at.astimezone(LOCAL_TZ)
    if local.second or local.microsecond:
        local = local.replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
    return format_datetime(local)


def _aware(now: dt.datetime | None) -> dt.datetime:
    if now is None:
        return utc_now()
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now


# --- Reads -----------------------------------------------------------------------------------------
def _user(row) -> User:
    return User(row.id, row.username, row.display_name, row.role, row.unit_code, bool(row.active),
                row.province_code)


def _row(conn, username: str, *, for_update: bool = False):
    stmt = sa.select(users).where(users.c.username == username)
    if for_update:
        stmt = stmt.with_for_update()
    return conn.execute(stmt).one_or_none()


def get_user(store: Store, username: str) -> User | None:
    """The user as stored now (the app refreshes its session user with this)."""
    with store.engine.connect() as conn:
        row = _row(conn, normalise_username(username))
    return None if row is None else _user(row)


_USER_DTYPES = {
    "id": "int64", "username": "str", "display_name": "str", "role": "str", "unit_code": "str",
    "province_code": "str", "active": "bool", "failed_logins": "int64", "locked_until": "datetime64[us, UTC]",
    "created_at": "datetime64[us, UTC]", "password_changed_at": "datetime64[us, UTC]",
}


def list_users(store: Store) -> pd.DataFrame:
    """Every user, by username; never the password hash."""
    u = users.c
    stmt = sa.select(*(u[name] for name in _USER_DTYPES)).order_by(u.username)
    return store.frame(stmt, _USER_DTYPES)


def display_names(store: Store) -> dict[str, str]:
    """username -> the name people read ("Nguyễn Văn A"), for tables that say who did what."""
    u = users.c
    with store.engine.connect() as conn:
        return dict(conn.execute(sa.select(u.username, u.display_name)).all())


# --- Writes ----------------------------------------------------------------------------------------
def add_user(store: Store, username: str, password: str, role: str, *,
             units: Plan | Collection[str], unit_code: str | None = None,
             display_name: str | None = None, actor: str, now: dt.datetime | None = None) -> User:
    """Create a user. `units` is the plan (or the set of its reporting unit codes) that an
    officer's `unit_code` must belong to; an officer belongs to that plan's province. Raises
    `AccountError` on any invalid request."""
    at = _aware(now)
    name = normalise_username(username)
    unit_code = unit_code or None
    _check_role_and_unit(role, unit_code, units)
    province = _province_of(role, units)
    if not _USERNAME.fullmatch(name):
        raise AccountError("user.bad_username", MESSAGES["user.bad_username"].format(username=username))
    password = _password(password)
    _check_password(password, name)
    display = " ".join(clean_text(display_name or "").split()) or name
    password_hash = _hash(password)  # slow: before the write transaction, not inside it

    with store.transaction(lock=_USERS_LOCK) as tx:
        if _row(tx, name) is not None:
            raise AccountError("user.duplicate", MESSAGES["user.duplicate"].format(username=name))
        user_id = tx.execute(sa.insert(users).values(
            username=name, display_name=display, role=role, unit_code=unit_code,
            province_code=province, password_hash=password_hash, active=True, failed_logins=0, locked_until=None,
            created_at=at, password_changed_at=at,
        ).returning(users.c.id)).scalar_one()
        tx.audit(at, actor, "user_add", unit_code, username=name, role=role, display_name=display)
    return User(user_id, name, display, role, unit_code, True, province)


def _existing(conn, username: str):
    name = normalise_username(username)
    row = _row(conn, name)
    if row is None:
        raise AccountError("user.unknown", MESSAGES["user.unknown"].format(username=name))
    return row


def _other_active_admins(conn, user_id: int) -> int:
    return conn.execute(sa.select(sa.func.count()).select_from(users).where(
        users.c.role == Role.ADMIN, users.c.active.is_(True), users.c.id != user_id)).scalar_one()


def _refuse_last_admin(conn, row, what: str) -> None:
    if row.role == Role.ADMIN and row.active and _other_active_admins(conn, row.id) == 0:
        raise AccountError("user.last_admin", MESSAGES["user.last_admin"].format(
            what=MESSAGES[f"user.last_admin.{what}"], username=row.username))


def disable_user(store: Store, username: str, *, actor: str, now: dt.datetime | None = None) -> User:
    """Stop a user from logging in; their history stays. The last active admin cannot be disabled."""
    at = _aware(now)
    with store.transaction(lock=_USERS_LOCK) as tx:
        row = _existing(tx, username)
        if row.active:
            _refuse_last_admin(tx, row, "disable")
            tx.execute(sa.update(users).where(users.c.id == row.id).values(active=False))
            tx.audit(at, actor, "user_disable", row.unit_code, username=row.username)
    return dataclasses.replace(_user(row), active=False)


def enable_user(store: Store, username: str, *, actor: str, now: dt.datetime | None = None) -> User:
    """Let a disabled user log in again; also lifts a lockout."""
    at = _aware(now)
    with store.transaction(lock=_USERS_LOCK) as tx:
        row = _existing(tx, username)
        if not row.active or row.failed_logins or row.locked_until is not None:
            tx.execute(sa.update(users).where(users.c.id == row.id)
                         .values(active=True, failed_logins=0, locked_until=None))
            tx.audit(at, actor, "user_enable", row.unit_code, username=row.username)
    return dataclasses.replace(_user(row), active=True)


def reset_password(store: Store, username: str, new_password: str, *, actor: str,
                   now: dt.datetime | None = None) -> User:
    """Set a new password (an admin's reset); also lifts a lockout."""
    at = _aware(now)
    name = normalise_username(username)
    new_password = _password(new_password)
    _check_password(new_password, name)
    password_hash = _hash(new_password)
    with store.transaction(lock=_USERS_LOCK) as tx:
        row = _existing(tx, name)
        tx.execute(sa.update(users).where(users.c.id == row.id).values(
            password_hash=password_hash, password_changed_at=at, failed_logins=0, locked_until=None))
        tx.audit(at, actor, "user_reset_password", row.unit_code, username=row.username)
    return _user(row)


def set_role(store: Store, username: str, role: str, *, units: Plan | Collection[str],
             unit_code: str | None = None, actor: str, now: dt.datetime | None = None) -> User:
    """Change a user's role (and unit). The last active admin keeps the admin role."""
    at = _aware(now)
    unit_code = unit_code or None
    _check_role_and_unit(role, unit_code, units)
    province = _province_of(role, units)
    with store.transaction(lock=_USERS_LOCK) as tx:
        row = _existing(tx, username)
        if (row.role, row.unit_code, row.province_code) != (role, unit_code, province):
            if role != Role.ADMIN:
                _refuse_last_admin(tx, row, "set_role")
            tx.execute(sa.update(users).where(users.c.id == row.id)
                       .values(role=role, unit_code=unit_code, province_code=province))
            tx.audit(at, actor, "user_set_role", unit_code or row.unit_code, username=row.username,
                   before={"role": row.role, "unit_code": row.unit_code},
                   after={"role": role, "unit_code": unit_code})
    return User(row.id, row.username, row.display_name, role, unit_code, bool(row.active), province)


# --- Logging in and out ----------------------------------------------------------------------------
def authenticate(store: Store, username: str, password: str, *,
                 now: dt.datetime | None = None, demo: bool = False) -> LoginResult:
    """Check a login and record it in the audit log (one transaction per attempt).

    Every answer costs one argon2 verification (unknown name, locked or disabled account
    alike), and an unknown name is counted and locked like an account, so neither the
    answers nor their time tell whether a name exists. A wrong password counts one
    failure; the attempt before the last one warns, and the `MAX_FAILED_LOGINS`-th in a
    row locks the name for `LOCKOUT`, during which even the right password is refused. A
    success resets the count and re-hashes a password stored with outdated argon2
    parameters. A disabled account is named only to someone who knows its password.
    Outside demo mode (`demo`: settings.demo) a demo account's published password is a
    wrong password, whatever the database holds.
    """
    at = _aware(now)
    name = normalise_username(username)
    password = _password(password)
    published = not demo and (name, password) in _PUBLISHED_LOGINS
    row = None
    if _USERNAME.fullmatch(name):  # no account has another kind of name: it never reaches the database
        with store.engine.connect() as conn:
            row = _row(conn, name)

    if row is None:
        _verify_dummy(password)  # the same work as for a real user
        return _refuse_unknown(store, name, at)
    if _locked(row, at):
        _verify(row.password_hash, password)  # the same work as every other answer; not used
        return _refuse_locked(store, row, at)

    verified = _verify(row.password_hash, password) and not published
    new_hash = None
    if verified and PASSWORD_HASHER.check_needs_rehash(row.password_hash):
        new_hash = _hash(password)

    with store.transaction() as tx:
        current = _row(tx, name, for_update=True)
        if current.password_hash != row.password_hash:  # reset meanwhile: check against the new one
            verified, new_hash = _verify(current.password_hash, password) and not published, None
        if _locked(current, at):  # locked by a concurrent attempt
            tx.audit(at, name, "login_locked", current.unit_code,
                   locked_until=current.locked_until.isoformat())
            return _locked_answer(current.locked_until)
        where = users.c.id == current.id
        if not verified:
            # After a lockout has run out, the count starts again.
            expired = current.locked_until is not None
            failures = (0 if expired else current.failed_logins) + 1
            locked_until = at + LOCKOUT if failures >= MAX_FAILED_LOGINS else None
            tx.execute(sa.update(users).where(where).values(failed_logins=failures, locked_until=locked_until))
            tx.audit(at, name, "login_failed", current.unit_code,
                   reason="demo_account" if published else "bad_password",
                   failed_logins=failures,
                   locked_until=None if locked_until is None else locked_until.isoformat())
            return _failed(failures, locked_until)
        if not current.active:
            tx.audit(at, name, "login_failed", current.unit_code, reason="disabled")
            return LoginResult(None, "disabled", MESSAGES["login.disabled"])
        values = {"failed_logins": 0, "locked_until": None}
        if new_hash is not None:
            values["password_hash"] = new_hash
        tx.execute(sa.update(users).where(where).values(**values))
        tx.audit(at, name, "login", current.unit_code, role=current.role, rehashed=new_hash is not None)
    user = _user(current)
    return LoginResult(user, "ok", MESSAGES["login.ok"].format(name=user.display_name), _token(current))


def _locked(row, at: dt.datetime) -> bool:
    return row.locked_until is not None and row.locked_until > at


def _failed(failures: int, locked_until: dt.datetime | None) -> LoginResult:
    """The answer to a wrong password (or an unknown name) that was the `failures`-th in a row."""
    if locked_until is not None:
        return LoginResult(None, "locked", MESSAGES["login.now_locked"].format(
            attempts=failures, until=_display_time(locked_until)))
    left = MAX_FAILED_LOGINS - failures
    if left == 1:
        return LoginResult(None, "bad_credentials", MESSAGES["login.last_try"].format(
            left=left, minutes=int(LOCKOUT.total_seconds() // 60)))
    return LoginResult(None, "bad_credentials", MESSAGES["login.bad_credentials"])


def _locked_answer(locked_until: dt.datetime) -> LoginResult:
    return LoginResult(None, "locked", MESSAGES["login.locked"].format(until=_display_time(locked_until)))


def _refuse_locked(store: Store, row, at: dt.datetime) -> LoginResult:
    store.record_audit(row.username, "login_locked", row.unit_code, at=at,
                       locked_until=row.locked_until.isoformat())
    return _locked_answer(row.locked_until)


def _refuse_unknown(store: Store, name: str, at: dt.datetime) -> LoginResult:
    """Count a failure for a name that has no account, as for an account. The count lives
    in the audit log: the newest entry under the name's mask holds it, as a user row would."""
    actor = masked_login_name(name)
    with store.transaction(lock=f"#login {actor}") as tx:
        failures, locked_until = _last_attempt(tx, actor)
        if locked_until is not None and locked_until > at:
            tx.audit(at, actor, "login_locked", None, reason="unknown_user",
                   locked_until=locked_until.isoformat())
            return _locked_answer(locked_until)
        failures = (0 if locked_until is not None else failures) + 1
        locked_until = at + LOCKOUT if failures >= MAX_FAILED_LOGINS else None
        tx.audit(at, actor, "login_failed", None, reason="unknown_user", failed_logins=failures,
               locked_until=None if locked_until is None else locked_until.isoformat())
    return _failed(failures, locked_until)


def _last_attempt(conn, actor: str) -> tuple[int, dt.datetime | None]:
    """(failures in a row, locked until) of the newest failed login audited under `actor`."""
    a = audit_log.c
    detail = conn.execute(
        sa.select(a.detail).where(a.actor == actor, a.action.in_(("login_failed", "login_locked")))
        .order_by(a.id.desc()).limit(1)
    ).scalar_one_or_none()
    d = json.loads(detail) if detail else {}
    until = d.get("locked_until")
    return d.get("failed_logins", 0), None if until is None else dt.datetime.fromisoformat(until)


def record_logout(store: Store, user: User) -> None:
    store.record_audit(user.username, "logout", user.unit_code)


# --- Sessions --------------------------------------------------------------------------------------
def _token(row) -> str:
    # A new password (an admin's reset) changes the token: the sessions opened with the old one end.
    return f"{row.id}:{row.password_changed_at.isoformat()}"


def session_user(store: Store, username: str | None, token: str | None) -> User | None:
    """The user of a logged-in session, as stored now (the app asks at every rerun). None
    when the session must end: no such account, disabled, or its password was set again
    after the login that gave `token` (`LoginResult.token`)."""
    if not username or not token:
        return None
    with store.engine.connect() as conn:
        row = _row(conn, normalise_username(username))
    if row is None or not row.active or not hmac.compare_digest(_token(row), token):
        return None
    return _user(row)


# --- What the audit log keeps of a typed name -----------------------------------------------------
AUDIT_NAME_LENGTH = 64
# Keys the digests of unknown login names. It lives only in this process's memory, so whoever
# reads the audit log cannot test guesses against a digest. The cost: a restart starts the
# counts of unknown names again, as it would for an in-process table.
_NAME_KEY = secrets.token_bytes(32)


def _escape(ch: str) -> str:
    """A character as it may be logged: controls, format characters (bidi overrides,
    zero-width), separators other than the plain space, unassigned code points and the
    backslash become Python-style escapes."""
    if ch == "\\":
        return "\\\\"
    category = unicodedata.category(ch)
    if category[0] == "C" or category in ("Zl", "Zp") or (category == "Zs" and ch != " "):
        code = ord(ch)
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"
    return ch


def safe_text(text: str, limit: int = AUDIT_NAME_LENGTH) -> str:
    """`text` fit for a log: each unsafe character escaped (see `_escape`), at most `limit`
    characters, cut between escapes and marked "…" when cut."""
    pieces = [_escape(ch) for ch in text]
    if sum(map(len, pieces)) <= limit:
        return "".join(pieces)
    out, length = [], 0
    for piece in pieces:
        if length + len(piece) > limit - 1:
            break
        out.append(piece)
        length += len(piece)
    return "".join(out) + "…"


def masked_login_name(name: str) -> str:
    """How the audit log names a login name that has no account: its first two visible
    characters and a short keyed digest, e.g. "kh…3f9a0c1d2e". Attempts with one name
    share a mask, so they can be counted and grouped; the name itself, which may be a
    password typed into the wrong box, is never stored."""
    visible = [ch for ch in name if _escape(ch) == ch and not ch.isspace()]
    digest = hmac.new(_NAME_KEY, name.encode("utf-8", "surrogatepass"), "sha256").hexdigest()[:10]
    return safe_text("".join(visible[:2])) + "…" + digest


# --- Demo mode -------------------------------------------------------------------------------------
# (username, password, role, unit code): fixed, published on the demo login page. An officer's
# unit belongs to one demo plan: Bắc Kạn 2017 (ubnd_061) or Hà Nội 2026 (a ward, the city police).
DEMO_ACCOUNTS = (
    ("lanhdao", "LanhDao@2017", Role.LEADER, None),
    ("canbo.babe", "CanBo.BaBe@2017", Role.OFFICER, "ubnd_061"),
    ("quantri", "QuanTri@2017", Role.ADMIN, None),
    ("canbo.badinh", "CanBo.BaDinh@2026", Role.OFFICER, "ubnd_00004"),
    ("canbo.congan.hn", "CanBo.CongAnHN@2026", Role.OFFICER, "ca_tp"),
)
DEMO_NAMES = {"lanhdao": "Lãnh đạo (tài khoản mẫu)", "quantri": "Quản trị Sở LĐTBXH (tài khoản mẫu)",
              "canbo.congan.hn": "Cán bộ Công an thành phố Hà Nội (tài khoản mẫu)"}
DEMO_TABLE = {"username": "Tên đăng nhập", "password": "Mật khẩu", "role": "Vai trò", "name": "Tên hiển thị"}
DEMO_ACTOR = "demo"  # the audit log's actor for the demo accounts' creation
_PUBLISHED_LOGINS = frozenset((username, password) for username, password, *_ in DEMO_ACCOUNTS)


def ensure_demo_accounts(store: Store, plans: Plan | Collection[Plan],
                         settings: Settings) -> list[tuple[str, str, str, str | None]]:
    """Create the demo accounts that do not exist yet; return them all with their passwords.

    `plans` (one plan, or several: a list, a `plans.Catalogue`) are the plans the installation
    has; an officer account whose unit is in none of them is left out. Only in demo mode, and
    only into a demo (or empty) database, which is marked demo (`installation.claim`; raises
    `installation.WrongDatabase` for a real one). An existing demo account is left as it is
    (its password may have been changed).
    """
    from . import installation
    from .plan import Plan

    if not settings.demo:
        raise DemoModeRequired("demo accounts are created only in demo mode (MDPLAN_DEMO=1)")
    installation.claim(store, demo=True)
    plans = [plans] if isinstance(plans, Plan) else list(plans)
    made = []
    for username, password, role, unit_code in DEMO_ACCOUNTS:
        plan = next((p for p in plans if unit_code in {u.code for u in p.units}), None)
        if unit_code is not None and plan is None:
            continue
        made.append((username, password, role, unit_code))
        if get_user(store, username) is not None:
            continue
        display = DEMO_NAMES.get(username) or f"Cán bộ {plan.unit(unit_code).short_name} (tài khoản mẫu)"
        try:
            add_user(store, username, password, role, units=plan if plan is not None else (), unit_code=unit_code,
                     display_name=display, actor=DEMO_ACTOR)
        except AccountError as exc:
            if exc.code != "user.duplicate":  # another session created it first
                raise
    return made


def demo_table(store: Store, made: list[tuple[str, str, str, str | None]]) -> dict[str, list]:
    """The demo login page's table of `made` (from `ensure_demo_accounts`): name, password,
    role and the name the account shows, which says it is a demo account."""
    users_now = [get_user(store, username) for username, *_ in made]
    names = [user.display_name if user else "" for user in users_now]
    return {DEMO_TABLE["username"]: [a[0] for a in made], DEMO_TABLE["password"]: [a[1] for a in made],
            DEMO_TABLE["role"]: [ROLE_LABELS[a[2]] for a in made], DEMO_TABLE["name"]: names}
