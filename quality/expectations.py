"""What every suite module builds on: GX's expectations, the two severities, the suite spec and
the vendor dictionary of seeds/sys_dict_data.csv. Imports nothing else of ``quality``, so the
suite modules and the quality bar can all import it without a cycle.

Severity is the GX expectation's own ``severity``:
- ``critical`` (the default) -> Dagster ERROR, blocks downstream assets.
- ``warning`` -> Dagster WARN, reported, never blocking.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache

import great_expectations as gx
from great_expectations.expectations import Expectation

from eldercare.settings import REPO_ROOT

E = gx.expectations
WARNING = "warning"
DICT_CSV = REPO_ROOT / "seeds" / "sys_dict_data.csv"

ExpectationFactory = Callable[[], Iterable[Expectation]]


@dataclass(frozen=True)
class SuiteSpec:
    layer: str
    table: str
    factory: ExpectationFactory
    description: str

    @classmethod
    def of(cls, layer: str, table: str, factory: ExpectationFactory) -> SuiteSpec:
        """The suite of ``layer.table``; its description is the factory's docstring."""
        return cls(layer, table, factory, (factory.__doc__ or "").strip())

    @property
    def key(self) -> tuple[str, str]:
        return (self.layer, self.table)

    @property
    def asset_key(self) -> list[str]:
        return [self.layer, self.table]

    @property
    def name(self) -> str:
        return f"{self.layer}.{self.table}"

    def build(self) -> gx.ExpectationSuite:
        """A fresh suite each time: GX binds suites to the context that validates them."""
        return gx.ExpectationSuite(name=self.name, expectations=list(self.factory()))

    @property
    def has_critical(self) -> bool:
        return any(severity(e) == "critical" for e in self.factory())


def severity(expectation: Expectation) -> str:
    return getattr(expectation.severity, "value", str(expectation.severity))


@cache
def dictionary() -> dict[str, list[str]]:
    """dict_type -> accepted raw values (codes and labels) from seeds/sys_dict_data.csv: the
    vendor stored either (legacy-contract.md)."""
    accepted: dict[str, set[str]] = {}
    with DICT_CSV.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            accepted.setdefault(row["dict_type"], set()).update(
                (row["dict_value"], row["dict_label"])
            )
    return {t: sorted(v) for t, v in accepted.items()}
