"""Entitlements and home-service work orders (yl_service_item, yl_work_order), before fraud/dirt."""

from __future__ import annotations

import numpy as np

from migration.generator import demand, geo
from migration.generator.config import START, TODAY
from migration.generator.people import rand_time
from migration.generator.state import World, pick_from_catchment

MONTH = "datetime64[M]"
SOURCES = np.array(["电话", "小程序", "服务商创建", "扫码"])
COMMENTS = np.array(["服务很好", "很耐心", "准时到达", "一般", "来晚了", "打扫不干净"])
# Home-service subsidies through the platform were rolled out county by county from 2025.
ROLLOUT = (np.datetime64("2025-05-01T00:00:00"), np.datetime64("2026-09-30T00:00:00"))


def catalogue(w: World) -> dict[str, np.ndarray]:
    it = w.ref.items
    cat = {
        "item_id": np.array([int(r["item_id"]) for r in it]),
        "category": np.array([r["category"] for r in it]),
        "charge_mode": np.array([r["charge_mode"] for r in it]),
        "price": np.array([float(r["price"]) for r in it]),
        "min": np.array([int(r["min_minutes"]) for r in it]),
        "max": np.array([int(r["max_minutes"]) for r in it]),
        "subsidized": np.array([r["subsidized"] == "1" for r in it]),
        "weight": np.array([float(r["weight"]) for r in it]),
    }
    w.tables["yl_service_item"] = {
        "item_id": cat["item_id"],
        "item_name": np.array([r["item_name"] for r in it], dtype=object),
        "category": cat["category"].astype(object),
        "charge_mode": cat["charge_mode"].astype(object),
        "price": np.array([f"{p:.2f}" for p in cat["price"]], dtype=object),
        "min_minutes": cat["min"],
        "max_minutes": cat["max"],
        "subsidized": np.where(cat["subsidized"], "1", "0").astype(object),
        "status": np.array([r["status"] for r in it], dtype=object),
    }
    return cat


def choose_providers(w: World) -> None:
    """Each home-living person's main home-service provider: one that serves their town."""
    rng = w.cfg.rng("providers")
    p, o = w.persons, w.orgs
    p["provider"] = pick_from_catchment(
        rng, o["home_catchment"], o["home_catchment_ids"], p["town"]
    )
    served = np.bincount(p["provider"], minlength=len(o["type"]))
    o["served_elders"] = served * (w.cfg.scale.orders / max(len(p["provider"]), 1)) * 3


