"""The cleaning macros (dbt/macros/cleaning/) run inside DuckDB and PostgreSQL, through dbt,
and agree with Python oracles (python-stdnum, coordTransform, chinesecalendar, constructions).

One throw-away dbt project per target links the real macros and seeds, holds one model per
macro group (a VALUES list of generated cases), and is built with a single `dbt build`; the
tests then read the model tables and compare them row by row with cleaning_oracles.
"""

from __future__ import annotations

import json
import math
import os
import random
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import coordTransform
import duckdb
import psycopg2
import pytest
import sqlalchemy as sa
from cleaning_oracles import (
    Group,
    amount_cases,
    amount_expected,
    glucose_cases,
    glucose_expected,
    id_cases,
    id_expected,
    measurement_cases,
    measurement_expected,
    phone_cases,
    phone_expected,
    timestamp_cases,
    timestamp_expected,
)
from cleaning_oracles_codes import (
    area_cases,
    area_expected,
    coord_cases,
    coord_expected,
    coord_inputs,
    credit_cases,
    credit_expected,
    org_name_cases,
    org_name_expected,
    workday_cases,
    workday_expected,
)

DBT_DIR = Path(__file__).resolve().parents[2] / "dbt"
DBT = Path(sys.executable).with_name("dbt")
SEED = 20261124
# Agreement wanted between the SQL inverses and the WGS-84 truth, in metres (measured: GCJ-02
# 0.015 m, BD-09 0.17 m, the latter from the standard one-step BD-09 -> GCJ-02 formula).
COORD_TOLERANCE_M = {"gcj": 0.05, "bd": 0.5}


def _groups() -> list[Group]:
    rng = random.Random(SEED)
    return [
        Group(
            "id_card",
            ["raw"],
            {
                "cleaned": "clean_id_card('raw')",
                "reason": "id_card_reason('raw')",
                "check_ok": "id_card_check_ok('raw')",
                "birth_date": "id_card_birth_date('raw')",
                "sex": "id_card_sex('raw')",
                "valid": "clean_valid_id_card('raw')",
            },
            id_cases(rng),
            id_expected,
        ),
        Group(
            "phone",
            ["raw"],
            {"phone": "normalize_phone('raw')", "kind": "phone_kind('raw')"},
            phone_cases(rng),
            phone_expected,
        ),
        Group(
            "timestamps",
            ["raw", "truth"],
            {"ts": "parse_timestamp('raw')", "d": "parse_date('raw')"},
            timestamp_cases(rng),
            timestamp_expected,
        ),
        Group(
            "amount", ["raw"], {"amount": "parse_amount('raw')"}, amount_cases(rng), amount_expected
        ),  # fmt: skip
        Group(
            "measurement",
            ["raw"],
            {"value": "parse_measurement('raw')", "unit": "measurement_unit_in_value('raw')"},
            measurement_cases(rng),
            measurement_expected,
        ),
        Group(
            "glucose",
            ["val", "unit"],
            {"mmol": "glucose_to_mmol('val', 'unit')"},
            glucose_cases(rng),
            glucose_expected,
        ),
        Group(
            "coords",
            ["glng", "glat", "blng", "blat", "wl", "wa"],
            {
                "gcj_lng": "gcj02_to_wgs84_lng('glng', 'glat')",
                "gcj_lat": "gcj02_to_wgs84_lat('glng', 'glat')",
                "bd_lng": "bd09_to_wgs84_lng('blng', 'blat')",
                "bd_lat": "bd09_to_wgs84_lat('blng', 'blat')",
                "valid": "coords_valid('glng', 'glat')",
                "swapped": "coords_swapped('glng', 'glat')",
            },
            [coord_inputs(c) for c in coord_cases(rng)],
            lambda glng, glat, blng, blat, wl, wa: coord_expected(glng, glat, wl, wa),
        ),
        Group(
            "credit_code",
            ["raw"],
            {
                "cleaned": "clean_credit_code('raw')",
                "ok": "credit_code_ok('raw')",
                "reason": "credit_code_reason('raw')",
            },
            credit_cases(rng),
            credit_expected,
        ),
        Group(
            "org_name",
            ["raw"],
            {"name": "clean_org_name('raw')"},
            org_name_cases(rng),
            org_name_expected,
        ),  # fmt: skip
        Group(
            "area",
            ["raw"],
            {
                "digits": "area_code_digits('raw')",
                "county": "area_county_code('raw')",
                "town": "area_town_code('raw')",
            },
            area_cases(rng),
            area_expected,
        ),
        Group(
            "workdays",
            ["s", "e"],
            {
                "days": "working_days_between('cast(s as timestamp)', 'cast(e as timestamp)')",
                "is_workday": "is_cn_workday('cast(s as timestamp)')",
            },
            workday_cases(rng),
            workday_expected,
        ),
    ]


