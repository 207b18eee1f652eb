"""The city's quality bar (seed 004 §3.2.5): completeness 100 %, error rate below 1 %.

``seeds/quality_bar.yml`` is the one definition: per entity, the required fields and the rules
that make a value wrong (or merely non-standard). This module reads it and derives both uses:

- :func:`bar_expectations` turns the rules GX can express (required fields, regex, dictionary,
  ordered pairs) into GX expectations of severity ``warning``; ``quality/raw_suites.py`` appends them
  to the raw suites, so the Dagster checks run exactly these rules.
- :func:`row_flags_sql` turns every rule (GX-expressible or SQL) into per-row flags computed in
  the warehouse; ``quality/scorecard.py`` groups them by county and month.

Regexes use the subset DuckDB (RE2) and PostgreSQL agree on; ``~`` is a partial match in both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from eldercare.errors import EldercareError
from eldercare.settings import REPO_ROOT
from eldercare.warehouse import ident
from quality.expectations import WARNING, E, dictionary

BAR_YML = REPO_ROOT / "seeds" / "quality_bar.yml"
KINDS = ("regex", "in_dict", "pair", "sql")
CLASSES = ("wrong", "format")
# A present value holds something besides spaces. Blank counts as missing: the legacy system and
# the district spreadsheets store an empty field as '' as often as NULL, and a blank name is no
# more complete than an absent one. One pattern for GX (raw suites) and SQL (the scorecard).
NOT_BLANK = "[^ ]"


@dataclass(frozen=True)
class Rule:
    name: str
    kind: str
    rule_class: str  # wrong -> error_rate; format -> format_rate
    column: str | None = None
    pattern: str | None = None
    dict_type: str | None = None
    a: str | None = None
    b: str | None = None
    sql: str | None = None
    dirt: tuple[str, ...] = ()

    @property
    def gx_expressible(self) -> bool:
        return self.kind != "sql"


@dataclass(frozen=True)
class Entity:
    name: str
    label: str
    table: str
    base: str
    county: str
    month: str
    joins: str = ""
    required: tuple[str, ...] = ()
    required_dirt: tuple[str, ...] = ()
    rules: tuple[Rule, ...] = field(default_factory=tuple)

    def dirt_kinds(self, rule_class: str) -> set[str]:
        return {k for r in self.rules if r.rule_class == rule_class for k in r.dirt}


@dataclass(frozen=True)
class Bar:
    completeness: float
    max_error_rate: float
    entities: dict[str, Entity]

    def for_table(self, table: str) -> list[Entity]:
        return [e for e in self.entities.values() if e.table == table]


def _rule(entity: str, raw: dict[str, Any], path: Path) -> Rule:
    where = f"{path}: entity {entity}, rule {raw.get('name')!r}"
    kind, rule_class = raw.get("kind"), raw.get("class")
    if kind not in KINDS or rule_class not in CLASSES or not raw.get("name"):
        raise EldercareError(f"{where}: needs a name, kind in {KINDS} and class in {CLASSES}")
    needed = {"regex": ("column", "pattern"), "in_dict": ("column", "dict_type")}.get(
        kind, ("a", "b") if kind == "pair" else ("sql",)
    )
    if missing := [k for k in needed if not raw.get(k)]:
        raise EldercareError(f"{where}: kind {kind} needs {', '.join(missing)}")
    for col in (raw.get("column"), raw.get("a"), raw.get("b")):
        if col:
            ident(col)
    return Rule(
        name=raw["name"],
        kind=kind,
        rule_class=rule_class,
        column=raw.get("column"),
        pattern=raw.get("pattern"),
        dict_type=raw.get("dict_type"),
        a=raw.get("a"),
        b=raw.get("b"),
        sql=" ".join(str(raw["sql"]).split()) if raw.get("sql") else None,
        dirt=tuple(raw.get("dirt") or ()),
    )


def parse_bar(path: Path) -> Bar:
    """Read and check the rule file; a malformed entry is a one-line error naming it."""
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise EldercareError(f"{path}: cannot read the quality bar: {exc}") from exc
    entities: dict[str, Entity] = {}
    for name, raw in (doc.get("entities") or {}).items():
        if not raw.get("table") or not raw.get("county") or not raw.get("month"):
            raise EldercareError(f"{path}: entity {name}: table, county and month are required")
        table = ident(raw["table"])
        entities[name] = Entity(
            name=name,
            label=raw.get("label", name),
            table=table,
            base=raw.get("base") or f"staging.base_legacy__{table}",
            county=str(raw["county"]),
            month=str(raw["month"]),
            joins=" ".join(str(raw.get("joins") or "").split()),
            required=tuple(ident(c) for c in raw.get("required") or ()),
            required_dirt=tuple(raw.get("required_dirt") or ()),
            rules=tuple(_rule(name, r, path) for r in raw.get("rules") or ()),
        )
    bar = doc.get("bar") or {}
    return Bar(
        completeness=float(bar.get("completeness", 1.0)),
        max_error_rate=float(bar.get("max_error_rate", 0.01)),
        entities=entities,
    )


@cache
def load_bar(path: Path = BAR_YML) -> Bar:
    return parse_bar(path)


# --- GX: the same rules as expectations ---------------------------------------------------------


def dictionary_values(dict_type: str | None) -> list[str]:
    """Codes and labels of a sys_dict_data type: the dictionary the raw suites use."""
    values = dictionary().get(dict_type or "")
    if not values:
        raise EldercareError(f"{BAR_YML}: dictionary type {dict_type!r} not in sys_dict_data")
    return values


def rule_expectations(entity: Entity) -> list[Any]:
    """The entity's required fields and GX-expressible rules as warning expectations. A required
    field is missing when NULL or blank (spaces only), as the scorecard counts it: GX's regex
    expectations skip NULLs, so each field takes two expectations whose counts add up."""
    out: list[Any] = []
    for c in entity.required:
        out.append(E.ExpectColumnValuesToNotBeNull(column=c, severity=WARNING))
        out.append(E.ExpectColumnValuesToMatchRegex(column=c, regex=NOT_BLANK, severity=WARNING))
    for r in entity.rules:
        if r.kind == "regex":
            out.append(
                E.ExpectColumnValuesToMatchRegex(column=r.column, regex=r.pattern, severity=WARNING)
            )
        elif r.kind == "in_dict":
            values = dictionary_values(r.dict_type)
            out.append(
                E.ExpectColumnValuesToBeInSet(column=r.column, value_set=values, severity=WARNING)
            )
        elif r.kind == "pair":
            out.append(
                E.ExpectColumnPairValuesAToBeGreaterThanB(
                    column_A=r.a,
                    column_B=r.b,
                    or_equal=True,
                    ignore_row_if="either_value_is_missing",
                    severity=WARNING,
                )
            )
    return out


def _signature(expectation: Any) -> tuple[str, str]:
    config = expectation.configuration
    return config.type, repr(sorted(config.kwargs.items(), key=lambda kv: kv[0]))


def bar_expectations(table: str, existing: list[Any] | None = None) -> list[Any]:
    """Expectations the bar adds to the raw suite of ``table``, skipping any the suite already
    holds (helper suites may check the same column the same way)."""
    seen = {_signature(e) for e in existing or []}
    out = []
    for entity in load_bar().for_table(table):
        for expectation in rule_expectations(entity):
            signature = _signature(expectation)
            if signature not in seen:
                seen.add(signature)
                out.append(expectation)
    return out


# --- SQL: the same rules as per-row flags -------------------------------------------------------


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _present(column: str) -> str:
    return f"(r.{column} is not null and r.{column} ~ {_quote(NOT_BLANK)})"


def rule_sql(rule: Rule) -> str:
    """A boolean SQL expression over ``r`` (raw row), ``b`` (base row) and the entity's joins,
    true when the row breaks the rule. Mirrors the GX expectation of the same rule."""
    if rule.kind == "regex":
        return f"(r.{rule.column} is not null and not (r.{rule.column} ~ {_quote(rule.pattern)}))"
    if rule.kind == "in_dict":
        values = ", ".join(_quote(v) for v in dictionary_values(rule.dict_type))
        return f"(r.{rule.column} is not null and r.{rule.column} not in ({values}))"
    if rule.kind == "pair":
        return f"(r.{rule.a} is not null and r.{rule.b} is not null and r.{rule.a} < r.{rule.b})"
    return f"coalesce(({rule.sql}), false)"


def _any(conditions: list[str]) -> str:
    if not conditions:
        return "0"
    return "case when " + " or ".join(conditions) + " then 1 else 0 end"


def row_flags_sql(entity: Entity) -> str:
    """One row per raw row: county_code, month ('YYYY-MM'), incomplete, wrong, format and one
    0/1 column per rule (``rule_<name>``)."""
    incomplete = _any([f"not {_present(c)}" for c in entity.required])
    by_class = {c: _any([rule_sql(r) for r in entity.rules if r.rule_class == c]) for c in CLASSES}
    per_rule = ", ".join(
        f"case when {rule_sql(r)} then 1 else 0 end as rule_{r.name}" for r in entity.rules
    )
    return (
        f"select {entity.county} as county_code,"
        f" substr(cast({entity.month} as varchar), 1, 7) as month,"
        f" {incomplete} as incomplete, {by_class['wrong']} as wrong,"
        f" {by_class['format']} as format{', ' + per_rule if per_rule else ''}"
        f" from raw.{entity.table} r"
        f" left join {entity.base} b on b.source_key = r.source_key {entity.joins}"
    )
