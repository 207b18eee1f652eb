"""The old platform's suspicious-order history (yl_order_doubt): what its weaker rules caught,
what return visits raised, providers' appeals and reviewers' (sometimes wrong) decisions.

The old platform only knew two checks, switched on in 2024: a service far shorter than the
item's minimum, and a start far (kilometres) from home. It never linked the death registry,
photos, workers' schedules or subsidy standards. Return visits that found a denial or a
complaint about a too-short service became 回访存疑. Most orders were never reviewed at all.
"""

from __future__ import annotations

import numpy as np

from migration.generator import geo
from migration.generator.config import TODAY
from migration.generator.state import World

RULES_FROM = np.datetime64("2024-01-01T00:00:00")
SHORT_SHARE = 0.5  # flagged when the duration is under half the item's minimum
FAR_M = 5000.0  # flagged when the start lies this far from home
CATCH = 0.7  # the old system check ran on this share of orders (offline terminals skipped)
FALSE_FLAG = 0.002  # genuine orders flagged by GPS drift and clock errors
REVIEWED = 0.8
REVIEW_RIGHT = 0.85  # reviewers' accuracy on fraudulent orders
CLEAR_RIGHT = 0.92  # ... and on genuine ones
APPEAL_GENUINE, APPEAL_FRAUD = 0.6, 0.25
APPEALS = np.array(["服务人员手机定位异常，实际已上门", "老人记错服务日期", "服务已按标准完成，时长记录有误",
                    "家属代为签收", "系统故障导致记录不全"], dtype=object)  # fmt: skip
REVIEWERS = np.array([f"审核员{i}" for i in range(1, 9)], dtype=object)


def build(w: World, f: dict[str, np.ndarray], cat: dict[str, np.ndarray]) -> None:
    """w.tables['yl_order_doubt'] and w.truth['doubts'] from the order facts and the visits."""
    rng = w.cfg.rng("doubts")
    m = len(f["person"])
    done = f["status"] == "2"
    minutes = (f["end"] - f["start"]).astype("timedelta64[s]").astype(float) / 60.0
    home_lng, home_lat = w.persons["lng"][f["person"]], w.persons["lat"][f["person"]]
    far = geo.haversine_m(f["lng0"], f["lat0"], home_lng, home_lat) > FAR_M
    short = minutes < SHORT_SHARE * cat["min"][f["item"]]
    checked = done & (f["start"] >= RULES_FROM) & (rng.random(m) < CATCH)
    noise = done & (f["start"] >= RULES_FROM) & (rng.random(m) < FALSE_FLAG)
    system = np.flatnonzero(checked & (far | short) | noise)
    reason = np.where(far[system], "服务定位距老人住址过远", "服务时长不足项目最短时长")
    reason = np.where(noise[system] & ~(far | short)[system], "服务定位异常", reason)
    when_sys = f["end"][system] + (rng.uniform(0.5, 3, len(system)) * 86400).astype(
        "timedelta64[s]"
    )

    v = w.tables["yl_return_visit"]
    pos = {oid: i for i, oid in enumerate(f["order_id"])}
    bad = np.isin(v["visit_result"], ["否认服务", "不满意"]) & (
        (v["visit_result"] == "否认服务") | (v["remark"] == "服务时间太短")
    )
    known = np.array([oid in pos for oid in v["order_id"]], dtype=bool)
    vi = np.flatnonzero(bad & known)
    visit_orders = np.array([pos[o] for o in v["order_id"][vi]], dtype=np.int64)
    visit_reason = np.where(
        v["visit_result"][vi] == "否认服务", "回访老人否认服务", "回访反映服务时间太短"
    )
    fresh = ~np.isin(visit_orders, system)
    vi, visit_orders, visit_reason = vi[fresh], visit_orders[fresh], visit_reason[fresh]

    idx = np.r_[system, visit_orders].astype(np.int64)
    n = len(idx)
    source = np.r_[np.full(len(system), "系统监管存疑"), np.full(len(vi), "回访存疑")].astype(
        object
    )
    reasons = np.r_[reason, visit_reason].astype(object)
    doubt_time = np.r_[when_sys, v["visit_time"][vi].astype("datetime64[s]")]
    fraud = f["pattern"][idx] != ""

    appealed = rng.random(n) < np.where(fraud, APPEAL_FRAUD, APPEAL_GENUINE)
    appeal_time = doubt_time + (rng.uniform(0.5, 5, n) * 86400).astype("timedelta64[s]")
    appealed &= appeal_time <= TODAY
    reviewed = rng.random(n) < REVIEWED
    review_time = np.where(appealed, appeal_time, doubt_time) + (
        rng.uniform(1, 10, n) * 86400
    ).astype("timedelta64[s]")
    reviewed &= review_time <= TODAY
    right = rng.random(n) < np.where(fraud, REVIEW_RIGHT, CLEAR_RIGHT)
    voided = fraud == right  # 已作废 confirms the doubt; 已审核 clears it
    result = np.where(voided, "已作废", "已审核").astype(object)
    nat = np.datetime64("NaT", "s")
    w.tables["yl_order_doubt"] = {
        "doubt_id": 9_000_001 + np.arange(n),
        "order_id": f["order_id"][idx],
        "source": source,
        "reason": reasons,
        "doubt_time": doubt_time,
        "appeal_time": np.where(appealed, appeal_time, nat),
        "appeal_reason": np.where(appealed, APPEALS[rng.integers(0, len(APPEALS), n)], None),
        "review_time": np.where(reviewed, review_time, nat),
        "review_result": np.where(reviewed, result, None),
        "reviewer": np.where(reviewed, REVIEWERS[rng.integers(0, len(REVIEWERS), n)], None),
        "del_flag": np.where(rng.random(n) < 0.01, "2", "0").astype(object),
    }
    w.truth["doubts"] = {
        "doubt_id": w.tables["yl_order_doubt"]["doubt_id"],
        "order_id": f["order_id"][idx],
        "pattern": f["pattern"][idx].astype(object),
        "is_fraud": fraud,
        "review_correct": np.where(reviewed, right, False),
    }
