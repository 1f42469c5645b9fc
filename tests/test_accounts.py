"""Accounts, access rules, logins and the `user` CLI, on SQLite and (with
MDPLAN_TEST_DATABASE_URL) PostgreSQL: see conftest.py."""
from __future__ import annotations

import dataclasses
import datetime as dt
import getpass
import json
import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import argon2
import pandas as pd
import pytest
import sqlalchemy as sa

from mdplan_core import accounts, views
from mdplan_core.accounts import (
    AccountError,
    Action,
    DemoModeRequired,
    LoginResult,
    PermissionDenied,
    Role,
    User,
    add_user,
    authenticate,
    can,
    disable_user,
    enable_user,
    ensure_demo_accounts,
    get_user,
    list_users,
    record_logout,
    require,
    reset_password,
    set_role,
)
from mdplan_core.installation import WrongDatabase
from mdplan_core.plan import load_plan
from mdplan_core.plans import catalogue
from mdplan_core.settings import Settings
from mdplan_core.store import Store, users

REPO_ROOT = Path(__file__).resolve().parent.parent
PLAN = load_plan()
PASSWORD = "mật khẩu đủ dài"
T0 = dt.datetime(2017, 3, 1, 1, 0, tzinfo=dt.UTC)  # 08:00 in Vietnam
PRODUCTION_HASHER = accounts.PASSWORD_HASHER


class CountingHasher(argon2.PasswordHasher):
    """argon2id at test cost, remembering which hashes it verified."""

    def __init__(self, **params):
        cheap = dataclasses.asdict(argon2.profiles.CHEAPEST)
        cheap.pop("version")
        super().__init__(**{**cheap, **params})
        self.verified: list[str] = []

    def verify(self, hash, password):
        self.verified.append(hash)
        return super().verify(hash, password)


@pytest.fixture(autouse=True)
def hasher(monkeypatch) -> CountingHasher:
    """Cheap argon2id parameters, so the suite does not spend seconds per hash."""
    h = CountingHasher()
    monkeypatch.setattr(accounts, "PASSWORD_HASHER", h)
    return h


def officer(unit_code="ubnd_061", active=True) -> User:
    return User(1, "canbo", "Cán bộ", Role.OFFICER, unit_code, active)


LEADER = User(2, "lanhdao", "Lãnh đạo", Role.LEADER, None, True)
ADMIN = User(3, "quantri", "Quản trị", Role.ADMIN, None, True)


def audit_entries(store: Store) -> list[dict]:
    """The audit log, oldest first, with `detail` decoded."""
    frame = store.audit().iloc[::-1]
    return [{"actor": r.actor, "action": r.action, "unit_code": r.unit_code, **json.loads(r.detail)}
            for r in frame.itertuples()]


def actions(store: Store) -> list[str]:
    return [e["action"] for e in audit_entries(store)]


def stored_row(store: Store, username: str):
    with store.engine.connect() as conn:
        return conn.execute(sa.select(users).where(users.c.username == username)).one()


def add(store, username="canbo.babe", password=PASSWORD, role=Role.OFFICER, unit_code="ubnd_061", **kw):
    return add_user(store, username, password, role, units=PLAN, unit_code=unit_code,
                    actor=kw.pop("actor", "quantri"), **kw)


# --- Access rules ----------------------------------------------------------------------------------
# Written out by hand (not derived from PERMISSIONS), so a change to the rules has to change this too.
EXPECTED = {
    # action:                 leader, officer (own unit), officer (other unit), officer (all units), admin
    Action.VIEW:             (True, True, True, True, True),
    Action.UPLOAD:           (False, True, False, False, True),
    Action.HISTORY:          (False, True, False, False, True),
    Action.ROLLBACK:         (False, False, False, False, True),
    Action.MANAGE_USERS:     (False, False, False, False, True),
    Action.ALLOCATIONS:      (False, False, False, False, True),
    Action.PLANS:            (False, False, False, False, True),
}


@pytest.mark.parametrize("action", list(EXPECTED))
def test_permission_table(action):
    got = (can(LEADER, action, "ubnd_061"), can(officer(), action, "ubnd_061"),
           can(officer(), action, "ubnd_058"), can(officer(), action, None), can(ADMIN, action, "ubnd_058"))
    assert got == EXPECTED[action]
    assert set(EXPECTED) == set(accounts.ACTIONS)


def test_who_sees_which_units_submission_history():
    history = pd.DataFrame({"unit_code": ["ubnd_058", "ubnd_061", "ubnd_061", "ca_tinh"], "version": [1, 1, 2, 1]})
    assert accounts.history_scope(ADMIN) is None
    assert accounts.history_scope(officer("ubnd_061")) == {"ubnd_061"}
    assert accounts.history_scope(LEADER) == accounts.history_scope(None) == frozenset()
    assert accounts.history_scope(officer(active=False)) == frozenset()
    assert accounts.visible_history(ADMIN, history).equals(history)
    assert list(accounts.visible_history(officer("ubnd_061"), history)["version"]) == [1, 2]
    assert accounts.visible_history(LEADER, history).empty
    assert list(accounts.visible_history(LEADER, history).columns) == ["unit_code", "version"]


def test_a_ba_be_officer_cannot_upload_for_another_unit():
    babe = officer("ubnd_061")
    assert can(babe, "upload", "ubnd_061")
    assert not can(babe, "upload", "ubnd_058")
    with pytest.raises(PermissionDenied, match="chỉ được nộp báo cáo của đơn vị mình"):
        require(babe, "upload", "ubnd_058")
    require(babe, "upload", "ubnd_061")  # does not raise


