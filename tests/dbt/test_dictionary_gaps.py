"""audit.dictionary_gaps: every dictionary value the build could not decode, counted per column
and value, checked against a Python oracle over raw (the vendor's dictionary first, the seed's
as fallback; code or label; a zero-padded number is its code)."""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

from migration.inspect import dictionary_columns

ROOT = Path(__file__).resolve().parents[2]


def test_macro_lists_every_decoded_column():
    macro = (ROOT / "dbt/macros/staging/dictionary.sql").read_text(encoding="utf-8")
    listed = set(re.findall(r"\('(\w+)', '(\w+)', '(\w+)'\)", macro))
    parsed = {(t, c, d) for t, cols in dictionary_columns().items() for c, d in cols.items()}
    assert listed == parsed


def _dictionary(con) -> dict[str, set[str]]:
    known: dict[str, set[str]] = {}
    rows = con.execute("select dict_type, dict_value, dict_label from raw.sys_dict_data").fetchall()
    with (ROOT / "seeds/sys_dict_data.csv").open(encoding="utf-8", newline="") as f:
        rows += [(r["dict_type"], r["dict_value"], r["dict_label"]) for r in csv.DictReader(f)]
    for dtype, value, label in rows:
        if value and value.strip():
            known.setdefault(dtype.strip(), set()).add(value.strip())
            if label and label.strip():
                known[dtype.strip()].add(label.strip())
    with (ROOT / "dbt/seeds/dict_synonyms.csv").open(encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            word = r["synonym"].strip().lower()
            known[r["dict_type"]] |= {word, word.upper(), word[:1].upper() + word[1:]}
    return known


def test_english_and_legacy_words_decode_to_the_contract_codes(warehouse_con):
    sql = (
        "select lookup_value, dict_value from staging.base_legacy__dict_lookup"
        " where dict_type = ? and lookup_value in ('completed', 'COMPLETED', 'Completed',"
        " 'cancelled', 'Satisfied', '已完成')"
    )
    got = dict(warehouse_con.execute(sql, ["yl_order_status"]).fetchall())
    assert got == {
        "completed": "2", "COMPLETED": "2", "Completed": "2", "cancelled": "3", "已完成": "2",
    }  # fmt: skip
    assert dict(warehouse_con.execute(sql, ["yl_visit_result"]).fetchall()) == {"Satisfied": "满意"}


def test_gaps_equal_an_independent_count(warehouse_con):
    known = _dictionary(warehouse_con)
    expected: Counter = Counter()
    for table, cols in dictionary_columns().items():
        for col, dtype in cols.items():
            for (value,) in warehouse_con.execute(f"select {col} from raw.{table}").fetchall():
                v = (value or "").strip()
                if not v or v in known.get(dtype, set()):
                    continue
                if re.fullmatch(r"0+[0-9]+", v) and v.lstrip("0") in known.get(dtype, set()):
                    continue
                expected[(table, col, v)] += 1
    got = Counter(
        {
            (t, c, v): n
            for t, c, v, n in warehouse_con.execute(
                "select source_table, column_name, raw_value, value_rows from audit.dictionary_gaps"
            ).fetchall()
        }
    )
    assert got == expected
    # The default data's statuses decode: no status column is all unknown.
    statuses = warehouse_con.execute(
        "select count(*) from (select source_table, column_name from audit.dictionary_gaps"
        " where column_name like '%status' group by 1, 2"
        " having sum(value_rows) = max(column_rows))"
    ).fetchone()
    assert statuses == (0,)
