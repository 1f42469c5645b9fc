"""Settings: read once from the environment, with defaults that keep demo data out of a real install;
the log level (MDPLAN_LOG_LEVEL) and the logging it sets up."""
import logging

import pytest

from mdplan_core.cli import main
from mdplan_core.settings import LOGGERS, REPO_ROOT, Settings, configure_logging


def test_a_real_install_and_demo_mode_use_different_databases_by_default():
    real = Settings.from_env({})
    demo = Settings.from_env({"MDPLAN_DEMO": "1"})
    assert not real.demo and demo.demo
    assert real.data_dir == demo.data_dir == (REPO_ROOT / "var").resolve()
    assert real.database_url == f"sqlite:///{REPO_ROOT.resolve() / 'var' / 'mdplan.sqlite3'}"
    assert demo.database_url == f"sqlite:///{REPO_ROOT.resolve() / 'var' / 'demo.sqlite3'}"


@pytest.mark.parametrize("value, demo", [("", False), ("0", False), ("false", False), ("no", False),
                                         ("1", True), ("true", True), ("yes", True)])
def test_the_database_file_follows_the_mode_in_the_data_dir(tmp_path, value, demo):
    settings = Settings.from_env({"MDPLAN_DATA_DIR": str(tmp_path), "MDPLAN_DEMO": value})
    assert settings.demo is demo
    name = "demo.sqlite3" if demo else "mdplan.sqlite3"
    assert settings.database_url == f"sqlite:///{tmp_path.resolve() / name}"


@pytest.mark.parametrize("demo", ["0", "1"])
def test_an_explicit_database_url_is_used_in_both_modes(demo):
    url = "postgresql+psycopg://mdplan@db.example/mdplan"
    assert Settings.from_env({"MDPLAN_DATABASE_URL": url, "MDPLAN_DEMO": demo}).database_url == url


def test_other_settings_keep_their_defaults(tmp_path):
    settings = Settings.from_env({"MDPLAN_MAX_UPLOAD_MB": "3", "MDPLAN_PLANS_DIR": str(tmp_path),
                                  "MDPLAN_PLAN": "hanoi-2026"})
    assert settings.max_upload_bytes == 3 * 1024 * 1024 and settings.plans_dir == tmp_path
    assert settings.plan == "hanoi-2026"
    assert Settings.from_env({}).max_upload_bytes == 10 * 1024 * 1024


def test_log_level_defaults_to_info_and_reads_any_case():
    assert Settings.from_env({}).log_level == "INFO"
    assert Settings.from_env({"MDPLAN_LOG_LEVEL": " debug "}).log_level == "DEBUG"


@pytest.mark.parametrize("bad", ["loud", "", "NOTSET"])
def test_an_unknown_log_level_is_refused(bad):
    with pytest.raises(ValueError, match="MDPLAN_LOG_LEVEL"):
        Settings.from_env({"MDPLAN_LOG_LEVEL": bad})


@pytest.fixture
def restore_logging():
    root = logging.getLogger()
    handlers, levels = list(root.handlers), {n: logging.getLogger(n).level for n in LOGGERS}
    yield
    root.handlers[:] = handlers
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


def test_configure_logging_once_writes_mdplans_records_to_stderr(restore_logging, capsys):
    configure_logging(Settings.from_env({"MDPLAN_LOG_LEVEL": "WARNING"}))
    configure_logging(Settings.from_env({"MDPLAN_LOG_LEVEL": "DEBUG"}))

    logging.getLogger("mdplan_core.intake").debug("upload stored: %s", "x.xlsx")
    logging.getLogger("sqlalchemy.engine").info("not ours")
    err = capsys.readouterr().err
    assert "DEBUG mdplan_core.intake: upload stored: x.xlsx" in err
    assert "not ours" not in err
    assert [h.get_name() for h in logging.getLogger().handlers].count("mdplan") == 1


def test_the_cli_refuses_a_bad_log_level(monkeypatch, capsys):
    monkeypatch.setenv("MDPLAN_LOG_LEVEL", "loud")
    assert main(["plan"]) == 2
    assert "MDPLAN_LOG_LEVEL='loud'" in capsys.readouterr().err
