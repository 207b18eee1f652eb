"""Stand-ins for the project's dbt macros when sqlfluff lints the models (see .sqlfluff).

sqlfluff renders each model with its jinja templater: no dbt, no database. Every macro under
dbt/macros is found by name and renders as a plain call, `name(t.column, ...)`, which parses
wherever the macro stands for an expression; the few that stand for a query, a column list or a
Python value are written out below. The real macros are not rendered: their output would be
generated SQL in templated areas, which sqlfluff does not lint anyway, and the lint must not
depend on how they are written.
"""

import re
from pathlib import Path
from types import SimpleNamespace

_MACROS = Path(__file__).resolve().parent.parent / "macros"
_MACRO_NAME = re.compile(r"\{%-?\s*macro\s+(\w+)\s*\(")
_DISPATCHED = re.compile(r"^\w+__")  # default__x, duckdb__x, postgres__x: reached via dispatch
_QUALIFIED_COLUMN = re.compile(r"^\w+\.\w+$")


class _Expression:
    """A macro or dbt function whose output is one SQL expression."""

    unsafe_callable = False  # safe to call from jinja's sandbox
    alters_data = False

    def __init__(self, name: str) -> None:
        self.name = name

    def __call__(self, *args: object, **kwargs: object) -> str:
        # Qualified columns among the arguments ('r.phone') are kept, so that the lint sees
        # which table aliases are used; any other argument is left out.
        columns = [a for a in args if isinstance(a, str) and _QUALIFIED_COLUMN.match(a)]
        return f"{self.name}({', '.join(columns)})"


class _Namespace:
    """`dbt.<function>`: every cross-database function of dbt as an expression."""

    def __init__(self, prefix: str, **special: object) -> None:
        self._prefix = prefix
        self._special = special

    def __getattr__(self, name: str) -> object:
        if name.startswith("_"):
            raise AttributeError(name)
        return self._special.get(name) or _Expression(f"{self._prefix}_{name}")


def _macro_names() -> set[str]:
    names = set()
    for path in _MACROS.rglob("*.sql"):
        names.update(_MACRO_NAME.findall(path.read_text(encoding="utf-8")))
    return {name for name in names if not _DISPATCHED.match(name)}


for _name in _macro_names():
    globals()[_name] = _Expression(_name)


# Macros that are not expressions.
def staging_from_base(base_name: str) -> str:
    return f"select * from {base_name}"


def raw_bookkeeping(alias: str = "r", has_del_flag: bool = True) -> str:
    return f"{alias}.source_key, {alias}.is_deleted, {alias}.run_id, {alias}.loaded_at"


def staging_base_models() -> dict[str, str]:
    return {"yl_elder": "base_legacy__yl_elder", "yl_org": "base_legacy__yl_org"}


def dictionary_columns() -> list[tuple[str, str, str]]:
    return [("yl_work_order", "order_status", "yl_order_status")]


def migration_quarantine_counts() -> str:
    return "select source_table, n from migration_quarantine"


def _date_spine(datepart: str, start_date: str, end_date: str) -> str:
    return "select date_month from date_spine"


dbt = _Namespace("dbt", date_spine=_date_spine)
target = SimpleNamespace(type="duckdb", name="dev", schema="main", database="warehouse")
execute = False
invocation_id = "sqlfluff"
