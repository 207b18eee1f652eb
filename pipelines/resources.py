"""Dagster resources by name: ``legacy`` (the vendor DB and the exports folder) and ``warehouse``.

Both are plain configuration; the objects that open connections live in ``migration.readers``
and ``eldercare.warehouse``, so that the CLI, the benchmarks and the assets share one code path.
Defaults come from the settings object; the CLI overrides them through run config.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg
from pydantic import Field

from eldercare.errors import EldercareError
from eldercare.settings import Settings, get_settings
from eldercare.warehouse import Warehouse
from migration.readers import LegacySource


class LegacyResource(dg.ConfigurableResource):
    """Where the legacy data is: a SQLAlchemy URL and/or a folder of district exports."""

    url: str = Field(default="", description="sqlite:///... or mysql+pymysql://... ('' = none)")
    exports_dir: str = Field(default="", description="Folder of district exports ('' = none)")

    def source(self) -> LegacySource:
        if not self.url:
            raise EldercareError("legacy: no database URL configured (--legacy or legacy_url)")
        return LegacySource(self.url)

    def exports_path(self) -> Path | None:
        return Path(self.exports_dir) if self.exports_dir else None


class WarehouseResource(dg.ConfigurableResource):
    """The warehouse target: a DuckDB file path or a postgresql:// URL."""

    target: str = Field(description="DuckDB file path or postgresql:// URL")

    def get(self) -> Warehouse:
        return Warehouse(self.target)


def resources_from_settings(settings: Settings | None = None) -> dict[str, dg.ConfigurableResource]:
    s = settings or get_settings()
    return {
        "legacy": LegacyResource(
            url=s.legacy_url or "", exports_dir=str(s.exports_dir) if s.exports_dir else ""
        ),
        "warehouse": WarehouseResource(target=s.warehouse),
    }
