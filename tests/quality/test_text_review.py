"""First review of public texts: exact hits (overlapping ones too) land in quality.text_review,
a re-scan keeps the human ``reviewed`` flag, and the Dagster asset runs it."""

from __future__ import annotations

import dagster as dg
import duckdb
import psycopg
import pytest

from migration.legacy_schema import TABLES
from pipelines.resources import WarehouseResource
from quality.defs import text_review
from quality.text_review import build_automaton, load_words, review_public_texts, scan_text

DISHES = {
    "D1": "包治百病养生汤",
    "D2": "延年益寿粥",
    "D3": "红烧肉",
    "D4": "全国第一特效药膳",
    "D5": None,
}
# (org_name, description): description is not in the legacy contract; a dump that has it
# gets it scanned too.
ORGS = {"O1": ("第一长者食堂", "内设医务室，可治疗常见病"), "O2": ("康乐养老院", None)}


def _raw(table: str, values: dict[str, dict[str, str | None]], extra=()):
    legacy = [c.name for c in TABLES[table].columns] + list(extra)
    rows = [
        (*[v.get(c) for c in legacy], table, key, f"h{key}", "run1", "2026-11-01 00:00:00")
        for key, v in values.items()
    ]
    return legacy, rows


def _fill(make_table, target, raw_columns, dishes=DISHES, orgs=ORGS):
    legacy, rows = _raw(
        "yl_canteen_dish", {k: {"dish_id": k, "dish_name": v} for k, v in dishes.items()}
    )
    make_table(target, "raw", "yl_canteen_dish", raw_columns(legacy), rows)
    org_values = {k: {"org_id": k, "org_name": n, "description": d} for k, (n, d) in orgs.items()}
    legacy, rows = _raw("yl_org", org_values, extra=["description"])
    make_table(target, "raw", "yl_org", raw_columns(legacy), rows)


def _naive_hits(words: dict[str, str]) -> set[tuple]:
    """Oracle: every occurrence of every word by plain str.find, independent of Aho-Corasick."""
    texts = [("yl_canteen_dish", k, "dish_name", t) for k, t in DISHES.items()]
    for k, (name, description) in ORGS.items():
        texts += [("yl_org", k, "org_name", name), ("yl_org", k, "description", description)]
    hits = set()
    for table, key, field, text in texts:
        for word, category in words.items():
            start = text.find(word) if text else -1
            while start >= 0:
                hits.add((table, key, field, text, word, category, start))
                start = text.find(word, start + 1)
    return hits


def _rows(con) -> set[tuple]:
    return set(
        con.execute(
            "select source_table, source_key, field, text, matched_word, category, position"
            " from quality.text_review"
        ).fetchall()
    )


@pytest.fixture
def warehouse(tmp_path, duckdb_table, raw_columns):
    path = tmp_path / "w.duckdb"
    _fill(duckdb_table, path, raw_columns)
    return path


def test_exact_hits_including_overlaps(warehouse):
    counts = review_public_texts(warehouse, batch_rows=2)  # several batches: streaming path
    con = duckdb.connect(str(warehouse), read_only=True)
    rows = _rows(con)
    con.close()
    d1 = ("yl_canteen_dish", "D1", "dish_name", "包治百病养生汤")
    d4 = ("yl_canteen_dish", "D4", "dish_name", "全国第一特效药膳")
    expected_here = {
        (*d1, "包治", "医疗用语", 0),
        (*d1, "包治百病", "医疗用语", 0),
        (*d4, "全国第一", "绝对化用语", 0),
        (*d4, "第一", "绝对化用语", 2),
        (*d4, "特效", "医疗用语", 4),
        (*d4, "特效药", "医疗用语", 4),
        (*d4, "药膳", "医疗用语", 6),
        ("yl_org", "O1", "org_name", "第一长者食堂", "第一", "绝对化用语", 0),
        ("yl_org", "O1", "description", "内设医务室，可治疗常见病", "治疗", "医疗用语", 7),
    }
    assert expected_here <= rows
    assert rows == _naive_hits(load_words())
    assert not any(r[1] in ("D3", "D5", "O2") for r in rows)
    assert sum(counts.values()) == len(rows)


def test_rescan_keeps_reviewed_flag_and_drops_stale_hits(warehouse, duckdb_table, raw_columns):
    review_public_texts(warehouse)
    con = duckdb.connect(str(warehouse))
    con.execute("update quality.text_review set reviewed = true where source_key = 'D1'")
    con.close()
    # D4 renamed by the canteen: its old hits are stale; D1 unchanged keeps its review.
    _fill(duckdb_table, warehouse, raw_columns, dishes={**DISHES, "D4": "清蒸鱼"})
    review_public_texts(warehouse)
    con = duckdb.connect(str(warehouse), read_only=True)
    by_key = dict(
        con.execute(
            "select source_key, bool_and(reviewed) from quality.text_review group by 1"
        ).fetchall()
    )
    con.close()
    assert by_key == {"D1": True, "D2": False, "O1": False}


def test_dagster_asset_materializes_review(warehouse):
    result = dg.materialize(
        [text_review], resources={"warehouse": WarehouseResource(target=str(warehouse))}
    )
    (event,) = result.get_asset_materialization_events()
    meta = event.materialization.metadata
    assert meta["hits"].value == len(_naive_hits(load_words()))
    assert meta["hits 医疗用语"].value == 6


@pytest.mark.postgres
def test_postgres_review_matches_duckdb(pg_url, pg_table, raw_columns):
    _fill(pg_table, pg_url, raw_columns)
    review_public_texts(pg_url, batch_rows=2)
    with psycopg.connect(pg_url) as con:
        assert _rows(con) == _naive_hits(load_words())


def test_generator_sensitive_dishes_all_caught_and_normal_dishes_clean():
    """The generator's own lists: every dish name it injects as sensitive dirt gets at least one
    hit; none of its normal dish names does (no false positive on the everyday menu)."""
    from migration.generator.ops import DISHES as NORMAL
    from migration.generator.ops import SENSITIVE

    automaton = build_automaton(load_words())
    assert all(list(scan_text(automaton, name)) for name in SENSITIVE)
    assert not [name for name in NORMAL if list(scan_text(automaton, name))]


def test_cli_check_reports_suites_and_text_hits(warehouse):
    from click.testing import CliRunner

    from eldercare.cli import cli

    out = CliRunner().invoke(cli, ["check", "--warehouse", str(warehouse)])
    assert out.exit_code == 0, out.output
    lines = {
        line.split()[0]: line.split()[1] for line in out.output.splitlines() if line[:4] == "raw."
    }
    assert lines["raw.yl_canteen_dish"] == "WARN"  # D5 has no name: a warning, not an error
    assert lines["raw.yl_elder"] == "MISSING"
    assert f"text review: {len(_naive_hits(load_words()))} hits" in out.output
