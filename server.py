"""mdplan's web server: `streamlit run server.py` serves dashboard.py (as `streamlit run
dashboard.py` would) with Streamlit's `/_stcore/metrics` closed.

Streamlit answers `/_stcore/metrics` to anyone (sessions, caches, memory) and has no setting to
turn it off; its ASGI `st.App` takes middleware, which refuses that path here. See
docs/operations.md for the same rule at the reverse proxy."""
import streamlit as st
from starlette.middleware import Middleware
from starlette.responses import PlainTextResponse

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


app = st.App("dashboard.py", middleware=[Middleware(CloseInternalEndpoints)])
