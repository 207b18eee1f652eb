"""dbt-duckdb plugin: hand the code secret to DuckDB at run time, never to dbt's SQL.

``dbt/profiles.yml`` loads this module for the DuckDB target. Every connection and cursor dbt
opens gets ``SET VARIABLE code_secret``, which the unified-code macros read with
``getvariable('code_secret')``; the compiled SQL, dbt's manifest and logs hold only that call,
never the value. The value comes from ``ELDERCARE_DBT_CODE_SECRET``, which
:func:`pipelines.dbt_project.dbt_env` derives from ``settings.code_secret`` for the dbt process
(this module is the dbt side of that bridge, like ``profiles.yml``). PostgreSQL gets the same
value as the session setting ``eldercare.code_secret`` through libpq's ``PGOPTIONS``.
"""

from __future__ import annotations

import os

from dbt.adapters.duckdb.plugins import BasePlugin

SECRET_VARIABLE = "ELDERCARE_DBT_CODE_SECRET"


class Plugin(BasePlugin):
    def initialize(self, plugin_config: dict) -> None:
        # No secret, no variable: getvariable() is then NULL and the code macros stop the model
        # with their own error, while dbt commands that compute no code (docs, ls) still run.
        self._secret = os.environ.get(SECRET_VARIABLE) or None

    def configure_connection(self, conn) -> None:
        self._set(conn)

    def configure_cursor(self, cursor) -> None:
        # DuckDB variables live per connection, and each dbt thread works on a cursor
        self._set(cursor)

    def _set(self, conn) -> None:
        if self._secret is not None:
            conn.execute("set variable code_secret = ?", [self._secret])
