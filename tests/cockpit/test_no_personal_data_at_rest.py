"""No personal data and no code secret left where they do not belong (issue 15, item 6): after
the demo's own steps — ``eldercare build`` and ``eldercare check --docs`` through the command
line, then the cockpit in Chromium with a county user who opens an elder's card and unmasks
the contact details for a stated reason — no file of the run's logs, Dagster storage, data docs,
application database, ``dbt/target``, ``dbt/logs`` or the temporary folder holds a clear ID
number or phone of the legacy data, or the code secret.

The needles are the legacy database's own values (every ID number and phone of elders, staff,
the death registry and organisations' contacts), so nothing but a real copy matches. The
warehouse file is not scanned: its ``raw`` and ``restricted`` schemas hold the clear values by
design (docs/security.md).
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest
from browser import Cockpit, chromium, cockpit_server, fonts_conf, free_port
from cockpit_helpers import sql
from conftest import PASSWORD, add_ready_account

from eldercare.appdb import engine
from pipelines.dbt_project import DBT_DIR

ELDERCARE = str(Path(sys.executable).with_name("eldercare"))
_CANDIDATE = re.compile(rb"(?<![0-9])(?:[0-9]{17}[0-9Xx]|[0-9]{15}|1[0-9]{10})(?![0-9Xx])")
_PERSONAL = {
    "yl_elder": ("id_card", "phone", "guardian_phone"),
    "yl_staff": ("id_card", "phone"),
    "yl_death_registry": ("id_card",),
    "yl_org": ("contact_phone",),
}
_NOT_SCANNED = {".duckdb", ".wal"}  # the warehouse: raw and restricted hold clear values


def _needles(legacy_db: Path) -> set[bytes]:
    con = sqlite3.connect(legacy_db)
    try:
        found: set[bytes] = set()
        for table, columns in _PERSONAL.items():
            for column in columns:
                for (value,) in con.execute(f"select {column} from {table}"):
                    text = re.sub(r"\s", "", str(value or "")).upper()
                    if re.fullmatch(r"[0-9]{17}[0-9X]|[0-9]{15}|1[0-9]{10}", text):
                        found.add(text.encode())
        return found
    finally:
        con.close()


def _files(*roots: Path, since: float) -> list[Path]:
    out = []
    for root in roots:
        if not root.exists():
            continue
        for path in root.rglob("*") if root.is_dir() else [root]:
            if path.is_file() and path.suffix not in _NOT_SCANNED and path.stat().st_mtime >= since:
                out.append(path)
    return out


def _leaks(files: list[Path], needles: set[bytes], secret: bytes) -> list[str]:
    leaks = []
    for path in files:
        data = path.read_bytes()
        if secret in data:
            leaks.append(f"{path}: the code secret")
        hits = {m.group(0).upper() for m in _CANDIDATE.finditer(data)} & needles
        if hits:
            leaks.append(f"{path}: {len(hits)} ID numbers or phones")
    return leaks


def _open_and_unmask(cockpit: Cockpit, warehouse: Path, county: str) -> None:
    """What a county user does with personal data: open the elders list and download it, open
    one elder's card and unmask the contact details for a reason."""
    code, phone = sql(
        warehouse,
        "select elder_code, phone from restricted.elder_contact"
        " where county_code = ? and phone is not null order by elder_code limit 1",
        (county,),
    )[0]
    cockpit.open("elders", "scan_county", PASSWORD)
    with cockpit.page.expect_download(timeout=60_000):
        cockpit.page.get_by_role("button", name="下载 Excel").first.click()
    cockpit.open(f"elders?elder={code}", "scan_county", PASSWORD)
    cockpit.page.get_by_label("查看明文的事由").fill("电话回访核实")
    cockpit.page.get_by_role("button", name="查看明文").click()
    alert = cockpit.page.locator('[data-testid="stAlert"]').filter(has_text=phone)
    alert.wait_for(timeout=60_000)  # the clear value reached the browser, and only it


def _run(args: list[str], env: dict, log: Path) -> None:
    with log.open("ab") as out:
        proc = subprocess.run(args, env=env, stdout=out, stderr=subprocess.STDOUT, check=False)
    assert proc.returncode == 0, log.read_text(errors="replace")[-3000:]


@pytest.mark.timeout(1500)
def test_no_personal_data_or_secret_left_after_the_demo(tiny_legacy, tmp_path) -> None:
    started = time.time() - 1
    secret = f"scan-secret-{uuid.uuid4().hex}"
    warehouse = tmp_path / "warehouse.duckdb"
    app_db = f"sqlite:///{tmp_path / 'app.sqlite'}"
    env = {**os.environ, "ELDERCARE_CODE_SECRET": secret, "ELDERCARE_APP_DB": app_db,
           "ELDERCARE_DAGSTER_HOME": str(tmp_path / "dagster_home"),
           "ELDERCARE_WAREHOUSE": str(warehouse)}  # fmt: skip
    log = tmp_path / "demo.log"
    _run([ELDERCARE, "build", "--legacy", tiny_legacy.url, "--legacy",
          str(tiny_legacy.exports_dir), "--warehouse", str(warehouse)], env, log)  # fmt: skip
    _run([ELDERCARE, "check", "--warehouse", str(warehouse), "--docs",
          str(tmp_path / "data_docs")], env, log)  # fmt: skip

    county = "440803"
    add_ready_account(engine(app_db), "scan_county", "county_user", county, "扫描用户")
    with (
        pytest.MonkeyPatch.context() as mp,
        chromium(fonts_conf(tmp_path / "fontconfig")) as browser,
    ):
        mp.setenv("ELDERCARE_CODE_SECRET", secret)
        with cockpit_server(
            str(warehouse), app_db, tmp_path / "cockpit.log", free_port(8951)
        ) as base:
            page = Cockpit(browser, base)
            try:
                _open_and_unmask(page, warehouse, county)
            finally:
                page.close()

    needles = _needles(tiny_legacy.db_path)
    assert len(needles) > 100, "the legacy data has ID numbers and phones to look for"
    temp = Path(tempfile.gettempdir())
    scanned = _files(tmp_path, DBT_DIR / "target", DBT_DIR / "logs", since=started)
    # the temporary folder, but not pytest's: this test's own is scanned above, other tests'
    # hold their own generated data
    scanned += [p for p in _files(temp, since=started) if not p.is_relative_to(tmp_path.parents[1])]
    names = {p.name for p in scanned}
    assert {"demo.log", "cockpit.log", "app.sqlite"} <= names, sorted(names)[:20]
    assert any("dagster_home" in str(p) for p in scanned) and any(
        "data_docs" in str(p) for p in scanned
    )
    assert _leaks(scanned, needles, secret.encode()) == []
