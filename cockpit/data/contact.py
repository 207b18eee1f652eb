"""An elder's contact details (联系方式): masked for everyone who may open the card, in clear
only through ``unmask`` — one 县区用户, one elder of their own county, a stated reason, audited
before the values are returned.

The values come from ``restricted.elder_contact`` (dbt/models/restricted) and are read with
``core.run``, never through the shared query cache: clear values are in memory only for the
run that asked for them. Masking rules: ``eldercare/masking.py``.
"""

from __future__ import annotations

import pandas as pd

from cockpit import trail
from cockpit.data.core import note, run, table_exists
from cockpit.scope import Scope, Viewer
from eldercare.masking import mask_id, mask_name, mask_phone

UNMASK_ROLES = frozenset({"county_user"})  # 县区用户: they call the elders of their county
MIN_REASON = 4  # characters: "电话回访" is the shortest useful reason
_COLUMNS = "c.elder_code, c.county_code, c.name, c.id_card, c.phone, c.guardian_name,"
_COLUMNS += " c.guardian_phone, c.guardian_relation"
_MASKS = {
    "name": mask_name,
    "id_card": mask_id,
    "phone": mask_phone,
    "guardian_name": mask_name,
    "guardian_phone": mask_phone,
}
LABELS = {
    "name": "姓名", "id_card": "身份证号", "phone": "联系电话", "guardian_name": "紧急联系人",
    "guardian_phone": "紧急联系人电话", "guardian_relation": "与长者关系",
}  # fmt: skip


def available() -> bool:
    return table_exists("restricted", "elder_contact")


def _read(county: str | None, town: str | None, elder_code: str) -> pd.DataFrame:
    predicate, params = Scope(county, town).where("c.county_code", "c.town_code")
    sql = (
        f"select {_COLUMNS} from restricted.elder_contact c where c.elder_code = ? and {predicate}"
    )
    df = run(sql, (elder_code, *params))  # uncached on purpose: clear values
    note(sql, (elder_code, *params), len(df))
    return df


def masked(scope: Scope, elder_code: str) -> pd.DataFrame:
    """The elder's contact details masked (one row; none outside the scope)."""
    if not available():
        return pd.DataFrame(columns=["elder_code", "county_code", *LABELS])
    df = _read(scope.county_code, scope.town_code, elder_code)
    for column, mask in _MASKS.items():
        df[column] = df[column].map(mask)
    return df


def can_unmask(viewer: Viewer) -> bool:
    return viewer.role in UNMASK_ROLES and bool(viewer.county_code)


def unmask(viewer: Viewer, elder_code: str, reason: str) -> dict | None:
    """The elder's contact details in clear, for a county user of the elder's county.

    Refusals (role, reason, an elder of another county) are audited too. Raises
    PermissionError for a viewer who may not unmask, ValueError for a too-short reason;
    returns None when the elder is not in the viewer's county.
    """
    reason = (reason or "").strip()
    detail = {"elder_code": elder_code, "reason": reason[:200]}
    if not can_unmask(viewer):
        trail.record("unmask", viewer, "refused", {**detail, "why": "role"})
        raise PermissionError("only a county user may unmask an elder's contact details")
    if len(reason) < MIN_REASON:
        trail.record("unmask", viewer, "refused", {**detail, "why": "reason"})
        raise ValueError(f"a reason of at least {MIN_REASON} characters is required")
    df = _read(viewer.county_code, None, elder_code) if available() else pd.DataFrame()
    if df.empty:
        trail.record("unmask", viewer, "refused", {**detail, "why": "not in county"})
        return None
    trail.record("unmask", viewer, "success", detail)  # raises if it cannot be written
    row = df.iloc[0]
    return {c: (None if pd.isna(row[c]) else str(row[c])) for c in ("elder_code", *LABELS)}
