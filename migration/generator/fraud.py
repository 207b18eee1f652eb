"""The eight fraud patterns of the contract, injected into order facts at configured rates."""

from __future__ import annotations

import numpy as np

from migration.generator.config import TODAY
from migration.generator.services import hex_hashes

PATTERNS = (
    "worker_double_booked",
    "far_from_home",
    "under_min_duration",
    "reused_photo",
    "after_death",
    "above_subsidy_standard",
    "denied_at_visit",
    "month_end_burst",
)


def _take(rng, pool: np.ndarray, k: int, free: np.ndarray) -> np.ndarray:
    pool = pool[free[pool]]
    return rng.permutation(pool)[:k]


def inject(w, f: dict[str, np.ndarray], cat: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Mutates/extends the order facts; f['pattern'] names each fraudulent order's pattern."""
    rng = w.cfg.rng("fraud")
    rates = w.cfg.fraud
    base = len(f["person"])
    f["pattern"] = np.full(base, "", dtype=object)
    done = f["status"] == "2"
    free = done.copy()
    k = {name: int(round(rates[name] * base)) for name in PATTERNS}

    # one worker in two places: the victim order moves onto a partner order's worker and time
    by_prov = np.argsort(f["provider"], kind="stable")
    prov_sorted = f["provider"][by_prov]
    first = np.searchsorted(prov_sorted, f["provider"], "left")
    size = np.searchsorted(prov_sorted, f["provider"], "right") - first
    victims = _take(rng, np.flatnonzero(done & (size > 5)), 3 * k["worker_double_booked"], free)
    partner = by_prov[first[victims] + (rng.random(len(victims)) * size[victims]).astype(int)]
    death = w.persons["death"][f["person"][victims]].astype("datetime64[s]")
    ok = (f["person"][partner] != f["person"][victims]) & free[partner] & done[partner]
    ok &= np.isnat(death) | (f["end"][partner] < death)  # keep after-death a pattern of its own
    victims, partner = (
        victims[ok][: k["worker_double_booked"]],
        partner[ok][: k["worker_double_booked"]],
    )
    dur = f["end"][victims] - f["start"][victims]
    shift = rng.uniform(0.1, 0.5, len(victims)) * (f["end"][partner] - f["start"][partner]).astype(
        float
    )
    f["staff"][victims] = f["staff"][partner]
    f["start"][victims] = f["start"][partner] + shift.astype("timedelta64[s]")
    f["end"][victims] = f["start"][victims] + dur
    f["plan"][victims] = f["start"][victims] - np.timedelta64(600, "s")
    _mark(f, free, victims, "worker_double_booked")
    free[partner] = False  # keep the partner genuine and untouched

    # service far from home: 3-15 km away
    hit = _take(rng, np.flatnonzero(done), k["far_from_home"], free)
    dist = rng.uniform(3000, 15000, len(hit))
    ang = rng.uniform(0, 2 * np.pi, len(hit))
    for a, b in (("lng0", "lat0"), ("lng1", "lat1")):
        f[a][hit] += dist * np.cos(ang) / (111320.0 * np.cos(np.radians(f[b][hit])))
        f[b][hit] += dist * np.sin(ang) / 110540.0
    _mark(f, free, hit, "far_from_home")

    # duration under the item's minimum, billed in full
    hit = _take(rng, np.flatnonzero(done), k["under_min_duration"], free)
    short = (cat["min"][f["item"][hit]] * rng.uniform(0.2, 0.6, len(hit)) * 60).astype(int)
    f["end"][hit] = f["start"][hit] + short.astype("timedelta64[s]")
    _mark(f, free, hit, "under_min_duration")

    # one photo reused: before/after photos copied from an earlier order of someone else
    hit = _take(rng, np.flatnonzero(done), 3 * k["reused_photo"], free)
    src = rng.integers(0, base, len(hit))
    # the copy comes after its (completed) original, as the comment above says
    ok = (f["person"][src] != f["person"][hit]) & done[src] & (f["start"][src] < f["start"][hit])
    hit, src = hit[ok][: k["reused_photo"]], src[ok][: k["reused_photo"]]
    f["photo0"][hit] = f["photo0"][src]
    f["photo1"][hit] = f["photo1"][src]
    _mark(f, free, hit, "reused_photo")

    # billing above the subsidy standard: one order claims more than the whole monthly standard
    hit = _take(rng, np.flatnonzero(done & (f["quota"] > 0)), k["above_subsidy_standard"], free)
    claim = np.round(f["quota"][hit] * rng.uniform(1.1, 1.5, len(hit)), 0)
    f["subsidy"][hit] = claim
    f["amount"][hit] = np.maximum(f["amount"][hit], claim)
    _mark(f, free, hit, "above_subsidy_standard")

    # elder denies at the return visit (the visit module answers 否认服务 for these)
    hit = _take(rng, np.flatnonzero(done), k["denied_at_visit"], free)
    _mark(f, free, hit, "denied_at_visit")

    _add_after_death(w, rng, f, k["after_death"])
    _add_month_end_burst(w, rng, f, cat, k["month_end_burst"])
    return f


def _mark(f, free, idx, name) -> None:
    f["pattern"][idx] = name
    free[idx] = False


def _append(f: dict[str, np.ndarray], new: dict[str, np.ndarray]) -> None:
    for c in f:
        f[c] = np.concatenate([f[c], new[c]])


def _copy_rows(f, rows, rng) -> dict[str, np.ndarray]:
    new = {c: f[c][rows].copy() for c in f}
    new["photo0"] = hex_hashes(rng, len(rows))
    new["photo1"] = hex_hashes(rng, len(rows))
    return new


def _add_after_death(w, rng, f, k: int) -> None:
    """Billing goes on after the elder's death: copies of their last orders, dated after it."""
    if k == 0:
        return
    death = w.persons["death"][f["person"]]
    cand = np.flatnonzero(~np.isnat(death) & (f["status"] == "2") & (f["pattern"] == ""))
    cand = cand[death[cand].astype("datetime64[s]") + np.timedelta64(95, "D") < TODAY]
    if len(cand) == 0:
        return
    rows = cand[rng.integers(0, len(cand), k)]
    new = _copy_rows(f, rows, rng)
    after = death[rows].astype("datetime64[s]") + (rng.uniform(3, 90, k) * 86400).astype(
        "timedelta64[s]"
    )
    _shift(new, after)
    new["pattern"][:] = "after_death"
    _append(f, new)


def _add_month_end_burst(w, rng, f, cat, k: int) -> None:
    """A provider fills the last two days of a month with many quick orders."""
    if k == 0:
        return
    done = np.flatnonzero((f["status"] == "2") & (f["pattern"] == "") & (f["quota"] > 0))
    if len(done) == 0:
        return
    rows_all = []
    times = []
    while sum(len(r) for r in rows_all) < k:
        seed_row = done[rng.integers(0, len(done))]
        month_end = (f["plan"][seed_row].astype("datetime64[M]") + 1).astype("datetime64[s]")
        if month_end > TODAY:
            month_end = TODAY.astype("datetime64[D]").astype("datetime64[s]")
        same = done[f["provider"][done] == f["provider"][seed_row]]
        death = w.persons["death"][f["person"][same]].astype("datetime64[s]")
        same = same[np.isnat(death) | (death > month_end)]  # only elders still alive
        burst = rng.permutation(same)[: min(int(rng.integers(6, 13)), k - sum(map(len, rows_all)))]
        t = month_end - (rng.uniform(0.3, 2.0, len(burst)) * 86400).astype("timedelta64[s]")
        rows_all.append(burst)
        times.append(t)
    rows = np.concatenate(rows_all)
    new = _copy_rows(f, rows, rng)
    _shift(new, np.concatenate(times))
    minutes = cat["min"][new["item"]] * rng.uniform(1.0, 1.15, len(rows))
    new["end"] = new["start"] + (minutes * 60).astype("timedelta64[s]")
    new["pattern"][:] = "month_end_burst"
    _append(f, new)


def _shift(new, when: np.ndarray) -> None:
    delta = when - new["start"]
    for c in ("create", "plan", "start", "end"):
        new[c] = new[c] + delta
