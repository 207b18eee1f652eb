"""The settings object: the only place that reads environment variables.

Values come from, highest priority first: keyword arguments, ``ELDERCARE_*`` environment
variables, the TOML file named by ``ELDERCARE_CONFIG`` (default ``eldercare.toml`` in the working
directory, if present), then the defaults below.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

REPO_ROOT = Path(__file__).resolve().parent.parent
DEMO_SECRET = "eldercare-demo-secret-not-for-production"
# Fernet key of the demo (public, in this file): encrypts TOTP secrets in the app database.
DEMO_TOTP_KEY = "J3rG90QkrMdDUifFWL9jN7of2y8TO7dfC6Kmp1mShE8="


def is_postgres_target(target: str) -> bool:
    """A warehouse target is a PostgreSQL URL, or else a DuckDB file path."""
    return target.startswith(("postgresql://", "postgresql+", "postgres://"))


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ELDERCARE_", extra="ignore")

    warehouse: str = Field(
        default="data/warehouse.duckdb",
        description="Warehouse target: a DuckDB file path, or a postgresql:// URL.",
    )
    legacy_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the legacy vendor database (sqlite:/// or mysql+pymysql://).",
    )
    exports_dir: Path | None = Field(
        default=None, description="Folder of district Excel/CSV exports."
    )
    code_secret: SecretStr = Field(
        default=SecretStr(DEMO_SECRET),
        description="Secret key of the pseudonymous codes (长者码 etc.); set it in production.",
    )
    data_dir: Path = Field(default=Path("data"), description="Working folder for demo data.")
    dagster_home: Path = Field(
        default=Path("data/dagster_home"), description="DAGSTER_HOME for runs started by the CLI."
    )
    app_db: str = Field(
        default="sqlite:///data/app.sqlite",
        description="Application database (accounts, sessions, audit, decisions): a SQLAlchemy "
        "URL; sqlite:///file, or postgresql:// (tables in schema app).",
    )
    cockpit_port: int = Field(default=8501, description="Port of the cockpit on 127.0.0.1.")
    cockpit_workers: int = Field(
        default=1,
        ge=1,
        le=32,
        description="Streamlit processes behind the cockpit's port (about one core each); "
        "a server gives it its number of cores.",
    )
    cockpit_cache_seconds: int = Field(
        default=600, description="How long the cockpit keeps a query result (per scope)."
    )
    cockpit_reader_url: SecretStr | None = Field(
        default=None,
        description="PostgreSQL URL the cockpit reads the warehouse with, as role "
        "eldercare_reader (row-level security per county); default: the warehouse URL with that "
        "user and no password. Set it, with the password, in production (docs/security.md).",
    )
    totp_key: SecretStr = Field(
        default=SecretStr(DEMO_TOTP_KEY),
        description="Fernet key (32 url-safe base64 bytes) encrypting the accounts' TOTP secrets "
        "in the application database; set it in production (docs/security.md, Secrets).",
    )
    session_idle_minutes: float = Field(
        default=15,
        gt=0,
        description="A cockpit session idle this long is ended (GB/T 22239 8.1.4.1: 15 minutes).",
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_file = Path(os.environ.get("ELDERCARE_CONFIG", "eldercare.toml"))
        toml = TomlConfigSettingsSource(settings_cls, toml_file=toml_file)
        return (init_settings, env_settings, toml)

    @property
    def warehouse_is_postgres(self) -> bool:
        return is_postgres_target(self.warehouse)

    @property
    def warehouse_kind(self) -> str:
        """The engine's name as Dagster kinds and dbt adapters spell it."""
        return "postgres" if self.warehouse_is_postgres else "duckdb"

    @property
    def uses_demo_secret(self) -> bool:
        return self.code_secret.get_secret_value() == DEMO_SECRET

    @property
    def uses_demo_totp_key(self) -> bool:
        """The TOTP key is the public demo one: demo conveniences (known codes) are allowed."""
        return self.totp_key.get_secret_value() == DEMO_TOTP_KEY


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
