"""Masked contact details on the elder card, the audited unmask (one county user, one elder of
their county, a stated reason), the page-view and download rows of the audit log, and a
downloaded file holding no clear identifier and no other county.

Expectations come from this test's own SQL on ``restricted.elder_contact`` and the marts."""

from __future__ import annotations

import io
import json
import re

import pandas as pd
import pytest
from cockpit_helpers import CITY_VIEWER, county_viewer, run_page, sql

from cockpit import ui
from cockpit.data import archives, contact
from cockpit.scope import Scope, Viewer
from eldercare import audit
from eldercare.accounts import county_names
from eldercare.appdb import engine

COUNTY = "440803"
REASON = "电话回访核实服务"
CLEAR_ID = re.compile(r"(?<![0-9])[0-9]{17}[0-9X](?![0-9])")
CLEAR_MOBILE = re.compile(r"(?<![0-9])1[0-9]{10}(?![0-9])")
_CONTACT = (
    "select elder_code, name, id_card, phone, guardian_name, guardian_phone"
    " from restricted.elder_contact where {} and name is not null and length(name) >= 3"
    " and phone is not null and guardian_phone is not null order by elder_code limit 1"
)


@pytest.fixture(scope="module")
def own(cockpit_warehouse) -> dict:
    row = sql(cockpit_warehouse, _CONTACT.format("county_code = ?"), (COUNTY,))[0]
    return dict(zip(("code", "name", "id", "phone", "g_name", "g_phone"), row, strict=True))


@pytest.fixture(scope="module")
def foreign(cockpit_warehouse) -> str:
    return sql(cockpit_warehouse, _CONTACT.format("county_code <> ?"), (COUNTY,))[0][0]


def _text(at) -> str:
    kinds = ("markdown", "caption", "subheader", "info", "warning", "success", "error")
    parts = [str(e.value) for kind in kinds for e in getattr(at, kind)]
    return "\n".join(parts + [df.value.to_csv() for df in at.dataframe])


def _rows(app_db_url: str, event: str, username: str) -> pd.DataFrame:
    return audit.search(engine(app_db_url), events=[event], username=username)


def _submit(at, reason: str):
    at.text_input(key="unmask_reason").input(reason)
    return next(b for b in at.button if b.label == "查看明文").click().run()


def test_card_shows_contact_masked_and_unmask_is_audited(cockpit_env, app_db_url, own) -> None:
    viewer = county_viewer(COUNTY)
    at = run_page("archive_elders", viewer, elder=own["code"])
    assert not at.exception, at.exception
    text = _text(at)
    for clear in (own["name"], own["id"], own["phone"], own["g_phone"]):
        assert clear not in text
    masked_name = own["name"][0] + "*" * (len(own["name"]) - 2) + own["name"][-1]
    assert masked_name in text
    assert f"{own['phone'][:3]}****{own['phone'][-4:]}" in text
    assert not CLEAR_ID.search(text) and not CLEAR_MOBILE.search(text)

    before = len(_rows(app_db_url, "unmask", viewer.username))
    at = _submit(at, REASON)
    assert not at.exception, at.exception
    shown = " ".join(i.value for i in at.info)
    for clear in (own["name"], own["id"], own["phone"], own["g_name"], own["g_phone"]):
        assert clear in shown
    rows = _rows(app_db_url, "unmask", viewer.username)
    assert len(rows) == before + 1
    last = rows.iloc[0]
    assert (last["result"], last["county_code"], last["role"]) == (
        "success", COUNTY, "county_user",
    )  # fmt: skip
    assert json.loads(last["detail"]) == {"elder_code": own["code"], "reason": REASON}
    # the clear values are not kept: the next run of the page shows the masked card again
    at.run()
    assert own["phone"] not in _text(at)
    assert audit.verify(engine(app_db_url)).ok


