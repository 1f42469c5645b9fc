"""A demo server of a checkout, as `make run` serves it: for the browser tests and the page benchmark."""
from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
from pathlib import Path

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def served(tree: Path, data_dir: Path):
    """Loads the demo data into `data_dir` and serves the checkout at `tree` (`server.py`);
    yields its URL."""
    env = {**os.environ, "MDPLAN_DATA_DIR": str(data_dir), "MDPLAN_DEMO": "1", "PYTHONPATH": str(tree)}
    env.pop("MDPLAN_DATABASE_URL", None)
    subprocess.run([sys.executable, "-m", "mdplan_core", "demo"], env=env, cwd=tree, check=True,
                   capture_output=True)
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "server.py", "--server.headless", "true",
         "--server.port", str(port), "--server.fileWatcherType", "none",
         "--browser.gatherUsageStats", "false"],
        env=env, cwd=tree, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        # Streamlit prints its URL once it serves; read until then instead of sleeping.
        for line in proc.stdout:
            if f":{port}" in line:
                break
        else:
            raise RuntimeError("streamlit exited before serving")
        yield f"http://localhost:{port}/"
    finally:
        proc.terminate()
        proc.wait(timeout=30)
