"""A county user sees no row of another county: every data function, for each county.

The walk (``data_walk.py``) calls every public function of every ``cockpit/data`` module with
each county's scope and checks every table it returns, and the xlsx download of it:

- a ``county_code`` column holds only that county; ``town_code``/``area_code`` start with it;
- each row's ``elder_code``/``org_code``/``staff_code``/``bed_code`` (and ``main_org_code``)
  are checked against the marts' dimensions with this test's own SQL: at least one of the
  row's entities belongs to the county (a resident of the county's institution may come from
  elsewhere; a row whose every entity lives elsewhere is a leak);
- a function asked for a foreign elder, organisation, worker or bed returns nothing of it.

Also: ``scope_for`` holds county users to their county, and no page imports a database
driver or ``cockpit.data.core``.
"""

from __future__ import annotations

import ast
import hashlib
import io
from collections import Counter

import pandas as pd
import pytest
from cockpit_helpers import sql
from data_walk import COCKPIT, all_calls, codes_for, data_functions, entity_counties, frames

from cockpit.navigation import PAGES
from cockpit.scope import Scope, Viewer, scope_for
from cockpit.ui import to_xlsx
from eldercare.accounts import county_names

COUNTIES = sorted(county_names())
CODE_KINDS = {
    "elder_code": "elder",
    "org_code": "org",
    "main_org_code": "org",
    "staff_code": "staff",
    "bed_code": "bed",
}


@pytest.fixture(scope="session")
def entities(cockpit_warehouse):
    return entity_counties(lambda q: sql(cockpit_warehouse, q))


def _prefixed(column: str, names: tuple[str, ...]) -> bool:
    return column in names or any(column.endswith(f"_{n}") for n in names)


def violations(df: pd.DataFrame, county: str, entities) -> list[str]:
    """What in ``df`` belongs to another county (empty: nothing)."""
    found: list[str] = []
    cols = [str(c) for c in df.columns]
    df = df.set_axis(cols, axis=1)
    for col in cols:
        values = df[col].dropna().astype(str)
        if _prefixed(col, ("county_code",)):
            bad = values[values != county]
        elif _prefixed(col, ("town_code", "area_code")):
            bad = values[~values.str.startswith(county)]
        else:
            continue
        if len(bad):
            found.append(f"{col}: {sorted(set(bad))[:5]}")
    code_cols = [c for c in cols if c in CODE_KINDS]
    if code_cols:
        foreign = Counter()
        for row in df[code_cols].itertuples(index=False):
            present = [(CODE_KINDS[c], v) for c, v in zip(code_cols, row, strict=True)]
            present = [(k, str(v)) for k, v in present if v is not None and not pd.isna(v)]
            if present and not any(county in entities[k].get(v, ()) for k, v in present):
                foreign[", ".join(f"{k}={v}" for k, v in present)] += 1
        if foreign:
            found.append(
                f"{sum(foreign.values())} rows of other counties, e.g. {list(foreign)[:3]}"
            )
    return found


def _digest(df: pd.DataFrame) -> bytes:
    cells = pd.util.hash_pandas_object(df.astype(str), index=False).to_numpy().tobytes()
    return hashlib.sha1(cells + repr(list(df.columns)).encode()).digest()


def _report(lines: list[str], most: int = 30) -> str:
    more = f"\n… and {len(lines) - most} more" if len(lines) > most else ""
    return f"{len(lines)} findings:\n" + "\n".join(lines[:most]) + more


def _walk(county: str, entities):
    """(call label, table path, frame) for every table every data function returns."""
    scope = Scope(county)
    out, errors = [], []
    for call in all_calls(scope, codes_for(entities, county)):
        try:
            value = call()
        except Exception as exc:  # a data function failing for a county is a finding too
            errors.append(f"{call.label}: {type(exc).__name__}: {str(exc)[:300]}")
            continue
        for path, df in frames(value):
            out.append((call, path, df))
    return out, errors


def test_every_data_function_is_walked(cockpit_env, entities) -> None:
    """The walk knows every data function (fails on one it cannot call or a scope-less one)
    and calls each of them at least once."""
    functions = data_functions()
    assert len(functions) >= 5
    calls = all_calls(Scope("440803"), codes_for(entities, "440803"))
    assert {c.function.key for c in calls} == {f.key for f in functions}


@pytest.mark.parametrize("county", COUNTIES)
def test_county_sees_only_its_county(cockpit_env, entities, county) -> None:
    tables, errors = _walk(county, entities)
    assert not errors, _report(errors)
    leaks: list[str] = []
    checked_rows = 0
    seen: set[bytes] = set()
    for call, path, df in tables:
        if df.empty or (digest := _digest(df)) in seen:  # many calls return the same table
            continue
        seen.add(digest)
        where = f"{call.label}{path}"
        leaks += [f"{where}: {v}" for v in violations(df, county, entities)]
        checked_rows += len(df)
        # the download of exactly these rows (ui.table offers it under every table)
        try:
            back = pd.read_excel(io.BytesIO(to_xlsx(df)), dtype=str)
        except Exception as exc:
            leaks.append(f"{where}: the xlsx download fails: {type(exc).__name__}: {exc}")
            continue
        leaks += [f"{where} (xlsx): {v}" for v in violations(back, county, entities)]
    assert not leaks, _report(leaks)
    assert checked_rows > 0, f"{county}: the walk returned no rows at all"


def test_the_check_sees_a_leak(cockpit_env, entities) -> None:
    """The check itself can fail: the city's tables, read as one county's, are leaks."""
    tables, errors = _walk_city(entities)
    assert not errors, _report(errors)
    flagged = [path for call, path, df in tables if violations(df, "440803", entities)]
    kinds = {c for _, _, df in tables for c in df.columns if c in CODE_KINDS}
    assert len(flagged) >= 5, flagged
    assert {"elder_code", "org_code"} <= kinds, kinds


