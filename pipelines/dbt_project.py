"""The dbt project and the one bridge from eldercare's settings to dbt.

``dbt/profiles.yml`` reads only ``ELDERCARE_DBT_*`` variables; :func:`dbt_env` is the single
place that derives them from the settings object, and :func:`dbt_vars` the dbt vars (the code
secret). Everything that runs dbt — the Dagster assets, ``eldercare build``, ``eldercare docs``,
the tests — goes through :func:`run_dbt` or :func:`dbt_environment`.

This module stays light (no Dagster import), so that the CLI can use it quickly.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlsplit

from eldercare.errors import EldercareError
from eldercare.settings import REPO_ROOT, Settings

DBT_DIR = REPO_ROOT / "dbt"
# Inputs of the manifest: when one is newer than target/manifest.json, dbt parses again.
MANIFEST_INPUTS = ("models", "macros", "seeds", "tests", "dbt_project.yml", "profiles.yml")
REPO_SEEDS = REPO_ROOT / "seeds"
DBT_LOG_FLAGS = ("--log-level-file", "warn")


def dbt_env(settings: Settings) -> dict[str, str]:
    """The ELDERCARE_DBT_* variables: the target (profiles.yml) and the code secret."""
    env = _target_env(settings)
    env.update(_code_secret_env(settings, env))
    return env


# --- The code secret: handed to the engine at run time, never rendered into dbt's SQL ---------


def _code_secret_env(settings: Settings, target_env: dict[str, str]) -> dict[str, str]:
    """DuckDB: the plugin pipelines/dbt_code_secret.py sets the variable ``code_secret`` from
    ELDERCARE_DBT_CODE_SECRET; PostgreSQL: libpq's PGOPTIONS sets the session setting
    ``eldercare.code_secret``. Neither passes through dbt's rendering, so no compiled file,
    manifest or log holds the value (docs/unified-codes.md, Rotation)."""
    secret = settings.code_secret.get_secret_value()
    if not secret:
        raise EldercareError("settings.code_secret is empty: set ELDERCARE_CODE_SECRET")
    env = {"ELDERCARE_DBT_CODE_SECRET": secret}
    if "PGOPTIONS" in target_env:
        env["PGOPTIONS"] = (
            f"{target_env['PGOPTIONS']} -c eldercare.code_secret={_pg_option(secret)}"
        )
    return env


def _pg_option(value: str) -> str:
    # libpq splits PGOPTIONS at spaces; a backslash escapes the next character
    return re.sub(r"([\\\s])", r"\\\1", value)


def _target_env(settings: Settings) -> dict[str, str]:
    if settings.warehouse_is_postgres:
        url = urlsplit(settings.warehouse)
        dbname = url.path.lstrip("/")
        if not dbname:
            raise EldercareError(f"warehouse URL has no database name: {_safe_url(url)}")
        return {
            "ELDERCARE_DBT_TARGET": "postgres",
            "ELDERCARE_DBT_PG_HOST": url.hostname or "127.0.0.1",
            "ELDERCARE_DBT_PG_PORT": str(url.port or 5432),
            "ELDERCARE_DBT_PG_USER": unquote(url.username or "postgres"),
            "ELDERCARE_DBT_PG_PASSWORD": unquote(url.password or ""),
            "ELDERCARE_DBT_PG_DBNAME": unquote(dbname),
            # No JIT: compiling our wide cleaning expressions took ~20 s per model (for 15 k
            # elders, 19 s of a 19 s query), more than it ever saves. libpq reads PGOPTIONS.
            "PGOPTIONS": "-c jit=off",
        }
    path = Path(settings.warehouse).expanduser()
    if not path.is_absolute():
        path = Path.cwd() / path
    return {"ELDERCARE_DBT_TARGET": "duckdb", "ELDERCARE_DBT_DUCKDB_PATH": str(path)}


def _safe_url(url) -> str:
    host = url.hostname or ""
    return f"{url.scheme}://{host}{':' + str(url.port) if url.port else ''}{url.path}"


@contextmanager
def dbt_environment(settings: Settings) -> Iterator[dict[str, str]]:
    """Put the settings' dbt variables into os.environ for the block (dagster-dbt's
    DbtCliResource hands os.environ to the dbt process; it has no other way in)."""
    env = dbt_env(settings)
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        yield env
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def dbt_executable() -> str:
    """The venv's dbt (beside this Python), else whatever is on PATH."""
    exe = Path(sys.executable).with_name("dbt")
    return str(exe) if exe.exists() else "dbt"


def run_dbt(
    args: Sequence[str],
    settings: Settings,
    *,
    quiet: bool = True,
) -> subprocess.CompletedProcess[str]:
    """Run one dbt command on the settings' warehouse; raise EldercareError when it fails.

    The file log stays at warn level: at debug level dbt writes every compiled statement into
    logs/dbt.log (none holds the code secret, which the engine gets at run time; warn keeps the
    log small).
    """
    cmd = [dbt_executable(), *args, *DBT_LOG_FLAGS]
    env = {**os.environ, **dbt_env(settings)}
    proc = subprocess.run(
        cmd,
        cwd=DBT_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if not quiet:
        sys.stdout.write(proc.stdout)
    if proc.returncode != 0:
        raise EldercareError(f"dbt {args[0]} failed: {_first_error(proc.stdout + proc.stderr)}")
    return proc


def _first_error(output: str) -> str:
    """The first line of dbt output that names an error, with the line that explains it."""
    lines = [_strip_log_prefix(line) for line in output.splitlines() if line.strip()]
    for i, line in enumerate(lines):
        if any(w in line for w in ("Error in", "ERROR", "Failure in", "error:", "Encountered")):
            # dbt nests the cause a few lines down ('Runtime Error' / 'Catalog Error: ...')
            parts = [line]
            for nxt in lines[i + 1 : i + 6]:
                if nxt.startswith(("compiled code at", "Done.", "Finished running")):
                    break
                if nxt not in parts and nxt != "Runtime Error":
                    parts.append(nxt)
            return " ".join(parts)[:500]
    return lines[-1][:500] if lines else "no output"


def _strip_log_prefix(line: str) -> str:
    """'\x1b[0m21:04:56  Encountered an error:' -> 'Encountered an error:'."""
    return re.sub(r"^(\x1b\[[0-9;]*m)*(\d\d:\d\d:\d\d\s+)?", "", line).strip()


def manifest_is_stale(manifest: Path) -> bool:
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    for name in MANIFEST_INPUTS:
        path = DBT_DIR / name
        files = path.rglob("*") if path.is_dir() else [path]
        if any(f.is_file() and f.stat().st_mtime > built for f in files):
            return True
    return any(f.stat().st_mtime > built for f in REPO_SEEDS.glob("*.csv"))
