"""Every write made on a user's behalf checks the user's role on the server: each write path in
`actions` and `intake.submit`, called as each kind of user. A refused call raises
`PermissionDenied` and leaves the store exactly as it was; an allowed one really writes.
On SQLite and (with MDPLAN_TEST_DATABASE_URL) PostgreSQL: see conftest.py."""
from __future__ import annotations

import dataclasses

import argon2
import pandas as pd
import pytest

from mdplan_core import accounts, actions, allocations, intake
from mdplan_core.accounts import PermissionDenied, Role
from mdplan_core.plan import load_plan
from mdplan_core.plans import catalogue
from mdplan_core.report import Period
from mdplan_core.template import build_template
from tests.fill import fill_template
from tests.store_worker import save

PLAN = load_plan()
Q1 = Period(2017, 1, 3)
PASSWORD = "mật khẩu đủ dài"
BA_BE_Q1 = fill_template(build_template(PLAN, "ubnd_061", Q1), results={"CT1.1": 2, "CT4.1": 1})

# The users who try each write: (username, role, unit); `disabled_admin` is disabled after setup.
ACTORS = {
    "leader": ("lanhdao", Role.LEADER, None),
    "officer": ("canbo.babe", Role.OFFICER, "ubnd_061"),
    "other_officer": ("canbo.tp", Role.OFFICER, "ubnd_058"),
    "admin": ("quantri", Role.ADMIN, None),
    "disabled_admin": ("quantri.cu", Role.ADMIN, None),
    "nobody": None,
}

# Written out by hand, not derived from PERMISSIONS: what each user may do to Ba Bể's data.
# "refused" is a refusal of the file, not of the user: the officer of another unit is told the
# file is not theirs, as on the upload page (an audit entry, nothing stored).
ADMIN_ONLY = {"leader": "denied", "officer": "denied", "other_officer": "denied", "admin": "allowed",
              "disabled_admin": "denied", "nobody": "denied"}
EXPECTED = {
    "rollback": ADMIN_ONLY,
    "save_allocations": ADMIN_ONLY,
    "add_user": ADMIN_ONLY,
    "disable_user": ADMIN_ONLY,
    "enable_user": ADMIN_ONLY,
    "reset_password": ADMIN_ONLY,
    "add_plan": ADMIN_ONLY,
    "submit": {"leader": "denied", "officer": "allowed", "other_officer": "refused", "admin": "allowed",
               "disabled_admin": "denied", "nobody": "denied"},
}


def do_rollback(store, user):
    result = actions.rollback(store, PLAN, user, "ubnd_061", Q1, 1)
    assert result.outcome == "rolled_back"


def do_save_allocations(store, user):
    table = pd.DataFrame([("CT1.1", "061", 5)], columns=["indicator_code", "place_code", "target"])
    assert actions.save_allocations(store, PLAN, user, table).saved


def do_add_user(store, user):
    made = actions.add_user(store, PLAN, user, "canbo.moi", PASSWORD, Role.OFFICER, unit_code="ubnd_061")
    assert made.username == "canbo.moi"


def do_disable_user(store, user):
    assert actions.disable_user(store, user, "canbo.dich").active is False


def do_enable_user(store, user):
    assert actions.enable_user(store, user, "canbo.nghi").active is True


def do_reset_password(store, user):
    actions.reset_password(store, user, "canbo.dich", "một mật khẩu mới")


def do_add_plan(store, user):
    text = PLAN.path.read_text(encoding="utf-8").replace("id: backan-2017", "id: backan-2018") \
        .replace("period: 2017", "period: 2018").replace("2017-", "2018-")
    plan, added = actions.add_plan(store, user, text.encode(), "backan-2018.yaml")
    assert added and plan.id == "backan-2018"


def do_submit(store, user):
    return intake.submit(BA_BE_Q1, "ba-be-q1.xlsx", user=user, plan=PLAN, store=store)


WRITES = {"rollback": do_rollback, "save_allocations": do_save_allocations, "add_user": do_add_user,
          "disable_user": do_disable_user, "enable_user": do_enable_user,
          "reset_password": do_reset_password, "add_plan": do_add_plan, "submit": do_submit}


