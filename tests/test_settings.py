from pathlib import Path

from eldercare.settings import Settings


def test_environment_overrides_file_and_defaults(tmp_path, monkeypatch):
    config = tmp_path / "eldercare.toml"
    config.write_text('warehouse = "postgresql://postgres@127.0.0.1/x"\nexports_dir = "in"\n')
    monkeypatch.setenv("ELDERCARE_CONFIG", str(config))
    monkeypatch.setenv("ELDERCARE_EXPORTS_DIR", "from-env")
    settings = Settings()
    assert settings.warehouse_is_postgres
    assert settings.exports_dir == Path("from-env")
    assert settings.uses_demo_secret


def test_default_warehouse_is_a_duckdb_file(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ELDERCARE_CONFIG", raising=False)
    settings = Settings()
    assert settings.warehouse.endswith(".duckdb")
    assert not settings.warehouse_is_postgres
