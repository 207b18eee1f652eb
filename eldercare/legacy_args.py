"""The ``--legacy`` option of ``eldercare migrate``, ``build`` and ``inspect``: which value is the
vendor database and which the folder of district exports. Light on purpose (no Dagster), so the
dry run ``eldercare inspect`` does not load the orchestration layer to read its options.
"""

from __future__ import annotations

from pathlib import Path

from eldercare.errors import EldercareError


def split_legacy(values: list[str]) -> tuple[str | None, Path | None]:
    """--legacy values: a SQLAlchemy URL (contains '://') and/or a folder of exports."""
    url, folder = None, None
    for value in values:
        if "://" in value:
            url = value
        elif Path(value).is_dir():
            folder = Path(value)
        elif value.endswith((".db", ".sqlite", ".sqlite3")) and Path(value).is_file():
            url = f"sqlite:///{Path(value).resolve()}"
        else:
            raise EldercareError(f"--legacy {value}: neither a database URL nor an existing folder")
    return url, folder
