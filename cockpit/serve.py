"""``eldercare cockpit``: run Streamlit on 127.0.0.1 with nothing reaching the internet.

Flags instead of a ``.streamlit/config.toml`` so the cockpit behaves the same from any working
directory: bound to 127.0.0.1 (Streamlit otherwise probes for an external IP), usage statistics
off (otherwise the page fetches a metrics file), static files on (the blank offline map style).
With ``--workers N`` (N > 1) the port belongs to ``cockpit/proxy.py``, which hands each browser
to one of N Streamlit processes on free ports of 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import socket
import subprocess
import sys
from pathlib import Path

from eldercare.errors import EldercareError
from eldercare.settings import get_settings, is_postgres_target

APP = Path(__file__).resolve().parent / "app.py"


def streamlit_command(port: int) -> list[str]:
    return [
        sys.executable, "-m", "streamlit", "run", str(APP),
        "--server.address=127.0.0.1", f"--server.port={port}", "--server.headless=true",
        "--browser.gatherUsageStats=false", "--server.enableStaticServing=true",
        "--server.fileWatcherType=none", "--client.toolbarMode=minimal",
        "--theme.base=light", "--theme.primaryColor=#1f6fb2",
        # a map click sets the area selectors' state (ui.select_county): not a mistake to log
        "--global.disableWidgetStateDuplicationWarning=true",
        # Streamlit's full garbage collection after every run costs more than the run itself
        # (17 vs 7 CPU seconds for 20 sessions); Python's own collector still runs
        "--runner.postScriptGC=false",
    ]  # fmt: skip


def environment(warehouse: str | None = None) -> dict[str, str]:
    """The child's environment: the settings' values made explicit, absolute paths."""
    settings = get_settings()
    target = warehouse or settings.warehouse
    if not is_postgres_target(target):
        target = str(Path(target).resolve())
        if not Path(target).exists():
            raise EldercareError(
                f"warehouse {target} not found: run 'make demo' or 'eldercare build'"
            )
    app_db = settings.app_db
    if app_db.startswith("sqlite:///") and not app_db.startswith("sqlite:////"):
        app_db = "sqlite:///" + str(Path(app_db.removeprefix("sqlite:///")).resolve())
    return {**os.environ, "ELDERCARE_WAREHOUSE": target, "ELDERCARE_APP_DB": app_db}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(warehouse: str | None = None, port: int | None = None, workers: int | None = None):
    settings = get_settings()
    port = port or settings.cockpit_port
    workers = workers or settings.cockpit_workers
    env = environment(warehouse)
    print(f"cockpit: http://127.0.0.1:{port}  (Ctrl+C to stop)", flush=True)
    if workers == 1:
        with contextlib.suppress(KeyboardInterrupt):  # Ctrl+C stops Streamlit; no traceback
            subprocess.run(streamlit_command(port), env=env, check=False)
        return
    from cockpit.proxy import Proxy

    # one XSRF cookie secret for all workers (Streamlit reads it from its environment)
    env["STREAMLIT_SERVER_COOKIE_SECRET"] = secrets.token_hex(32)
    ports = [_free_port() for _ in range(workers)]
    # the workers' own start-up lines would name their internal ports: not for users
    procs = [
        subprocess.Popen(streamlit_command(p), env=env, stdout=subprocess.DEVNULL) for p in ports
    ]
    print(f"{workers} workers on ports {', '.join(map(str, ports))}", flush=True)
    try:
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(Proxy(ports).serve(port))
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
