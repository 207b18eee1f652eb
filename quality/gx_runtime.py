"""Run a Great Expectations suite inside the warehouse: a DuckDB file or a PostgreSQL database.

GX 1.24 runs suites on PostgreSQL as it is. On DuckDB through duckdb-engine it fails (GX issue
11579), for three reasons found by reading both libraries:

1. **Empty metric results.** ``SqlAlchemyExecutionEngine.execute_query`` returns the result after
   its ``with engine.connect()`` block has closed the connection, and GX fetches the rows only
   then. Closing rolls back the transaction SQLAlchemy began, and duckdb-engine's ``do_begin``
   opens a real DuckDB transaction, whose rollback discards the pending result: ``fetchall()``
   gives ``[]`` and GX fails with ``IndexError: list index out of range``. (psycopg buffers the
   whole result at execute time, which is why PostgreSQL is unaffected; GX keeps a persistent
   connection only for sqlite/mssql/bigquery/databricks.)
2. **``schema_name`` lost.** The batch selectable is ``raw.yl_elder``, correct, but GX reflects
   the columns with ``inspector.get_columns``; duckdb-engine inherits SQLAlchemy 2.1's PostgreSQL
   reflection query, which joins ``pg_catalog.pg_collation``, absent in DuckDB. GX then falls back
   to ``SELECT * FROM yl_elder LIMIT 1`` with the bare table name, which does not exist.
3. **No regex.** GX does not know the ``duckdb`` dialect name and picks the SQL for regex and LIKE
   by ``issubclass(dialect.dialect, postgresql.dialect)``; for an unknown dialect it gives up.

The bridge is a SQLAlchemy dialect registered as ``duckdb+eldercare_gx``: duckdb-engine with
(1) results buffered right after execute, (2) column reflection from DuckDB's
``information_schema`` honouring the schema, (3) GX told to use PostgreSQL's SQL for regex and
LIKE (DuckDB's ``~``/``!~`` are PostgreSQL's partial-match operators). Every metric is computed by
a SQL query that runs in DuckDB; no row is pulled into pandas. The dialect also connects with
DuckDB's default settings, so a check can open the file while another connection of the same
process (a migration step, the cockpit) has it open. When GX ships its native DuckDB
engine, replace ``_connection_string`` and delete the dialect; ``run_suite`` keeps its signature.
"""

from __future__ import annotations

import logging
import shutil
import uuid
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import duckdb_engine
import great_expectations as gx
import sqlalchemy as sa
from great_expectations.core.run_identifier import RunIdentifier
from great_expectations.data_context.types.base import ProgressBarsConfig
from great_expectations.data_context.types.resource_identifiers import (
    ExpectationSuiteIdentifier,
    ValidationResultIdentifier,
)
from sqlalchemy.engine import cursor as sa_cursor

from eldercare.errors import EldercareError
from eldercare.warehouse import ident, is_postgres_target

log = logging.getLogger(__name__)

DUCKDB_GX_SCHEME = "duckdb+eldercare_gx"

# Counts and percentages only: the values that failed may be ID numbers or phones, and they
# must not reach Dagster metadata or logs.
RESULT_FORMAT: dict[str, Any] = {"result_format": "SUMMARY", "partial_unexpected_count": 0}


class _BufferedDuckDBContext(duckdb_engine.Dialect.execution_ctx_cls):  # type: ignore[name-defined,misc]
    def post_exec(self) -> None:
        super().post_exec()
        # Fix 1: fetch now, while the DuckDB transaction is still open. GX's results are
        # aggregates (one row) or capped value lists, so buffering costs nothing.
        if self.cursor.description is not None:
            self.cursor_fetch_strategy = sa_cursor.FullyBufferedCursorFetchStrategy(
                self.cursor, self.cursor.description
            )


class _SpeaksPostgresToGX:
    """``dialect.dialect`` on instances only: GX reads it to pick regex/LIKE SQL, while
    SQLAlchemy's registry treats a class attribute of that name as a redirect to another class."""

    def __get__(self, obj: object, owner: type) -> type:
        if obj is None:
            raise AttributeError("dialect")
        return sa.dialects.postgresql.dialect


