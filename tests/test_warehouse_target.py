import subprocess
import sys
from pathlib import Path

import pytest

ELDERCARE = str(Path(sys.executable).with_name("eldercare"))


@pytest.mark.parametrize("name", ["raw.duckdb", "marts.duckdb"])
def test_a_duckdb_file_named_like_a_schema_is_refused_in_one_line(tmp_path, name) -> None:
    target = tmp_path / name
    proc = subprocess.run(
        [ELDERCARE, "migrate", "--legacy", f"sqlite:///{tmp_path / 'none.db'}", "--warehouse",
         str(target)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert str(target) in lines[0] and "choose another file name" in lines[0]
    assert not target.exists()
