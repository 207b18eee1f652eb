"""The real cockpit in the system Chromium: start the server, log in, wait, look, measure.

Used by ``test_browser.py`` and by ``benchmarks/cockpit_city.py`` (which puts this folder on
``sys.path``). Facts it relies on (``shared/tooling.md``): Playwright cannot download browsers
here, Debian's ``/usr/bin/chromium`` works with it; Chinese text needs a CJK font that
fontconfig can find, given here by a ``fonts.conf`` that adds the Noto Sans CJK SC of the
``mplfonts`` wheel to the system's configuration.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

CHROMIUM = "/usr/bin/chromium"
# swiftshader: WebGL (deck.gl maps) renders headless; no background networking of its own.
LAUNCH_ARGS = [
    "--no-sandbox",
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
    "--disable-background-networking",
]
CJK_FONT = "Noto Sans CJK SC"
LOCAL_SCHEMES = ("data", "blob", "about", "chrome-error")

# Streamlit's frontend, opened on a page's own URL (/overview), first probes
# /overview/_stcore/health and /overview/_stcore/host-config before the app's root: two 404s
# that Chromium logs as console errors (streamlit/streamlit#7074, open). Nothing else is excused.
_PROBE_404 = re.compile(r"/[\w-]+/_stcore/(health|host-config)$")

# Whether the script runs: Streamlit marks its root element (its own e2e tests wait on this).
_STATE_JS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  return app ? app.getAttribute('data-test-script-state') : null;
}"""
_FINISHED_JS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  return !!app && app.getAttribute('data-test-script-state') === 'notRunning'
    && app.getAttribute('data-test-connection-state') === 'CONNECTED'
    && !document.querySelector('input[aria-label="密码"]');
}"""
# A record of the script's states with their times, to time a page switch inside the page.
_WATCH_JS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  window.__states = [['start', performance.now()]];
  if (window.__watch) window.__watch.disconnect();
  // one callback may carry several changes (running and done within one task): each record's
  // old value keeps the states in between
  window.__watch = new MutationObserver((changes) => {
    for (const c of changes) window.__states.push([c.oldValue, performance.now()]);
    window.__states.push([app.getAttribute('data-test-script-state'), performance.now()]);
  });
  window.__watch.observe(app, {attributes: true, attributeOldValue: true,
                               attributeFilter: ['data-test-script-state']});
}"""
_RAN_JS = """() => {
  const s = window.__states, i = s.findIndex(x => x[0] === 'running');
  return i > 0 && s.slice(i).some(x => x[0] === 'notRunning');
}"""
_IDLE_JS = """() => document.querySelector('[data-testid="stApp"]')
  ?.getAttribute('data-test-script-state') === 'notRunning'"""
_ELAPSED_JS = """() => {
  const s = window.__states, done = s.filter(x => x[0] === 'notRunning');
  return (done[done.length - 1][1] - s[0][1]) / 1000;
}"""
# The navigation's links by their text content: a hidden sidebar (the wall) has no rendered
# text, and each link's text starts with its icon's name.
_CLICK_NAV_JS = """(title) => {
  const links = [...document.querySelectorAll('[data-testid="stSidebarNavLink"]')];
  const link = links.find(a => a.textContent.trim().endsWith(title));
  if (!link) return false;
  link.click();
  return true;
}"""
_NAV_JS = """() => document.querySelectorAll('[data-testid="stSidebarNavLink"]').length"""
_LOGGED_IN_JS = """() => [...document.querySelectorAll('button')].some(
  (b) => b.textContent.includes('退出登录'))"""
_FORM_OR_IN_JS = """() => !!document.querySelector('input[aria-label="动态口令"]')
  || [...document.querySelectorAll('button')].some((b) => b.textContent.includes('退出登录'))"""
# How tall the page really is: Streamlit scrolls inside its own main container.
_HEIGHT_JS = """() => {
  const bottom = (sel) => {
    const el = document.querySelector(sel);
    return el ? el.getBoundingClientRect().top + el.scrollHeight : 0;
  };
  const main = document.querySelector('[data-testid="stMain"]');
  return Math.max(bottom('[data-testid="stMainBlockContainer"]') + (main ? main.scrollTop : 0),
                  bottom('[data-testid="stSidebarContent"]'));
}"""
# Canvas check that CJK characters draw as distinct glyphs (tofu boxes are all alike).
_GLYPHS_JS = """(chars) => {
  const probe = document.querySelector('h1') || document.querySelector('[data-testid="stMain"]');
  const family = getComputedStyle(probe).fontFamily;
  const canvas = document.createElement('canvas');
  canvas.width = 64; canvas.height = 64;
  const g = canvas.getContext('2d', {willReadFrequently: true});
  const draw = (ch) => {
    g.clearRect(0, 0, 64, 64); g.fillStyle = '#000'; g.font = '48px ' + family;
    g.fillText(ch, 4, 52);
    const d = g.getImageData(0, 0, 64, 64).data;
    let h = 0, ink = 0;
    for (let i = 3; i < d.length; i += 4) { h = (h * 31 + d[i]) | 0; if (d[i]) ink++; }
    return h + ':' + ink;
  };
  return {family, glyphs: chars.map(draw), notdef: draw('\\u0378')};
}"""