class GxDuckDBDialect(duckdb_engine.Dialect):
    """duckdb-engine with the three fixes GX needs (see the module docstring)."""

    execution_ctx_cls = _BufferedDuckDBContext
    dialect = _SpeaksPostgresToGX()  # Fix 3
    supports_statement_cache = False

    def connect(self, *cargs: Any, **cparams: Any) -> Any:
        # duckdb-engine tags its connections with a custom_user_agent setting, and DuckDB refuses
        # a second in-process connection to a file whose settings differ from the open ones (a
        # migration step's, the cockpit's). Connect as plain duckdb.connect(path) does.
        config = {**cparams.get("config", {}), **cparams.get("url_config", {})}
        database = cparams.get("database", ":memory:")
        return duckdb_engine.ConnectionWrapper(duckdb.connect(database, config=config))

    def get_columns(  # Fix 2
        self, connection: sa.Connection, table_name: str, schema: str | None = None, **kw: Any
    ) -> list[dict[str, Any]]:
        rows = connection.execute(
            sa.text(
                "select column_name, data_type, is_nullable from information_schema.columns"
                " where table_schema = :schema and table_name = :table order by ordinal_position"
            ),
            {"schema": schema or "main", "table": str(table_name)},
        ).fetchall()
        if not rows:
            raise sa.exc.NoSuchTableError(f"{schema}.{table_name}")
        return [
            {
                "name": name,
                "type": self.ischema_names.get(data_type.lower(), sa.types.NullType)(),
                "nullable": nullable == "YES",
                "default": None,
            }
            for name, data_type, nullable in rows
        ]


sa.dialects.registry.register("duckdb.eldercare_gx", __name__, "GxDuckDBDialect")


@dataclass(frozen=True)
class ExpectationOutcome:
    """One expectation's verdict, with counts only (never the offending values)."""

    expectation: str
    columns: tuple[str, ...]
    severity: str  # GX FailureSeverity value: critical | warning | info
    success: bool
    observed_value: Any = None
    element_count: int | None = None
    unexpected_count: int | None = None
    unexpected_percent: float | None = None
    error: str | None = None
    condition: str = ""  # the row condition, when the expectation has one ("item_code == HR")

    @property
    def label(self) -> str:
        name = (
            f"{self.expectation}({', '.join(self.columns)})" if self.columns else self.expectation
        )
        return f"{name} where {self.condition}" if self.condition else name


@dataclass(frozen=True)
class SuiteResult:
    suite: str
    schema: str
    table: str
    outcomes: tuple[ExpectationOutcome, ...]
    statistics: dict[str, Any] = field(default_factory=dict)
    docs_url: str | None = None  # the GX Data Docs page of this validation, when rendered

    @property
    def success(self) -> bool:
        return all(o.success for o in self.outcomes)

    def failed(self, severity: str | None = None) -> list[ExpectationOutcome]:
        return [o for o in self.outcomes if not o.success and severity in (None, o.severity)]


def existing_warehouse(warehouse_target: str | Path) -> str:
    """The target as a string; a DuckDB file must exist (checking must not create a warehouse)."""
    target = str(warehouse_target)
    if not is_postgres_target(target) and not Path(target).is_file():
        raise EldercareError(f"quality: warehouse file {target} does not exist")
    return target


def _connection_string(warehouse_target: str | Path) -> str:
    target = existing_warehouse(warehouse_target)
    if is_postgres_target(target):
        return target
    return f"{DUCKDB_GX_SCHEME}:///{Path(target).resolve()}"


_CONTEXT: Any = None


def _context() -> Any:
    """One ephemeral GX context per process: suites and datasources live only for a run."""
    global _CONTEXT
    if _CONTEXT is None:
        _CONTEXT = gx.get_context(mode="ephemeral")
        _CONTEXT.variables.progress_bars = ProgressBarsConfig(globally=False)
    return _CONTEXT


def _columns(kwargs: dict[str, Any]) -> tuple[str, ...]:
    cols = [kwargs[k] for k in ("column", "column_A", "column_B") if kwargs.get(k)]
    return tuple(cols) + tuple(kwargs.get("column_list") or ())


def _outcome(result: Any) -> ExpectationOutcome:
    config = result.expectation_config
    body = result.result or {}
    severity = getattr(config, "severity", "critical")
    error = None
    if result.exception_info:
        infos = (
            result.exception_info.values()
            if "raised_exception" not in result.exception_info
            else [result.exception_info]
        )
        messages = [i.get("exception_message") for i in infos if i.get("raised_exception")]
        error = "; ".join(m for m in messages if m) or None
    return ExpectationOutcome(
        expectation=config.type,
        columns=_columns(config.kwargs),
        severity=getattr(severity, "value", severity),
        success=bool(result.success),
        observed_value=body.get("observed_value"),
        element_count=body.get("element_count"),
        unexpected_count=body.get("unexpected_count"),
        unexpected_percent=body.get("unexpected_percent"),
        error=error,
        condition=_condition(config.kwargs.get("row_condition")),
    )


def _condition(row_condition: Any) -> str:
    """A short text for a GX row condition (a comparison dict, or a string condition)."""
    if not row_condition:
        return ""
    if isinstance(row_condition, dict) and row_condition.get("type") == "comparison":
        column = row_condition["column"]["name"]
        return f"{column} {row_condition['operator']} {row_condition['parameter']}"
    return str(row_condition)


