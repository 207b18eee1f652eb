"""County scope held by PostgreSQL (docs/security.md, County scope), after a fresh ``dbt build``
of the tiny data: the cockpit's role sees one county's rows with that county's code in
``eldercare.county_code``, every county's with the city value, nothing without one, and owns,
bypasses and is granted nothing else."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest

from eldercare.row_security import CITY, apply_county_scope, reader_role, reader_url, scope_config

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def built(pg_build) -> str:
    assert pg_build.error is None, pg_build.error
    return pg_build.target


@pytest.fixture(scope="module")
def owner(built) -> Iterator[psycopg.Connection]:
    with psycopg.connect(built, autocommit=True) as con:
        yield con


@pytest.fixture(scope="module")
def reader(built) -> Iterator[psycopg.Connection]:
    with psycopg.connect(reader_url(built), autocommit=True) as con:
        yield con


def read(reader: psycopg.Connection, county: str | None, sql: str) -> list[tuple]:
    """One query as the cockpit runs it: read-only transaction, county set locally."""
    with reader.transaction(), reader.cursor() as cur:
        cur.execute("set transaction read only")
        if county is not None:
            cur.execute("select set_config('eldercare.county_code', %s, true)", [county])
        cur.execute(sql)
        return cur.fetchall()


def tables(owner, column_test: str) -> list[str]:
    """Tables of the reader's schemas matching a condition on their columns."""
    rows = owner.execute(
        f"""select table_schema || '.' || table_name from information_schema.columns
            join information_schema.tables using (table_schema, table_name)
            where table_type = 'BASE TABLE' and table_schema = any(%s)
            group by 1 having {column_test} order by 1""",
        [scope_config()["schemas"]],
    ).fetchall()
    return [r[0] for r in rows]


@pytest.fixture(scope="module")
def county_tables(owner) -> list[str]:
    found = tables(owner, "bool_or(column_name = 'county_code')")
    assert {"marts.dim_elder", "marts.fct_work_order", "restricted.elder_contact"} <= set(found)
    return found


@pytest.fixture(scope="module")
def counties(owner) -> list[str]:
    codes = [
        r[0]
        for r in owner.execute(
            "select area_code from reference.counties where parent_code = '440800' order by 1"
        )
    ]
    assert len(codes) == 9
    return codes


def test_the_reader_is_powerless(owner) -> None:
    role = owner.execute(
        "select rolsuper, rolbypassrls, rolcreaterole, rolcreatedb, rolcanlogin, oid"
        " from pg_roles where rolname = %s",
        [reader_role()],
    ).fetchone()
    assert role is not None and role[:5] == (False, False, False, False, True)
    owned = owner.execute("select count(*) from pg_class where relowner = %s", [role[5]])
    assert owned.fetchone()[0] == 0
    schemas = owner.execute("select count(*) from pg_namespace where nspowner = %s", [role[5]])
    assert schemas.fetchone()[0] == 0


def test_every_table_with_a_county_forces_row_security(owner, county_tables) -> None:
    scoped = [*county_tables, *tables(owner, "bool_or(column_name = 'town_code')")]
    scoped += [t for t in scope_config()["via"] if t in tables(owner, "true")]
    flags = dict(
        owner.execute(
            "select n.nspname || '.' || c.relname, c.relrowsecurity and c.relforcerowsecurity"
            " from pg_class c join pg_namespace n on n.oid = c.relnamespace"
            " where n.nspname || '.' || c.relname = any(%s)",
            [scoped],
        ).fetchall()
    )
    assert set(flags) == set(scoped)
    assert not [t for t, forced in flags.items() if not forced]


def test_what_is_neither_scoped_nor_shared_is_not_granted(owner) -> None:
    config = scope_config()
    known = set(config["shared"]) | set(config["city_only"]) | set(config["via"])
    visible = tables(owner, "bool_or(column_name in ('county_code', 'town_code', 'area_code'))")
    rest = [t for t in tables(owner, "true") if t not in known and t not in visible]
    granted = [
        t
        for t in rest
        if owner.execute(
            "select has_table_privilege(%s, %s, 'select')", [reader_role(), t]
        ).fetchone()[0]
    ]
    assert not granted
    for schema in ("staging", "intermediate"):
        usage = owner.execute(
            "select has_schema_privilege(%s, %s, 'usage')", [reader_role(), schema]
        ).fetchone()[0]
        assert not usage, schema
    # raw: the landing columns the lineage page reads, no value of a legacy row
    readable = owner.execute(
        "select distinct column_name from information_schema.columns where table_schema = 'raw'"
        " and has_column_privilege(%s, format('raw.%%I', table_name), column_name, 'select')",
        [reader_role()],
    ).fetchall()
    grants = config["column_grants"]
    allowed = {c for key, cols in grants.items() if key.split(".")[0] == "raw" for c in cols}
    assert set(grants["raw"]) <= {r[0] for r in readable} <= allowed