SESSION_COOKIE = "eldercare_session"  # cockpit/session.py
_SESSIONS: dict[tuple[str, str], str] = {}  # (server, account) -> session token of its login
_LAST_STEP: dict[str, int] = {}  # account -> the last TOTP step this process used


def next_code(username: str) -> str:
    """The account's TOTP code for a step not used yet (the server accepts a code once and the
    step after the current one too), waiting for the clock when both are used."""
    from eldercare import mfa

    now = int(time.time()) // mfa.STEP
    step = max(now, _LAST_STEP.get(username, 0) + 1)
    while step > now + mfa.DRIFT:
        time.sleep(0.5)
        now = int(time.time()) // mfa.STEP
    _LAST_STEP[username] = step
    return mfa.code_at(mfa.demo_secret(username), step)


def free_port(start: int = 8616) -> int:
    for port in range(start, start + 200):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port from {start}")


def fonts_conf(folder: Path) -> Path:
    """A fontconfig file: the system's configuration plus Noto Sans CJK SC (mplfonts).

    Only that one font is linked in: the wheel's folder also holds SimHei, which carries no
    licence and must not be what screenshots show."""
    import mplfonts

    fonts = folder / "fonts"
    fonts.mkdir(parents=True, exist_ok=True)
    link = fonts / "NotoSansCJKsc-Regular.otf"
    if not link.exists():
        link.symlink_to(Path(mplfonts.__file__).parent / "fonts" / "NotoSansCJKsc-Regular.otf")
    conf = folder / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>'
        f"<dir>{fonts}</dir><cachedir>{folder / 'cache'}</cachedir></fontconfig>\n"
    )
    return conf


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
            return resp.status == 200
    except OSError:
        return False


@contextlib.contextmanager
def cockpit_server(
    warehouse: str, app_db: str, log: Path, port: int | None = None, workers: int = 1
):
    """``eldercare cockpit`` as a child process (own process group); yields its base URL."""
    port = port or free_port()
    eldercare = Path(sys.executable).parent / "eldercare"
    env = {**os.environ, "ELDERCARE_APP_DB": app_db}
    env.pop("ELDERCARE_WAREHOUSE", None)
    with log.open("w") as out:
        proc = subprocess.Popen(
            [
                str(eldercare),
                "cockpit",
                "--warehouse",
                str(warehouse),
                "--port",
                str(port),
                "--workers",
                str(workers),
            ],  # fmt: skip
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"cockpit exited ({proc.returncode}):\n{log.read_text()}")
            if _healthy(url):
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"cockpit did not answer on {url}:\n{log.read_text()}")
            time.sleep(0.3)
        yield url
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def launch(playwright, fonts: Path):
    return playwright.chromium.launch(
        executable_path=CHROMIUM,
        args=LAUNCH_ARGS,
        env={**os.environ, "FONTCONFIG_FILE": str(fonts)},
    )


def is_local(url: str, base: str) -> bool:
    parsed = urlparse(url)
    if parsed.scheme in LOCAL_SCHEMES:
        return True
    return parsed.hostname == urlparse(base).hostname == "127.0.0.1"


@dataclass
class Visit:
    """What one page load showed: timing, what went wrong, where the browser reached out."""

    path: str
    seconds: float = 0.0
    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)
    title: str | None = None

    def external(self, base: str) -> list[str]:
        return sorted({u for u in self.requests if not is_local(u, base)})


