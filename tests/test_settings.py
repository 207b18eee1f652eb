import os
from pathlib import Path

import pytest

from eldercare.settings import Settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, tmp_path):
    """Only what each test sets: the caller's ELDERCARE_* variables and any eldercare.toml in
    the working directory would otherwise decide the results."""
    for name in list(os.environ):
        if name.startswith("ELDERCARE_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def test_environment_overrides_file_and_defaults(tmp_path, monkeypatch):
    config = tmp_path / "eldercare.toml"
    config.write_text('warehouse = "postgresql://postgres@127.0.0.1/x"\nexports_dir = "in"\n')
    monkeypatch.setenv("ELDERCARE_CONFIG", str(config))
    monkeypatch.setenv("ELDERCARE_EXPORTS_DIR", "from-env")
    settings = Settings()
    assert settings.warehouse_is_postgres
    assert settings.exports_dir == Path("from-env")
    assert settings.uses_demo_secret


def test_default_warehouse_is_a_duckdb_file():
    settings = Settings()
    assert settings.warehouse == "data/warehouse.duckdb"
    assert not settings.warehouse_is_postgres
