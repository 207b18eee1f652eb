"""Every expectation suite, one per warehouse table: the registry, assembled here and nowhere else.

A suite belongs to an asset key ``[layer, table]`` (``["raw", "yl_elder"]``,
``["staging", model]``, ``["marts", model]``). Each layer's module lists its suites
(``raw_suites.SUITES``, ``staging_suites.SUITES``, ``mart_suites.SUITES``); to add one, write
its function there and list it. ``quality/checks.py`` turns every suite here into a Dagster
asset check on its key. Severity and the suite spec: ``quality/expectations.py``.
"""

from __future__ import annotations

from collections.abc import Iterable

from quality import mart_suites, raw_suites, staging_suites
from quality.expectations import SuiteSpec


def index(specs: Iterable[SuiteSpec]) -> dict[tuple[str, str], SuiteSpec]:
    """``(layer, table) -> spec``; a table with two suites is an error, not a silent overwrite."""
    out: dict[tuple[str, str], SuiteSpec] = {}
    for spec in specs:
        if spec.key in out:
            raise ValueError(f"suite {spec.name} listed twice")
        out[spec.key] = spec
    return out


SUITES = index([*raw_suites.SUITES, *staging_suites.SUITES, *mart_suites.SUITES])
