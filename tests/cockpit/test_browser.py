"""The cockpit in a real browser: every page a city, a county and an admin user may open.

One ``eldercare cockpit`` server on the tiny published warehouse and one headless Chromium for
the module. Each page is opened fresh from its own URL (a new Streamlit session: log in, land
on the page asked for) and checked for what a person would notice: a Streamlit exception, a
console error, a request leaving 127.0.0.1, Chinese drawn as boxes, numbers that disagree with
the marts. A screenshot of each page (1600 px wide, as tall as the page) is kept in
``data/test-artifacts/screenshots/``; the wall page also at 1920×1080.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import urlparse

import pytest
from browser import CJK_FONT, Cockpit, chromium, cockpit_server, fonts_conf, free_port
from cockpit_helpers import CITY_VIEWER, county_viewer, sql
from conftest import PASSWORD
from page_scope import other_counties, page_text

from cockpit import kpis
from cockpit.navigation import PAGES, pages_for
from cockpit.scope import Scope, Viewer
from eldercare.settings import REPO_ROOT

SCREENSHOTS = REPO_ROOT / "data" / "test-artifacts" / "screenshots"
COUNTY = "440803"
ADMIN = Viewer("admin", "管理员", "sysadmin", None)
SECADMIN = Viewer("secadmin", "安全管理员", "secadmin", None)
AUDITOR = Viewer("auditor", "审计管理员", "auditadmin", None)
VIEWERS = {"leader": CITY_VIEWER, f"county_{COUNTY}": county_viewer(COUNTY), "admin": ADMIN,
           "secadmin": SECADMIN, "auditor": AUDITOR}  # fmt: skip
PLACEHOLDER = "本页面正在建设中"
VISITS = [(user, spec) for user, viewer in VIEWERS.items() for spec in pages_for(viewer)]


@pytest.fixture(scope="module")
def screenshots() -> Path:
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    SCREENSHOTS.mkdir(parents=True)
    print(f"\nscreenshots: {SCREENSHOTS}")
    return SCREENSHOTS


@pytest.fixture(scope="module")
def cockpit(cockpit_warehouse, app_db_url, screenshots, tmp_path_factory):
    """The server and the browser page, shared by every test of this module."""
    log = screenshots.parent / "cockpit-server.log"
    fonts = fonts_conf(tmp_path_factory.mktemp("fontconfig"))
    with (
        cockpit_server(str(cockpit_warehouse), app_db_url, log, free_port(8616)) as url,
        chromium(fonts) as browser,
    ):
        page = Cockpit(browser, url)
        yield page
        page.close()


def _problems(cockpit: Cockpit) -> list[str]:
    visit = cockpit.visit
    found = [f"Streamlit exception: {e[:300]}" for e in visit.exceptions]
    found += [f"console error: {e[:300]}" for e in visit.console_errors]
    found += [f"page error: {e[:300]}" for e in visit.page_errors]
    found += [f"request off this machine: {u}" for u in visit.external(cockpit.base)]
    return found


def _chinese_renders(cockpit: Cockpit) -> list[str]:
    """The page's Chinese drawn with a CJK font: Chromium's own account of the fonts it used
    for the title (or the navigation), and distinct glyphs (boxes are all alike)."""
    found = []
    probe = "h1" if cockpit.visit.title else '[data-testid="stMain"]'
    fonts = cockpit.platform_fonts(probe)
    if not any(CJK_FONT in family for family in fonts):
        found.append(f"{probe} drawn without {CJK_FONT}: {fonts}")
    glyphs = cockpit.glyphs()
    drawn = glyphs["glyphs"]
    if len(set(drawn)) != len(drawn) or glyphs["notdef"] in drawn:
        found.append(f"Chinese characters draw as boxes in {glyphs['family']}")
    return found


def _scope(user: str) -> Scope:
    return Scope(VIEWERS[user].county_code)


def _kpi_mismatches(cockpit: Cockpit, scope: Scope) -> list[str]:
    """Every number shown under a KPI's label equals that KPI's SQL for the viewer's scope
    (the registry's definition; labels several KPIs share pass when one of them agrees)."""
    from cockpit.data import load_all
    from cockpit.data.core import scalar
    from cockpit.data.overview import reporting_month

    load_all()
    month = reporting_month()
    by_label: dict[str, list[kpis.Kpi]] = {}
    for kpi in kpis.KPIS.values():
        by_label.setdefault(kpi.label, []).append(kpi)
    found = []
    for label, shown in cockpit.metrics().items():
        if label not in by_label:
            continue
        expected = {k.format(scalar(*k.render(scope, month))) for k in by_label[label]}
        if shown not in expected:
            found.append(f"{label}: shown {shown!r}, SQL gives {sorted(expected)}")
    return found


def _visit(cockpit: Cockpit, user: str, spec):
    """The page as ``user``: through the navigation of the session already logged in as that
    user (as a person moves), else from the page's own URL with a login (a shared link)."""
    if getattr(cockpit, "user", None) == user and cockpit.logged_in():
        return cockpit.navigate(spec.title)
    visit = cockpit.open(spec.url_path, user, PASSWORD)
    cockpit.user = user
    return visit


@pytest.mark.parametrize(
    ("user", "spec"), VISITS, ids=[f"{user}-{spec.url_path}" for user, spec in VISITS]
)
def test_page_in_the_browser(cockpit, cockpit_env, screenshots, user, spec) -> None:
    visit = _visit(cockpit, user, spec)
    shot = cockpit.screenshot(screenshots / f"{user}_{spec.url_path}.png")
    problems = _problems(cockpit)
    landed = urlparse(cockpit.page.url).path.strip("/")
    default = pages_for(VIEWERS[user])[0].url_path  # Streamlit shows the first page as /
    if landed != spec.url_path and not (landed == "" and spec.url_path == default):
        problems.append(f"landed on /{landed}, not on the page asked for")
    if cockpit.page.get_by_text(PLACEHOLDER).count():
        problems.append("the page is still a placeholder")
    problems += _chinese_renders(cockpit)
    problems += _kpi_mismatches(cockpit, _scope(user))
    if VIEWERS[user].county_code:  # a county user's page shows no other county
        problems += other_counties(page_text(cockpit.page), VIEWERS[user].county_code)
    print(f"{user} /{spec.url_path}: {visit.seconds:.1f} s, {len(visit.requests)} requests, {shot}")
    assert not problems, f"{user} /{spec.url_path}:\n" + "\n".join(problems)


def _expected(path: Path, county: str | None) -> dict[str, str]:
    """The overview's key numbers by this test's own SQL on the marts."""
    where, params = ("county_code = ?", (county,)) if county else ("true", ())
    elders = sql(
        path,
        f"select count(*) from marts.dim_elder where is_live and not is_deceased and {where}",
        params,
    )[0][0]
    institutions = sql(
        path,
        f"select count(*) from marts.dim_org where is_live and org_type = '养老机构' and {where}",
        params,
    )[0][0]
    area = (
        ("area_level = 'county' and area_code = ?", (county,))
        if county
        else (
            "area_level = 'city'",
            (),
        )
    )
    orders = sql(
        path,
        "select sum(work_orders) from marts.agg_area_monthly where month_start = (select"
        " max(month_start) from marts.agg_area_monthly where work_orders > 0)"
        f" and {area[0]}",
        area[1],
    )[0][0]
    return {
        "老年人总数": f"{elders:,} 人",
        "养老机构": f"{institutions:,} 家",
        "本月工单": f"{int(orders or 0):,} 单",
    }


@pytest.mark.parametrize(
    ("user", "query", "county"),
    [
        ("leader", "", None),
        ("leader", "?county=440881", "440881"),
        (f"county_{COUNTY}", "", COUNTY),
        (f"county_{COUNTY}", "?county=440881", COUNTY),  # another county asked for: their own
    ],
)
def test_overview_numbers_equal_sql(cockpit, cockpit_warehouse, user, query, county) -> None:
    cockpit.open(f"overview{query}", user, PASSWORD)
    cockpit.user = None
    # a county user's first run puts the county into the URL and reruns: under load the idle
    # moment between the two runs can pass for "finished", so wait for the numbers themselves
    cockpit.page.locator('[data-testid="stMetric"]').first.wait_for(timeout=60_000)
    cockpit.wait_finished()
    shown = cockpit.metrics()
    expected = _expected(cockpit_warehouse, county)
    assert {k: shown.get(k) for k in expected} == expected
    assert not _problems(cockpit)


def test_a_shared_link_opens_its_page_and_area_after_login(cockpit) -> None:
    """A link to a page with its area (?county=) opens that page and area once logged in."""
    spec = next(p for p in pages_for(CITY_VIEWER) if p.url_path != "overview")
    cockpit.open(f"{spec.url_path}?county=440881", "leader", PASSWORD)
    cockpit.user = None
    url = urlparse(cockpit.page.url)
    assert (url.path.strip("/"), url.query) == (spec.url_path, "county=440881")
    assert not _problems(cockpit)


def test_county_user_sees_no_other_county_in_the_selector(cockpit) -> None:
    cockpit.open("overview?county=440881", f"county_{COUNTY}", PASSWORD)
    cockpit.user = None
    county = cockpit.page.get_by_label("县区")
    assert county.input_value() == "霞山区"
    assert county.is_disabled()


@pytest.mark.skipif(
    not any(p.url_path == "wall" for p in PAGES), reason="no wall page in navigation"
)
def test_wall_at_1920x1080(cockpit, screenshots) -> None:
    """The wall display (大屏) as the guidance centre's screens show it: one 1920×1080 screen."""
    cockpit.open("wall", "leader", PASSWORD, size={"width": 1920, "height": 1080})
    cockpit.user = None
    cockpit.page.wait_for_timeout(500)
    shot = screenshots / "wall_1920x1080.png"
    cockpit.page.screenshot(path=str(shot))
    print(f"wall: {shot}")
    assert not _problems(cockpit)
    height = cockpit.page.evaluate(
        "() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight"
    )
    assert height <= 1080 + 40, f"the wall needs scrolling at 1920×1080 ({height} px)"
