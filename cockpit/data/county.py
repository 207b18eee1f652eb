"""Whose county a read is for: the value the database's row-level security filters on.

On PostgreSQL every read runs as the role ``eldercare_reader`` with the transaction-local
setting ``eldercare.county_code`` (``cockpit/data/core.py``); the policies return that county's
rows only, every county's for ``CITY``, none for ''. The value comes from the logged-in viewer
(``st.session_state["viewer"]``), never from the page's drill-down, which can only narrow it.
Code outside Streamlit (reports, benchmarks, tests) names its county with :func:`reading_as`;
without either, reads are for nobody and PostgreSQL returns no rows (fail closed). The value is
part of every cache key, so two counties never share a cached result.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import streamlit as st

from eldercare.row_security import CITY, setting_value

NOBODY = ""
# Permissions that read warehouse data; the administrators' (accounts, security, audit) do not.
_DATA_PERMISSIONS = (
    "business", "archives", "health", "quality", "lineage", "reports", "review", "overview",
    "inspection",
)  # fmt: skip
_reading_as: ContextVar[str | None] = ContextVar("eldercare_reading_as", default=None)

__all__ = ["CITY", "NOBODY", "county_scope", "reading_as"]


@contextmanager
def reading_as(county_code: str | None) -> Iterator[str]:
    """Reads in this block (this thread) are for ``county_code``; None: the whole city."""
    value = setting_value(county_code)
    token = _reading_as.set(value)
    try:
        yield value
    finally:
        _reading_as.reset(token)


def county_scope() -> str:
    """The value of ``eldercare.county_code`` for a read made now."""
    named = _reading_as.get()
    if named is not None:
        return named
    viewer = _session_viewer()
    if viewer is None:
        return NOBODY
    if viewer.county_code:
        return setting_value(viewer.county_code)
    return CITY if any(viewer.may(p) for p in _DATA_PERMISSIONS) else NOBODY


def _session_viewer():
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    if get_script_run_ctx(suppress_warning=True) is None:  # not in a Streamlit session
        return None
    return st.session_state.get("viewer")
