"""Every cockpit KPI, defined once: name, Chinese label, unit, definition (口径), mart, SQL.

The number on screen, the 口径 popover and the lineage page all render from one ``Kpi``, so they
cannot disagree. SQL uses two markers, replaced in order of appearance:

- ``{where}``: the scope predicate over the KPI's ``county``/``town`` columns (bound parameters);
- ``{month}``: the reporting month (the latest month with work orders), a bound parameter.

``rows_sql`` (same markers) lists the mart rows behind the number, with their legacy ids, for
the lineage page. An area KPI (``area=True``) reads the area aggregate's own rows
(``Scope.area_where``), and so does its ``rows_sql`` unless ``rows_facts`` says it lists the fact
rows summed into the aggregate, filtered by the KPI's ``county``/``town`` columns.
``counts_rows``: the value is the number of ``rows_sql`` rows (``None``: decided from the SQL,
``select count(*)``); the lineage page and its tests check it. Page modules register their KPIs
with ``register``; ``cockpit.data.load_all`` imports every page module, so all are registered.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from cockpit.scope import Scope

_MARKER = re.compile(r"\{(where|month)\}")


@dataclass(frozen=True)
class Kpi:
    key: str
    label: str
    unit: str
    definition: str
    mart: str
    columns: tuple[str, ...]
    sql: str
    rows_sql: str | None = None
    county: str = "county_code"
    town: str | None = "town_code"
    decimals: int = 0
    area: bool = False  # the mart has one row per area (area_level, area_code): no sums across
    rows_facts: bool = False  # area KPI whose rows_sql lists facts, filtered by county/town
    counts_rows: bool | None = None  # value = number of rows_sql rows (None: sql is count(*))

    def render(
        self, scope: Scope, month: dt.date | None = None, *, rows: bool = False
    ) -> tuple[str, tuple]:
        """(SQL with ``?`` placeholders, parameters) for this scope and month."""
        template = self.rows_sql if rows else self.sql
        if template is None:
            raise ValueError(f"KPI {self.key} has no rows_sql")
        predicate, scope_params = (
            scope.area_where()
            if self.area and not (rows and self.rows_facts)
            else scope.where(self.county, self.town)
        )
        params: list = []

        def fill(match: re.Match) -> str:
            if match.group(1) == "where":
                params.extend(scope_params)
                return predicate
            params.append(month)
            return "?"

        return _MARKER.sub(fill, template), tuple(params)

    @property
    def is_count(self) -> bool:
        """Whether the value is the number of ``rows_sql`` rows (checked on the lineage page)."""
        if self.rows_sql is None:
            return False
        if self.counts_rows is not None:
            return self.counts_rows
        return re.match(r"\s*select\s+count\(\*\)\s", self.sql, re.IGNORECASE) is not None

    def format_short(self, value) -> str:
        """For big screens: 万/亿 for large numbers (1,352,817 人 → 135.3 万人)."""
        if value is None or self.unit == "%" or abs(float(value)) < 100_000:
            return self.format(value)
        big, scale = ("亿", 1e8) if abs(float(value)) >= 1e8 else ("万", 1e4)
        return f"{float(value) / scale:,.1f} {big}{self.unit}"

    def format(self, value) -> str:
        if value is None:
            return "—"
        if self.unit == "%":
            return f"{value * 100:.{self.decimals or 1}f} %"
        number = f"{value:,.{self.decimals}f}"
        return f"{number} {self.unit}".strip()


KPIS: dict[str, Kpi] = {}


def register(*kpis: Kpi) -> None:
    for kpi in kpis:
        if kpi.key in KPIS and KPIS[kpi.key] != kpi:
            raise ValueError(f"KPI {kpi.key} defined twice")
        KPIS[kpi.key] = kpi


def get(key: str) -> Kpi:
    return KPIS[key]
