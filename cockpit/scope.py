"""Who is looking (``Viewer``) and at which area (``Scope``): the one place scope rules live.

Every data function takes a ``Scope``. A county-bound viewer's scope always carries their county,
whatever the URL asks for; a city viewer may drill to a county and a town. ``Scope.where``
renders the predicate from column names fixed in code, with the codes as bound parameters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from eldercare.accounts import Account

_COUNTY = re.compile(r"^\d{6}$")
_TOWN = re.compile(r"^\d{9}$")

# What each role may open; pages declare the permission they need (cockpit/app.py).
PERMISSIONS: dict[str, frozenset[str]] = {
    # review: the suspicious-order queue and its decisions (存疑工单审核)
    "city_leader": frozenset(
        {"business", "archives", "health", "quality", "lineage", "reports", "review"}
    ),
    "county_user": frozenset({"business", "archives", "health", "lineage", "reports", "review"}),
    # data stewards are the guidance centre's inspectors (每日巡检)
    "data_steward": frozenset({"quality", "lineage", "overview", "inspection"}),
    "analyst": frozenset({"business", "reports"}),
    # 三员分立 (eldercare/accounts.py): three administrators, none reads business data
    "sysadmin": frozenset({"accounts"}),
    "secadmin": frozenset({"security"}),
    "auditadmin": frozenset({"audit"}),
}


@dataclass(frozen=True)
class Viewer:
    username: str
    display_name: str
    role: str
    county_code: str | None  # None: the whole city

    @classmethod
    def from_account(cls, account: Account) -> Viewer:
        return cls(account.username, account.display_name, account.role, account.county_code)

    def may(self, permission: str) -> bool:
        perms = PERMISSIONS.get(self.role, frozenset())
        return permission in perms or (permission == "overview" and "business" in perms)


@dataclass(frozen=True)
class Scope:
    """An area: the city (both None), a county, or a town inside a county."""

    county_code: str | None = None
    town_code: str | None = None

    @property
    def level(self) -> str:
        return "town" if self.town_code else "county" if self.county_code else "city"

    @property
    def area_code(self) -> str | None:
        return self.town_code or self.county_code

    def where(
        self, county: str = "county_code", town: str | None = "town_code"
    ) -> tuple[str, tuple]:
        """SQL predicate and parameters; ``county``/``town`` are column expressions from code.

        A table without a town column passes ``town=None``: a town scope then filters by the
        county only, which is the finest that table can say.
        """
        if self.town_code and town:
            return f"{town} = ?", (self.town_code,)
        if self.county_code:
            return f"{county} = ?", (self.county_code,)
        return "true", ()

    def area_where(self) -> tuple[str, tuple]:
        """Predicate on an area aggregate (``area_level``/``area_code`` per row): this area."""
        if self.area_code is None:
            return "area_level = 'city'", ()
        return "area_level = ? and area_code = ?", (self.level, self.area_code)


def scope_for(viewer: Viewer, county: str | None = None, town: str | None = None) -> Scope:
    """The scope a viewer may see for the requested area (from widgets or the URL).

    A county-bound viewer is held to their county; a malformed or foreign code is ignored,
    never trusted.
    """
    county = county if county and _COUNTY.match(county) else None
    town = town if town and _TOWN.match(town) else None
    if viewer.county_code:
        county = viewer.county_code
    if town and (not county or not town.startswith(county)):
        town = None
    return Scope(county, town)