@pytest.mark.parametrize("action", [a for a in accounts.ACTIONS if a != Action.VIEW])
def test_a_leader_cannot_write_anything(action):
    for unit in (None, "ubnd_061", "sldtbxh"):
        assert not can(LEADER, action, unit)
        with pytest.raises(PermissionDenied, match="Vai trò Lãnh đạo không được phép"):
            require(LEADER, action, unit)


def test_nobody_logged_in_and_disabled_users_may_do_nothing():
    for action in accounts.ACTIONS:
        assert not can(None, action)
        assert not can(dataclasses.replace(ADMIN, active=False), action)
    with pytest.raises(PermissionDenied, match="cần đăng nhập"):
        require(None, "view")
    with pytest.raises(PermissionDenied, match="đã bị vô hiệu hóa"):
        require(dataclasses.replace(ADMIN, active=False), "manage_users")


def test_an_unknown_action_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown action"):
        can(ADMIN, "uplaod")


def test_permissions_cannot_be_changed_at_run_time():
    with pytest.raises(TypeError):
        accounts.PERMISSIONS[Role.LEADER] = {Action.UPLOAD: accounts.ALL}
    with pytest.raises(TypeError):
        accounts.PERMISSIONS[Role.LEADER][Action.UPLOAD] = accounts.ALL


# --- Adding users ----------------------------------------------------------------------------------
def test_add_user_stores_a_normalised_name_and_an_argon2id_hash_never_the_password(store):
    nfd_name = unicodedata.normalize("NFD", "  Cán.Bộ.BaBể ")
    user = add(store, nfd_name, display_name="Nguyễn  Thị Hoà", now=T0)
    # An officer belongs to the province of the plan their unit was checked against.
    assert user == User(user.id, "cán.bộ.babể", "Nguyễn Thị Hoà", Role.OFFICER, "ubnd_061", True, "06")
    assert unicodedata.is_normalized("NFC", user.username)
    row = stored_row(store, "cán.bộ.babể")
    assert row.password_hash.startswith("$argon2id$")
    assert PASSWORD not in row.password_hash
    assert argon2.PasswordHasher().verify(row.password_hash, PASSWORD)
    assert (row.active, row.failed_logins, row.locked_until) == (True, 0, None)
    assert row.created_at == row.password_changed_at == T0
    assert get_user(store, "CÁN.BỘ.BABỂ") == user


def test_the_production_hasher_is_argon2id_with_its_default_parameters(store, monkeypatch):
    monkeypatch.setattr(accounts, "PASSWORD_HASHER", PRODUCTION_HASHER)
    assert PRODUCTION_HASHER.type is argon2.Type.ID
    add(store, "quantri", role=Role.ADMIN, unit_code=None)
    stored = stored_row(store, "quantri").password_hash
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert not PRODUCTION_HASHER.check_needs_rehash(stored)


def test_list_users_never_shows_a_hash(store):
    add(store, "canbo.babe")
    add(store, "lanhdao", role=Role.LEADER, unit_code=None)
    table = list_users(store)
    assert list(table["username"]) == ["canbo.babe", "lanhdao"]
    assert list(table.columns) == ["id", "username", "display_name", "role", "unit_code", "province_code", "active",
                                   "failed_logins", "locked_until", "created_at", "password_changed_at"]
    assert "$argon2" not in table.to_string()
    assert str(table["created_at"].dtype) == "datetime64[us, UTC]"


@pytest.mark.parametrize("kwargs, code, message", [
    ({"role": "root", "unit_code": None}, "user.bad_role", "Vai trò 'root' không hợp lệ"),
    ({"role": Role.OFFICER, "unit_code": None}, "user.officer_needs_unit", "phải gắn với một đơn vị"),
    ({"role": Role.OFFICER, "unit_code": "ubnd_999"}, "user.unknown_unit", "Đơn vị 'ubnd_999' không có"),
    ({"role": Role.LEADER, "unit_code": "ubnd_061"}, "user.unit_not_allowed", "vai trò Lãnh đạo thì để trống"),
    ({"password": "ngắn quá"}, "user.weak_password", "ít nhất 10 ký tự"),
    ({"username": "canbo.babe.x", "password": "CANBO.BABE.X"}, "user.password_is_username", "trùng với tên"),
    ({"username": "a b"}, "user.bad_username", "Tên đăng nhập 'a b' không hợp lệ"),
    ({"username": ".ab"}, "user.bad_username", "không hợp lệ"),
    ({"username": "x" * 65}, "user.bad_username", "không hợp lệ"),
])
def test_invalid_requests_raise_in_vietnamese_and_write_nothing(store, kwargs, code, message):
    with pytest.raises(AccountError, match=message) as raised:
        add(store, **kwargs)
    assert raised.value.code == code
    assert list_users(store).empty and store.audit().empty


def test_units_may_be_a_set_of_codes_instead_of_the_plan(store):
    user = add_user(store, "x.officer", PASSWORD, Role.OFFICER, units={"x"}, unit_code="x", actor="t")
    assert user.unit_code == "x"
    with pytest.raises(AccountError, match="Đơn vị 'ubnd_061' không có"):
        add_user(store, "y.officer", PASSWORD, Role.OFFICER, units={"x"}, unit_code="ubnd_061", actor="t")


def test_a_username_is_taken_whatever_its_case_or_normal_form(store):
    add(store, "hoà.babe")
    for spelling in ("HOÀ.BABE", unicodedata.normalize("NFD", "hoà.babe")):
        with pytest.raises(AccountError, match="'hoà.babe' đã có người dùng") as raised:
            add(store, spelling)
        assert raised.value.code == "user.duplicate"
    assert len(list_users(store)) == 1
    assert actions(store) == ["user_add"]


