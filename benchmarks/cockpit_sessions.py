"""Concurrent cockpit sessions for ``benchmarks/cockpit_city.py``.

All sessions log in at the same moment (the login form, then the overview: the ``login`` step);
when every session is in, all of them at once open another page and then the overview again
(the page steps). A step is timed from the request to the end of the script run ("Streamlit
finished running"). The target is about the page steps, what people at 20 screens do all day;
the login step is reported on its own: it is dominated by the deliberately slow password hash
(argon2id, ~0.16 CPU seconds each), and 20 people rarely log in within the same second.
Two ways to be a user:

- ``websocket`` (default): Streamlit's own protocol (``/_stcore/stream``, protobuf ``BackMsg``
  and ``ForwardMsg``), as the frontend speaks it: the login form's widgets are filled by id and
  submitted, pages are opened by their script hash. This measures the server, which is what a
  target for 20 users on their own machines is about: 20 browsers on this 2-core machine would
  measure their own rendering instead;
- ``browser``: that many headless Chromium contexts at once (client rendering included).
"""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

STEP_TIMEOUT = 180


def _pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


# -- Streamlit's websocket protocol ------------------------------------------------------------
class _Run:
    """What one script run sent: its elements, the navigation, how it ended."""

    def __init__(self) -> None:
        self.elements: list = []
        self.navigation = None
        self.exceptions: list[str] = []


async def _until_finished(ws) -> _Run:
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    run = _Run()
    while True:
        msg = ForwardMsg()
        msg.ParseFromString(await ws.recv())
        kind = msg.WhichOneof("type")
        if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            element = msg.delta.new_element
            run.elements.append(element)
            if element.WhichOneof("type") == "exception":
                run.exceptions.append(element.exception.message[:200])
        elif kind == "navigation":
            run.navigation = msg.navigation
        elif kind == "script_finished" and msg.script_finished in (
            ForwardMsg.FINISHED_SUCCESSFULLY,
            ForwardMsg.FINISHED_WITH_COMPILE_ERROR,
        ):
            return run


def _rerun(page_name: str = "", page_script_hash: str = "", widgets=()) -> bytes:
    from streamlit.proto.BackMsg_pb2 import BackMsg

    back = BackMsg()
    rerun = back.rerun_script
    rerun.query_string = ""
    rerun.page_name = page_name
    rerun.page_script_hash = page_script_hash
    for widget_id, field, value in widgets:
        state = rerun.widget_states.widgets.add()
        state.id = widget_id
        setattr(state, field, value)
    return back.SerializeToString()


async def _ws_session(
    url: str, n: int, user: str, password: str, second: str, all_in: asyncio.Barrier
) -> dict:
    import websockets

    steps: dict[str, float] = {}
    errors: list[str] = []
    waited = False
    stream = url.replace("http://", "ws://") + "/_stcore/stream"
    try:
        async with websockets.connect(stream, subprotocols=["streamlit"], max_size=None) as ws:
            started = time.perf_counter()
            await ws.send(_rerun("overview"))
            login = await asyncio.wait_for(_until_finished(ws), STEP_TIMEOUT)
            ids = {}
            for e in login.elements:
                kind = e.WhichOneof("type")
                if kind == "text_input":
                    ids[e.text_input.label] = e.text_input.id
                elif kind == "button":
                    ids["登录"] = e.button.id
            widgets = (
                (ids["用户名"], "string_value", user),
                (ids["密码"], "string_value", password),
                (ids["登录"], "trigger_value", True),
            )
            await ws.send(_rerun("overview", widgets=widgets))
            overview = await asyncio.wait_for(_until_finished(ws), STEP_TIMEOUT)
            steps["login"] = time.perf_counter() - started
            errors += overview.exceptions
            if overview.navigation is None:
                raise RuntimeError("no navigation after login (wrong password?)")
            # the default page (the overview) has an empty path
            hashes = {
                p.url_pathname or "overview": p.page_script_hash
                for p in overview.navigation.app_pages
            }
            waited = True
            await asyncio.wait_for(all_in.wait(), STEP_TIMEOUT)
            for path in (second, "overview"):
                started = time.perf_counter()
                await ws.send(_rerun(path, hashes[path]))
                run = await asyncio.wait_for(_until_finished(ws), STEP_TIMEOUT)
                steps[path] = time.perf_counter() - started
                errors += run.exceptions
    except Exception as exc:
        errors.append(f"{type(exc).__name__}: {str(exc)[:200]}")
        if not waited:
            await all_in.abort()  # the others would wait for this session forever
    return {"session": n, "user": user, "steps": steps, "errors": errors}