GROUPS = _groups()


def _sql_literal(v: str | None) -> str:
    return "null" if v is None else "'" + v.replace("'", "''") + "'"


def _model_sql(g: Group) -> str:
    rows = ",\n".join(
        f"({i}, {', '.join(_sql_literal(v) for v in case)})" for i, case in enumerate(g.cases)
    )
    typed = ", ".join(f"cast({c} as {{{{ dbt.type_string() }}}}) as {c}" for c in g.inputs)
    calls = ",\n    ".join(f"{{{{ {call} }}}} as {out}" for out, call in g.calls.items())
    return (
        "with cases as (\n    select * from (values\n{% raw %}"
        + rows
        + "{% endraw %}\n    ) as v(case_id, "
        + ", ".join(g.inputs)
        + f")\n),\ntyped as (select case_id, {typed} from cases)\n"
        + f"select case_id, {', '.join(g.inputs)},\n    {calls}\nfrom typed\n"
    )


def _build(project: Path, env: dict[str, str]) -> None:
    (project / "models").mkdir(parents=True)
    (project / "macros").symlink_to(DBT_DIR / "macros")
    (project / "seeds").mkdir()
    for name in ("cn_workday_calendar.csv", "cn_workday_calendar.yml"):  # only our seed
        (project / "seeds" / name).symlink_to(DBT_DIR / "seeds" / name)
    (project / "dbt_project.yml").write_text(
        "name: cleaning_macro_tests\nversion: '1.0.0'\nconfig-version: 2\nprofile: eldercare\n"
        "models:\n  cleaning_macro_tests:\n    +materialized: table\n"
    )
    for g in GROUPS:
        (project / "models" / f"{g.name}.sql").write_text(_model_sql(g), encoding="utf-8")
    cmd = [str(DBT), "build", "--project-dir", str(project), "--profiles-dir", str(DBT_DIR)]
    cmd += ["--target-path", str(project / "target"), "--log-path", str(project / "logs")]
    done = subprocess.run(cmd, env={**os.environ, **env}, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-4000:]


def _fetch(rows_of: callable) -> dict[str, list[dict]]:
    return {g.name: rows_of(f"select * from {g.name} order by case_id") for g in GROUPS}


@pytest.fixture(scope="module")
def pg_module_db() -> Iterator[str]:
    """A fresh PostgreSQL database shared by this module's tests (one dbt build)."""
    name = f"eldercare_test_macros_{os.getpid()}"
    admin = sa.create_engine(
        "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres", isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(sa.text(f'drop database if exists "{name}" with (force)'))
        conn.execute(sa.text(f'create database "{name}"'))
    yield name
    with admin.connect() as conn:
        conn.execute(sa.text(f'drop database if exists "{name}" with (force)'))
    admin.dispose()


@pytest.fixture(
    scope="module", params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def results(request, tmp_path_factory) -> dict[str, list[dict]]:
    target = request.param
    project = tmp_path_factory.mktemp(f"macros_{target}")
    if target == "duckdb":
        db = project / "warehouse.duckdb"
        _build(project, {"ELDERCARE_DBT_TARGET": "duckdb", "ELDERCARE_DBT_DUCKDB_PATH": str(db)})
        with duckdb.connect(str(db), read_only=True) as con:

            def rows_of(sql: str) -> list[dict]:
                cur = con.execute(sql)
                names = [d[0] for d in cur.description]
                return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]

            return _fetch(rows_of)
    dbname = request.getfixturevalue("pg_module_db")
    _build(project, {"ELDERCARE_DBT_TARGET": "postgres", "ELDERCARE_DBT_PG_DBNAME": dbname})
    with psycopg2.connect(host="127.0.0.1", user="postgres", dbname=dbname) as con:
        cur = con.cursor()

        def rows_of(sql: str) -> list[dict]:
            cur.execute(sql)
            names = [d[0] for d in cur.description]
            return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]

        return _fetch(rows_of)


