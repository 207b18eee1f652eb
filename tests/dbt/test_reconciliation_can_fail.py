"""The staging reconciliation counts each side on its own, so it can fail: a lost row, a
doubled row and a fanned-out quarantine are injected into a copy of the tiny warehouse and each
breaks the equation; the CLI's explanation (pipelines.dbt_failures) says which and by how much.
In the same copy (one dbt run) every order status is made a value no dictionary knows, which
fails the build instead of turning into NULL statuses silently (audit.dictionary_gaps)."""

from __future__ import annotations

import json
import shutil

import duckdb
import pytest

from eldercare.errors import EldercareError
from eldercare.settings import Settings
from eldercare.warehouse import Warehouse
from migration.legacy_schema import TABLES
from pipelines import dbt_failures
from pipelines.dbt_project import DBT_DIR, run_dbt


def test_staging_reconciliation_balances_by_independent_counts(warehouse_con):
    rows = warehouse_con.execute(
        "select source_table, source_rows, loaded_rows, quarantined_rows, deleted_rows"
        " from audit.staging_reconciliation"
    ).fetchall()
    assert {r[0] for r in rows} >= set(TABLES)
    for table, source, loaded, quarantined, deleted in rows:
        assert source == loaded + quarantined + deleted, table
        # Oracle: the raw table's own count (no migration quarantine in this build).
        (raw,) = warehouse_con.execute(f"select count(*) from raw.{table}").fetchone()
        assert source == raw, table


@pytest.fixture(scope="module")
def tampered(built_duckdb_warehouse, tmp_path_factory, code_secret):
    """A copy with one alarm lost from staging, one call doubled, one elder's quarantine row
    fanned out to three, every order status unknown; only the reconciliation, the dictionary
    gaps and their tests are rebuilt (one dbt run). Returns the copy and dbt's error."""
    tmp_path = tmp_path_factory.mktemp("tampered")
    copy = tmp_path / built_duckdb_warehouse.name  # same file name: DuckDB's catalog name
    shutil.copy(built_duckdb_warehouse, copy)
    with duckdb.connect(str(copy)) as con:
        for view, how in (
            (
                "stg_legacy__yl_alarm",
                "select * from v where source_key <> (select min(source_key) from v)",
            ),
            ("stg_legacy__yl_call_record", "select * from v union all (select * from v limit 1)"),
        ):
            con.execute(f"create table staging.t as with v as (select * from staging.{view}) {how}")
            con.execute(f"drop view staging.{view}")
            con.execute(f"alter table staging.t rename to {view}")
        con.execute(
            "insert into audit.staging_quarantine select q.* from (select * from"
            " audit.staging_quarantine where source_table = 'yl_elder' limit 1) q, range(2)"
        )
        con.execute(
            "update raw.yl_work_order set order_status = case when hash(source_key) % 3 = 0"
            " then 'fertig' else 'erledigt' end"
        )
    settings = Settings(warehouse=str(copy), code_secret=code_secret)
    try:
        run_dbt(["build", "--select", "staging_reconciliation", "dictionary_gaps"], settings)
    except EldercareError as exc:
        return copy, str(exc)
    return copy, None


def test_lost_doubled_and_fanned_out_rows_each_fail(tampered, warehouse_con):
    copy, error = tampered
    assert error is not None and "dbt build failed" in error
    reasons = dbt_failures.unbalanced(Warehouse(str(copy)))
    by_table = {r.split(":")[0].rsplit(" ", 1)[-1]: r for r in reasons}
    assert set(by_table) == {"yl_alarm", "yl_call_record", "yl_elder"}, reasons
    before = {
        t: (s, lo, q, d)
        for t, s, lo, q, d in warehouse_con.execute(
            "select source_table, source_rows, loaded_rows, quarantined_rows, deleted_rows"
            " from audit.staging_reconciliation"
        ).fetchall()
    }
    s, lo, q, d = before["yl_alarm"]
    assert (
        f"{s} source rows = {lo - 1} loaded + {q} quarantined + {d} deleted" in by_table["yl_alarm"]
    )
    s, lo, q, d = before["yl_call_record"]
    assert f"{s} source rows = {lo + 1} loaded" in by_table["yl_call_record"]
    s, lo, q, d = before["yl_elder"]
    assert f"{lo} loaded + {q + 2} quarantined" in by_table["yl_elder"]
    assert by_table["yl_elder"].startswith("staging reconciliation does not balance for yl_elder")


def test_model_error_names_the_model_and_the_database_error():
    message = (
        "Runtime Error in model base_district__monthly_report (models/staging/base/x.sql)\n"
        "  Catalog Error: Table with name district_monthly_report does not exist!\n"
        '  Did you mean "sys_dict_data"?\n  \n'
        '  LINE 13:     select * from "w1"."raw"."district_monthly_report"\n'
        "                             ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^"
    )
    got = dbt_failures.model_error("model.eldercare.base_district__monthly_report", message)
    assert got == (
        "base_district__monthly_report: Catalog Error: "
        "Table with name district_monthly_report does not exist!"
    )


def test_generic_test_failures_read_as_sentences():
    manifest = json.loads((DBT_DIR / "target" / "manifest.json").read_text(encoding="utf-8"))
    nodes = {
        n["test_metadata"]["name"]: n
        for n in manifest["nodes"].values()
        if n["resource_type"] == "test" and n.get("test_metadata")
    }
    rel = dbt_failures.test_failure(nodes["relationships"], {"failures": 2})
    kwargs = nodes["relationships"]["test_metadata"]["kwargs"]
    assert rel.startswith(nodes["relationships"]["attached_node"].rsplit(".", 1)[-1])
    assert "2 rows point to no " in rel and rel.endswith(f".{kwargs['field']}")
    assert "ref(" not in rel
    assert dbt_failures.test_failure(nodes["not_null"], {"failures": 3}).endswith(
        ": 3 rows are NULL"
    )


def test_status_column_all_unknown_fails_with_its_values(tampered, warehouse_con):
    copy, error = tampered
    assert error is not None
    (orders,) = warehouse_con.execute(
        "select count(*) from raw.yl_work_order where nullif(trim(order_status), '') is not null"
    ).fetchone()
    reasons = dbt_failures.undecoded_statuses(Warehouse(str(copy)))
    assert len(reasons) == 1, reasons
    assert reasons[0].startswith(f"yl_work_order.order_status: none of its {orders:,} values")
    assert "'fertig'" in reasons[0] and "'erledigt'" in reasons[0]
