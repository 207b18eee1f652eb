"""The two session builds as one parameter: a test taking ``engine`` runs on DuckDB and on
PostgreSQL (the PostgreSQL case carries the ``postgres`` marker)."""

from __future__ import annotations

import pytest
from engines import Engine


@pytest.fixture(
    scope="session",
    params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)],
)
def engine(request) -> Engine:
    build = request.getfixturevalue(f"{'pg' if request.param == 'postgres' else 'duckdb'}_build")
    assert build.error is None, build.error
    return Engine(request.param, build.target)
