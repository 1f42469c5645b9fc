"""Writes made from the app on behalf of a logged-in user. Each checks the user's role again,
on the server, before it calls the core: hiding a page from a menu is not access control.
(Uploads go through `intake.submit`, which does the same.)"""
from __future__ import annotations

import pandas as pd

from . import accounts, allocations, plans
from .accounts import Action, User
from .findings import error
from .report import Period
from .store import SaveResult, Store
from .vntext import clean_text

MESSAGES = {
    "rollback.no_reason": "Hãy ghi lý do khôi phục: lý do được lưu vào nhật ký hoạt động.",
}


def rollback(store: Store, plan, user: User, unit_code: str, period: Period, to_version: int, *,
             reason: str | None = None) -> SaveResult:
    """Put an earlier version back in force. `reason` goes to the audit log; the page asks
    for one and a blank answer is refused (None: not asked, as on the command line)."""
    accounts.require(user, Action.ROLLBACK, unit_code)
    if reason is not None:
        reason = " ".join(clean_text(reason).split())
        if not reason:
            return SaveResult("refused", findings=(error("rollback.no_reason", MESSAGES["rollback.no_reason"]),))
    return store.rollback(plan.id, unit_code, period, to_version, user=user.username, reason=reason)


def add_plan(store: Store, user: User, data: bytes, filename: str):
    """Validate a plan file and keep it in the store: (plan, added)."""
    accounts.require(user, Action.PLANS)
    return plans.add_plan(store, data, filename, actor=user.username)


def save_allocations(store: Store, plan, user: User, table: pd.DataFrame) -> allocations.AllocationResult:
    accounts.require(user, Action.ALLOCATIONS)
    return allocations.save_allocations(store, plan, table, actor=user.username)


def add_user(store: Store, plan, user: User, username: str, password: str, role: str, *,
             unit_code: str | None = None, display_name: str | None = None) -> User:
    accounts.require(user, Action.MANAGE_USERS)
    return accounts.add_user(store, username, password, role, units=plan, unit_code=unit_code,
                             display_name=display_name, actor=user.username)


def disable_user(store: Store, user: User, username: str) -> User:
    accounts.require(user, Action.MANAGE_USERS)
    return accounts.disable_user(store, username, actor=user.username)


def enable_user(store: Store, user: User, username: str) -> User:
    accounts.require(user, Action.MANAGE_USERS)
    return accounts.enable_user(store, username, actor=user.username)


def reset_password(store: Store, user: User, username: str, new_password: str) -> User:
    accounts.require(user, Action.MANAGE_USERS)
    return accounts.reset_password(store, username, new_password, actor=user.username)
