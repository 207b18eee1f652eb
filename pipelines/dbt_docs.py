"""`eldercare docs`: the dbt documentation as one static HTML file, built offline."""

from __future__ import annotations

import shutil
from pathlib import Path

from eldercare.settings import get_settings
from pipelines.dbt_project import DBT_DIR, run_dbt


def generate_docs(warehouse: str | None = None, out: str | Path | None = None) -> Path:
    """Run ``dbt docs generate --static`` against the warehouse (for the catalog of columns and
    types) and return the path of a self-contained ``index.html`` (manifest and catalog inside,
    so it opens from disk without a web server or network).

    ``--no-compile``: compiled SQL would carry the code secret into the page; the docs show
    each model's source SQL instead."""
    settings = get_settings()
    if warehouse:
        settings = settings.model_copy(update={"warehouse": warehouse})
    folder = Path(out).resolve() if out else DBT_DIR / "target" / "docs"
    folder.mkdir(parents=True, exist_ok=True)
    # --no-compile reads the manifest of the target path: parse writes it there first.
    run_dbt(["parse", "--target-path", str(folder)], settings)
    run_dbt(
        ["docs", "generate", "--static", "--no-compile", "--target-path", str(folder)], settings
    )
    index = folder / "index.html"
    shutil.copyfile(folder / "static_index.html", index)
    # dbt's parse cache records the values of env vars, the code secret among them.
    (folder / "partial_parse.msgpack").unlink(missing_ok=True)
    return index
