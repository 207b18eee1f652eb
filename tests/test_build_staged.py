"""A DuckDB build writes a working copy and switches it in at the end: the cockpit keeps
answering from the last complete warehouse during a build and shows the new data after it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cockpit.data import core
from eldercare.settings import get_settings
from pipelines.build import building_path

ELDERCARE = str(Path(sys.executable).with_name("eldercare"))
ELDERS = "select min(elder_code) from marts.dim_elder"  # another city, other codes


def _build(legacy: str, exports: Path, target: Path, home: Path) -> subprocess.Popen:
    env = {**os.environ, "ELDERCARE_DAGSTER_HOME": str(home)}
    return subprocess.Popen(
        [ELDERCARE, "build", "--legacy", legacy, "--legacy", str(exports),
         "--warehouse", str(target)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip


@pytest.fixture
def reader(monkeypatch, tmp_path):
    target = tmp_path / "warehouse.duckdb"
    monkeypatch.setenv("ELDERCARE_WAREHOUSE", str(target))
    get_settings.cache_clear()
    yield target
    get_settings.cache_clear()


def test_cockpit_answers_during_a_build_and_sees_the_new_data_after(
    tiny_legacy, reader, tmp_path
) -> None:
    from migration.generator import generate

    first = _build(tiny_legacy.url, tiny_legacy.exports_dir, reader, tmp_path / "home")
    out, _ = first.communicate(timeout=600)
    assert first.returncode == 0, out
    assert "switched to the new build" in out
    assert not building_path(str(reader)).exists()
    before = core.run(ELDERS).iat[0, 0]

    other = tmp_path / "other.db"  # another seed: other people
    generate("tiny", 8, f"sqlite:///{other}", tmp_path / "exports8")
    second = _build(f"sqlite:///{other}", tmp_path / "exports8", reader, tmp_path / "home")
    answers = []
    while second.poll() is None:
        answers.append(core.run(ELDERS).iat[0, 0])  # must never fail while the build runs
        time.sleep(0.5)
    out = second.stdout.read()
    assert second.returncode == 0, out
    after = core.run(ELDERS).iat[0, 0]
    assert after != before
    # the old data until the switch, then the new data; never an error or a half-built state
    switched = answers.index(after) if after in answers else len(answers)
    assert switched > 10, "the build ran while the pages answered"
    assert answers == [before] * switched + [after] * (len(answers) - switched)
    assert building_path(str(reader)).exists() is False


def test_a_failed_build_leaves_the_served_warehouse_untouched(tiny_legacy, reader, tmp_path):
    reader.write_bytes(b"")  # an existing file the failed build must not replace
    bad = _build(
        f"sqlite:///{tmp_path / 'missing.db'}", tiny_legacy.exports_dir, reader, tmp_path / "home"
    )
    out, _ = bad.communicate(timeout=300)
    assert bad.returncode == 2, out
    assert out.strip().splitlines()[-1].startswith("error: ")
    assert reader.read_bytes() == b""
