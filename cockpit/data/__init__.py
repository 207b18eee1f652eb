"""The cockpit's data access: one module per page group, all reading through ``core``."""

from __future__ import annotations

import importlib
import pkgutil


def load_all() -> list[str]:
    """Import every module of this package, so every KPI they register is in ``kpis.KPIS``.

    Page modules register their KPIs on import; the lineage page lists and drills into all of
    them, whichever pages the session happened to open. Returns the module names imported.
    """
    names = sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))
    for name in names:
        importlib.import_module(f"{__name__}.{name}")
    return names
