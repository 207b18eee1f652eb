"""What a vendor dump must have, and what it may lack: the contract's rules for real shapes.

A vendor's database is never exactly our generator's. Before anything is read, each legacy
table's real columns are reflected (SQLAlchemy inspector) and compared with the contract
(``migration.legacy_schema``):

* **Core tables** (``CORE_TABLES``) must exist; any other table may be missing (an older or
  smaller dump). A missing table lands as an empty raw table, with one warning.
* **Required columns** (``required_columns``): the table's key, its partition time column and
  the few columns without which no row could be cleaned. A missing one is an error naming the
  table and the column. Every other contract column may be missing: it lands as NULL, with a
  warning.
* **Surrogate keys only our generator has** (``FALLBACK_KEYS``: RuoYi's ``dict_code``, the
  registry's ``registry_id``): when absent, ``source_key`` is the natural key
  (``dict_type:dict_value``) or, where there is none, the row's hash.
* **Extra columns** are kept in raw as text, after the contract's columns.

Only columns that exist are ever selected: SQLite reads a double-quoted name that is no column
as a string literal, which is how a missing ``dict_code`` once became every row's key.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from migration.legacy_schema import PARTITIONED_TABLES, TABLES, primary_key

CORE_TABLES = ("sys_area", "yl_elder", "yl_org", "yl_service_item", "yl_work_order")

# Generator-only surrogate key -> the natural key columns that replace it (empty: row hash).
FALLBACK_KEYS: dict[str, tuple[str, ...]] = {
    "sys_dict_data": ("dict_type", "dict_value"),
    "yl_death_registry": (),
}

# Beyond the key and the partition column: what cleaning cannot do without.
_ALSO_REQUIRED: dict[str, tuple[str, ...]] = {
    "sys_area": ("area_name", "parent_code"),
    "sys_dict_data": ("dict_type", "dict_value", "dict_label"),
    "yl_elder": ("id_card",),
    "yl_org": ("org_name",),
    "yl_work_order": ("elder_id", "item_id"),
    "yl_death_registry": ("id_card", "death_date"),
    "yl_order_doubt": ("order_id",),
}


def key_column(table: str) -> str:
    """The contract's key column of a legacy table."""
    return primary_key(table)


def required_columns(table: str) -> list[str]:
    """Contract columns a dump's table must have (in contract order)."""
    wanted = set(_ALSO_REQUIRED.get(table, ()))
    if table not in FALLBACK_KEYS:
        wanted.add(key_column(table))
    if table in PARTITIONED_TABLES:
        wanted.add(PARTITIONED_TABLES[table])
    return [c.name for c in TABLES[table].columns if c.name in wanted]


@dataclass
class TableShape:
    """One legacy table as the dump has it, compared with the contract."""

    table: str
    present: bool
    columns: list[str] = field(default_factory=list)  # the source's names, source order
    types: dict[str, sa.types.TypeEngine] = field(default_factory=dict)  # by contract name

    @property
    def contract(self) -> list[str]:
        return [c.name for c in TABLES[self.table].columns]

    @property
    def names(self) -> dict[str, str]:
        """lower-case name -> the source's spelling (MySQL may change the case)."""
        return {c.lower(): c for c in self.columns}

    @property
    def present_contract(self) -> list[str]:
        return [c for c in self.contract if c in self.names]

    @property
    def missing(self) -> list[str]:
        return [c for c in self.contract if c not in self.names] if self.present else []

    @property
    def missing_required(self) -> list[str]:
        return [c for c in required_columns(self.table) if c in self.missing]

    @property
    def missing_optional(self) -> list[str]:
        """Missing columns that land as NULL (a missing surrogate key is reported as such)."""
        required = set(required_columns(self.table))
        if self.table in FALLBACK_KEYS:
            required.add(key_column(self.table))
        return [c for c in self.missing if c not in required]

    @property
    def extra(self) -> list[str]:
        """Columns the contract does not list, as lower-case names, source order."""
        known = set(self.contract) | _RESERVED
        return [c.lower() for c in self.columns if c.lower() not in known]

    @property
    def key_fallback(self) -> tuple[str, ...] | None:
        """The natural key replacing a missing surrogate key (() = row hash); None: key present."""
        if self.table in FALLBACK_KEYS and key_column(self.table) not in self.names:
            return FALLBACK_KEYS[self.table]
        return None

    @property
    def core(self) -> bool:
        return self.table in CORE_TABLES

    def problems(self) -> list[str]:
        """What makes the build fail: a missing core table or required column."""
        if not self.present:
            return [f"legacy database lacks the core table {self.table}"] if self.core else []
        return [
            f"legacy table {self.table} lacks the required column {c}"
            for c in self.missing_required
        ]

    def warnings(self) -> list[str]:
        """What the build tolerates but says: a missing table, NULL columns, a fallback key."""
        if not self.present:
            return [] if self.core else [f"{self.table}: table absent (raw table left empty)"]
        out = []
        if self.missing_optional:
            out.append(
                f"{self.table}: columns absent, landed as NULL: {', '.join(self.missing_optional)}"
            )
        fallback = self.key_fallback
        if fallback is not None:
            how = ":".join(fallback) if fallback else "row hash"
            out.append(f"{self.table}: no {key_column(self.table)}, key is {how}")
        return out


# Landing's own columns: a source column of that name cannot be kept beside them.
_RESERVED = {"source_table", "source_key", "row_hash", "partition_month", "run_id", "loaded_at"}


def has_del_flag(shape: TableShape) -> bool:
    """Soft deletes are counted where the contract has del_flag and the dump has it too."""
    return "del_flag" in shape.present_contract


def reflect(engine: sa.Engine, table: str) -> TableShape:
    """The table's real columns, by the database's own catalogue."""
    inspector = sa.inspect(engine)
    names = {t.lower(): t for t in inspector.get_table_names()}
    if table not in names:
        return TableShape(table, present=False)
    cols = inspector.get_columns(names[table])
    shape = TableShape(table, present=True, columns=[c["name"] for c in cols])
    shape.types = {c["name"].lower(): c["type"] for c in cols}
    return shape
