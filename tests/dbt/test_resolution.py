"""Entity resolution and unified codes (长者码, 机构码, 床位码, staff_code), on tiny data.

Measured against the generator's truth: pairwise precision and recall of the merges (pairs of
legacy ids put under one code vs pairs that truly are one person / organisation). The SQL code
macros are checked against a Python twin whose check symbol comes from the base32-crockford
library. Idempotency and stability rebuild the intermediate and mart models on the same
warehouse and on a copy whose legacy ids and row order were changed.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections import Counter
from pathlib import Path

import base32_crockford
import duckdb
import polars as pl
from legacy_truth import legacy

from eldercare.settings import Settings
from pipelines.dbt_project import run_dbt

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CHECK_ALPHABET = ALPHABET + "*~$=U"
MIN_SCORE = 0.99


def python_code(prefix: str, kind: str, identity: str, secret: str) -> str:
    """The Python twin of dbt/macros/codes/unified_code.sql (docs/unified-codes.md)."""
    digest = hashlib.sha256(f"{secret}|{kind}|{identity}".encode()).digest()
    number = 0
    for byte in digest[:16]:
        number = number * 32 + byte % 32
    body_and_check = base32_crockford.encode(number, checksum=True)
    return prefix + body_and_check[:-1].rjust(16, "0") + body_and_check[-1]


def check_ok(code: str) -> bool:
    """Crockford's mod-37 check symbol, by the library (decode raises on a wrong symbol)."""
    try:
        base32_crockford.decode(code[1:], checksum=True)
    except ValueError:
        return False
    return True


