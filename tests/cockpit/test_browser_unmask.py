"""Masking, unmasking and the audit trail in the real browser (one server, one Chromium):

- a county user's unmask on the elder card shows the clear values once and writes an audit
  row with the reason typed and the browser's address;
- the elders list's 下载 Excel, downloaded by the browser, holds no clear ID number or phone
  of anyone and no other county, and its download is in the audit log;
- the check of other counties in a page's text (``page_scope``) does find them on a city page.

(That every page a county user opens shows no other county is checked page by page in
``test_browser.py``.)"""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from browser import Cockpit, chromium, cockpit_server, fonts_conf, free_port
from cockpit_helpers import sql
from conftest import PASSWORD
from page_scope import other_counties, page_text

from eldercare import audit
from eldercare.appdb import engine

COUNTY = "440803"
USER = f"county_{COUNTY}"
REASON = "核实紧急联系人电话"
CLEAR_ID = re.compile(r"(?<![0-9])[0-9]{17}[0-9X](?![0-9])")
CLEAR_MOBILE = re.compile(r"(?<![0-9])1[0-9]{10}(?![0-9])")


@pytest.fixture(scope="module")
def cockpit(cockpit_warehouse, app_db_url, tmp_path_factory):
    log = tmp_path_factory.mktemp("security") / "cockpit-server.log"
    fonts = fonts_conf(tmp_path_factory.mktemp("fontconfig"))
    with (
        cockpit_server(str(cockpit_warehouse), app_db_url, log, free_port(8716)) as url,
        chromium(fonts) as browser,
    ):
        page = Cockpit(browser, url)
        yield page
        page.close()


@pytest.fixture(scope="module")
def own(cockpit_warehouse) -> dict:
    row = sql(
        cockpit_warehouse,
        "select elder_code, id_card, phone from restricted.elder_contact"
        " where county_code = ? and phone is not null order by elder_code desc limit 1",
        (COUNTY,),
    )[0]
    return dict(zip(("code", "id", "phone"), row, strict=True))


def test_unmask_in_the_browser_writes_its_audit_row(cockpit, app_db_url, own) -> None:
    cockpit.open(f"elders?elder={own['code']}", USER, PASSWORD)
    page = cockpit.page
    before = page_text(page)
    assert own["phone"] not in before and own["id"] not in before
    assert f"{own['phone'][:3]}****{own['phone'][-4:]}" in before

    page.get_by_label("查看明文的事由").fill(REASON)
    page.get_by_role("button", name="查看明文").click()
    # what the run after the click draws: the clear values in one notice
    page.locator('[data-testid="stAlert"]').filter(has_text=own["phone"]).wait_for(timeout=60_000)
    cockpit.wait_finished()
    after = page_text(page)
    assert own["phone"] in after and own["id"] in after

    last = audit.search(engine(app_db_url), events=["unmask"], username=USER).iloc[0]
    assert last["result"] == "success" and last["client"] == "127.0.0.1"
    assert json.loads(last["detail"]) == {"elder_code": own["code"], "reason": REASON}
    assert audit.verify(engine(app_db_url)).ok


def test_downloaded_xlsx_is_masked_scoped_and_audited(cockpit, cockpit_env, app_db_url) -> None:
    cockpit.open("elders", USER, PASSWORD)
    with cockpit.page.expect_download(timeout=60_000) as info:
        cockpit.page.get_by_role("button", name="下载 Excel").first.click()
    back = pd.read_excel(info.value.path(), dtype=str)
    assert len(back) > 0 and "长者码" in back.columns
    clear = sql(cockpit_env, "select id_card, phone, guardian_phone from restricted.elder_contact")
    cells = {str(v) for v in back.to_numpy().ravel() if not pd.isna(v)}
    assert not cells & {v for row in clear for v in row if v}
    text = back.to_csv(index=False)
    assert not CLEAR_ID.search(text) and not CLEAR_MOBILE.search(text)
    assert not other_counties(text, COUNTY)
    last = audit.search(engine(app_db_url), events=["download"], username=USER).iloc[0]
    assert json.loads(last["detail"]) == {
        "page": "elders", "file": f"{info.value.suggested_filename}", "rows": len(back),
    }  # fmt: skip


def test_the_county_check_sees_other_counties(cockpit) -> None:
    """The check ``test_browser.py`` runs on every county page can fail: the city's list of
    institutions, read as 霞山区's, shows other counties."""
    cockpit.open("institutions", "leader", PASSWORD)
    assert other_counties(page_text(cockpit.page), COUNTY)