# --- The database's own constraints ----------------------------------------------------------------
def raw_user(**overrides) -> dict:
    now = dt.datetime(2017, 1, 1, tzinfo=dt.UTC)
    return {"username": "raw", "display_name": "Raw", "role": Role.LEADER, "unit_code": None,
            "password_hash": "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaA", "active": True,
            "failed_logins": 0, "locked_until": None, "created_at": now, "password_changed_at": now,
            **overrides}


@pytest.mark.parametrize("overrides", [
    {"role": Role.OFFICER, "unit_code": None},        # an officer without a unit
    {"role": Role.ADMIN, "unit_code": "ubnd_061"},    # an admin bound to a unit
    {"role": "root"},
    {"password_hash": "mật khẩu đủ dài"},             # a password, not a hash
    {"password_hash": "$argon2i$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaA"},
    {"failed_logins": -1},
])
def test_the_database_itself_refuses_bad_user_rows(store, overrides):
    with pytest.raises(sa.exc.IntegrityError):
        with store.engine.begin() as conn:
            conn.execute(sa.insert(users).values(**raw_user(**overrides)))
    assert list_users(store).empty


def test_the_database_refuses_a_duplicate_username(store):
    with store.engine.begin() as conn:
        conn.execute(sa.insert(users).values(**raw_user()))
    with pytest.raises(sa.exc.IntegrityError):
        with store.engine.begin() as conn:
            conn.execute(sa.insert(users).values(**raw_user()))


def test_a_valid_raw_officer_row_is_accepted(store):
    # The constraints above fail for the reason named, not for some other column.
    with store.engine.begin() as conn:
        conn.execute(sa.insert(users).values(**raw_user(role=Role.OFFICER, unit_code="ubnd_061")))
    assert list(list_users(store)["role"]) == [Role.OFFICER]


# --- Logging in ------------------------------------------------------------------------------------
def test_a_good_login_is_audited_and_returns_the_user(store):
    user = add(store, display_name="Cán bộ Ba Bể")
    result = authenticate(store, " CanBo.BaBe ", PASSWORD, now=T0)
    assert result == LoginResult(user, "ok", "Đăng nhập thành công. Xin chào Cán bộ Ba Bể.", result.token)
    assert result.ok and result.token
    last = audit_entries(store)[-1]
    assert last == {"actor": "canbo.babe", "action": "login", "unit_code": "ubnd_061",
                    "role": Role.OFFICER, "rehashed": False}


def test_a_password_typed_in_another_normal_form_still_works(store):
    add(store)
    assert authenticate(store, "canbo.babe", unicodedata.normalize("NFD", PASSWORD), now=T0).ok


def test_control_characters_in_a_username_are_cleaned_on_every_backend(store):
    # PostgreSQL refuses NUL in a text: the login page used to show its SQL error to anyone.
    user = add(store)
    assert authenticate(store, "canbo.babe\x00", PASSWORD, now=T0).user == user
    assert authenticate(store, "khong\x00co\x1bai", "sai mật khẩu rồi", now=T0).status == "bad_credentials"
    assert get_user(store, "canbo\x00.babe") == user
    reset_password(store, "canbo.babe\x1b", "mật khẩu mới đủ dài", actor="quantri", now=T0)
    other = add(store, "can\x00bo.moi", display_name="Cán bộ\x00 mới\x0bBa Bể")
    assert (other.username, other.display_name) == ("canbo.moi", "Cán bộ mới Ba Bể")
    assert not any(ch in str(e) for e in audit_entries(store) for ch in "\x00\x1b")


def test_unknown_user_and_wrong_password_get_the_same_answer_and_the_same_work(store, hasher):
    add(store)
    wrong = authenticate(store, "canbo.babe", "sai mật khẩu rồi", now=T0)
    hasher.verified.clear()
    unknown = authenticate(store, "khong.co.ai", "sai mật khẩu rồi", now=T0)
    assert wrong.status == unknown.status == "bad_credentials"
    assert wrong.message == unknown.message == "Sai tên đăng nhập hoặc mật khẩu."
    assert wrong.user is unknown.user is None
    # The unknown name was checked against a dummy argon2id hash of the same parameters.
    assert len(hasher.verified) == 1
    assert hasher.verified[0].startswith("$argon2id$v=19$m=8,t=1,p=1$")
    entries = audit_entries(store)[-2:]
    assert [(e["actor"], e["action"], e["reason"]) for e in entries] == [
        ("canbo.babe", "login_failed", "bad_password"),
        (accounts.masked_login_name("khong.co.ai"), "login_failed", "unknown_user")]


def test_five_failures_lock_the_account_for_fifteen_minutes(store, hasher):
    add(store)
    for attempt in range(1, 5):
        result = authenticate(store, "canbo.babe", "sai mật khẩu rồi", now=T0 + dt.timedelta(seconds=attempt))
        assert result.status == "bad_credentials", attempt
        assert stored_row(store, "canbo.babe").failed_logins == attempt
    # The fourth answer warns that the next failure locks.
    assert result.message == ("Sai tên đăng nhập hoặc mật khẩu. Còn 1 lần thử trước khi tài khoản bị "
                              "tạm khóa 15 phút.")
    fifth_at = T0 + dt.timedelta(minutes=1, seconds=30)  # 08:01:30 in Vietnam
    fifth = authenticate(store, "canbo.babe", "sai mật khẩu rồi", now=fifth_at)
    assert fifth.status == "locked" and fifth.user is None
    assert fifth.message == ("Sai tên đăng nhập hoặc mật khẩu. Tài khoản đã nhập sai 5 lần liên tiếp "
                             "nên bị tạm khóa đến 01/03/2017 08:17 (giờ Việt Nam).")
    assert stored_row(store, "canbo.babe").locked_until == fifth_at + accounts.LOCKOUT

    # While locked, even the right password is refused (it is verified all the same, so the
    # answer takes as long as any other).
    hasher.verified.clear()
    during = authenticate(store, "canbo.babe", PASSWORD, now=fifth_at + dt.timedelta(minutes=14, seconds=59))
    assert during.status == "locked"
    assert "thử lại sau 01/03/2017 08:17 (giờ Việt Nam)" in during.message
    assert len(hasher.verified) == 1

    after = authenticate(store, "canbo.babe", PASSWORD, now=fifth_at + accounts.LOCKOUT)
    assert after.ok
    row = stored_row(store, "canbo.babe")
    assert (row.failed_logins, row.locked_until) == (0, None)

    entries = audit_entries(store)
    assert [e["action"] for e in entries] == (["user_add"] + ["login_failed"] * 5 + ["login_locked", "login"])
    assert [e.get("failed_logins") for e in entries[1:6]] == [1, 2, 3, 4, 5]
    assert entries[5]["locked_until"] == (fifth_at + accounts.LOCKOUT).isoformat()
    assert entries[6]["locked_until"] == (fifth_at + accounts.LOCKOUT).isoformat()


