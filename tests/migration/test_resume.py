"""A partitioned backfill killed part-way (SIGKILL) and resumed ends identical to a clean run."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path

from migration_helpers import raw_snapshot

ELDERCARE = str(Path(sys.executable).parent / "eldercare")
# Logged by migration.landing when a partitioned table's months have committed.
LANDED = re.compile(r"(yl_\w+): landed [\d,]+ rows in \d+ partitions")


def _migrate(args: list[str], home: Path, **kwargs) -> subprocess.Popen:
    env = {**os.environ, "ELDERCARE_DAGSTER_HOME": str(home)}
    return subprocess.Popen([ELDERCARE, "migrate", *args], env=env, text=True, **kwargs)


def test_killed_backfill_resumes_to_the_same_raw_tables(
    tiny_legacy, exports_with_bad_files, landed_duckdb, tmp_path
):
    target = str(tmp_path / "warehouse.duckdb")
    args = ["--legacy", tiny_legacy.url, "--legacy", str(exports_with_bad_files)]
    args += ["--warehouse", target, "--from", "2023-01", "--to", "2026-10"]
    proc = _migrate([*args, "--verbose"], tmp_path / "home", stderr=subprocess.PIPE)
    watchdog = threading.Timer(300, proc.kill)
    watchdog.start()
    killed_after = None
    try:
        for line in proc.stderr:
            if match := LANDED.search(line):
                killed_after = match.group(1)
                proc.send_signal(signal.SIGKILL)  # a real kill: no cleanup, no rollback handler
                break
        proc.wait(timeout=60)
    finally:
        watchdog.cancel()
        proc.stderr.close()
    assert killed_after is not None, "no partitioned table landed before the run ended"
    assert proc.returncode == -signal.SIGKILL
    reference = raw_snapshot(landed_duckdb.warehouse)
    interrupted = raw_snapshot(target)
    assert interrupted != reference  # the kill really cut the run short
    assert interrupted[killed_after] == reference[killed_after]  # what committed is whole

    resumed = _migrate(args, tmp_path / "home", stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = resumed.communicate(timeout=600)
    assert resumed.returncode == 0, err
    assert raw_snapshot(target) == reference