def build_orders(w: World, cat: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Orders as facts (person index, times, item, money); ids and text come later."""
    rng = w.cfg.rng("orders")
    p = w.persons
    n = len(p["person_id"])
    home = p["care"] < 2
    entitled = home & (p["home_subsidy"] > 0)
    ent_start = np.maximum(
        p["create"], rand_time(rng, np.full(n, ROLLOUT[0]), np.full(n, ROLLOUT[1]))
    )
    ent_end = np.where(np.isnat(p["death"]), TODAY, p["death"].astype("datetime64[s]"))
    entitled &= ent_start < ent_end
    lapser = entitled & (rng.random(n) < w.cfg.lapse_rate)
    w.truth["entitlements"] = {
        "person": np.flatnonzero(entitled),
        "start": ent_start[entitled],
        "end": ent_end[entitled],
        "quota": p["home_subsidy"][entitled],
        "lapser": lapser[entitled],
    }
    lapse_from = rand_time(rng, ent_start, ent_end)
    usage = rng.beta(4, 3, n)
    # each person favours two catalogue items
    pw = cat["weight"] * cat["subsidized"] + 0.02
    fav = rng.choice(len(cat["item_id"]), (n, 2), p=pw / pw.sum())
    mean_amount = _mean_amount(cat)
    # entitled elder-months, each with a few orders that use most of the quota
    idx = np.flatnonzero(entitled)
    m0 = ent_start[idx].astype(MONTH)
    m1 = ent_end[idx].astype(MONTH)
    k = (m1 - m0).astype(int) + 1
    em_person = np.repeat(idx, k)
    em_month = np.repeat(m0, k) + (np.arange(k.sum()) - np.repeat(np.cumsum(k) - k, k))
    quota = p["home_subsidy"][em_person]
    exp_amount = mean_amount[fav[em_person]].mean(axis=1)
    lapsed = lapser[em_person] & (em_month >= lapse_from[em_person].astype(MONTH))
    use = np.where(lapsed, 0.05, usage[em_person])
    use = use * demand.month_factor(w, em_person, em_month)  # demand's shape (demand.py)
    n_orders = np.floor(use * quota / exp_amount + rng.random(len(em_person))).astype(int)
    o_person = np.repeat(em_person, n_orders)
    o_month = np.repeat(em_month, n_orders)
    lo = np.maximum(o_month.astype("datetime64[s]"), ent_start[o_person])
    hi = np.minimum((o_month + 1).astype("datetime64[s]"), ent_end[o_person])
    plan_sub = rand_time(rng, lo, hi)
    # self-paying users: a share of orders from non-entitled home-living persons
    n_self = int(round(0.15 * max(len(o_person), 1) / 0.85))
    cand = np.flatnonzero(home & ~entitled)
    wgt = 1.0 + p["ability"][cand] * 2.0
    s_person = cand[rng.choice(len(cand), n_self, p=wgt / wgt.sum())]
    s_lo = np.maximum(p["create"][s_person], START)
    s_hi = np.where(
        np.isnat(p["death"][s_person]), TODAY, p["death"][s_person].astype("datetime64[s]")
    )
    keep = s_lo < s_hi
    s_person, s_lo, s_hi = s_person[keep], s_lo[keep], s_hi[keep]
    person = np.r_[o_person, s_person]
    plan = np.r_[plan_sub, rand_time(rng, s_lo, s_hi)]
    # working hours: 8:00-18:00
    day = plan.astype("datetime64[D]").astype("datetime64[s]")
    plan = day + (8 * 3600 + rng.integers(0, 10 * 3600, len(plan))).astype("timedelta64[s]")
    m = len(person)
    item = np.where(rng.random(m) < 0.75, fav[person, rng.integers(0, 2, m)],
                    rng.choice(len(cat["item_id"]), m, p=pw / pw.sum()))  # fmt: skip
    item = demand.summer_bathing(w, cat, item, plan)
    return _times_and_money(w, rng, cat, person, plan, item, entitled)


def _mean_amount(cat: dict[str, np.ndarray]) -> np.ndarray:
    mid = (cat["min"] + cat["max"]) / 2
    return np.where(cat["charge_mode"] == "2", cat["price"] * np.ceil(mid / 30) / 2, cat["price"])


def _times_and_money(w, rng, cat, person, plan, item, entitled) -> dict[str, np.ndarray]:
    p = w.persons
    m = len(person)
    # orders of the history's first days were created on its first day, not before it
    create = np.maximum(plan - (rng.uniform(0.3, 3.0, m) * 86400).astype("timedelta64[s]"), START)
    start = plan + rng.normal(0, 15 * 60, m).astype("timedelta64[s]")
    minutes = rng.uniform(cat["min"][item], cat["max"][item] + 1).astype(int)
    end = start + (minutes * 60 + rng.integers(0, 60, m)).astype("timedelta64[s]")
    hours = np.ceil(minutes / 30) / 2
    amount = np.where(
        cat["charge_mode"][item] == "2", cat["price"][item] * hours, cat["price"][item]
    )
    month = plan.astype(MONTH)
    quota = np.where(entitled[person] & cat["subsidized"][item], p["home_subsidy"][person], 0.0)
    subsidy = _capped_subsidy(person, month, plan, amount, quota)
    status = np.full(m, "2", dtype=object)
    status[rng.random(m) < 0.03] = "3"
    status[plan > TODAY] = "0"
    status[(start <= TODAY) & (end > TODAY)] = "1"
    home_lng, home_lat = p["lng"][person], p["lat"][person]
    return {
        "person": person,
        "item": item,
        "create": create,
        "plan": plan,
        "start": start,
        "end": end,
        "amount": amount,
        "subsidy": subsidy,
        "quota": quota,
        "status": status,
        "lng0": geo.offset_m(rng, home_lng, home_lat, 25.0)[0],
        "lat0": geo.offset_m(rng, home_lng, home_lat, 25.0)[1],
        "lng1": geo.offset_m(rng, home_lng, home_lat, 25.0)[0],
        "lat1": geo.offset_m(rng, home_lng, home_lat, 25.0)[1],
        "photo0": hex_hashes(rng, m),
        "photo1": hex_hashes(rng, m),
        "source": SOURCES[rng.choice(4, m, p=[0.3, 0.25, 0.35, 0.1])],
    }


def _capped_subsidy(person, month, plan, amount, quota) -> np.ndarray:
    """Subsidy of each order: what is left of the person's monthly standard, in time order."""
    order = np.lexsort((plan, month, person))
    key_p, key_m = person[order], month[order]
    a = amount[order]
    new_group = np.r_[True, (key_p[1:] != key_p[:-1]) | (key_m[1:] != key_m[:-1])]
    cum = np.cumsum(a)
    group_base = np.maximum.accumulate(np.where(new_group, cum - a, 0))
    before = cum - a - group_base
    q = quota[order]
    sub = np.minimum(q, before + a) - np.minimum(q, before)
    out = np.empty_like(sub)
    out[order] = sub
    return out


def hex_hashes(rng: np.random.Generator, n: int) -> np.ndarray:
    """n random 32-character hex strings (photo content hashes)."""
    digits = np.frombuffer(b"0123456789abcdef", np.uint8)
    raw = rng.integers(0, 16, (n, 32), dtype=np.uint8)
    return digits[raw].view("S32").ravel().astype(str).astype(object)