def test_the_audit_log_filters_by_actor_and_action_and_reads_in_vietnamese(store):
    add(store)
    add(store, "lanhdao", role=Role.LEADER, unit_code=None)
    authenticate(store, "canbo.babe", "sai mật khẩu rồi", now=T0)
    authenticate(store, "khong.co.ai", PASSWORD, now=T0)
    assert authenticate(store, "lanhdao", PASSWORD, now=T0).ok
    record_logout(store, get_user(store, "lanhdao"))

    assert list(store.audit(actor="lanhdao")["action"]) == ["logout", "login"]
    failed = store.audit(actions=["login_failed"])
    unknown = accounts.masked_login_name("khong.co.ai")
    assert list(failed["actor"]) == [unknown, "canbo.babe"]
    assert list(store.audit(1, actions=["user_add", "logout"])["action"]) == ["logout"]
    assert store.audit(actor="quantri", actions=["login"]).empty

    table = views.audit_table(PLAN, store.audit())
    assert list(table.columns) == ["Thời gian", "Người thực hiện", "Việc", "Đơn vị", "Chi tiết"]
    rows = table.set_index("Người thực hiện")
    assert rows.loc[unknown, "Việc"] == "Đăng nhập không thành công"
    assert rows.loc[unknown, "Chi tiết"] == "không có tài khoản này"
    assert rows.loc["canbo.babe", "Chi tiết"] == "sai mật khẩu"
    assert rows.loc["canbo.babe", "Đơn vị"] == "UBND huyện Ba Bể"
    assert list(table.loc[table["Người thực hiện"] == "quantri", "Chi tiết"]) == [
        "tài khoản lanhdao; vai trò lãnh đạo", "tài khoản canbo.babe; vai trò cán bộ đơn vị"]
    assert rows.loc[unknown, "Thời gian"] == "01/03/2017 08:00"  # T0, in Vietnam time

def test_every_action_the_code_audits_has_a_vietnamese_name():
    """Read off the source: an action added without a name would show raw on the admin page."""
    import re

    from mdplan_core import labels
    written = set()
    for path in (Path(accounts.__file__).parent).glob("*.py"):
        text = path.read_text(encoding="utf-8")
        written |= set(re.findall(r'_audit\(conn, [^,]+, [^,]+, "([a-z_]+)"', text))
        written |= set(re.findall(r'record_audit\([^,]+, "([a-z_]+)"', text))
        written |= {a for pair in re.findall(r'action = "([a-z_]+)" if .+ else "([a-z_]+)"', text) for a in pair}
        written |= set(re.findall(r'\.audit\(at, [^,]+, "([a-z_]+)"', text))
        written |= {a for pair in re.findall(r'\.audit\(at, [^,]+, "([a-z_]+)" if [^"]+ else "([a-z_]+)"', text)
                    for a in pair}
    assert {"login", "logout", "login_failed", "upload", "revision", "rollback"} <= written
    assert written <= set(labels.AUDIT_ACTIONS), written - set(labels.AUDIT_ACTIONS)

def test_a_success_resets_the_count(store):
    add(store)
    for _ in range(4):
        authenticate(store, "canbo.babe", "sai mật khẩu rồi", now=T0)
    assert authenticate(store, "canbo.babe", PASSWORD, now=T0).ok
    for _ in range(4):
        assert authenticate(store, "canbo.babe", "sai mật khẩu rồi", now=T0).status == "bad_credentials"
    assert stored_row(store, "canbo.babe").failed_logins == 4


def test_after_a_lockout_runs_out_the_count_starts_again(store):
    add(store)
    for _ in range(5):
        authenticate(store, "canbo.babe", "sai mật khẩu rồi", now=T0)
    later = T0 + accounts.LOCKOUT + dt.timedelta(seconds=1)
    assert authenticate(store, "canbo.babe", "sai mật khẩu rồi", now=later).status == "bad_credentials"
    row = stored_row(store, "canbo.babe")
    assert (row.failed_logins, row.locked_until) == (1, None)


def test_a_disabled_account_is_named_only_to_who_knows_its_password(store):
    add(store)
    disable_user(store, "canbo.babe", actor="quantri")
    assert authenticate(store, "canbo.babe", "sai mật khẩu rồi", now=T0).status == "bad_credentials"
    refused = authenticate(store, "canbo.babe", PASSWORD, now=T0)
    assert (refused.status, refused.user) == ("disabled", None)
    assert "đã bị vô hiệu hóa" in refused.message
    assert audit_entries(store)[-1]["reason"] == "disabled"
    enable_user(store, "canbo.babe", actor="quantri")
    assert authenticate(store, "canbo.babe", PASSWORD, now=T0).ok


