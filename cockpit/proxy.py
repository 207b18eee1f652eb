"""Spread cockpit users over several Streamlit processes: ``eldercare cockpit --workers N``.

Streamlit runs every session's script in one Python process, and Python runs one thread at a
time (the GIL), so one process uses about one core however many users wait. With N workers
this proxy listens on the cockpit's port and hands each browser to one worker.

A browser must stay on its worker: its session, the files it downloads (``/media/…``) and a
websocket that reconnects live in that worker's memory. The proxy pins it with a cookie
(``eldercare_worker``), set on the first response a browser gets without one, as nginx's
``sticky cookie`` does. Connections without the cookie (a first visit, a script) go round robin.

The proxy only reads the head of each connection's first request (and, for a new browser, of
the first response) and then copies bytes both ways, so websockets pass through untouched.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import re

COOKIE = "eldercare_worker"
_COOKIE_RE = re.compile(rb"(?im)^cookie:.*?\b" + COOKIE.encode() + rb"=(\d+)")
_HEAD_END = b"\r\n\r\n"
_HEAD_LIMIT = 64 * 1024
_CONNECT_SECONDS = 60  # workers start in a few seconds; a first request may arrive earlier


class Proxy:
    def __init__(self, worker_ports: list[int], host: str = "127.0.0.1") -> None:
        self.ports = worker_ports
        self.host = host
        self._next = itertools.cycle(range(len(worker_ports)))

    def worker_for(self, head: bytes) -> tuple[int, bool]:
        """(worker index, pinned by cookie) for a request head."""
        match = _COOKIE_RE.search(head)
        if match and int(match.group(1)) < len(self.ports):
            return int(match.group(1)), True
        return next(self._next), False

    async def handle(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter):
        try:
            head = await client_r.readuntil(_HEAD_END)
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            client_w.close()
            return
        worker, pinned = self.worker_for(head)
        upstream = await self._connect(worker)
        if upstream is None:
            client_w.write(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
            with contextlib.suppress(ConnectionError):
                await client_w.drain()
            client_w.close()
            return
        up_r, up_w = upstream
        try:
            up_w.write(head)
            to_worker = asyncio.create_task(_copy(client_r, up_w))  # a request body may follow
            if not pinned:
                await self._pin(up_r, client_w, worker)
            await asyncio.gather(to_worker, _copy(up_r, client_w))
        finally:
            for w in (up_w, client_w):
                w.close()

    async def _connect(self, worker: int):
        loop = asyncio.get_running_loop()
        deadline = loop.time() + _CONNECT_SECONDS
        while True:
            try:
                return await asyncio.open_connection(self.host, self.ports[worker])
            except OSError:
                if loop.time() > deadline:
                    return None
                await asyncio.sleep(0.2)

    @staticmethod
    async def _pin(up_r: asyncio.StreamReader, client_w: asyncio.StreamWriter, worker: int):
        """Pass the first response head on with the cookie that pins this browser."""
        with contextlib.suppress(asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            head = await up_r.readuntil(_HEAD_END)
            if not head.startswith(b"HTTP/1.1 101"):  # a websocket upgrade keeps its head
                cookie = f"Set-Cookie: {COOKIE}={worker}; Path=/; HttpOnly; SameSite=Strict"
                head = head[: -len(_HEAD_END)] + b"\r\n" + cookie.encode() + _HEAD_END
            client_w.write(head)

    async def serve(self, port: int, started: asyncio.Event | None = None) -> None:
        server = await asyncio.start_server(self.handle, self.host, port, limit=_HEAD_LIMIT)
        if started is not None:
            started.set()
        async with server:
            await server.serve_forever()


async def _copy(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(256 * 1024):
            writer.write(data)
            await writer.drain()
    except ConnectionError:
        pass
    finally:
        with contextlib.suppress(OSError, RuntimeError):
            if writer.can_write_eof():
                writer.write_eof()