def _same(actual: object, wanted: object) -> bool:
    if isinstance(wanted, float) and isinstance(actual, float):
        return math.isclose(actual, wanted, rel_tol=1e-12, abs_tol=1e-12)
    return actual == wanted and type(actual) is type(wanted) or (actual is None and wanted is None)


def _metres(lng1: float, lat1: float, lng2: float, lat2: float) -> float:
    k = 6371000 * math.pi / 180
    return k * math.hypot(lat1 - lat2, (lng1 - lng2) * math.cos(math.radians(lat1)))


def _mismatches(g: Group, rows: list[dict]) -> list[str]:
    bad = []
    assert len(rows) == len(g.cases)
    for case, row in zip(g.cases, rows, strict=True):
        wanted = g.expected(*case)
        for col, value in wanted.items():
            if not _same(row[col], value):
                bad.append(f"{case!r}: {col} = {row[col]!r}, expected {value!r}")
    return bad


@pytest.mark.parametrize("name", [g.name for g in GROUPS if g.name != "coords"])
def test_macro_agrees_with_oracle(results, name):
    g = next(g for g in GROUPS if g.name == name)
    bad = _mismatches(g, results[name])
    assert not bad, f"{len(bad)} mismatches, first: " + json.dumps(bad[:8], ensure_ascii=False)


def test_cases_cover_every_outcome():
    """The oracle comparison is only worth something if valid and invalid cases both occur."""
    reasons = {id_expected(*c)["reason"] for c in GROUPS[0].cases}
    assert reasons >= {None, "id_card_missing", "id_card_bad_length"}
    assert reasons >= {"id_card_bad_birth_date", "id_card_bad_check_digit"}
    fifteen = [c for c in GROUPS[0].cases if c[0] and len(c[0].strip()) == 15]
    assert len(fifteen) >= 10
    credit = {credit_expected(*c)["reason"] for c in GROUPS[7].cases}
    assert credit >= {None, "credit_code_bad_format", "credit_code_bad_check_char"}
    kinds = {phone_expected(*c)["kind"] for c in GROUPS[1].cases}
    assert kinds == {None, "mobile", "landline"}


def test_coordinates_recover_wgs84(results):
    g = next(g for g in GROUPS if g.name == "coords")
    worst = {"gcj": 0.0, "bd": 0.0}
    # coordTransform's own inverses are the one-step estimate (error up to ~4.6 m): ours must
    # stay within that of them, and much closer to the truth
    vs_library = 0.0
    for case, row in zip(g.cases, results["coords"], strict=True):
        wanted = g.expected(*case)
        assert row["valid"] is wanted["valid"] and row["swapped"] is wanted["swapped"], case
        if wanted["truth"] is None or not wanted["valid"]:
            assert row["gcj_lng"] is None and row["bd_lat"] is None, case
            continue
        wl, wa = wanted["truth"]
        worst["gcj"] = max(worst["gcj"], _metres(row["gcj_lng"], row["gcj_lat"], wl, wa))
        worst["bd"] = max(worst["bd"], _metres(row["bd_lng"], row["bd_lat"], wl, wa))
        lib = coordTransform.gcj02_to_wgs84(float(case[0]), float(case[1]))
        vs_library = max(vs_library, _metres(row["gcj_lng"], row["gcj_lat"], *lib))
    print(f"worst distance to WGS-84 truth: {worst}, to coordTransform's inverse: {vs_library}")
    assert vs_library < 5.0, vs_library
    assert all(worst[k] < COORD_TOLERANCE_M[k] for k in worst), worst


def test_calendar_seed_matches_generator():
    sys.path.insert(0, str(DBT_DIR / "seeds"))
    try:
        from generate_calendar import OUT, rows
    finally:
        sys.path.pop(0)
    lines = OUT.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(rows()) + 1
    assert lines[1:] == [",".join(str(v) for v in r.values()) for r in rows()]
