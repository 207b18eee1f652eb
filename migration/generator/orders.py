"""Work orders as legacy rows (yl_work_order) and their return visits (yl_return_visit)."""

from __future__ import annotations

import numpy as np

from migration.generator import geo
from migration.generator.config import TODAY
from migration.generator.orgs import org_id_at
from migration.generator.people import elder_id_at
from migration.generator.services import COMMENTS
from migration.generator.state import World, pick
from migration.generator.workdays import add_workdays

VISIT_GENUINE = (["满意", "基本满意", "不满意", "未接通"], [0.68, 0.2, 0.04, 0.08])


def assign_workers(w: World, f: dict[str, np.ndarray]) -> None:
    """Each order goes to the person's provider and usually to their regular worker."""
    rng = w.cfg.rng("workers")
    staff = w.tables["yl_staff"]
    s_org = w.orgs["staff_org_index"]
    field_post = np.isin(staff["post"], ["服务员", "护理员"])
    order = np.lexsort((~field_post, s_org))  # per org: field workers first
    org_sorted = s_org[order]
    n_org = len(w.orgs["type"])
    first = np.searchsorted(org_sorted, np.arange(n_org), "left")
    n_field = np.bincount(s_org[field_post], minlength=n_org)
    n_all = np.bincount(s_org, minlength=n_org)
    pool = np.where(n_field > 0, n_field, n_all)
    prov = w.persons["provider"][f["person"]]
    regular = (rng.random(len(w.persons["person_id"])) * 1e6).astype(int)
    pick = np.where(
        rng.random(len(prov)) < 0.8,
        regular[f["person"]] % pool[prov],
        rng.integers(0, 1 << 30, len(prov)) % pool[prov],
    )
    # a dispatcher does not send a busy worker: an order that clashes with the same worker's
    # previous one goes to another worker of the provider (a few rounds clear nearly all)
    clash_rng = w.cfg.rng("worker_clash")
    for _ in range(6):
        slot = order[first[prov] + pick]
        o = np.lexsort((f["start"], slot))
        same = np.r_[False, slot[o][1:] == slot[o][:-1]]
        clash = o[same & (f["start"][o] < np.r_[f["end"][o][:1], f["end"][o][:-1]])]
        if len(clash) == 0:
            break
        pick[clash] = clash_rng.integers(0, 1 << 30, len(clash)) % pool[prov[clash]]
    f["provider"] = prov
    f["staff"] = staff["staff_id"][order[first[prov] + pick]]


def order_table(w: World, f: dict[str, np.ndarray], cat: dict[str, np.ndarray]) -> None:
    rng = w.cfg.rng("order_rows")
    m = len(f["person"])
    order = np.lexsort((np.arange(m), f["create"]))
    for c in f:
        f[c] = f[c][order]
    f["order_id"] = 3_000_001 + np.arange(m)
    status = f["status"]
    cancelled = status == "3"
    pending = status == "0"
    no_start = cancelled | pending
    start = np.where(no_start, np.datetime64("NaT"), f["start"])
    end = np.where(no_start | (status == "1"), np.datetime64("NaT"), f["end"])
    glng0, glat0 = geo.wgs84_to_gcj02(f["lng0"], f["lat0"])
    glng1, glat1 = geo.wgs84_to_gcj02(f["lng1"], f["lat1"])
    gps_lost = no_start | (rng.random(m) < 0.04)
    day = np.char.replace(np.datetime_as_string(f["create"], unit="D"), "-", "")
    minutes = (f["end"] - f["start"]).astype(np.int64) / 60.0
    rated = (status == "2") & (rng.random(m) < 0.6)
    rating = rng.choice([5, 4, 3, 2, 1], m, p=[0.55, 0.3, 0.1, 0.03, 0.02]).astype(float)
    rating[~rated] = np.nan
    comment = np.where(rated & (rng.random(m) < 0.3), COMMENTS[rng.integers(0, 6, m)], None)
    w.tables["yl_work_order"] = {
        "order_id": f["order_id"],
        "order_no": np.char.add(np.char.add("GD", day), np.char.zfill((np.arange(m) % 10**6).astype(str), 6)).astype(object),
        "elder_id": elder_id_at(w, f["person"], f["plan"]),
        "provider_org_id": org_id_at(w, f["provider"], f["create"]),
        "staff_id": f["staff"],
        "item_id": cat["item_id"][f["item"]],
        "source": f["source"].astype(object),
        "create_time": f["create"],
        "plan_time": f["plan"],
        "start_time": start,
        "end_time": end,
        "start_lng": np.where(gps_lost, np.nan, glng0),
        "start_lat": np.where(gps_lost, np.nan, glat0),
        "end_lng": np.where(gps_lost | (status == "1"), np.nan, glng1),
        "end_lat": np.where(gps_lost | (status == "1"), np.nan, glat1),
        "photo_before": np.where(no_start, None, f["photo0"]),
        "photo_after": np.where(no_start | (status == "1") | (rng.random(m) < 0.05), None, f["photo1"]),
        "audio_seconds": np.where(no_start | (rng.random(m) < 0.3), np.nan,
                                  np.round(minutes * 60 * rng.uniform(0.1, 0.5, m))),
        "amount": _money(f["amount"]),
        "subsidy_amount": _money(f["subsidy"]),
        "self_pay_amount": _money(np.maximum(f["amount"] - f["subsidy"], 0)),
        "order_status": status.astype(object),
        "rating": rating,
        "comment": comment.astype(object),
        "del_flag": np.where(rng.random(m) < 0.005, "2", "0").astype(object),
    }  # fmt: skip


