"""Demo or real: which kind of installation a database belongs to, and the guards that keep
the two apart.

A database holds *demo traces* when it is marked demo (`Store.kind`), holds demo submissions,
or holds a demo account (one that `accounts.ensure_demo_accounts` created: its published
password opens it). It holds *real traces* when it is marked production, holds a submission
that is not demo data, or, unless it is marked demo, an account that is not a demo account
(in a demo database, accounts made in the demo are demo too).

- Demo mode writes only into a database with no real traces, and marks it demo first.
- A real install (MDPLAN_DEMO off) serves and writes only a database with no demo traces;
  its first write from the command line marks it production.
- An empty, unmarked database is neither, until one of them writes into it. A database with
  both kinds of traces (demo data mixed with real data) is served by neither.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

import sqlalchemy as sa

from . import accounts
from .store import DEMO, PRODUCTION, Store

MESSAGES = {
    "real_on_demo": ("Bản cài đặt thật (MDPLAN_DEMO=0) không dùng cơ sở dữ liệu `{where}` vì nó chứa dữ "
                     "liệu minh họa: {traces}. Tài khoản mẫu có mật khẩu công khai, số liệu mẫu không "
                     "phải báo cáo thật."),
    "demo_on_real": ("Chế độ minh họa không ghi dữ liệu mẫu và tài khoản mẫu vào cơ sở dữ liệu `{where}` "
                     "vì đó là dữ liệu thật: {traces}."),
    "clean_file": ("Để bắt đầu với một cơ sở dữ liệu sạch, hãy đặt MDPLAN_DATABASE_URL hoặc "
                   "MDPLAN_DATA_DIR tới một chỗ mới, hoặc xóa tệp `{where}` nếu trong đó chỉ có dữ liệu "
                   "minh họa. Muốn xem bản minh họa: `make run` (dùng var/demo.sqlite3)."),
    "clean_server": ("Để bắt đầu với một cơ sở dữ liệu sạch, hãy đặt MDPLAN_DATABASE_URL tới một cơ sở "
                     "dữ liệu mới (trống). Muốn xem bản minh họa: `make run` (dùng var/demo.sqlite3)."),
    "demo_elsewhere": ("Hãy bỏ MDPLAN_DATABASE_URL để chế độ minh họa dùng tệp riêng var/demo.sqlite3, "
                       "hoặc tắt chế độ minh họa (MDPLAN_DEMO=0)."),
    "demo_mode_off": ("Chỉ nạp dữ liệu mẫu khi bật chế độ minh họa (MDPLAN_DEMO=1); khi đó dữ liệu mẫu "
                      "nằm trong cơ sở dữ liệu riêng var/demo.sqlite3. Không có gì thay đổi."),
    "trace.marked_demo": "được đánh dấu là cơ sở dữ liệu minh họa",
    "trace.marked_production": "được đánh dấu là cơ sở dữ liệu thật",
    "trace.demo_submissions": "{count} lần nộp báo cáo mẫu",
    "trace.demo_accounts": "tài khoản mẫu {names}",
    "trace.real_submissions": "{count} lần nộp báo cáo thật",
    "trace.real_accounts": "{count} tài khoản không phải tài khoản mẫu",
}


class WrongDatabase(RuntimeError):
    """This mode must not serve or write this database; `message` is Vietnamese and says
    what to do."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Census:
    """What a database holds that tells demo from real."""

    kind: str | None  # the mark: DEMO, PRODUCTION or None
    demo_submissions: int
    real_submissions: int
    demo_accounts: tuple[str, ...]  # usernames
    other_accounts: int

    def demo_traces(self) -> list[str]:
        out = [MESSAGES["trace.marked_demo"]] if self.kind == DEMO else []
        if self.demo_submissions:
            out.append(MESSAGES["trace.demo_submissions"].format(count=self.demo_submissions))
        if self.demo_accounts:
            out.append(MESSAGES["trace.demo_accounts"].format(names=", ".join(self.demo_accounts)))
        return out

    def real_traces(self) -> list[str]:
        out = [MESSAGES["trace.marked_production"]] if self.kind == PRODUCTION else []
        if self.real_submissions:
            out.append(MESSAGES["trace.real_submissions"].format(count=self.real_submissions))
        if self.other_accounts and self.kind != DEMO:
            out.append(MESSAGES["trace.real_accounts"].format(count=self.other_accounts))
        return out

    @property
    def is_demo(self) -> bool:
        return bool(self.demo_traces())

    @property
    def is_real(self) -> bool:
        return bool(self.real_traces())


def census(store: Store) -> Census:
    counts = store.submission_counts()
    names = set(accounts.list_users(store)["username"])
    demo_names = names & {username for username, *_ in accounts.DEMO_ACCOUNTS}
    if demo_names:  # only the demo created them; an admin may have made a real "quantri"
        made = store.audit(actor=accounts.DEMO_ACTOR, actions=["user_add"])["detail"]
        demo_names &= {json.loads(detail).get("username") for detail in made}
    return Census(kind=store.kind(), demo_submissions=counts[True], real_submissions=counts[False],
                  demo_accounts=tuple(sorted(demo_names)), other_accounts=len(names - demo_names))


def is_demo(store: Store) -> bool:
    """Does this database hold demo data or demo accounts (or is it marked demo)?"""
    return census(store).is_demo


def _where(store: Store) -> tuple[str, bool]:
    """The database as a person finds it (a file path, or the URL without its password),
    and whether it is a file."""
    url = sa.make_url(store.url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return url.database, True
    return url.render_as_string(hide_password=True), False


def refusal(store: Store, *, demo: bool) -> str | None:
    """Why this mode (demo or not) must not serve this database, in Vietnamese with what to
    do about it; None when it may."""
    found = census(store)
    where, is_file = _where(store)
    if demo and found.is_real:
        return " ".join([MESSAGES["demo_on_real"].format(where=where, traces="; ".join(found.real_traces())),
                         MESSAGES["demo_elsewhere"]])
    if not demo and found.is_demo:
        clean = MESSAGES["clean_file" if is_file else "clean_server"].format(where=where)
        return " ".join([MESSAGES["real_on_demo"].format(where=where, traces="; ".join(found.demo_traces())),
                         clean])
    return None


def claim(store: Store, *, demo: bool) -> None:
    """Before a write in this mode: raise `WrongDatabase` unless the database may take it,
    and mark an unmarked database as what this mode makes it (demo or production)."""
    message = refusal(store, demo=demo)
    if message is not None:
        raise WrongDatabase(message)
    if store.kind() is None:
        store.mark(DEMO if demo else PRODUCTION)


def claim_for_demo_data(store: Store, *, demo_mode: bool) -> None:
    """Before loading demo data: only in demo mode, and only into a demo or empty database."""
    if not demo_mode:
        raise WrongDatabase(MESSAGES["demo_mode_off"])
    claim(store, demo=True)
