"""Settings are decided once, by the command, and every part of a run follows them: a
``--warehouse postgresql://`` build is PostgreSQL in its asset kinds, run tags, metadata and log
lines even when the environment names a DuckDB file; and a migration never opens the dbt
project (a broken model cannot stop it)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

from eldercare.settings import get_settings
from eldercare.warehouse import Warehouse
from pipelines.dbt_project import DBT_DIR
from pipelines.definitions import WAREHOUSE_TAG, build_defs
from pipelines.run import run_settings

ELDERCARE = str(Path(sys.executable).with_name("eldercare"))

# Run in a fresh interpreter: every file opened and process started from the first import of
# the orchestration layer to the end of a migration (Python's audit hooks see them all).
_MIGRATE = """
import json, sys
from pathlib import Path
seen = []
sys.addaudithook(lambda event, args: seen.append([event, str(args[0])])
                 if event in ("open", "subprocess.Popen") else None)
from pipelines.run import run_migration
summary = run_migration(legacy_url=sys.argv[1], exports_dir=None, warehouse=sys.argv[2],
                        dagster_home=Path(sys.argv[3]))
print(json.dumps({"success": summary.success, "seen": seen}))
"""


def test_a_migration_never_opens_the_dbt_project(tiny_legacy, tmp_path) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", _MIGRATE, tiny_legacy.url, str(tmp_path / "w.duckdb"),
         str(tmp_path / "home")],
        capture_output=True, text=True, check=False, timeout=600,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["success"]
    touched = [path for _, path in out["seen"] if path.startswith(str(DBT_DIR))]
    assert touched == [], touched[:5]
    started = [path for event, path in out["seen"] if event == "subprocess.Popen"]
    assert not [path for path in started if Path(path).name == "dbt"], started


@pytest.mark.postgres
@pytest.mark.timeout(1800)  # the whole build (migrate, dbt, publish): ~2-3 min quiet, more shared
def test_a_postgres_build_is_postgres_everywhere(tiny_legacy, pg_url, tmp_path, monkeypatch):
    env_target = tmp_path / "from-env.duckdb"  # what the environment says, overridden below
    env = {**os.environ, "ELDERCARE_WAREHOUSE": str(env_target),
           "ELDERCARE_DAGSTER_HOME": str(tmp_path / "home")}  # fmt: skip
    proc = subprocess.run(
        [ELDERCARE, "build", "--legacy", tiny_legacy.url, "--legacy", str(tiny_legacy.exports_dir),
         "--warehouse", pg_url],
        env=env, capture_output=True, text=True, check=False, timeout=900,
    )  # fmt: skip
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output[-3000:]
    # The log lines name the engine of each step; none names DuckDB or the environment's file.
    for step in ("migrating", "dbt build passed", "published quality and models passed"):
        line = next(x for x in output.splitlines() if x.startswith(step))
        assert "postgres" in line, line
    assert "duckdb" not in output.lower()
    assert not env_target.exists() and not (tmp_path / ".building").exists()
    assert Warehouse(pg_url).query("select count(*) from marts.dim_elder")[0][0] > 0

    # Each run (migration, dbt, publish) is tagged postgres; no materialization says duckdb.
    instance = dg.DagsterInstance.from_config(str(tmp_path / "home"))
    runs = instance.get_runs()
    assert {r.job_name for r in runs} == {"migration_job", "warehouse_job", "publish_job"}
    assert {r.tags.get(WAREHOUSE_TAG) for r in runs} == {"postgres"}
    metadata = _all_metadata(instance, runs)
    assert metadata and "duckdb" not in metadata.lower()

    # The definitions those runs executed: built from the command's settings, not the
    # environment's, so every asset's kind is postgres.
    monkeypatch.setenv("ELDERCARE_WAREHOUSE", str(env_target))
    get_settings.cache_clear()
    try:
        graph = build_defs(run_settings(pg_url)).resolve_asset_graph()
    finally:
        get_settings.cache_clear()
    kinds = [
        graph.get(k).kinds for k in graph.get_all_asset_keys() if graph.get(k).is_materializable
    ]
    assert kinds and all("postgres" in k and "duckdb" not in k for k in kinds)


def _all_metadata(instance: dg.DagsterInstance, runs) -> str:
    """Every materialization's metadata of these runs, as text."""
    texts = []
    for run in runs:
        for event in instance.all_logs(
            run.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION
        ):
            mat = event.dagster_event.step_materialization_data.materialization
            texts.append(f"{mat.asset_key.to_user_string()} {mat.metadata}")
    return "\n".join(texts)