def test_each_county_sees_only_its_own_rows(owner, reader, county_tables, counties) -> None:
    for table in county_tables:
        expected = dict(owner.execute(f"select county_code, count(*) from {table} group by 1"))
        for county in counties:
            rows = read(reader, county, f"select county_code, count(*) from {table} group by 1")
            assert all(code == county for code, _ in rows), (table, county, rows)
            assert sum(n for _, n in rows) == expected.get(county, 0), (table, county)
        everything = read(reader, CITY, f"select count(*) from {table}")[0][0]
        assert everything == sum(expected.values()), table


def test_tables_scoped_through_a_key_follow_their_county(owner, reader, counties) -> None:
    county = counties[2]
    calls = read(reader, county, "select elder_code from marts.fct_call")
    assert calls
    theirs = {
        r[0]
        for r in owner.execute(
            "select elder_code from marts.dim_elder where county_code = %s", [county]
        )
    }
    assert {r[0] for r in calls} <= theirs
    total = owner.execute(
        "select count(*) from marts.fct_call c join marts.dim_elder e using (elder_code)"
        " where e.county_code = %s",
        [county],
    ).fetchone()[0]
    assert len(calls) == total


@pytest.mark.parametrize("county", [None, ""], ids=["unset", "empty"])
def test_no_county_named_means_no_rows(owner, reader, county) -> None:
    config = scope_config()
    granted = [
        t
        for t in tables(owner, "true")
        if t not in config["shared"]
        and owner.execute(
            "select has_table_privilege(%s, %s, 'select')", [reader_role(), t]
        ).fetchone()[0]
    ]
    assert "marts.dim_elder" in granted and "audit.quarantine" in granted
    seen = {t: read(reader, county, f"select count(*) from {t}")[0][0] for t in granted}
    assert not {t: n for t, n in seen.items() if n}


def test_one_pooled_connection_never_mixes_counties(built, counties, monkeypatch) -> None:
    """1,000 reads alternating two counties through the cockpit's own pool of connections."""
    from cockpit.data import core
    from cockpit.data.county import reading_as
    from eldercare.settings import get_settings

    monkeypatch.setenv("ELDERCARE_WAREHOUSE", built)
    get_settings.cache_clear()
    core.close_connections()
    a, b = counties[0], counties[1]
    connections = set()
    try:
        for i in range(1000):
            county = a if i % 2 == 0 else b
            with reading_as(county):
                df = core.run("select county_code from marts.dim_elder")
            assert len(df) > 0 and set(df["county_code"]) == {county}, (i, county)
            con, _ = core._pg_idle.get_nowait()
            connections.add(id(con))
            core._pg_idle.put_nowait((con, core._pg_url()))
        # no county named: nothing, on the same connection
        assert core.run("select county_code from marts.dim_elder").empty
    finally:
        core.close_connections()
        get_settings.cache_clear()
    assert len(connections) == 1


def test_tables_published_after_dbt_get_the_scope(built, owner, reader, counties) -> None:
    """What eldercare's publish step does after the Python assets wrote their tables."""
    name = f"marts.published_{uuid.uuid4().hex[:8]}"
    private = f"marts.private_{uuid.uuid4().hex[:8]}"
    owner.execute(f"create table {name} as select * from (values (%s), (%s)) v(county_code)",
                  counties[:2])  # fmt: skip
    owner.execute(f"create table {private} as select 1 as x")
    try:
        assert apply_county_scope(built) > 40
        assert read(reader, counties[0], f"select county_code from {name}") == [(counties[0],)]
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            read(reader, CITY, f"select * from {private}")
    finally:
        owner.execute(f"drop table {name}")
        owner.execute(f"drop table {private}")


def test_the_cache_never_hands_a_county_anothers_rows(built, counties, monkeypatch) -> None:
    """The viewer's county is part of the query cache's key (same SQL, same parameters)."""
    import streamlit as st

    from cockpit.data import core
    from cockpit.data.county import reading_as
    from eldercare.settings import get_settings

    monkeypatch.setenv("ELDERCARE_WAREHOUSE", built)
    get_settings.cache_clear()
    st.cache_data.clear()
    try:
        for county in (counties[0], counties[1], counties[0], None):
            with reading_as(county):
                codes = set(core.query("select county_code from marts.dim_elder")["county_code"])
            assert codes == ({county} if county else set(counties)), county
    finally:
        st.cache_data.clear()
        core.close_connections()
        get_settings.cache_clear()
