"""The cockpit's entry point: ``streamlit run cockpit/app.py`` (or ``eldercare cockpit``).

Nothing but the login form shows until a viewer has logged in with both factors and holds a
live server-side session (``cockpit/session.py``); the navigation then holds only
the pages the viewer's role may open (``cockpit/navigation.py``).
"""

from __future__ import annotations

import sys
from pathlib import Path

# `streamlit run cockpit/app.py` puts cockpit/ on sys.path; the packages live one level up.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import streamlit as st  # noqa: E402

from cockpit import session, trail  # noqa: E402
from cockpit.login import login_page, password_page, sidebar  # noqa: E402
from cockpit.navigation import pages_for  # noqa: E402

st.set_page_config(page_title="湛江智慧养老驾驶舱", page_icon="🏠", layout="wide")

# Every run checks the server-side session (ended? idle?) and reads the account afresh, so a
# role, scope or disabled flag changed by an administrator holds from the next click on.
viewer = session.current_viewer()
if viewer is None:
    login_page()
    st.stop()
st.session_state["viewer"] = viewer  # what the pages read (cockpit/ui.py)
if not pages_for(viewer):
    sidebar(viewer)
    st.info("账号尚未分配角色，请联系安全管理员。")
    st.stop()

sections: dict[str, list] = {}
by_path: dict[str, st.Page] = {}
for spec in pages_for(viewer):
    page = st.Page(spec.file, title=spec.title, url_path=spec.url_path, icon=spec.icon)
    sections.setdefault(spec.section, []).append(page)
    by_path[spec.url_path] = page
by_path["password"] = password_page()  # hidden: the sidebar links to it
list(sections.values())[-1].append(by_path["password"])
navigation = st.navigation(sections)
# A link opened before login (shared with its ?county=&town=) opens its page after login.
requested = by_path.get(st.session_state.pop("requested_path", "").rstrip("/").rsplit("/", 1)[-1])
if requested is not None and requested.url_path != navigation.url_path:
    st.switch_page(requested, query_params=st.query_params.to_dict())
sidebar(viewer)
# Every run of a page is audited once it ends (cockpit/trail.py): page, scope, reads.
trail.begin_page(next(p for p, page in by_path.items() if page is navigation))
result = "success"
try:
    navigation.run()
except Exception:
    result = "failure"
    raise
finally:
    trail.end_page(viewer, result)
