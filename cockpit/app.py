"""The cockpit's entry point: ``streamlit run cockpit/app.py`` (or ``eldercare cockpit``).

Nothing but the login form shows until a viewer has logged in; the navigation then holds only
the pages the viewer's role may open (``cockpit/navigation.py``).
"""

from __future__ import annotations

import sys
from pathlib import Path

# `streamlit run cockpit/app.py` puts cockpit/ on sys.path; the packages live one level up.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import streamlit as st  # noqa: E402

from cockpit.login import login_form, logout_button  # noqa: E402
from cockpit.navigation import pages_for  # noqa: E402

st.set_page_config(page_title="湛江智慧养老驾驶舱", page_icon="🏠", layout="wide")

viewer = st.session_state.get("viewer")
if viewer is None:
    login_form()
    st.stop()

sections: dict[str, list] = {}
by_path: dict[str, st.Page] = {}
for spec in pages_for(viewer):
    page = st.Page(spec.file, title=spec.title, url_path=spec.url_path, icon=spec.icon)
    sections.setdefault(spec.section, []).append(page)
    by_path[spec.url_path] = page
navigation = st.navigation(sections)
# A link opened before login (shared with its ?county=&town=) opens its page after login.
requested = by_path.get(st.session_state.pop("requested_path", "").rstrip("/").rsplit("/", 1)[-1])
if requested is not None and requested.url_path != navigation.url_path:
    st.switch_page(requested, query_params=st.query_params.to_dict())
logout_button(viewer)
navigation.run()