class Cockpit:
    """One browser page on the cockpit, reused across visits (each visit is a new session)."""

    def __init__(self, browser, base_url: str, width: int = 1600, height: int = 1000) -> None:
        self.base = base_url
        self.size = {"width": width, "height": height}
        self.context = browser.new_context(
            viewport={"width": width, "height": height},
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
        )
        # Nothing may leave this machine: record every request and refuse the foreign ones
        # (an offline machine would otherwise hang on them).
        self.context.route(
            "**/*",
            lambda route: (
                route.continue_() if is_local(route.request.url, self.base) else route.abort()
            ),
        )
        self.page = self.context.new_page()
        self.visit = Visit("")
        self.context.on("request", lambda r: self.visit.requests.append(r.url))
        self.page.on("websocket", lambda ws: self.visit.requests.append(ws.url))
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda e: self.visit.page_errors.append(str(e)))
        self._cdp = None

    def _console(self, msg) -> None:
        if msg.type != "error":
            return
        where = (msg.location or {}).get("url", "")
        if msg.text.startswith("Failed to load resource") and _PROBE_404.search(where):
            return
        self.visit.console_errors.append(f"{msg.text} ({where})" if where else msg.text)

    def close(self) -> None:
        self.context.close()

    # -- loading -------------------------------------------------------------------------------
    def open(
        self,
        path: str,
        username: str,
        password: str,
        *,
        size=None,
        timeout: float = 60,
        fresh_login: bool = False,
    ) -> Visit:
        """Load ``path`` fresh (a new Streamlit session) as ``username``, wait until the script
        is done; ``size`` the viewport (default the page's own).

        The first time in this process an account is used on this server (or with
        ``fresh_login``) it logs in through the form: password and the TOTP code computed from
        ``mfa.demo_secret(username)``, the secret the test accounts are enrolled with. Later
        loads bring that login's session cookie, as a person's reload does: a code is accepted
        once, so logging in again and again would wait for new 30-second steps."""
        self.visit = Visit(path)
        self.page.set_viewport_size(size or self.size)
        started = time.perf_counter()
        key = (self.base, username)
        self.context.clear_cookies(name=SESSION_COOKIE)
        if key in _SESSIONS and not fresh_login:
            self.context.add_cookies(
                [{"name": SESSION_COOKIE, "value": _SESSIONS[key], "url": self.base}]
            )
        self.page.goto(f"{self.base}/{path.lstrip('/')}")
        self.page.wait_for_function(_FORM_OR_IN_JS, timeout=timeout * 1000, polling=50)
        if self.page.evaluate(_LOGGED_IN_JS):
            self.wait_finished(timeout)
        else:
            self.log_in(username, password, timeout=timeout)
            _SESSIONS[key] = self.session_cookie(timeout)
        self.visit.seconds = time.perf_counter() - started
        self._collect()
        return self.visit

    def log_in(self, username: str, password: str, *, code: str | None = None,
               timeout: float = 60) -> None:  # fmt: skip
        """Fill the login form (the code: the account's next unused one) and wait until in."""
        self.page.get_by_label("用户名", exact=True).fill(username)
        self.page.get_by_label("密码", exact=True).fill(password)
        self.page.get_by_label("动态口令", exact=True).fill(code or next_code(username))
        self.page.get_by_role("button", name="登录").click()
        try:
            # the login run ends with a rerun; between the two the page is empty and idle, so
            # wait for what only a logged-in run draws (the logout button) before "finished"
            self.page.wait_for_function(_LOGGED_IN_JS, timeout=timeout * 1000, polling=50)
            self.wait_finished(timeout)
        except Exception:
            for refusal in ("用户名、密码或动态口令错误", "账号已锁定"):
                if self.page.get_by_text(refusal).count():
                    raise RuntimeError(f"{username} could not log in: {refusal}") from None
            raise

    def after(self, action, timeout: float = 60) -> None:
        """Do ``action`` (a click, a key) and wait until the script run it starts is over."""
        self.page.evaluate(_WATCH_JS)
        action()
        self.page.wait_for_function(_RAN_JS, timeout=timeout * 1000, polling=20)

    def submit_login(self, username: str, password: str, code: str) -> None:
        """One attempt at the login form, whatever its outcome."""
        self.page.get_by_label("用户名", exact=True).fill(username)
        self.page.get_by_label("密码", exact=True).fill(password)
        self.page.get_by_label("动态口令", exact=True).fill(code)
        try:
            self.after(lambda: self.page.get_by_role("button", name="登录").click(), timeout=15)
        except Exception:
            # a refusal that needs no password check (a locked account) can run and finish
            # between two observations of the page: then it is simply idle again
            self.page.wait_for_function(_IDLE_JS, timeout=30_000, polling=50)

    def session_cookie(self, timeout: float = 10) -> str:
        """The session token the page wrote into its cookie after the login."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for cookie in self.context.cookies(self.base):
                if cookie["name"] == SESSION_COOKIE:
                    return cookie["value"]
            time.sleep(0.1)
        raise TimeoutError("the page set no session cookie after the login")

    def navigate(self, title: str, timeout: float = 60) -> Visit:
        """Open another page of the same session through the navigation (no reload, no
        login), even where a page hides the sidebar (the wall); ``seconds`` is from the click
        to the end of the page's run, timed inside the page."""
        self.visit = Visit(title)
        self.page.evaluate(_WATCH_JS)
        if not self.page.evaluate(_CLICK_NAV_JS, title):
            # Streamlit folds a long navigation behind "View N more": unfold it, try again
            more = self.page.locator('[data-testid="stSidebarNavViewButton"]')
            if more.count() and "more" in (more.first.text_content() or ""):
                more.first.evaluate("b => b.click()")
                self.page.wait_for_timeout(300)
            if not self.page.evaluate(_CLICK_NAV_JS, title):
                raise RuntimeError(f"no navigation link {title}")
        self.page.wait_for_function(_RAN_JS, timeout=timeout * 1000, polling=20)
        self.wait_finished(timeout)
        self.visit.seconds = self.page.evaluate(_ELAPSED_JS)
        self._collect()
        return self.visit

    def logged_in(self) -> bool:
        return bool(self.page.evaluate(_NAV_JS)) and self.page.evaluate(_STATE_JS) is not None

    def wait_finished(self, timeout: float = 60, settle: float = 0.4) -> None:
        """Until the script has finished and stays finished for ``settle`` seconds (a login
        reruns the script, a deep link switches page once more)."""
        deadline = time.monotonic() + timeout
        while True:
            left = max(0.1, deadline - time.monotonic())
            self.page.wait_for_function(_FINISHED_JS, timeout=left * 1000, polling=50)
            calm_until = time.monotonic() + settle
            while time.monotonic() < calm_until and self.page.evaluate(_STATE_JS) == "notRunning":
                time.sleep(0.05)
            if time.monotonic() >= calm_until:
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.visit.path}: the script did not finish")

    def _collect(self) -> None:
        self.visit.exceptions = self.page.locator('[data-testid="stException"]').all_inner_texts()
        titles = self.page.locator("h1").all_inner_texts()
        self.visit.title = titles[0].strip() if titles else None

    @property
    def width(self) -> int:
        return self.page.viewport_size["width"]

    # -- what is on screen ---------------------------------------------------------------------
    def metrics(self) -> dict[str, str]:
        """``st.metric`` label → shown value (first occurrence of each label)."""
        out: dict[str, str] = {}
        for m in self.page.locator('[data-testid="stMetric"]').all():
            label = m.locator('[data-testid="stMetricLabel"]').inner_text().strip()
            value = m.locator('[data-testid="stMetricValue"]').inner_text().strip()
            out.setdefault(label, value)
        return out

    def platform_fonts(self, selector: str) -> dict[str, int]:
        """The fonts Chromium really drew an element's text with (family → glyph count)."""
        if self._cdp is None:
            self._cdp = self.context.new_cdp_session(self.page)
            self._cdp.send("DOM.enable")
            self._cdp.send("CSS.enable")
        root = self._cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
        node = self._cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})
        if not node.get("nodeId"):
            return {}
        fonts: dict[str, int] = {}
        # the text sits in descendants; ask for each of them
        nodes = [node["nodeId"]]
        self._cdp.send("DOM.requestChildNodes", {"nodeId": node["nodeId"], "depth": -1})
        ids = self._cdp.send("DOM.querySelectorAll", {"nodeId": node["nodeId"], "selector": "*"})
        nodes += ids["nodeIds"][:300]  # enough text to tell, few round trips
        for node_id in nodes:
            with contextlib.suppress(Exception):
                got = self._cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node_id})
                for f in got["fonts"]:
                    fonts[f["familyName"]] = fonts.get(f["familyName"], 0) + f["glyphCount"]
        return fonts

    def glyphs(self, chars: str = "湛江养老驾驶舱") -> dict:
        return self.page.evaluate(_GLYPHS_JS, list(chars))

    def screenshot(self, path: Path, *, width: int | None = None, height: int | None = None):
        """The whole page: the viewport grows to the page's height (Streamlit scrolls inside
        its own container, so Playwright's full_page alone would cut it)."""
        width = width or self.width
        if height is not None:
            self.page.set_viewport_size({"width": width, "height": height})
            self.page.wait_for_timeout(400)
        else:
            # tables and charts lay out again at the new size: grow until the height holds
            height = self.size["height"]
            for _ in range(4):
                self.page.set_viewport_size({"width": width, "height": height})
                self.page.wait_for_timeout(400)
                needed = min(max(height, int(self.page.evaluate(_HEIGHT_JS)) + 40), 12000)
                if needed <= height:
                    break
                height = needed
        path.parent.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(path), full_page=True)
        return path


@contextlib.contextmanager
def chromium(fonts: Path) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch(p, fonts)
        try:
            yield browser
        finally:
            browser.close()
