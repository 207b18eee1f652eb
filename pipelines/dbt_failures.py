"""Why a dbt build failed, in words, for the CLI's last line.

Dagster's step failure for ``dbt build`` only says that dbt exited non-zero, and the first
failed asset check may be a warning. dbt itself knows what broke: its ``run_results.json`` (in
the invocation's target folder) names each model that errored and each test that failed with
error severity. Each becomes one sentence: a model's database error (its ``Catalog Error:``
line, never the caret line under the SQL), a generic test as "column: N rows ...", and the
staging reconciliation test as the unbalanced equation itself, read from the warehouse.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from pipelines.dbt_project import DBT_DIR

_ERROR_LINE = re.compile(r"\b(\w+ Error|Error):\s*(.+)")
RECONCILIATION_TEST = "assert_staging_reconciliation_balances"
STATUS_TEST = "assert_status_columns_decode"


def run_results(run_id: str, target_root: Path = DBT_DIR / "target") -> dict[str, Any] | None:
    """run_results.json of the dagster-dbt invocation of Dagster run ``run_id``."""
    found = sorted(
        target_root.glob(f"eldercare_dbt-{run_id[:7]}-*/run_results.json"),
        key=lambda p: p.stat().st_mtime,
    )
    return json.loads(found[-1].read_text(encoding="utf-8")) if found else None


def reasons(run_id: str, warehouse: Any = None) -> list[str]:
    """One sentence per model error and per failed error-severity test of the run."""
    results = run_results(run_id)
    if not results:
        return []
    manifest_path = DBT_DIR / "target" / "manifest.json"
    nodes = json.loads(manifest_path.read_text(encoding="utf-8"))["nodes"]
    out = []
    for result in results.get("results", []):
        status, uid = result.get("status"), result.get("unique_id", "")
        if status == "error":
            out.append(model_error(uid, result.get("message") or ""))
        elif status == "fail":
            node = nodes.get(uid, {})
            if node.get("name") == RECONCILIATION_TEST and warehouse is not None:
                out += unbalanced(warehouse) or [test_failure(node, result)]
            elif node.get("name") == STATUS_TEST and warehouse is not None:
                out += undecoded_statuses(warehouse) or [test_failure(node, result)]
            else:
                out.append(test_failure(node, result))
    return out


def model_error(unique_id: str, message: str) -> str:
    """'base_x: Catalog Error: Table with name y does not exist!' from dbt's message."""
    name = unique_id.rsplit(".", 1)[-1]
    for line in message.splitlines():
        line = line.strip()
        if line.startswith(("Runtime Error in", "Database Error in", "Compilation Error in")):
            continue
        if match := _ERROR_LINE.search(line):
            return f"{name}: {match.group(1)}: {match.group(2)}"
    first = next((ln.strip() for ln in message.splitlines() if ln.strip()), "failed")
    return f"{name}: {first}"


def test_failure(node: dict[str, Any], result: dict[str, Any]) -> str:
    """A failed test in words: the model, the column, how many rows and what is wrong."""
    n = result.get("failures")
    meta = node.get("test_metadata") or {}
    kwargs = meta.get("kwargs") or {}
    model = (node.get("attached_node") or "").rsplit(".", 1)[-1]
    column = kwargs.get("column_name") or node.get("column_name")
    where = f"{model}.{column}" if model and column else model or node.get("name", "test")
    rows = f"{n} rows" if n is not None else "rows"
    kind = meta.get("name")
    if kind == "not_null":
        return f"{where}: {rows} are NULL"
    if kind == "unique":
        return f"{where}: {rows} hold a value that is not unique"
    if kind == "relationships":
        to = re.sub(r"ref\('([^']+)'\)", r"\1", str(kwargs.get("to", "")))
        return f"{where}: {rows} point to no {to}.{kwargs.get('field')}"
    if kind == "accepted_values":
        return f"{where}: {rows} hold a value outside {kwargs.get('values')}"
    what = node.get("description") or "failing rows"
    return f"test {node.get('name', '?')} failed on {rows}: {what}"


def unbalanced(warehouse: Any) -> list[str]:
    """The staging reconciliation's broken equations, counted by the warehouse."""
    sql = (
        "select r.source_table, r.source_rows, r.loaded_rows, r.quarantined_rows,"
        " r.deleted_rows, coalesce(q.n, 0) from audit.staging_reconciliation r"
        " left join (select source_table, count(*) as n from audit.staging_quarantine"
        " group by 1) q on q.source_table = r.source_table"
        " where r.source_rows <> r.loaded_rows + r.quarantined_rows + r.deleted_rows"
        " or r.quarantined_rows < coalesce(q.n, 0) order by 1"
    )
    try:
        with warehouse.connect() as conn:
            rows = conn.execute(sql)
    except Exception:  # the explanation must never hide the failure it explains
        return []
    return [
        f"staging reconciliation does not balance for {t}: {s} source rows = {lo} loaded + "
        f"{qr} quarantined + {d} deleted (quarantine holds {qn})"
        for t, s, lo, qr, d, qn in rows
    ]


def undecoded_statuses(warehouse: Any) -> list[str]:
    """Status columns none of whose values any dictionary decodes, with the values seen."""
    sql = (
        "select source_table, column_name, raw_value, value_rows, column_rows"
        " from audit.dictionary_gaps where column_name like '%status'"
        " order by source_table, column_name, value_rows desc, raw_value"
    )
    try:
        with warehouse.connect() as conn:
            rows = conn.execute(sql)
    except Exception:  # the explanation must never hide the failure it explains
        return []
    columns: dict[tuple[str, str], list[tuple[str, int, int]]] = {}
    for table, column, value, n, total in rows:
        columns.setdefault((table, column), []).append((value, int(n), int(total)))
    out = []
    for (table, column), values in columns.items():
        total = values[0][2]
        if sum(n for _, n, _ in values) != total:
            continue
        seen = ", ".join(f"{v!r} {n:,}" for v, n, _ in values[:5])
        out.append(
            f"{table}.{column}: none of its {total:,} values is in the vendor's dictionary"
            f" or ours ({seen}); map them in sys_dict_data (audit.dictionary_gaps lists them)"
        )
    return out
