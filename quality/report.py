"""``eldercare check``: every registered suite run once against a warehouse, outside Dagster,
plus the text review; one line per table for the terminal."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from eldercare.warehouse import Warehouse
from quality.gx_runtime import ExpectationOutcome, SuiteResult, existing_warehouse, run_suite
from quality.suites import SUITES


@dataclass(frozen=True)
class CheckLine:
    name: str
    result: SuiteResult | None  # None: the table is not in the warehouse

    @property
    def status(self) -> str:
        if self.result is None:
            return "MISSING"
        if self.result.failed("critical"):
            return "ERROR"
        return "WARN" if self.result.failed() else "OK"

    def __str__(self) -> str:
        if self.result is None:
            return f"{self.name:<38}{self.status:<8}table not in the warehouse"
        failed = ", ".join(f"{o.label}: {_detail(o)}" for o in self.result.failed())
        return f"{self.name:<38}{self.status:<8}{failed}"


def _detail(o: ExpectationOutcome) -> str:
    if o.error:
        return o.error
    if o.unexpected_count is not None:
        return f"{o.unexpected_count} rows ({o.unexpected_percent or 0:.2f} %)"
    return f"observed {o.observed_value}"


def check_warehouse(
    target: str, layers: Iterable[str] | None = None, docs_dir: Path | None = None
) -> list[CheckLine]:
    wanted = set(layers) if layers else None
    specs = [s for s in SUITES.values() if wanted is None or s.layer in wanted]
    with Warehouse(existing_warehouse(target)).connect() as conn:
        present = {s.name for s in specs if conn.table_exists(s.layer, s.table)}
    return [
        CheckLine(
            s.name,
            run_suite(target, s.layer, s.table, s.build(), docs_dir=docs_dir)
            if s.name in present
            else None,
        )
        for s in specs
    ]
