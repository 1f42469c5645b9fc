"""server.py: Streamlit's metrics endpoint is closed to visitors; everything else passes."""
import asyncio

import pytest

import server


def call(path: str, kind: str = "http") -> tuple[int | None, bool]:
    """(status sent by the middleware or None, whether the app behind it was called)."""
    reached = []
    sent = []

    async def app(scope, receive, send):
        reached.append(scope["path"])

    async def receive():
        return {"type": "http.request", "body": b""}

    async def send(message):
        if message["type"] == "http.response.start":
            sent.append(message["status"])

    scope = {"type": kind, "path": path, "headers": [], "method": "GET", "query_string": b""}
    asyncio.run(server.CloseInternalEndpoints(app)(scope, receive, send))
    return (sent[0] if sent else None), bool(reached)


@pytest.mark.parametrize("path", ["/_stcore/metrics", "/_stcore/metrics/", "/mdplan/_stcore/metrics"])
def test_metrics_are_closed_under_any_base_path(path):
    assert call(path) == (404, False)


@pytest.mark.parametrize("path", ["/", "/admin", "/_stcore/health", "/_stcore/stream"])
def test_the_app_and_its_health_check_pass(path):
    assert call(path) == (None, True)


def test_the_server_serves_the_dashboard_behind_the_middleware():
    assert str(server.app._script_path) == "dashboard.py"
    assert [m.cls for m in server.app._user_middleware] == [server.CloseInternalEndpoints]


def test_streamlit_shows_visitors_no_error_details():
    """What dashboard.py does not catch still shows no traceback (docs/operations.md)."""
    import tomllib
    from pathlib import Path

    config = tomllib.loads((Path(server.__file__).parent / ".streamlit" / "config.toml").read_text())
    assert config["client"]["showErrorDetails"] == "none"
    assert config["client"]["showErrorLinks"] is False
    assert config["client"]["toolbarMode"] == "viewer"


# --- issue 9: upload ---
def test_streamlits_upload_cap_is_mdplans_limit():
    from streamlit import config

    from mdplan_core.settings import Settings
    before = config.get_option("server.maxUploadSize")
    try:
        assert server.apply_upload_limit(Settings.from_env({"MDPLAN_MAX_UPLOAD_MB": "3"})) == 3
        assert config.get_option("server.maxUploadSize") == 3
    finally:
        config.set_option("server.maxUploadSize", before)