def test_a_hash_with_old_parameters_is_replaced_at_the_next_login(store, monkeypatch):
    add(store)
    old = stored_row(store, "canbo.babe").password_hash
    monkeypatch.setattr(accounts, "PASSWORD_HASHER", CountingHasher(time_cost=2))
    assert authenticate(store, "canbo.babe", PASSWORD, now=T0).ok
    new = stored_row(store, "canbo.babe").password_hash
    assert old.startswith("$argon2id$v=19$m=8,t=1,p=1$") and new.startswith("$argon2id$v=19$m=8,t=2,p=1$")
    assert audit_entries(store)[-1]["rehashed"] is True
    assert authenticate(store, "canbo.babe", PASSWORD, now=T0).ok
    assert audit_entries(store)[-1]["rehashed"] is False
    assert stored_row(store, "canbo.babe").password_hash == new


def test_logout_is_audited(store):
    user = add(store)
    record_logout(store, user)
    assert audit_entries(store)[-1] == {"actor": "canbo.babe", "action": "logout", "unit_code": "ubnd_061"}


def test_now_must_be_timezone_aware(store):
    add(store)
    with pytest.raises(ValueError, match="timezone-aware"):
        authenticate(store, "canbo.babe", PASSWORD, now=dt.datetime(2017, 3, 1))


# --- Unknown names answer like accounts -------------------------------------------------------------
def answers(store, username: str, passwords: list[str], times: list[dt.datetime]) -> list[tuple[str, str]]:
    return [(r.status, r.message) for r in (authenticate(store, username, pw, now=at)
                                            for pw, at in zip(passwords, times))]


def test_an_unknown_name_gets_the_same_answers_as_an_account_with_wrong_passwords(store):
    add(store)
    # Six wrong tries, the right password while locked, then one more try after the lockout.
    times = [T0 + dt.timedelta(seconds=i) for i in range(7)] + [T0 + dt.timedelta(minutes=16)]
    known = answers(store, "canbo.babe", ["sai mật khẩu rồi"] * 6 + [PASSWORD, "sai mật khẩu rồi"], times)
    unknown = answers(store, "khong.co.ai", ["sai mật khẩu rồi"] * 6 + [PASSWORD, "sai mật khẩu rồi"], times)
    assert unknown == known
    assert [status for status, _ in known] == ["bad_credentials"] * 4 + ["locked"] * 3 + ["bad_credentials"]
    assert [message for _, message in known[:4]] == ["Sai tên đăng nhập hoặc mật khẩu."] * 3 + [
        "Sai tên đăng nhập hoặc mật khẩu. Còn 1 lần thử trước khi tài khoản bị tạm khóa 15 phút."]
    assert "tạm khóa đến 01/03/2017 08:16" in known[4][1]
    # Another unknown name has its own count; the spelling of a name does not matter.
    assert authenticate(store, "ai.khac", "x", now=times[-1]).message == "Sai tên đăng nhập hoặc mật khẩu."
    authenticate(store, " KHONG.CO.AI", "x", now=times[-1])
    assert [e["failed_logins"] for e in audit_entries(store)[-2:]] == [1, 2]


@pytest.mark.parametrize("case", ["unknown", "unknown_locked", "wrong_password", "locked", "disabled"])
def test_every_refusal_costs_one_password_verification(store, hasher, case):
    add(store)
    name, password = ("khong.co.ai" if case.startswith("unknown") else "canbo.babe"), PASSWORD
    if case.endswith("locked"):
        for _ in range(accounts.MAX_FAILED_LOGINS):
            authenticate(store, name, "sai mật khẩu rồi", now=T0)
    if case == "wrong_password":
        password = "sai mật khẩu rồi"
    if case == "disabled":
        disable_user(store, name, actor="quantri")
    hasher.verified.clear()
    result = authenticate(store, name, password, now=T0 + dt.timedelta(minutes=1))
    assert not result.ok
    assert len(hasher.verified) == 1


def test_a_name_that_cannot_be_a_username_never_reaches_the_database(store, hasher):
    add(store, "a" * 64, role=Role.LEADER, unit_code=None)
    # Cut to 64 characters, this name would be the account's: it is an unknown name instead.
    assert authenticate(store, "a" * 64 + "bcd", PASSWORD, now=T0).status == "bad_credentials"
    for name in ("canbo\x00babe", "canbo.babe\x1b[2J", "x" * 100_000):
        hasher.verified.clear()
        assert authenticate(store, name, PASSWORD, now=T0).message == "Sai tên đăng nhập hoặc mật khẩu."
        assert len(hasher.verified) == 1


# --- What the audit log keeps of a typed name ------------------------------------------------------
def test_a_name_with_no_account_is_masked_in_the_audit_log(store):
    add(store)
    typed = "MậtKhẩu@Bí-Mật2017"  # a password typed into the username box
    authenticate(store, typed, "x", now=T0)
    authenticate(store, typed.lower(), "y", now=T0)
    authenticate(store, "mậtkhẩu@bí-mật2018", "z", now=T0)
    authenticate(store, "canbo.babe", "sai mật khẩu rồi", now=T0)
    entries = audit_entries(store)[1:]
    first, again, other, known = (e["actor"] for e in entries)
    assert first == again != other  # one name, one mask: repeated attempts can be grouped
    assert first.startswith("mậ…") and len(first) == 13
    assert "khẩu" not in store.audit().to_string() and "2017" not in "".join(store.audit()["detail"])
    assert known == "canbo.babe"  # an account is named as it is
    assert [e["failed_logins"] for e in entries] == [1, 2, 1, 1]


@pytest.mark.parametrize("typed", ["\x1b[31mquantri\x1b[0m", "admin\x00", "\u202eadmin", "ad\nmin\r\x0b",
                                   "\x00\x00\x00", "ký tự" * 5000])