def test_unmask_needs_a_reason(cockpit_env, app_db_url, own) -> None:
    viewer = county_viewer(COUNTY)
    at = _submit(run_page("archive_elders", viewer, elder=own["code"]), " 查看 ")
    assert any("请填写查看事由" in w.value for w in at.warning)
    assert own["phone"] not in _text(at)
    last = _rows(app_db_url, "unmask", viewer.username).iloc[0]
    assert last["result"] == "refused" and json.loads(last["detail"])["why"] == "reason"


def test_unmask_refuses_an_elder_of_another_county(cockpit_env, app_db_url, foreign) -> None:
    viewer = county_viewer(COUNTY)
    assert contact.unmask(viewer, foreign, REASON) is None
    last = _rows(app_db_url, "unmask", viewer.username).iloc[0]
    assert last["result"] == "refused"
    assert json.loads(last["detail"]) == {
        "elder_code": foreign, "reason": REASON, "why": "not in county",
    }  # fmt: skip
    # through the URL: no card, so no contact details and no form
    at = run_page("archive_elders", viewer, elder=foreign)
    assert not at.exception
    assert not [t for t in at.text_input if t.key == "unmask_reason"]
    assert contact.masked(Scope(COUNTY), foreign).empty


@pytest.mark.parametrize(
    "viewer", [CITY_VIEWER, Viewer("analyst", "分析员", "analyst", None)], ids=["city", "analyst"]
)
def test_only_county_users_may_unmask(cockpit_env, app_db_url, own, viewer) -> None:
    with pytest.raises(PermissionError):
        contact.unmask(viewer, own["code"], REASON)
    last = _rows(app_db_url, "unmask", viewer.username).iloc[0]
    assert (last["result"], json.loads(last["detail"])["why"]) == ("refused", "role")
    if viewer.may("archives"):  # the leader sees the masked card, without the form
        at = run_page("archive_elders", viewer, elder=own["code"])
        assert own["phone"] not in _text(at)
        assert not [t for t in at.text_input if t.key == "unmask_reason"]


def test_page_view_rows_name_page_scope_and_queries(cockpit_env, app_db_url) -> None:
    viewer = county_viewer("440881")
    before = len(_rows(app_db_url, "page_view", viewer.username))
    at = run_page("overview", viewer, county="440803")  # another county asked for: held
    assert not at.exception
    rows = _rows(app_db_url, "page_view", viewer.username)
    assert len(rows) > before
    detail = json.loads(rows.iloc[0]["detail"])
    assert (detail["page"], detail["county"]) == ("overview", "440881")
    assert len(detail["queries"]) >= 5 and detail["rows"] > 0
    sql_hash, param_hash, n = detail["queries"][0]
    assert re.fullmatch(r"[0-9a-f]{12}", sql_hash) and re.fullmatch(r"[0-9a-f]{16}", param_hash)
    assert "440881" not in rows.iloc[0]["detail"].replace('"county":"440881"', "")


def test_download_is_masked_scoped_and_audited(cockpit_env, app_db_url) -> None:
    """The elders list's xlsx as the download button builds it: no clear ID number or phone
    of anyone, no other county, and one audit row."""
    viewer = county_viewer(COUNTY)
    df = archives.search(Scope(COUNTY), archives.ElderQuery(), 1, page_size=500)
    data = ui._download(df, "老人档案_第1页", viewer, "elders", "10.1.2.3")
    back = pd.read_excel(io.BytesIO(data), dtype=str)
    assert len(back) == len(df) > 0
    clear = sql(
        cockpit_env,
        "select id_card, phone, guardian_phone from restricted.elder_contact",
    )
    secrets = {v for row in clear for v in row if v}
    cells = {str(v) for v in back.to_numpy().ravel() if not pd.isna(v)}
    assert not cells & secrets
    text = back.to_csv(index=False)
    assert not CLEAR_ID.search(text) and not CLEAR_MOBILE.search(text)
    assert set(back["county_name"]) == {county_names()[COUNTY]}
    last = _rows(app_db_url, "download", viewer.username).iloc[0]
    assert last["client"] == "10.1.2.3"
    assert json.loads(last["detail"]) == {
        "page": "elders", "file": "老人档案_第1页.xlsx", "rows": len(df),
    }  # fmt: skip