# -- browsers ----------------------------------------------------------------------------------
async def _browser_session(chromium, url: str, n: int, user: str, password: str, second: str):
    import browser

    context = await chromium.new_context(viewport={"width": 1600, "height": 1000})
    page = await context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    steps: dict[str, float] = {}
    try:
        started = time.perf_counter()
        await page.goto(f"{url}/overview")
        await page.get_by_label("用户名").fill(user)
        await page.get_by_label("密码").fill(password)
        await page.get_by_role("button", name="登录").click()
        await page.wait_for_function(browser._FINISHED_JS, timeout=STEP_TIMEOUT * 1000)
        steps["login"] = time.perf_counter() - started
        started = time.perf_counter()
        await page.evaluate(browser._WATCH_JS)
        await page.locator(f'[data-testid="stSidebarNavLink"][href$="/{second}"]').click()
        await page.wait_for_function(browser._RAN_JS, timeout=STEP_TIMEOUT * 1000)
        await page.wait_for_function(browser._FINISHED_JS, timeout=STEP_TIMEOUT * 1000)
        steps[second] = time.perf_counter() - started
        errors += await page.locator('[data-testid="stException"]').all_inner_texts()
    except Exception as exc:
        errors.append(f"{type(exc).__name__}: {str(exc)[:200]}")
    finally:
        await context.close()
    # Streamlit's own probe of /<page>/_stcore/* (streamlit/streamlit#7074) is not an error here
    errors = [e for e in errors if "404" not in e]
    return {"session": n, "user": user, "steps": steps, "errors": errors}


async def _all(url: str, mode: str, fonts: Path, users: list[tuple[str, str]], seconds, n):
    if mode == "websocket":
        all_in = asyncio.Barrier(n)
        return await asyncio.gather(
            *(
                _ws_session(url, i, *users[i % len(users)], seconds[i % len(seconds)], all_in)
                for i in range(n)
            )
        )
    import browser
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        chromium = await p.chromium.launch(
            executable_path=browser.CHROMIUM,
            args=browser.LAUNCH_ARGS,
            env={**os.environ, "FONTCONFIG_FILE": str(fonts)},
        )
        try:
            return await asyncio.gather(
                *(
                    _browser_session(
                        chromium, url, i, *users[i % len(users)], seconds[i % len(seconds)]
                    )
                    for i in range(n)
                )
            )
        finally:
            await chromium.close()


def run(
    url: str, sessions: int, users: list[tuple[str, str]], seconds: list[str], *, mode: str,
    fonts: Path | None = None,
) -> dict:  # fmt: skip
    """``sessions`` users at once (alternating ``users``): the login step, then (websocket)
    one of ``seconds`` (URL paths) and the overview again, or (browser) one of ``seconds``;
    p50/p95 of the page steps, the login step on its own, and errors."""
    started = time.perf_counter()
    results = asyncio.run(_all(url, mode, fonts, users, seconds, sessions))
    pages = [t for r in results for step, t in r["steps"].items() if step != "login"]
    logins = [r["steps"]["login"] for r in results if "login" in r["steps"]]
    expected = 3 if mode == "websocket" else 2

    def pct(samples: list[float], q: float) -> float | None:
        return round(_pct(samples, q), 2) if samples else None

    return {
        "mode": mode,
        "sessions": sessions,
        "complete": sum(1 for r in results if len(r["steps"]) == expected and not r["errors"]),
        "wall_s": round(time.perf_counter() - started, 1),
        "p50_s": pct(pages, 0.5),
        "p95_s": pct(pages, 0.95),
        "max_s": round(max(pages), 2) if pages else None,
        "login_p50_s": pct(logins, 0.5),
        "login_p95_s": pct(logins, 0.95),
        "by_page_p95_s": {
            page: pct([r["steps"][page] for r in results if page in r["steps"]], 0.95)
            for page in sorted({p for r in results for p in r["steps"]})
        },
        "errors": {r["session"]: r["errors"] for r in results if r["errors"]},
    }