def test_a_typed_name_reaches_the_audit_log_only_made_safe(store, typed):
    authenticate(store, typed, "x", now=T0)
    actor = audit_entries(store)[-1]["actor"]
    assert len(actor) <= accounts.AUDIT_NAME_LENGTH
    assert all(ch == " " or not unicodedata.category(ch).startswith(("C", "Z")) for ch in actor), repr(actor)
    assert actor == accounts.masked_login_name(accounts.normalise_username(typed))


def test_safe_text_escapes_what_a_log_must_not_hold_and_caps_the_length():
    assert accounts.safe_text("canbo.babe") == "canbo.babe"
    assert accounts.safe_text("a\x1b[2Jb\x00c\u202ed\\e f\u00a0g") == "a\\x1b[2Jb\\x00c\\u202ed\\\\e f\\xa0g"
    assert accounts.safe_text("x" * 64) == "x" * 64  # exactly the limit: kept whole
    assert accounts.safe_text("x" * 65) == "x" * 63 + "…"
    assert accounts.safe_text("x" * 60 + "\x1b" * 3) == "x" * 60 + "…"  # never half an escape
    assert accounts.safe_text("abc", limit=2) == "a…"


# --- Sessions --------------------------------------------------------------------------------------
def test_a_password_reset_ends_the_sessions_opened_before_it(store):
    user = add(store, now=T0)
    token = authenticate(store, "canbo.babe", PASSWORD, now=T0).token
    assert accounts.session_user(store, "canbo.babe", token) == user
    assert authenticate(store, "canbo.babe", PASSWORD, now=T0).token == token  # a second browser
    reset_password(store, "canbo.babe", "mật khẩu mới dài hơn", actor="quantri", now=T0 + dt.timedelta(hours=1))
    assert accounts.session_user(store, "canbo.babe", token) is None
    fresh = authenticate(store, "canbo.babe", "mật khẩu mới dài hơn", now=T0 + dt.timedelta(hours=2)).token
    assert fresh != token and accounts.session_user(store, "canbo.babe", fresh) == user


def test_a_session_ends_when_its_account_is_disabled_and_needs_its_token(store):
    user = add(store, now=T0)
    lanhdao = add(store, "lanhdao", role=Role.LEADER, unit_code=None, now=T0)
    token = authenticate(store, "canbo.babe", PASSWORD, now=T0).token
    other = authenticate(store, "lanhdao", PASSWORD, now=T0).token
    assert accounts.session_user(store, "canbo.babe", None) is None
    assert accounts.session_user(store, "canbo.babe", other) is None  # another account's token
    assert accounts.session_user(store, None, token) is None
    assert accounts.session_user(store, "lanhdao", other) == lanhdao
    disable_user(store, "canbo.babe", actor="quantri")
    assert accounts.session_user(store, "canbo.babe", token) is None
    enable_user(store, "canbo.babe", actor="quantri")
    assert accounts.session_user(store, "canbo.babe", token) == user


def test_a_rehash_at_login_keeps_the_sessions(store, monkeypatch):
    add(store, now=T0)
    token = authenticate(store, "canbo.babe", PASSWORD, now=T0).token
    monkeypatch.setattr(accounts, "PASSWORD_HASHER", CountingHasher(time_cost=2))
    assert authenticate(store, "canbo.babe", PASSWORD, now=T0).token == token
    assert accounts.session_user(store, "canbo.babe", token) is not None


# --- Managing users --------------------------------------------------------------------------------
def test_reset_password_replaces_it_lifts_a_lock_and_is_audited_without_the_password(store):
    add(store, now=T0)
    for _ in range(5):
        authenticate(store, "canbo.babe", "sai mật khẩu rồi", now=T0)
    later = T0 + dt.timedelta(minutes=1)
    reset_password(store, "CanBo.BaBe", "mật khẩu mới dài hơn", actor="quantri", now=later)
    row = stored_row(store, "canbo.babe")
    assert (row.failed_logins, row.locked_until, row.password_changed_at) == (0, None, later)
    assert authenticate(store, "canbo.babe", PASSWORD, now=later).status == "bad_credentials"
    assert authenticate(store, "canbo.babe", "mật khẩu mới dài hơn", now=later).ok
    reset = [e for e in audit_entries(store) if e["action"] == "user_reset_password"]
    assert reset == [{"actor": "quantri", "action": "user_reset_password", "unit_code": "ubnd_061",
                      "username": "canbo.babe"}]
    with pytest.raises(AccountError, match="ít nhất 10 ký tự"):
        reset_password(store, "canbo.babe", "ngắn", actor="quantri")
    with pytest.raises(AccountError, match="Không có tài khoản 'ai.do'"):
        reset_password(store, "ai.do", "mật khẩu mới dài hơn", actor="quantri")


def test_no_password_ever_reaches_the_audit_log(store):
    add(store)
    authenticate(store, "canbo.babe", PASSWORD, now=T0)
    authenticate(store, "canbo.babe", "sai mật khẩu rồi", now=T0)
    reset_password(store, "canbo.babe", "mật khẩu mới dài hơn", actor="quantri")
    text = store.audit().to_string() + "".join(store.audit()["detail"])
    assert "mật khẩu" not in text and "$argon2" not in text


def test_disable_and_enable_are_audited_once_per_change(store):
    add(store)
    assert disable_user(store, "canbo.babe", actor="quantri").active is False
    disable_user(store, "canbo.babe", actor="quantri")  # already disabled: nothing to record
    assert get_user(store, "canbo.babe").active is False
    assert enable_user(store, "canbo.babe", actor="quantri").active is True
    assert actions(store) == ["user_add", "user_disable", "user_enable"]
    assert audit_entries(store)[1] == {"actor": "quantri", "action": "user_disable",
                                       "unit_code": "ubnd_061", "username": "canbo.babe"}
    with pytest.raises(AccountError) as raised:
        disable_user(store, "khong.co", actor="quantri")
    assert raised.value.code == "user.unknown"