def pairwise_scores(predicted: dict[int, str], truth: dict[int, int]) -> tuple[float, float]:
    """Precision and recall over pairs of ids: predicted groups vs true groups."""
    ids = [i for i in truth if i in predicted]
    pred_pairs = Counter(predicted[i] for i in ids)
    true_pairs = Counter(truth[i] for i in ids)
    both = Counter((predicted[i], truth[i]) for i in ids)

    def pairs(counter: Counter) -> int:
        return sum(n * (n - 1) // 2 for n in counter.values())

    tp, p, t = pairs(both), pairs(pred_pairs), pairs(true_pairs)
    return (tp / p if p else 1.0), (tp / t if t else 1.0)


def source_map(con: duckdb.DuckDBPyConnection, table: str, code: str, ids: str) -> dict[int, str]:
    rows = con.execute(f"select {code}, {ids} from marts.{table}").fetchall()
    return {int(i): c for c, s in rows for i in s.split(",")}


# ---------------------------------------------------------------------------- the code itself


def test_python_twin_check_symbol_is_crockfords() -> None:
    code = python_code("E", "elder", "11010119400101123", "s3cret")
    assert len(code) == 18 and code[0] == "E"
    assert set(code[1:17]) <= set(ALPHABET)
    assert check_ok(code)
    # every single substitution and every swap of neighbours is caught
    body = code[1:]
    for i in range(16):
        for c in ALPHABET:
            if c != body[i]:
                assert not check_ok("E" + body[:i] + c + body[i + 1 :])
        if body[i] != body[i + 1]:
            swapped = body[:i] + body[i + 1] + body[i] + body[i + 2 :]
            assert not check_ok("E" + swapped)


def _elder_identity(true_id_card: str, true_name: str) -> str:
    """The identity of docs/unified-codes.md, from the truth: 17 digits of the true number and
    the true name without spaces."""
    name = true_name.replace(" ", "").replace("\u3000", "")
    return f"id:{true_id_card[:17]}|{name}"


def test_sql_codes_equal_python_twin(warehouse_con, code_secret: str, tiny_truth_dir) -> None:
    """Every published 长者码 is the Python twin's code of the person's true identity, and every
    机构码 of an organisation whose rows all carry its valid credit code is the twin's code of
    that true credit code (the expectations come from the truth, not from the model)."""
    truth = pl.read_parquet(tiny_truth_dir / "elders.parquet")
    identity = {
        e: _elder_identity(c, n)
        for e, c, n in zip(
            truth["elder_id"], truth["true_id_card"], truth["true_name"], strict=True
        )
    }
    elders = source_map(warehouse_con, "dim_elder", "elder_code", "source_elder_ids")
    assert len(elders) > 1000
    wrong = [
        e
        for e, code in elders.items()
        if code != python_code("E", "elder", identity[e], code_secret)
    ]
    assert wrong == []
    assert all(check_ok(code) for code in elders.values())
    orgs = pl.read_parquet(tiny_truth_dir / "orgs.parquet")
    bad_credit = set(
        pl.read_parquet(tiny_truth_dir / "dirt.parquet")
        .filter(pl.col("kind") == "credit_code_invalid")["source_key"]
        .cast(pl.Int64)
    )
    real = dict(zip(orgs["org_id"], orgs["real_org_id"], strict=True))
    spoiled = {real[o] for o in bad_credit}
    credit = dict(zip(orgs["org_id"], orgs["true_credit_code"], strict=True))
    published = source_map(warehouse_con, "dim_org", "org_code", "source_org_ids")
    checked = {o: code for o, code in published.items() if real[o] not in spoiled}
    assert len(checked) > 0.9 * len(published)
    wrong = [
        o
        for o, code in checked.items()
        if code != python_code("O", "org", f"credit:{credit[o]}", code_secret)
    ]
    assert wrong == []


def test_codes_do_not_reveal_id_numbers(warehouse_con) -> None:
    """The code is not the ID number in any simple form (no digits run of the number inside)."""
    codes = warehouse_con.execute(
        "select elder_code, id_card_masked from marts.dim_elder"
    ).fetchall()
    assert codes
    for code, masked in codes[:500]:
        assert masked[:6] not in code


def test_sql_check_rejects_typos(built_duckdb_warehouse, dbt_settings) -> None:
    """The SQL validity macro (code_is_valid) rejects a mistyped or swapped character."""
    con = duckdb.connect(str(built_duckdb_warehouse), read_only=True)
    good = con.execute("select min(elder_code) from marts.dim_elder").fetchone()[0]
    con.close()
    typo = good[:5] + ("0" if good[5] != "0" else "1") + good[6:]
    swap = good[:3] + good[4] + good[3] + good[5:] if good[3] != good[4] else typo
    assert check_ok(good) and not check_ok(typo) and not check_ok(swap)
    values = ", ".join(f"('{c}')" for c in (good, typo, swap))
    sql = (
        "select c, case when {{ code_is_valid('c', 'E') }} then 1 else 0 end as ok "
        f"from (values {values}) as t(c)"
    )
    proc = run_dbt(["show", "--inline", sql, "--output", "json"], dbt_settings)
    shown = json.loads(proc.stdout[proc.stdout.index("\n{") :])["show"]
    assert {r["c"]: r["ok"] for r in shown} == {good: 1, typo: 0, swap: 0}


# ---------------------------------------------------------------------------- resolution quality


def test_elder_dedup_precision_recall(warehouse_con, tiny_truth_dir: Path) -> None:
    truth = pl.read_parquet(tiny_truth_dir / "elders.parquet")
    truth_map = dict(zip(truth["elder_id"].to_list(), truth["person_id"].to_list(), strict=True))
    predicted = source_map(warehouse_con, "dim_elder", "elder_code", "source_elder_ids")
    precision, recall = pairwise_scores(predicted, truth_map)
    print(f"elder dedup: precision {precision:.4f} recall {recall:.4f}, ids {len(predicted)}")
    assert precision >= MIN_SCORE and recall >= MIN_SCORE
    # there were duplicates to find, and they were found
    assert len(predicted) > len(set(predicted.values()))


def test_org_dedup_precision_recall(warehouse_con, tiny_truth_dir: Path) -> None:
    truth = pl.read_parquet(tiny_truth_dir / "orgs.parquet")
    truth_map = dict(zip(truth["org_id"].to_list(), truth["real_org_id"].to_list(), strict=True))
    predicted = source_map(warehouse_con, "dim_org", "org_code", "source_org_ids")
    precision, recall = pairwise_scores(predicted, truth_map)
    print(f"org dedup: precision {precision:.4f} recall {recall:.4f}, ids {len(predicted)}")
    assert precision >= MIN_SCORE and recall >= MIN_SCORE
    assert len(predicted) > len(set(predicted.values()))


def test_staff_merge_is_the_true_merge(warehouse_con, tiny_legacy) -> None:
    """The staff rows under one staff_code are exactly one true person's rows (truth/staff.parquet:
    a worker employed by two providers is one person), and employer_count counts that person's
    true organisations."""
    tiny_truth_dir = tiny_legacy.truth_dir
    truth = pl.read_parquet(tiny_truth_dir / "staff.parquet")
    truth_map = dict(zip(truth["staff_id"].to_list(), truth["person_id"].to_list(), strict=True))
    predicted = source_map(warehouse_con, "dim_staff", "staff_code", "source_staff_ids")
    precision, recall = pairwise_scores(predicted, truth_map)
    assert len(truth_map) > len(set(truth_map.values())), "no staff merge in the truth to find"
    assert (precision, recall) == (1.0, 1.0)
    orgs = pl.read_parquet(tiny_truth_dir / "orgs.parquet")
    real = dict(zip(orgs["org_id"], orgs["real_org_id"], strict=True))
    staff_org = dict(legacy(tiny_legacy.db_path, "select staff_id, org_id from yl_staff"))
    employers: dict[int, set] = {}
    for staff_id, person in truth_map.items():
        employers.setdefault(person, set()).add(real[staff_org[staff_id]])
    published = warehouse_con.execute(
        "select source_staff_ids, employer_count from marts.dim_staff"
    ).fetchall()
    wrong = [
        (ids, n) for ids, n in published if n != len(employers[truth_map[int(ids.split(",")[0])]])
    ]
    assert any(n > 1 for _, n in published) and wrong == []


def test_every_staged_legacy_id_is_listed_once(warehouse_con) -> None:
    for table, ids, stg, key in (
        ("dim_elder", "source_elder_ids", "stg_legacy__yl_elder", "elder_id"),
        ("dim_org", "source_org_ids", "stg_legacy__yl_org", "org_id"),
        ("dim_staff", "source_staff_ids", "stg_legacy__yl_staff", "staff_id"),
    ):
        listed = warehouse_con.execute(f"select {ids} from marts.{table}").fetchall()
        flat = [int(i) for (s,) in listed for i in s.split(",")]
        staged = [
            r[0] for r in warehouse_con.execute(f"select {key} from staging.{stg}").fetchall()
        ]
        assert len(flat) == len(set(flat)) and set(flat) == set(staged), table


# ---------------------------------------------------------------------------- stability


def _snapshot(con: duckdb.DuckDBPyConnection, schema: str) -> dict[str, tuple[int, str]]:
    """Row count and an order-independent content hash of every table in a schema."""
    tables = [
        r[0]
        for r in con.execute(
            "select table_name from information_schema.tables where table_schema = ? "
            "and table_type = 'BASE TABLE'",
            [schema],
        ).fetchall()
    ]
    out = {}
    for t in tables:
        n, h = con.execute(
            f"select count(*), coalesce(sum(hash(t::varchar)), 0)::varchar from {schema}.{t} t"
        ).fetchone()
        out[t] = (n, h)
    return out


def test_rebuild_changes_no_code_and_no_row(built_duckdb_warehouse, dbt_settings, tmp_path) -> None:
    # On a copy: the session's warehouse is shared (and copied) by other tests.
    copy = tmp_path / "rebuilt.duckdb"
    with duckdb.connect(str(built_duckdb_warehouse)) as con:
        con.execute("checkpoint")  # the copy must not miss what is still in the WAL
    shutil.copy(built_duckdb_warehouse, copy)
    con = duckdb.connect(str(copy), read_only=True)
    before = {**_snapshot(con, "intermediate"), **_snapshot(con, "marts")}
    con.close()
    settings = Settings(warehouse=str(copy), code_secret=dbt_settings.code_secret)
    run_dbt(["run", "--select", "intermediate", "marts"], settings)
    con = duckdb.connect(str(copy), read_only=True)
    after = {**_snapshot(con, "intermediate"), **_snapshot(con, "marts")}
    con.close()
    assert before and before == after


def test_codes_do_not_depend_on_ids_or_row_order(
    built_duckdb_warehouse, dbt_settings, tmp_path
) -> None:
    """The same people and organisations under other legacy ids, in another row order, get
    the same codes (what a second extract of the same city looks like to the resolver)."""
    copy = tmp_path / "shuffled.duckdb"
    with duckdb.connect(str(built_duckdb_warehouse)) as con:
        con.execute("checkpoint")  # the copy must not miss what is still in the WAL
    shutil.copy(built_duckdb_warehouse, copy)
    shift = 7_000_000
    con = duckdb.connect(str(copy))
    for table, key in (("yl_elder", "elder_id"), ("yl_org", "org_id")):
        con.execute(
            f"create table raw.{table}_shuffled as select * replace ("
            f"cast(cast({key} as bigint) + {shift} as varchar) as {key}, "
            f"cast(cast({key} as bigint) + {shift} as varchar) as source_key) "
            f"from raw.{table} order by hash(row_hash || 'shuffle')"
        )
        con.execute(f"drop table raw.{table}")
        con.execute(f"alter table raw.{table}_shuffled rename to {table}")
    old_elders = source_map(con, "dim_elder", "elder_code", "source_elder_ids")
    old_orgs = source_map(con, "dim_org", "org_code", "source_org_ids")
    con.close()
    settings = Settings(warehouse=str(copy), code_secret=dbt_settings.code_secret)
    run_dbt(["run", "--select", "+dim_elder", "+dim_org"], settings)
    con = duckdb.connect(str(copy), read_only=True)
    new_elders = source_map(con, "dim_elder", "elder_code", "source_elder_ids")
    new_orgs = source_map(con, "dim_org", "org_code", "source_org_ids")
    con.close()
    assert {i + shift: c for i, c in old_elders.items()} == new_elders
    assert {i + shift: c for i, c in old_orgs.items()} == new_orgs
