"""``eldercare cockpit``: run Streamlit on 127.0.0.1 with nothing reaching the internet.

Flags instead of a ``.streamlit/config.toml`` so the cockpit behaves the same from any working
directory: bound to 127.0.0.1 (Streamlit otherwise probes for an external IP), usage statistics
off (otherwise the page fetches a metrics file), static files on (the blank offline map style).
"""

from __future__ import annotations

import contextlib
import os
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


def serve(warehouse: str | None = None, port: int | None = None) -> None:
    port = port or get_settings().cockpit_port
    print(f"cockpit: http://127.0.0.1:{port}  (Ctrl+C to stop)", flush=True)
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl+C stops Streamlit; no traceback
        subprocess.run(streamlit_command(port), env=environment(warehouse), check=False)
