"""`dagster dev` loads the definitions: Dagster's own loader validates them, and the migration
part of the asset graph has the agreed keys, group, partitions, checks and job."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

from eldercare.settings import Settings
from migration.legacy_schema import HISTORY_END, HISTORY_START, PARTITIONED_TABLES, TABLES
from pipelines.definitions import migration_defs

REPO = Path(__file__).resolve().parents[2]


def test_dagster_cli_validates_the_code_location():
    dagster = Path(sys.executable).parent / "dagster"
    result = subprocess.run(
        [str(dagster), "definitions", "validate", "-m", "pipelines.definitions"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("target", "kind"),
    [("data/w.duckdb", "duckdb"), ("postgresql://postgres@127.0.0.1/x", "postgres")],
)
def test_migration_asset_graph(target, kind):
    """The engine's kind comes from the settings the definitions are built from, whatever the
    environment says (ELDERCARE_WAREHOUSE is read once, by get_settings, not here)."""
    defs = migration_defs(Settings(warehouse=target))
    graph = defs.resolve_asset_graph()
    expected = {dg.AssetKey(["raw", t]) for t in TABLES} | {
        dg.AssetKey(["raw", "district_monthly_report"])
    }
    migration_keys = {
        k for k in graph.get_all_asset_keys() if graph.get(k).group_name == "migration"
    }
    assert migration_keys == expected
    for key in expected:
        node = graph.get(key)
        assert node.owners == ["team:migration"]
        assert node.kinds == {"python", kind}
        assert dg.AssetCheckKey(key, "reconciled") in graph.asset_check_keys
        partitioned = key.path[-1] in PARTITIONED_TABLES
        assert (node.partitions_def is not None) == partitioned, key
        if partitioned:
            months = node.partitions_def.get_partition_keys()
            assert months[0] == HISTORY_START.strftime("%Y-%m")
            assert months[-1] == HISTORY_END.strftime("%Y-%m") and len(months) == 46

    job = defs.resolve_job_def("migration_job")
    assert set(job.asset_layer.selected_asset_keys) == expected
    assert job.partitions_def is not None and len(job.partitions_def.get_partition_keys()) == 46
    assert {"legacy", "warehouse"} <= set(defs.resources)
