"""``eldercare cockpit --workers N``: the proxy pins each browser to one Streamlit worker.

First the proxy alone, against two small HTTP servers that say who they are; then the real
cockpit with two workers and two browsers, each logging in and downloading a table several
times (a download is a file in one worker's memory: a browser sent to the other worker would
get 404).
"""

from __future__ import annotations

import asyncio
import io
import re

import pandas as pd
from browser import Cockpit, chromium, cockpit_server, fonts_conf, free_port
from conftest import PASSWORD

from cockpit.proxy import COOKIE, Proxy


async def _backend(name: bytes, port_holder: list[int]) -> asyncio.AbstractServer:
    """An HTTP/1.1 server answering ``<name> <path>``; after ``Upgrade`` it echoes bytes."""

    async def handle(reader, writer):
        while True:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except asyncio.IncompleteReadError:
                break
            path = head.split(b" ")[1]
            if b"upgrade: echo" in head.lower():
                writer.write(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\n\r\n")
                while data := await reader.read(1024):
                    writer.write(name + b":" + data)
                    await writer.drain()
                break
            body = name + b" " + path
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
            await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port_holder.append(server.sockets[0].getsockname()[1])
    return server


async def _get(port: int, path: str, cookie: str | None = None) -> tuple[str, str | None]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    extra = f"Cookie: theme=dark; {COOKIE}={cookie}\r\n" if cookie is not None else ""
    writer.write(f"GET {path} HTTP/1.1\r\nHost: x\r\n{extra}\r\n".encode())
    head = (await reader.readuntil(b"\r\n\r\n")).decode()
    length = int(re.search(r"Content-Length: (\d+)", head).group(1))
    body = (await reader.readexactly(length)).decode()
    writer.close()
    pinned = re.search(rf"Set-Cookie: {COOKIE}=(\d+); Path=/; HttpOnly", head)
    return body, pinned.group(1) if pinned else None


async def _proxy_behaviour() -> None:
    ports: list[int] = []
    backends = [await _backend(b"w0", ports), await _backend(b"w1", ports)]
    proxy = Proxy(ports)
    started = asyncio.Event()
    port = free_port(8700)
    serving = asyncio.create_task(proxy.serve(port, started))
    await started.wait()
    try:
        # new browsers: round robin, each told by a cookie which worker it has
        first, second = await _get(port, "/a"), await _get(port, "/b")
        assert {first, second} == {("w0 /a", "0"), ("w1 /b", "1")}
        # a pinned browser stays with its worker, whatever the round robin says
        for path in ("/c", "/d", "/e"):
            assert await _get(port, path, cookie="1") == (f"w1 {path}", None)
        # a cookie naming a worker that no longer exists is a new browser
        body, pinned = await _get(port, "/f", cookie="7")
        assert pinned is not None and body == f"w{pinned} /f"
        # after an upgrade (websocket) bytes pass both ways untouched, on the pinned worker
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(f"GET /ws HTTP/1.1\r\nUpgrade: echo\r\nCookie: {COOKIE}=0\r\n\r\n".encode())
        head = await reader.readuntil(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 101") and b"Set-Cookie" not in head
        writer.write(b"ping")
        assert await reader.readexactly(7) == b"w0:ping"
        writer.close()
    finally:
        serving.cancel()
        for b in backends:
            b.close()


def test_proxy_pins_a_browser_to_its_worker() -> None:
    asyncio.run(_proxy_behaviour())


def test_two_workers_keep_each_browser_and_its_downloads(
    cockpit_warehouse, app_db_url, tmp_path_factory
) -> None:
    tmp = tmp_path_factory.mktemp("workers")
    fonts = fonts_conf(tmp / "fontconfig")
    with (
        cockpit_server(
            str(cockpit_warehouse), app_db_url, tmp / "server.log", free_port(8720), workers=2
        ) as url,
        chromium(fonts) as browser,
    ):
        workers = set()
        for user in ("leader", "county_440803"):
            cockpit = Cockpit(browser, url)
            try:
                visit = cockpit.open("overview", user, PASSWORD)
                assert not visit.exceptions and not visit.page_errors, visit
                cookie = {c["name"]: c["value"] for c in cockpit.context.cookies()}[COOKIE]
                workers.add(cookie)
                for _ in range(3):
                    with cockpit.page.expect_download() as download:
                        cockpit.page.get_by_role("button", name="下载 Excel").first.click()
                    ranking = pd.read_excel(io.BytesIO(download.value.path().read_bytes()))
                    assert "区域" in ranking.columns and len(ranking) > 0
            finally:
                cockpit.close()
        assert workers == {"0", "1"}, "two browsers, two workers"
