"""The cockpit's side of the audit trail (``eldercare/audit.py``): who is asking, from where.

One row per page run (``page_view``: the page, its scope and a fingerprint of every read the
run made, written once when the run ends), one per download and per unmask. ``detail`` holds
codes, counts and hashes of query parameters, never a person's identifiers.
"""

from __future__ import annotations

import hashlib
import threading

import streamlit as st

from cockpit.data import core
from cockpit.scope import Viewer, scope_for
from eldercare import audit
from eldercare.errors import EldercareError


def client_address() -> str | None:
    """The browser's address. Streamlit reports a peer on this machine as None: then the last
    address of ``X-Forwarded-For`` (the one the nearest proxy saw: ``--workers``, or the TLS
    reverse proxy, docs/security.md), else 127.0.0.1. A remote peer's header is not trusted."""
    try:
        ip = st.context.ip_address
        headers = st.context.headers
    except Exception:  # no script run context (a deferred download): unknown
        return None
    if ip is not None:
        return ip if isinstance(ip, str) else None  # AppTest hands out a mock
    if not headers:  # no browser behind this run
        return None
    forwarded = headers.get("X-Forwarded-For")
    if isinstance(forwarded, str) and forwarded.strip():
        return forwarded.split(",")[-1].strip()[:64]
    return "127.0.0.1"


def record(
    event: str,
    viewer: Viewer,
    result: str = "success",
    detail: dict | None = None,
    client: str | None = None,
) -> None:
    """One audit row for ``viewer``; raises if it cannot be written, so the action it records
    does not go ahead unrecorded."""
    audit.record(
        event,
        username=viewer.username,
        role=viewer.role,
        county_code=viewer.county_code,
        client=client or client_address(),
        result=result,
        detail=detail,
    )


_run = threading.local()  # the page of the script run on this thread


def begin_page(page: str) -> None:
    _run.page = page
    core.start_noting()


def current_page() -> str | None:
    return getattr(_run, "page", None)


def end_page(viewer: Viewer, result: str = "success") -> None:
    """The page_view row of this run: page, scope, and each distinct read as
    [hash of sql, hash of parameters, rows]."""
    page = current_page()
    seen: dict[tuple[str, str], int] = {}
    for sql, params, rows in core.noted():
        key = (_short(sql), audit.param_hash(params))
        seen[key] = max(rows, seen.get(key, 0))
    scope = scope_for(viewer, st.query_params.get("county"), st.query_params.get("town"))
    detail = {
        "page": page,
        "county": scope.county_code,
        "town": scope.town_code,
        "queries": [[q, p, n] for (q, p), n in seen.items()],
        "rows": sum(seen.values()),
    }
    try:
        record("page_view", viewer, result, detail)
    except EldercareError:
        st.error("审计日志无法写入，请联系系统管理员。")


def _short(sql: str) -> str:
    return hashlib.sha256(sql.encode()).hexdigest()[:12]


def download(viewer: Viewer, page: str, name: str, rows: int, client: str | None) -> None:
    """A file leaving the cockpit: which table, how many rows (called when it is built)."""
    record("download", viewer, "success", {"page": page, "file": name, "rows": rows}, client=client)
