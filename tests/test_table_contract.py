"""One table list: ``migration.legacy_schema.TABLES`` (with the district exports' table) is the
contract, and every other copy follows it: the dbt source ``raw`` (``_sources.yml``), the
macro ``staging_base_models()``, one base and one staging model per table, each base model's
``has_del_flag`` (whether the legacy table has a del_flag column) and the raw suites."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from migration.district_exports import TABLE as DISTRICT_TABLE
from migration.legacy_schema import TABLES
from pipelines.dbt_project import DBT_DIR

RAW_TABLES = {*TABLES, DISTRICT_TABLE}


def drift(dbt_dir: Path) -> list[str]:
    """Every way the dbt project's copies of the table list differ from the contract."""
    out = []
    sources = yaml.safe_load((dbt_dir / "models/staging/_sources.yml").read_text("utf-8"))
    (raw,) = [s for s in sources["sources"] if s["name"] == "raw"]
    declared = {t["name"] for t in raw["tables"]}
    if declared != RAW_TABLES:
        out.append(f"_sources.yml: extra {declared - RAW_TABLES}, missing {RAW_TABLES - declared}")
    macro = (dbt_dir / "macros/staging/audit.sql").read_text("utf-8")
    body = re.search(r"set tables = \[(.*?)\]", macro, re.S).group(1)
    listed = set(re.findall(r"'(\w+)'", body))
    if listed != set(TABLES):
        out.append(
            f"staging_base_models(): extra {listed - set(TABLES)}, missing {set(TABLES) - listed}"
        )
    for table, spec in TABLES.items():
        base = dbt_dir / f"models/staging/base/base_legacy__{table}.sql"
        if (
            not (dbt_dir / f"models/staging/stg_legacy__{table}.sql").is_file()
            or not base.is_file()
        ):
            out.append(f"{table}: base or staging model missing")
            continue
        call = re.search(r"raw_bookkeeping\(([^)]*)\)", base.read_text("utf-8"))
        flagged = call is not None and "has_del_flag=false" not in call.group(1).replace(" ", "")
        has_column = "del_flag" in [c.name for c in spec.columns]
        if call is None or flagged != has_column:
            out.append(
                f"{base.name}: has_del_flag={flagged}, legacy table has del_flag: {has_column}"
            )
    return out


def test_the_dbt_project_follows_the_legacy_table_list() -> None:
    assert drift(DBT_DIR) == []


def test_every_raw_table_has_its_suite() -> None:
    from quality.raw_suites import SUITES

    assert {s.table for s in SUITES} == RAW_TABLES


@pytest.mark.parametrize(
    ("path", "old", "new"),
    [
        ("models/staging/_sources.yml", "      - name: yl_staff\n", "      - name: yl_staf\n"),
        ("macros/staging/audit.sql", "'yl_staff', ", ""),
        ("models/staging/base/base_legacy__yl_staff.sql", "raw_bookkeeping('r')",
         "raw_bookkeeping('r', has_del_flag=false)"),
    ],
)  # fmt: skip
def test_a_drifted_copy_is_caught(tmp_path, path, old, new) -> None:
    """The check itself can fail: each copy edited in a scratch copy of the project."""
    copy = tmp_path / "dbt"
    for part in ("models/staging", "macros/staging"):
        shutil.copytree(DBT_DIR / part, copy / part)
    text = (copy / path).read_text("utf-8")
    assert old in text
    (copy / path).write_text(text.replace(old, new, 1), "utf-8")
    assert drift(copy)
