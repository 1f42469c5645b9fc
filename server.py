"""mdplan's web server: `streamlit run server.py` serves dashboard.py (as `streamlit run
dashboard.py` would) with Streamlit's `/_stcore/metrics` closed.

Streamlit answers `/_stcore/metrics` to anyone (sessions, caches, memory) and has no setting to
turn it off; its ASGI `st.App` takes middleware, which refuses that path here. See
docs/operations.md for the same rule at the reverse proxy.

It also sets Streamlit's `server.maxUploadSize` from MDPLAN_MAX_UPLOAD_MB, so that Streamlit,
the uploader's stated limit and mdplan's own check share one limit."""
import streamlit as st
from starlette.middleware import Middleware
from starlette.responses import PlainTextResponse
from streamlit import config

from mdplan_core.settings import Settings

CLOSED_PATHS = ("_stcore/metrics",)


class CloseInternalEndpoints:
    """ASGI middleware: 404 for Streamlit endpoints no visitor needs, under any base URL path."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        path = scope.get("path", "").rstrip("/")
        if scope["type"] == "http" and any(path.endswith(f"/{p}") for p in CLOSED_PATHS):
            await PlainTextResponse("Not Found", status_code=404)(scope, receive, send)
            return
        await self.app(scope, receive, send)


def apply_upload_limit(settings: Settings | None = None) -> int:
    """Streamlit's own upload cap, in MB, set to mdplan's limit."""
    mb = (settings or Settings.from_env()).max_upload_mb
    config.set_option("server.maxUploadSize", mb, "MDPLAN_MAX_UPLOAD_MB")
    return mb


apply_upload_limit()
app = st.App("dashboard.py", middleware=[Middleware(CloseInternalEndpoints)])
