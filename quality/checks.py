"""Registered GX suites as Dagster asset checks, one check per suite, on the suite's asset key.

A suite holding any critical expectation gives a ``blocking`` check: when a critical expectation
fails, the result has severity ERROR and Dagster does not start the downstream assets of that
run. When only warnings fail, the result is WARN and the run goes on. Metadata carry counts and
percentages per expectation, never the offending values (they may be personal data).
"""

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import dagster as dg
from dagster import AssetCheckExecutionContext

from quality.expectations import SuiteSpec
from quality.gx_runtime import SuiteResult, run_suite
from quality.suites import SUITES

CHECK_NAME = "gx_suite"


def warehouse_target(resource: Any) -> str:
    """The warehouse target from the ``warehouse`` resource: a path/URL, or an object holding one
    as ``.target`` (eldercare.warehouse.Warehouse) or ``.warehouse`` (Settings)."""
    if isinstance(resource, str | Path):
        return str(resource)
    for attr in ("target", "warehouse"):
        value = getattr(resource, attr, None)
        if isinstance(value, str | Path):
            return str(value)
    raise TypeError(f"warehouse resource {type(resource).__name__} names no warehouse target")


def _markdown(result: SuiteResult) -> str:
    lines = ["| expectation | severity | result | unexpected | % |", "|---|---|---|---|---|"]
    for o in result.outcomes:
        verdict = "pass" if o.success else ("ERROR: " + o.error if o.error else "fail")
        pct = "" if o.unexpected_percent is None else f"{o.unexpected_percent:.2f}"
        count = o.unexpected_count if o.unexpected_count is not None else o.observed_value
        shown = "" if count is None else count
        lines.append(f"| {o.label} | {o.severity} | {verdict} | {shown} | {pct} |")
    return "\n".join(lines)


def to_check_result(result: SuiteResult) -> dg.AssetCheckResult:
    critical = result.failed("critical")
    warnings = result.failed("warning")
    severity = dg.AssetCheckSeverity.ERROR if critical else dg.AssetCheckSeverity.WARN
    metadata: dict[str, Any] = {
        "expectations": len(result.outcomes),
        "failed_critical": len(critical),
        "failed_warning": len(warnings),
        "results": dg.MetadataValue.md(_markdown(result)),
    }
    for o in result.failed():
        if o.unexpected_count is not None:
            metadata[f"{o.label} unexpected_count"] = o.unexpected_count
            metadata[f"{o.label} unexpected_percent"] = float(o.unexpected_percent or 0.0)
    if result.docs_url:
        metadata["data_docs"] = dg.MetadataValue.url(result.docs_url)
    failed = ", ".join(o.label for o in critical + warnings)
    return dg.AssetCheckResult(
        passed=result.success,
        severity=severity,
        metadata=metadata,
        description=f"{result.suite}: failed {failed}" if failed else f"{result.suite}: passed",
    )


def build_check(
    spec: SuiteSpec, *, resource_key: str = "warehouse", docs_dir: Path | None = None
) -> dg.AssetChecksDefinition:
    """The Dagster check that validates ``spec``'s table in the warehouse named ``resource_key``;
    with ``docs_dir``, each result is rendered there as GX Data Docs and linked in metadata."""

    @dg.asset_check(
        asset=dg.AssetKey(spec.asset_key),
        name=CHECK_NAME,
        description=spec.description or f"Great Expectations suite {spec.name}",
        blocking=spec.has_critical,
        required_resource_keys={resource_key},
        metadata={"suite": spec.name},
    )
    def _check(context: AssetCheckExecutionContext) -> dg.AssetCheckResult:
        target = warehouse_target(getattr(context.resources, resource_key))
        result = run_suite(target, spec.layer, spec.table, spec.build(), docs_dir=docs_dir)
        return to_check_result(result)

    return _check


def build_checks(
    specs: Iterable[SuiteSpec] | None = None,
    *,
    layers: Iterable[str] | None = None,
    docs_dir: Path | None = None,
) -> list[dg.AssetChecksDefinition]:
    """Checks for the given suites (default: every registered suite, optionally by layer)."""
    chosen = list(SUITES.values()) if specs is None else list(specs)
    if layers is not None:
        wanted = set(layers)
        chosen = [s for s in chosen if s.layer in wanted]
    return [build_check(s, docs_dir=docs_dir) for s in chosen]
