"""All configuration, read once from environment variables."""
from __future__ import annotations

import logging
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_ROOT = REPO_ROOT / "data"
PLANS_DIR = DATA_ROOT / "plans"
# The province's clock: due dates, upload times and exports are read in Vietnam time.
LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
# Demo mode and a real install never share a database by default, so demo accounts with
# published passwords and demo reports cannot end up in the real one.
DATABASE_FILE = "mdplan.sqlite3"
DEMO_DATABASE_FILE = "demo.sqlite3"
# mdplan's own loggers (logging.getLogger(__name__) in each module); others stay at WARNING.
LOGGERS = ("mdplan_core", "pages", "dashboard")
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    plans_dir: Path
    plan: str | None  # the id of the plan to open first (None: one that runs this year)
    demo: bool
    max_upload_bytes: int
    log_level: str = "INFO"

    @property
    def max_upload_mb(self) -> int:
        """The upload limit in whole MB, as Streamlit's `server.maxUploadSize` and the
        uploader take it (MDPLAN_MAX_UPLOAD_MB)."""
        return max(1, self.max_upload_bytes // (1024 * 1024))

    @classmethod
    def from_env(cls, env=None) -> Settings:
        env = os.environ if env is None else env
        data_dir = Path(env.get("MDPLAN_DATA_DIR", REPO_ROOT / "var")).resolve()
        demo = env.get("MDPLAN_DEMO", "") not in ("", "0", "false", "no")
        database_file = DEMO_DATABASE_FILE if demo else DATABASE_FILE
        url = env.get("MDPLAN_DATABASE_URL") or f"sqlite:///{data_dir / database_file}"
        plans_dir = Path(env.get("MDPLAN_PLANS_DIR", PLANS_DIR)).expanduser()
        return cls(
            data_dir=data_dir,
            database_url=url,
            plans_dir=plans_dir,
            plan=env.get("MDPLAN_PLAN") or None,
            demo=demo,
            max_upload_bytes=int(env.get("MDPLAN_MAX_UPLOAD_MB", "10")) * 1024 * 1024,
            log_level=_log_level(env.get("MDPLAN_LOG_LEVEL", "INFO")),
        )


def _log_level(name: str) -> str:
    level = name.strip().upper()
    if level not in logging.getLevelNamesMapping() or level == "NOTSET":
        raise ValueError(f"MDPLAN_LOG_LEVEL={name!r}: use DEBUG, INFO, WARNING, ERROR or CRITICAL")
    return level


class _StderrHandler(logging.StreamHandler):
    """Writes to sys.stderr as it is when a record comes: Streamlit and pytest replace it."""

    def __init__(self):
        logging.Handler.__init__(self)

    @property
    def stream(self):
        return sys.stderr


def configure_logging(settings: Settings) -> None:
    """Send mdplan's log records to stderr at the configured level. Called at the start of the
    app and of the CLI; calling it again only sets the level."""
    root = logging.getLogger()
    if not any(h.get_name() == "mdplan" for h in root.handlers):
        handler = _StderrHandler()
        handler.set_name("mdplan")
        handler.setFormatter(logging.Formatter(LOG_FORMAT))
        root.addHandler(handler)
    for name in LOGGERS:
        logging.getLogger(name).setLevel(settings.log_level)
