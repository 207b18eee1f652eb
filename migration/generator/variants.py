"""Vendor variants: the default dump reshaped the way other vendors' dumps differ from ours.

Our generator and our cleaning were written together, so they agree; a real hand-over will not.
A variant starts from the default data (same entities, same truth, so scores stay comparable)
and reshapes the written database in place, with plain SQL that runs on SQLite and MariaDB:

* ``drift``: optional tables missing (``yl_order_doubt``, ``yl_canteen_dish``), the
  generator-only surrogate keys missing (``sys_dict_data.dict_code``,
  ``yl_death_registry.registry_id``), optional columns missing (``yl_elder.medical_history``,
  ``yl_org.medical_condition``), extra vendor columns (``yl_elder.vendor_tag``,
  ``yl_work_order.tenant_id``), and no district exports folder.
* ``string_keys``: keys in text columns: prefixed visit ids (``V300001``), 19-digit order ids
  (snowflake-like, beyond what a signed 64-bit integer's 18 safe digits hold), prefixed elder
  ids (``E...``), with every foreign key rewritten the same way.

``VARIANTS[name]`` says what each variant changed; ``eldercare inspect`` must name each of
those differences (tests/migration/test_variants.py).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from eldercare.errors import EldercareError
from migration.legacy_schema import TABLES

_SNOWFLAKE = 1_000_000_000_000_000_000  # + a small id: 19 digits


@dataclass(frozen=True)
class Variant:
    name: str
    drop_tables: tuple[str, ...] = ()
    drop_columns: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # table -> {extra column: SQL expression over the table's columns}
    extra_columns: dict[str, dict[str, str]] = field(default_factory=dict)
    # table -> {column made VARCHAR: (prefix, offset)}: the new value is prefix || (old + offset)
    text_keys: dict[str, dict[str, tuple[str, int]]] = field(default_factory=dict)
    no_exports: bool = False


VARIANTS: dict[str, Variant] = {
    "drift": Variant(
        "drift",
        drop_tables=("yl_order_doubt", "yl_canteen_dish"),
        drop_columns={
            "sys_dict_data": ("dict_code",),
            "yl_death_registry": ("registry_id",),
            "yl_elder": ("medical_history",),
            "yl_org": ("medical_condition",),
        },
        extra_columns={
            "yl_elder": {"vendor_tag": "'v1'"},
            "yl_work_order": {"tenant_id": "'T01'"},
        },
        no_exports=True,
    ),
    "string_keys": Variant(
        "string_keys",
        text_keys={
            "yl_return_visit": {
                "visit_id": ("V", 300000),
                "order_id": ("", _SNOWFLAKE),
                "elder_id": ("E", 0),
            },
            "yl_work_order": {"order_id": ("", _SNOWFLAKE), "elder_id": ("E", 0)},
            "yl_order_doubt": {"order_id": ("", _SNOWFLAKE)},
            **{
                t: {"elder_id": ("E", 0)}
                for t in (
                    "yl_elder",
                    "yl_org_resident",
                    "yl_family_bed",
                    "yl_device",
                    "yl_health_record",
                    "yl_alarm",
                    "yl_call_record",
                    "yl_meal_order",
                )
            },
        },
    ),
}


def apply_variant(name: str, url: str, exports_dir: str | Path | None = None) -> Variant:
    """Reshape the legacy database at ``url`` (and its exports folder) into variant ``name``."""
    if name not in VARIANTS:
        raise EldercareError(f"--variant {name}: unknown (known: {', '.join(VARIANTS)})")
    variant = VARIANTS[name]
    engine = sa.create_engine(url)
    try:
        existing = set(sa.inspect(engine).get_table_names())
        with engine.begin() as conn:
            for table in variant.drop_tables:
                if table in existing:
                    conn.execute(sa.text(f"DROP TABLE {_q(engine, table)}"))
            reshaped = set(variant.drop_columns) | set(variant.extra_columns)
            for table in sorted((reshaped | set(variant.text_keys)) & existing):
                _rebuild(
                    conn,
                    engine,
                    table,
                    variant.drop_columns.get(table, ()),
                    variant.extra_columns.get(table, {}),
                    variant.text_keys.get(table, {}),
                )
    finally:
        engine.dispose()
    if variant.no_exports and exports_dir is not None and Path(exports_dir).exists():
        shutil.rmtree(exports_dir)
    return variant


def _text_key(engine: sa.Engine, col: str, prefix: str, offset: int) -> str:
    """prefix || (col + offset) as text, NULL kept (SQLite 3.40 has no CONCAT)."""
    number = f"CAST({col} + {offset} AS CHAR)" if offset else f"CAST({col} AS CHAR)"
    if engine.dialect.name == "sqlite":
        number = number.replace("AS CHAR", "AS TEXT")
        return f"'{prefix}' || {number}" if prefix else number
    return f"CONCAT('{prefix}', {number})" if prefix else number


def _q(engine: sa.Engine, name: str) -> str:
    return engine.dialect.identifier_preparer.quote(name)


def _rebuild(
    conn: sa.Connection,
    engine: sa.Engine,
    table: str,
    drop: tuple[str, ...],
    extra: dict[str, str],
    text_keys: dict[str, tuple[str, int]],
) -> None:
    """New table without ``drop``, with ``extra`` and with ``text_keys`` rewritten as text, rows
    copied, swapped in by a rename."""
    keep = [c for c in TABLES[table].columns if c.name not in drop]
    md = sa.MetaData()
    columns = [
        sa.Column(
            c.name,
            sa.String(40) if c.name in text_keys else c.type,
            primary_key=c.primary_key,
            server_default=c.server_default,
        )
        for c in keep
    ]
    temp = f"{table}__variant"
    sa.Table(temp, md, *columns, *(sa.Column(x, sa.String(64)) for x in extra))
    md.create_all(conn)
    names = [_q(engine, c.name) for c in keep]
    targets = ", ".join([*names, *(_q(engine, x) for x in extra)])
    values = [
        _text_key(engine, _q(engine, c.name), *text_keys[c.name])
        if c.name in text_keys
        else _q(engine, c.name)
        for c in keep
    ]
    values = ", ".join([*values, *extra.values()])
    conn.execute(
        sa.text(
            f"INSERT INTO {_q(engine, temp)} ({targets}) SELECT {values} FROM {_q(engine, table)}"
        )
    )
    conn.execute(sa.text(f"DROP TABLE {_q(engine, table)}"))
    conn.execute(sa.text(f"ALTER TABLE {_q(engine, temp)} RENAME TO {_q(engine, table)}"))
