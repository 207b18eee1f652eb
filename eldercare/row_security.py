"""County scope on PostgreSQL, seen from Python (docs/security.md, County scope).

The rules are SQL, in one place: ``dbt/macros/security/county_scope.sql`` creates the role
``eldercare_reader`` and the function ``eldercare_county_scope_all`` at every dbt build and calls
it at the build's end. Tables published by Python after dbt (quality, models) are new tables
with no grant; :func:`apply_county_scope` runs the same function again so they get their
policies too. The cockpit reads as the reader role (:func:`reader_url`) and names the viewer's
county in the setting ``eldercare.county_code`` (``cockpit/data/core.py``).
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import yaml

from eldercare.errors import EldercareError
from eldercare.settings import REPO_ROOT, is_postgres_target

SETTING = "eldercare.county_code"
# The value of the setting that lets a city-level viewer see every county. A county code is six
# digits, so this can never be one.
CITY = "*"
_COUNTY = re.compile(r"^\d{6}$")


@lru_cache(maxsize=1)
def scope_config() -> dict[str, Any]:
    """The var ``county_scope`` of dbt_project.yml: reader role, schemas, shared/city/via."""
    project = yaml.safe_load((REPO_ROOT / "dbt" / "dbt_project.yml").read_text(encoding="utf-8"))
    return project["vars"]["county_scope"]


def reader_role() -> str:
    return scope_config()["reader_role"]


def setting_value(county_code: str | None) -> str:
    """What a reader puts in ``eldercare.county_code``: a county code, or CITY for None."""
    if county_code is None:
        return CITY
    if not _COUNTY.match(county_code):
        raise EldercareError(f"county scope: {county_code!r} is not a six-digit county code")
    return county_code


def reader_url(warehouse: str, configured: str | None = None) -> str:
    """The URL the cockpit reads PostgreSQL with: ``configured`` (settings.cockpit_reader_url)
    if given, else the warehouse URL with the reader role as user and no password (this
    machine's trust authentication; in production set the URL with its password)."""
    if configured:
        return configured
    url = urlsplit(warehouse)
    host = url.hostname or ""
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = f"{quote(reader_role())}@{host}" + (f":{url.port}" if url.port else "")
    return urlunsplit((url.scheme, netloc, url.path, url.query, url.fragment))


def apply_county_scope(target: str) -> int:
    """Grants and policies on every table of the reader's schemas, as the dbt build's end does;
    the number of tables. A no-op (0) on DuckDB, which has no roles."""
    if not is_postgres_target(target):
        return 0
    from eldercare.warehouse import Warehouse

    with Warehouse(target).connect() as conn:
        if not conn.scalar("select to_regproc('public.eldercare_county_scope_all') is not null"):
            raise EldercareError(
                "warehouse: function eldercare_county_scope_all is missing: run dbt build first "
                "(it creates the county-scope rules)"
            )
        return int(
            conn.scalar(
                "select public.eldercare_county_scope_all(cast(? as jsonb))",
                (json.dumps(scope_config()),),
            )
        )