def test_the_last_active_admin_cannot_be_disabled_or_demoted(store):
    add(store, "quantri", role=Role.ADMIN, unit_code=None)
    with pytest.raises(AccountError, match="tài khoản quản trị cuối cùng") as raised:
        disable_user(store, "quantri", actor="quantri")
    assert raised.value.code == "user.last_admin"
    with pytest.raises(AccountError, match="tài khoản quản trị cuối cùng"):
        set_role(store, "quantri", Role.LEADER, units=PLAN, actor="quantri")
    add(store, "quantri2", role=Role.ADMIN, unit_code=None)
    disable_user(store, "quantri", actor="quantri2")
    assert get_user(store, "quantri").active is False


def test_set_role_moves_a_user_and_checks_the_unit(store):
    add(store, "lanhdao", role=Role.LEADER, unit_code=None)
    with pytest.raises(AccountError, match="phải gắn với một đơn vị"):
        set_role(store, "lanhdao", Role.OFFICER, units=PLAN, actor="quantri")
    user = set_role(store, "lanhdao", Role.OFFICER, units=PLAN, unit_code="ubnd_058", actor="quantri")
    assert (user.role, user.unit_code) == (Role.OFFICER, "ubnd_058")
    assert get_user(store, "lanhdao") == user
    assert audit_entries(store)[-1]["before"] == {"role": Role.LEADER, "unit_code": None}
    assert audit_entries(store)[-1]["after"] == {"role": Role.OFFICER, "unit_code": "ubnd_058"}


# --- Demo accounts ---------------------------------------------------------------------------------
def settings(tmp_path, demo: bool) -> Settings:
    return Settings.from_env({"MDPLAN_DATA_DIR": str(tmp_path), "MDPLAN_DEMO": "1" if demo else "0"})


def test_demo_accounts_are_refused_outside_demo_mode(store, tmp_path):
    with pytest.raises(DemoModeRequired):
        ensure_demo_accounts(store, PLAN, settings(tmp_path, demo=False))
    assert list_users(store).empty


def test_demo_accounts_one_per_role_that_can_log_in(store, tmp_path):
    accounts_made = ensure_demo_accounts(store, PLAN, settings(tmp_path, demo=True))
    assert [(u, r, unit) for u, _, r, unit in accounts_made] == [
        ("lanhdao", Role.LEADER, None), ("canbo.babe", Role.OFFICER, "ubnd_061"), ("quantri", Role.ADMIN, None)]
    for username, password, role, unit in accounts_made:
        result = authenticate(store, username, password, now=T0, demo=True)
        assert result.ok and (result.user.role, result.user.unit_code) == (role, unit)
    assert get_user(store, "canbo.babe").display_name == "Cán bộ UBND huyện Ba Bể (tài khoản mẫu)"
    # Again: nothing new.
    assert ensure_demo_accounts(store, PLAN, settings(tmp_path, demo=True)) == accounts_made
    assert len(list_users(store)) == 3
    assert actions(store).count("user_add") == 3
    assert store.kind() == "demo"


def test_demo_accounts_of_both_demo_plans(store, tmp_path):
    plans = catalogue()
    made = ensure_demo_accounts(store, plans, settings(tmp_path, demo=True))
    assert [(u, unit) for u, _, _, unit in made] == [
        ("lanhdao", None), ("canbo.babe", "ubnd_061"), ("quantri", None),
        ("canbo.badinh", "ubnd_00004"), ("canbo.congan.hn", "ca_tp")]
    for username, password, _, unit in made:
        assert authenticate(store, username, password, now=T0, demo=True).user.unit_code == unit
    # Each Hà Nội officer's unit is in the Hà Nội plan only, so that is the plan they see.
    for unit in ("ubnd_00004", "ca_tp"):
        assert [p.id for p in plans if unit in {u.code for u in p.units}] == ["hanoi-2026"]
    table = accounts.demo_table(store, made)
    assert table["Tên đăng nhập"][3:] == ["canbo.badinh", "canbo.congan.hn"]
    assert table["Tên hiển thị"][3:] == ["Cán bộ UBND phường Ba Đình (tài khoản mẫu)",
                                          "Cán bộ Công an thành phố Hà Nội (tài khoản mẫu)"]
    assert all("tài khoản mẫu" in name for name in table["Tên hiển thị"])
    assert table["Vai trò"][3:] == ["Cán bộ đơn vị", "Cán bộ đơn vị"]


def test_a_demo_account_cannot_log_in_with_demo_mode_off(store, tmp_path, hasher):
    made = ensure_demo_accounts(store, PLAN, settings(tmp_path, demo=True))
    wrong = authenticate(store, "lanhdao", "sai mật khẩu rồi", now=T0)
    for username, password, _, _ in made:
        before = len(hasher.verified)
        refused = authenticate(store, username, password, now=T0)
        # The answer, and the argon2 work, of a wrong password.
        assert (refused.status, refused.message, refused.user) == ("bad_credentials", wrong.message, None)
        assert len(hasher.verified) == before + 1
        last = audit_entries(store)[-1]
        assert (last["actor"], last["action"], last["reason"]) == (username, "login_failed", "demo_account")
        # Counted as a wrong password is.
        assert stored_row(store, username).failed_logins == (2 if username == "lanhdao" else 1)
        assert authenticate(store, username, password, now=T0, demo=True).ok