def _docs_site(context: Any, docs_dir: Path) -> str:
    site = f"eldercare_{uuid.uuid5(uuid.NAMESPACE_URL, str(docs_dir.resolve())).hex[:8]}"
    if site not in context.get_site_names():
        context.add_data_docs_site(
            site_name=site,
            site_config={
                "class_name": "SiteBuilder",
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": str(docs_dir.resolve()),
                },
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            },
        )
    return site


DOCS_KEEP = 30  # validation pages kept per suite; each is ~55 kB and a run adds one per suite


def _prune_docs(docs_dir: Path, suite_name: str) -> None:
    """Keep the newest DOCS_KEEP validation pages of a suite (folders are named by run time)."""
    folder = docs_dir.joinpath("validations", *suite_name.split("."))
    runs = sorted(p for p in folder.glob("*/*") if p.is_dir())
    for old in runs[:-DOCS_KEEP]:
        shutil.rmtree(old, ignore_errors=True)


def _validate(
    context: Any, batch_definition: Any, suite: gx.ExpectationSuite, docs_dir: Path | None
) -> tuple[Any, str | None]:
    """The validation result and, when it failed and ``docs_dir`` is set, the URL of its Data
    Docs page. Passing validations are not rendered: that would double the time of a check."""
    validation = batch_definition.get_batch().validate(suite, result_format=RESULT_FORMAT)
    if docs_dir is None or validation.success:
        return validation, None
    site = _docs_site(context, docs_dir)
    identifier = ValidationResultIdentifier(
        expectation_suite_identifier=ExpectationSuiteIdentifier(name=suite.name),
        run_id=RunIdentifier(run_name="eldercare"),
        batch_identifier=suite.name,
    )
    context.validation_results_store.set(identifier, validation)
    context.build_data_docs(site_names=[site], resource_identifiers=[identifier])
    _prune_docs(docs_dir, suite.name)
    urls = context.get_docs_sites_urls(resource_identifier=identifier, site_names=[site])
    return validation, urls[0]["site_url"] if urls else None


def run_suite(
    warehouse_target: str | Path,
    schema: str,
    table: str,
    suite: gx.ExpectationSuite,
    *,
    docs_dir: Path | None = None,
) -> SuiteResult:
    """Validate ``schema.table`` of the warehouse against ``suite``, computing in the warehouse.

    ``warehouse_target`` is a DuckDB file path or a ``postgresql://`` URL (Settings.warehouse).
    With ``docs_dir``, a failed result is also rendered as GX Data Docs there (``docs_url``).
    A missing table is an EldercareError; a failing expectation is a result, not an error.
    """
    ident(schema), ident(table)
    with warnings.catch_warnings():
        # GX deprecates schema_name for a schema in the connection configuration, which its
        # generic SQL datasource does not have; and it suggests PostgresDatasource, which adds
        # nothing here. Both are noise for us.
        warnings.filterwarnings("ignore", message=".*schema_name.*", category=DeprecationWarning)
        warnings.filterwarnings("ignore", message=".*more specific.*")
        return _run(warehouse_target, schema, table, suite, docs_dir)


def _run(
    warehouse_target: str | Path,
    schema: str,
    table: str,
    suite: gx.ExpectationSuite,
    docs_dir: Path | None,
) -> SuiteResult:
    context = _context()
    name = f"wh_{uuid.uuid4().hex[:12]}"
    try:
        datasource = context.data_sources.add_sql(
            name=name, connection_string=_connection_string(warehouse_target)
        )
    except Exception as exc:  # GX wraps driver errors in its own TestConnectionError
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise EldercareError(f"quality: cannot connect to the warehouse: {reason}") from exc
    try:
        try:
            asset = datasource.add_table_asset(name=table, table_name=table, schema_name=schema)
        except Exception as exc:
            raise EldercareError(f"quality: table {schema}.{table} not in the warehouse") from exc
        batch_definition = asset.add_batch_definition_whole_table("all")
        validation, docs_url = _validate(context, batch_definition, suite, docs_dir)
        outcomes = tuple(_outcome(r) for r in validation.results)
        for o in outcomes:
            if o.error:
                log.warning("%s.%s %s raised: %s", schema, table, o.label, o.error)
        return SuiteResult(
            suite=suite.name,
            schema=schema,
            table=table,
            outcomes=outcomes,
            statistics=dict(validation.statistics),
            docs_url=docs_url,
        )
    finally:
        # Release the DuckDB file: another process (dbt, the next Dagster step) may write next.
        datasource.get_engine().dispose()
        datasource.get_execution_engine().engine.dispose()
        context.data_sources.delete(name)
