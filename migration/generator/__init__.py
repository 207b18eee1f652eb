"""Realistic legacy vendor data for Zhanjiang: `generate(scale, seed, url, exports, truth)`.

Deterministic: one numpy Generator stream per module, seeded from (seed, module name); a fixed
"today" (config.TODAY); no dict/set iteration order or clock dependence. See docs/generator.md.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from migration.generator import (
    dirt,
    doubts,
    exports,
    fraud,
    health,
    institutions,
    iot,
    ops,
    orders,
    orgs,
    people,
    reference,
    services,
    truth,
)
from migration.generator.config import make_config
from migration.generator.state import World
from migration.generator.writer import Target
from migration.legacy_schema import TABLES


@dataclass
class Summary:
    rows: dict[str, int] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)
    seconds: float = 0.0
    write_seconds: dict[str, float] = field(default_factory=dict)  # per table (health: + making)


def _build_and_write(w: World, emit) -> dict:
    """Build table by table; each table is written (and freed) as soon as it is final."""
    people.build_persons(w)
    people.build_elder_rows(w)
    dirt.elders(w)
    emit("yl_elder")
    people.build_death_registry(w)
    emit("yl_death_registry")
    orgs.build_orgs(w)
    orgs.assign_institutions(w)
    orgs.build_org_rows(w)
    dirt.orgs(w)
    emit("yl_org")
    cat = services.catalogue(w)
    services.choose_providers(w)
    orgs.build_staff(w)
    institutions.build_beds_and_residents(w)
    emit("yl_org_bed", "yl_org_resident")
    f = services.build_orders(w, cat)
    orders.assign_workers(w, f)
    dirt.staff(w)
    emit("yl_staff", keep=True)  # the district exports count staff
    fraud.inject(w, f, cat)
    orders.order_table(w, f, cat)
    orders.return_visits(w, f)
    dirt.items_and_orders(w)
    doubts.build(w, f, cat)
    emit("yl_service_item", "yl_work_order", "yl_return_visit", "yl_order_doubt")
    for c in ("lng0", "lat0", "lng1", "lat1", "photo0", "photo1", "source", "staff"):
        del f[c]  # not needed for the truth; frees memory at city scale
    iot.build_family_beds(w)
    iot.build_devices(w)
    iot.build_alarms(w)
    emit("yl_family_bed", "yl_device", "yl_alarm")
    w.streams["yl_health_record"] = health.chunks(w, health.baselines(w))
    emit("yl_health_record")
    ops.build_calls(w)
    ops.build_inspections(w)
    ops.build_complaints(w)
    ops.build_canteens(w)
    dirt.areas_and_dicts(w)
    emit("yl_call_record", "yl_inspection", "yl_complaint", "yl_canteen_dish", "yl_meal_order")
    emit("sys_area", "sys_dict_data")
    return f


def generate(
    scale: str,
    seed: int,
    url: str,
    exports_dir: str | Path | None = None,
    truth_dir: str | Path | None = None,
    rates: dict[str, float] | None = None,
) -> Summary:
    """Generate one legacy dataset; `rates` overrides DIRT_RATES / FRAUD_RATES by kind."""
    t0 = time.perf_counter()
    cfg = make_config(scale, seed, rates)  # bad arguments fail before any work
    for opt, d in (("--exports", exports_dir), ("--truth", truth_dir)):
        if d is not None:
            _check_folder(opt, Path(d))
    target = Target(url)
    w = World(cfg, reference.load())
    rows: dict[str, int] = {}
    timings: dict[str, float] = {}

    def emit(*names: str, keep: bool = False) -> None:
        for name in names:
            stream = w.streams.pop(name, None)
            frames = stream if stream is not None else [w.tables[name]]
            t = time.perf_counter()
            rows[name] = target.write(name, frames)
            timings[name] = round(time.perf_counter() - t, 2)
            if not keep:
                w.tables.pop(name, None)

    try:
        facts = _build_and_write(w, emit)
    finally:
        target.close()
    summary = Summary(rows={t: rows[t] for t in TABLES}, write_seconds=timings)
    if exports_dir is not None:
        summary.files += exports.write_exports(w, Path(exports_dir))
    if truth_dir is not None:
        summary.files += truth.write_truth(w, Path(truth_dir), facts)
    summary.seconds = time.perf_counter() - t0
    return summary


def _check_folder(opt: str, folder: Path) -> None:
    from eldercare.errors import EldercareError

    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / ".eldercare_write_test"
        probe.write_text("")
        probe.unlink()
    except OSError as exc:
        raise EldercareError(f"{opt} {folder}: folder is not writable ({exc.strerror})") from None
