"""What a county user's page shows of other counties: their names, or codes of their areas
(a county code, a town code, the division digits of a masked ID number) in the page's text."""

from __future__ import annotations

import re

from eldercare.accounts import county_names

# a number starting with a Zhanjiang county code (4408xx), not inside a longer word or number
_AREA = re.compile(r"(?<![0-9A-Za-z])(4408[0-9]{2})(?=[0-9*]*(?![0-9A-Za-z]))")


def other_counties(text: str, county: str) -> list[str]:
    """Findings (empty: none) of counties other than ``county`` in ``text``."""
    found = [f"county name {name}" for code, name in county_names().items()
             if code != county and name in text]  # fmt: skip
    codes = sorted({m.group(1) for m in _AREA.finditer(text)} - {county})
    found += [f"area code of county {code}" for code in codes]
    return found


def page_text(page) -> str:
    """Everything the page shows as text: the main area and the sidebar as drawn, and the
    tables' cells their grids expose to assistive technology (the grid itself is a canvas)."""
    parts = []
    for selector in ('[data-testid="stMain"]', '[data-testid="stSidebar"]'):
        loc = page.locator(selector)
        if loc.count():
            parts.append(loc.first.inner_text())
    parts += page.locator('[data-testid="stDataFrame"]').all_text_contents()
    return "\n".join(parts)