@pytest.fixture(autouse=True)
def cheap_hasher(monkeypatch):
    """Cheap argon2id parameters, so the suite does not spend seconds per hash."""
    cheap = dataclasses.asdict(argon2.profiles.CHEAPEST)
    cheap.pop("version")
    monkeypatch.setattr(accounts, "PASSWORD_HASHER", argon2.PasswordHasher(**cheap))


@pytest.fixture
def ready(store):
    """A store with the acting accounts, the accounts to act on, and two versions of Ba Bể Q1."""
    for actor in ACTORS.values():
        if actor:
            accounts.add_user(store, actor[0], PASSWORD, actor[1], units=PLAN, unit_code=actor[2], actor="setup")
    for username in ("canbo.dich", "canbo.nghi"):
        accounts.add_user(store, username, PASSWORD, Role.OFFICER, units=PLAN, unit_code="ubnd_061", actor="setup")
    accounts.disable_user(store, "canbo.nghi", actor="setup")
    accounts.disable_user(store, "quantri.cu", actor="setup")
    save(store, "ubnd_061", Q1, 0, user="canbo.babe")
    save(store, "ubnd_061", Q1, 1, user="canbo.babe")
    return store


def acting(store, who):
    """The user as the app holds it after login: read back from the store (None: nobody logged in)."""
    return None if ACTORS[who] is None else accounts.get_user(store, ACTORS[who][0])


def state(store) -> dict[str, str]:
    """Everything a write can change, in a form that compares equal when nothing changed."""
    return {"history": store.history(None).to_json(date_format="iso"),
            "audit": store.audit().to_json(date_format="iso"),
            "users": accounts.list_users(store).to_json(date_format="iso"),
            "allocations": allocations.get_allocations(store, PLAN.id).to_json(date_format="iso"),
            "plans": sorted(catalogue(store).plans)}


def test_the_actors_are_who_the_matrix_says(ready):
    assert acting(ready, "disabled_admin").active is False
    assert acting(ready, "officer").unit_code == "ubnd_061" and acting(ready, "admin").active


@pytest.mark.parametrize("who", list(ACTORS))
@pytest.mark.parametrize("write", list(WRITES))
def test_each_write_checks_the_role(ready, write, who):
    user, expected = acting(ready, who), EXPECTED[write][who]
    before = state(ready)
    if expected == "denied":
        with pytest.raises(PermissionDenied) as denied:
            WRITES[write](ready, user)
        assert denied.value.message  # Vietnamese, for the user
        assert state(ready) == before
        return
    result = WRITES[write](ready, user)
    after = state(ready)
    if expected == "refused":
        assert result.outcome == "refused" and "unit.not_allowed" in {f.code for f in result.findings}
        assert after["history"] == before["history"] and after["users"] == before["users"]
        assert [(a.actor, a.action) for a in ready.audit(1).itertuples()] == [(user.username, "upload_refused")]
        return
    assert after != before  # the write happened
    newest = ready.audit(1)
    assert list(newest["actor"]) == [user.username]
    if write == "submit":
        assert result.outcome == "revised" and list(ready.history(None)["uploaded_by"])[-1] == user.username


# --- issue 9: admin ---
def test_a_rollback_asked_for_a_reason_refuses_a_blank_one_and_audits_the_reason(ready):
    admin = acting(ready, "admin")
    before = state(ready)
    blank = actions.rollback(ready, PLAN, admin, "ubnd_061", Q1, 1, reason="  \n ")
    assert blank.refused and [f.code for f in blank.findings] == ["rollback.no_reason"]
    assert state(ready) == before
    done = actions.rollback(ready, PLAN, admin, "ubnd_061", Q1, 1, reason="Bản 2 nhập nhầm  số")
    assert done.outcome == "rolled_back"
    entry = ready.audit(1, actions=["rollback"]).iloc[0]
    assert '"note": "Bản 2 nhập nhầm số"' in entry["detail"]


def test_display_names_map_usernames_to_the_names_people_read(ready):
    names = accounts.display_names(ready)
    assert names["canbo.babe"] == accounts.get_user(ready, "canbo.babe").display_name