def test_a_real_account_with_a_demo_name_logs_in_with_demo_mode_off(store):
    add(store, "quantri", "mật khẩu riêng của Sở", role=Role.ADMIN, unit_code=None, actor="cli:root")
    assert authenticate(store, "quantri", "mật khẩu riêng của Sở", now=T0).ok
    # Only the published password is refused.
    reset_password(store, "quantri", "QuanTri@2017", actor="cli:root")
    assert authenticate(store, "quantri", "QuanTri@2017", now=T0).status == "bad_credentials"


def test_demo_accounts_are_not_created_in_a_real_database(store, tmp_path):
    add(store, "nguyen.van.a", actor="cli:root")
    with pytest.raises(WrongDatabase, match="1 tài khoản không phải tài khoản mẫu"):
        ensure_demo_accounts(store, PLAN, settings(tmp_path, demo=True))
    assert list(list_users(store)["username"]) == ["nguyen.van.a"] and store.kind() is None


# --- The `user` command ----------------------------------------------------------------------------
def run_cli(database_url, tmp_path, *args, stdin=""):
    env = {**os.environ, "MDPLAN_DATABASE_URL": database_url, "MDPLAN_DATA_DIR": str(tmp_path / "data")}
    return subprocess.run([sys.executable, "-m", "mdplan_core", "user", *args], input=stdin,
                          capture_output=True, text=True, encoding="utf-8", env=env, cwd=REPO_ROOT)


def test_cli_add_list_disable_enable_reset_password(database_url, tmp_path):
    out = run_cli(database_url, tmp_path, "add", "--role", "admin", "--name", "Quản trị Sở", "QuanTri",
                  "--password-stdin", stdin="mật khẩu quản trị\n")
    assert (out.returncode, out.stderr) == (0, "")
    assert out.stdout == "Đã tạo tài khoản quantri (Quản trị).\n"
    out = run_cli(database_url, tmp_path, "add", "--role", "officer", "--unit", "ubnd_061", "canbo.babe",
                  "--password-stdin", stdin="mật khẩu cán bộ\n")
    assert out.stdout == "Đã tạo tài khoản canbo.babe (Cán bộ đơn vị, UBND huyện Ba Bể).\n"

    listed = run_cli(database_url, tmp_path, "list")
    assert listed.returncode == 0
    assert "== users (2) ==" in listed.stdout and "Quản trị Sở" in listed.stdout
    assert "argon2" not in listed.stdout and "mật khẩu" not in listed.stdout
    rows = json.loads(run_cli(database_url, tmp_path, "list", "--json").stdout)["users"]
    assert [(r["username"], r["role"], r["unit_code"], r["active"]) for r in rows] == [
        ("canbo.babe", "officer", "ubnd_061", True), ("quantri", "admin", None, True)]

    assert run_cli(database_url, tmp_path, "disable", "canbo.babe").returncode == 0
    assert run_cli(database_url, tmp_path, "enable", "canbo.babe").returncode == 0
    assert run_cli(database_url, tmp_path, "disable", "canbo.babe").returncode == 0
    out = run_cli(database_url, tmp_path, "reset-password", "quantri", "--password-stdin",
                  stdin="mật khẩu mới của quản trị\n")
    assert (out.returncode, out.stdout) == (0, "Đã đặt lại mật khẩu cho tài khoản quantri.\n")

    store = Store(database_url)
    try:
        assert authenticate(store, "quantri", "mật khẩu quản trị").status == "bad_credentials"
        assert authenticate(store, "quantri", "mật khẩu mới của quản trị").ok
        assert authenticate(store, "canbo.babe", "mật khẩu cán bộ").status == "disabled"
        by_cli = [e for e in audit_entries(store) if e["actor"].startswith("cli:")]
        assert {e["actor"] for e in by_cli} == {f"cli:{getpass.getuser()}"}
        assert [e["action"] for e in by_cli] == ["user_add", "user_add", "user_disable", "user_enable",
                                                  "user_disable", "user_reset_password"]
    finally:
        store.dispose()


@pytest.mark.parametrize("args, stdin, message", [
    (("add", "--role", "officer", "x.officer"), "mật khẩu đủ dài\n", "phải gắn với một đơn vị"),
    (("add", "--role", "officer", "--unit", "ubnd_999", "x.officer"), "mật khẩu đủ dài\n", "'ubnd_999' không có"),
    (("add", "--role", "admin", "quantri"), "ngắn\n", "ít nhất 10 ký tự"),
    (("disable", "khong.co"), "", "Không có tài khoản 'khong.co'"),
])
def test_cli_refusals_are_vietnamese_and_change_nothing(database_url, tmp_path, args, stdin, message):
    out = run_cli(database_url, tmp_path, *args[:-1], args[-1], *(("--password-stdin",) if stdin else ()),
                  stdin=stdin)
    assert out.returncode == 1
    assert message in out.stderr and "Traceback" not in out.stderr
    store = Store(database_url)
    try:
        assert list_users(store).empty and store.audit().empty
    finally:
        store.dispose()


def test_cli_add_reads_the_password_twice_and_refuses_a_mismatch(database_url, tmp_path, monkeypatch, capsys):
    from mdplan_core import cli

    monkeypatch.setenv("MDPLAN_DATABASE_URL", database_url)
    monkeypatch.setenv("MDPLAN_DATA_DIR", str(tmp_path / "data"))
    typed = iter(["mật khẩu quản trị", "mật khẩu khác hẳn"])
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": next(typed))
    assert cli.main(["user", "add", "--role", "admin", "quantri"]) == 1
    assert "không khớp" in capsys.readouterr().err
    typed = iter(["mật khẩu quản trị", "mật khẩu quản trị"])
    assert cli.main(["user", "add", "--role", "admin", "quantri"]) == 0
    store = Store(database_url)
    try:
        assert list(list_users(store)["username"]) == ["quantri"]
        assert authenticate(store, "quantri", "mật khẩu quản trị").ok
    finally:
        store.dispose()