def _walk_city(entities):
    scope = Scope()
    out, errors = [], []
    for call in all_calls(scope, codes_for(entities, None)):
        try:
            value = call()
        except Exception as exc:
            errors.append(f"{call.label}: {type(exc).__name__}: {str(exc)[:300]}")
            continue
        out += [(call, path, df) for path, df in frames(value)]
    return out, errors


def test_foreign_entity_codes_exist(entities) -> None:
    """Each county has its own and foreign codes of every kind the walk asks about."""
    for county in COUNTIES:
        codes = codes_for(entities, county)
        assert codes.own["elder"] and codes.foreign["elder"], county
        assert codes.foreign["org"] and codes.foreign["staff"] and codes.foreign["bed"], county


# -- scope_for ---------------------------------------------------------------------------------
CITY = Viewer("leader", "市领导", "city_leader", None)
XIASHAN = Viewer("county_440803", "霞山区用户", "county_user", "440803")


@pytest.mark.parametrize(
    ("viewer", "county", "town", "expected"),
    [
        (CITY, None, None, Scope()),
        (CITY, "440881", None, Scope("440881")),
        (CITY, "440881", "440881100", Scope("440881", "440881100")),
        (CITY, "440881", "440803001", Scope("440881")),  # a town of another county
        (CITY, None, "440881100", Scope()),  # a town without its county
        (CITY, "44088", None, Scope()),  # malformed codes are ignored
        (CITY, "440881' or 1=1 --", None, Scope()),
        (CITY, "440881", "4408811000", Scope("440881")),
        (XIASHAN, None, None, Scope("440803")),
        (XIASHAN, "440881", None, Scope("440803")),  # another county: their own
        (XIASHAN, "440881", "440881100", Scope("440803")),  # a foreign town: dropped
        (XIASHAN, None, "440881100", Scope("440803")),
        (XIASHAN, "440803", "440803001", Scope("440803", "440803001")),
        (XIASHAN, "440881", "440803001", Scope("440803", "440803001")),
        (XIASHAN, "abc", "x; drop table", Scope("440803")),
    ],
)
def test_scope_for_holds_county_users_to_their_county(viewer, county, town, expected) -> None:
    assert scope_for(viewer, county, town) == expected


# -- pages import no database access -----------------------------------------------------------
# scope_for only narrows (it applies the scope rule); a page that built a Scope itself could
# widen it, so cockpit.scope.Scope is not allowed.
ALLOWED = (
    "streamlit", "cockpit.ui", "cockpit.charts", "cockpit.maps", "cockpit.data.",
    "cockpit.scope.scope_for",
)  # fmt: skip
FORBIDDEN = (
    "duckdb",
    "psycopg",
    "psycopg2",
    "sqlalchemy",
    "sqlite3",
    "pymysql",
    "cockpit.data.core",
)
# The accounts page (系统管理员) reads the application database, never the warehouse.
EXEMPT = {
    "app_pages/accounts.py": (
        "eldercare.accounts", "eldercare.appdb", "eldercare.errors", "cockpit.session",
    ),
    # roles, scopes and unlocks (安全管理员); one's own password: the application database
    "app_pages/security.py": (
        "eldercare.accounts", "eldercare.appdb", "eldercare.errors", "cockpit.session",
    ),
    "app_pages/password.py": ("eldercare.auth", "cockpit.login"),
    # inspection results and report comments/files: the application database, as accounts
    "app_pages/inspection.py": ("eldercare.inspection_results", "eldercare.appdb"),
    # reviewers' decisions on suspicious orders (存疑工单审核): the application database
    "app_pages/order_review.py": ("eldercare.review", "eldercare.appdb"),
    # the audit log (审计管理员): the application database, never the warehouse
    "app_pages/audit_log.py": ("eldercare.audit", "datetime"),
    "app_pages/reports.py": (
        "eldercare.accounts", "eldercare.appdb", "eldercare.settings", "reports.",
    ),
}  # fmt: skip


def _imports(path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names += [f"{node.module}.{a.name}" for a in node.names]
    return names


def _within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix if prefix.endswith(".") else f"{prefix}.")


def _allowed(name: str, page: str) -> bool:
    if _within(name, "__future__") or any(_within(name, e) for e in EXEMPT.get(page, ())):
        return True
    if any(_within(name, f) for f in FORBIDDEN):
        return False
    return any(_within(name, a) for a in ALLOWED)


def test_pages_import_no_database_access() -> None:
    files = {p.file for p in PAGES} | {
        f"app_pages/{p.name}" for p in (COCKPIT / "app_pages").glob("*.py")
    }
    bad = {page: [n for n in _imports(COCKPIT / page) if not _allowed(n, page)] for page in files}
    assert not {k: v for k, v in bad.items() if v}, bad


def test_import_check_rejects_drivers() -> None:
    assert not _allowed("duckdb", "app_pages/x.py")
    assert not _allowed("cockpit.data.core", "app_pages/x.py")
    assert not _allowed("sqlalchemy.orm", "app_pages/x.py")
    assert not _allowed("pandas", "app_pages/x.py")
    assert not _allowed("cockpit.data.core.query", "app_pages/x.py")
    assert not _allowed("cockpit.scope.Scope", "app_pages/x.py")
    assert _allowed("cockpit.data.overview", "app_pages/x.py")
    assert _allowed("cockpit.ui", "app_pages/x.py")
    assert _allowed("streamlit.components.v1", "app_pages/x.py")