def _money(a: np.ndarray) -> np.ndarray:
    return np.char.mod("%.2f", a).astype(object)


def return_visits(w: World, f: dict[str, np.ndarray]) -> None:
    """Visits of completed orders; the answer depends on what really happened."""
    rng = w.cfg.rng("visits")
    m = len(f["person"])
    pat = f["pattern"]
    done = f["status"] == "2"
    rate = np.where(
        pat == "denied_at_visit", 1.0, np.where(pat != "", 2 * w.cfg.visit_rate, w.cfg.visit_rate)
    )
    hit = np.flatnonzero(done & (rng.random(m) < rate))
    k = len(hit)
    res = np.array(VISIT_GENUINE[0], dtype=object)[rng.choice(4, k, p=VISIT_GENUINE[1])]
    remark = np.full(k, None, dtype=object)
    p = pat[hit]
    phantom = np.isin(p, ["far_from_home", "reused_photo", "worker_double_booked"])
    deny = (p == "denied_at_visit") | (phantom & (rng.random(k) < 0.3))
    res[deny] = "否认服务"
    remark[deny] = "老人表示当天无人上门服务"
    short = (p == "under_min_duration") & (rng.random(k) < 0.4)
    res[short] = "不满意"
    remark[short] = "服务时间太短"
    dead = p == "after_death"
    res[dead] = "未接通"
    remark[dead] = np.where(rng.random(dead.sum()) < 0.5, "家属称老人已去世", None)
    when = add_workdays(f["end"][hit], rng.integers(1, 6, k))
    when = when + (9 * 3600 + rng.integers(0, 8 * 3600, k)).astype("timedelta64[s]")
    keep = when <= TODAY
    hit, res, remark, when = hit[keep], res[keep], remark[keep], when[keep]
    k = len(hit)
    visit = {
        "visit_id": 8_000_001 + np.arange(k),
        "order_id": f["order_id"][hit],
        "elder_id": w.tables["yl_work_order"]["elder_id"][hit],
        "visit_time": when,
        "visit_way": np.where(rng.random(k) < 0.9, "电话", "上门").astype(object),
        "visit_result": res,
        "remark": remark,
        "visitor": np.char.add("回访员", rng.integers(1, 21, k).astype(str)).astype(object),
    }
    # visits of orders that do not exist
    orphan = pick(rng, k, w.cfg.dirt["orphan_visit"])
    true = visit["order_id"][orphan].copy()
    visit["order_id"][orphan] = f["order_id"].max() + 1 + rng.integers(1, 10**6, len(orphan))
    w.dirt.add(
        "yl_return_visit",
        visit["visit_id"][orphan],
        "order_id",
        "orphan_visit",
        true,
        visit["order_id"][orphan],
    )
    w.tables["yl_return_visit"] = visit
