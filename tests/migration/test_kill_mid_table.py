"""A landing killed (SIGKILL) in the middle of a table, pages already written inside its
transaction, leaves the table as it was; the next run lands it whole."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
from pathlib import Path

from migration_helpers import raw_snapshot, reconciliation_rows

from eldercare.warehouse import Warehouse
from migration.landing import land_table
from migration.readers import LegacySource

TABLE = "yl_health_record"
PAGE = 1000
REPO = Path(__file__).resolve().parents[2]

# The real landing in its own process; the wrapper only says how far the read got (the
# read-ahead holds two pages, so at page N at least N - 3 were written).
HARNESS = f"""
import sys, time
from eldercare.warehouse import Warehouse
from migration.landing import land_table
from migration.readers import LegacySource

class Announcing(LegacySource):
    def stream(self, table, **kwargs):
        for i, batch in enumerate(super().stream(table, **kwargs), 1):
            yield batch
            print(f"page {{i}}", flush=True)
            time.sleep(0.03)

url, target, run_id = sys.argv[1:4]
land_table(Announcing(url), Warehouse(target), "{TABLE}", run_id, batch_rows={PAGE})
print("done", flush=True)
"""


def test_a_kill_in_the_middle_of_a_table_leaves_it_as_it_was(tiny_legacy, landed_duckdb, tmp_path):
    target = str(tmp_path / "warehouse.duckdb")
    assert land_table(LegacySource(tiny_legacy.url), Warehouse(target), TABLE, "run-1").ok
    before = raw_snapshot(target)[TABLE]
    pages = -(-len(before) // PAGE)
    assert pages > 20

    script = tmp_path / "land.py"
    script.write_text(HARNESS, encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, str(script), tiny_legacy.url, target, "run-killed"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    watchdog = threading.Timer(120, proc.kill)
    watchdog.start()
    seen = []
    try:
        for line in proc.stdout:
            seen.append(line.strip())
            if line.strip() == "page 12":
                proc.send_signal(signal.SIGKILL)  # no cleanup, no rollback handler
                break
        proc.wait(timeout=30)
    finally:
        watchdog.cancel()
        proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL, seen
    assert "done" not in seen  # killed in the middle: 12 of the table's pages read

    # The warehouse opens, and the table holds exactly run-1's rows: nothing of the killed run.
    assert raw_snapshot(target)[TABLE] == before
    run_ids = Warehouse(target).query(f"select distinct run_id from raw.{TABLE}")
    assert run_ids == [("run-1",)] and reconciliation_rows(target, "run-killed") == []

    resumed = land_table(LegacySource(tiny_legacy.url), Warehouse(target), TABLE, "run-3")
    assert resumed.ok and resumed.streamed_rows == len(before)
    assert raw_snapshot(target)[TABLE] == raw_snapshot(landed_duckdb.warehouse)[TABLE]
