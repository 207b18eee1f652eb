"""Family beds, their IoT devices, alarms (yl_family_bed, yl_device, yl_alarm)."""

from __future__ import annotations

import numpy as np

from migration.generator.config import START, TODAY
from migration.generator.orgs import org_id_at
from migration.generator.people import elder_id_at, rand_time
from migration.generator.state import World, pick, pick_from_catchment

DEVICE_TYPES = np.array(
    ["摄像头", "呼叫器", "门磁", "烟感", "燃气", "红外", "血压计", "血糖仪", "手环"]
)
DEVICE_P = np.array([0.4, 0.9, 0.5, 0.7, 0.4, 0.4, 0.6, 0.3, 0.6])
SN_PREFIX = np.array(["CAM", "SOS", "DRM", "SMK", "GAS", "PIR", "BPM", "GLU", "BND"])
# alarm type raised by each device type, and alarms per device-month
ALARM_OF = np.array(["FALL", "SOS", "DOOR", "SMOKE", "GAS", "LEAVE_BED", "", "", "HR_ABNORMAL"])
ALARM_RATE = np.array([0.05, 0.3, 0.2, 0.02, 0.02, 0.3, 0.0, 0.0, 0.1])
RESULTS = np.array(["已电话联系老人确认安全", "已通知家属", "已派人上门处置", "误报", "已呼叫120"])
DAY_S = 86_400


def build_family_beds(w: World) -> None:
    rng = w.cfg.rng("family_beds")
    p, o = w.persons, w.orgs
    n = len(p["person_id"])
    eligible = (p["care"] < 2) & (p["ability"] >= 2)
    target = max(20, int(round(0.0055 * n)))
    wgt = eligible * (1.0 + 4.0 * (p["bed_subsidy"] > 0))
    who = rng.choice(n, min(target, int(eligible.sum())), replace=False, p=wgt / wgt.sum())
    who.sort()
    k = len(who)
    apply = rand_time(
        rng, np.maximum(p["create"][who], START), np.full(k, TODAY - np.timedelta64(30, "D"))
    )
    assess = apply + rng.integers(5, 21, k) * np.timedelta64(1, "D")
    build = assess + rng.integers(10, 41, k) * np.timedelta64(1, "D")
    death = p["death"][who].astype("datetime64[s]")
    dead_first = ~np.isnat(death) & (death < build)
    # Even the tiny scale must hold a bed whose elder died after it was built (the dirt kind
    # deceased_bed_active needs one): when every holder who died did so first, date one of
    # those beds back to 80 days before the death.
    if not (~np.isnat(death) & ~dead_first).any():
        day = np.timedelta64(1, "D")
        early = np.maximum(p["create"][who], START) + 10 * day
        j = np.flatnonzero(dead_first & (death - 80 * day > early))[:1]
        apply[j] = death[j] - 80 * day
        assess[j] = apply[j] + 10 * day
        build[j] = assess[j] + 20 * day
        dead_first[j] = False
    build[dead_first] = np.datetime64("NaT")
    revoke = np.where(
        ~np.isnat(death) & ~dead_first,
        death + rng.integers(0, 30, k) * np.timedelta64(1, "D"),
        np.datetime64("NaT"),
    )
    revoke = np.where(
        np.isnat(death) & (rng.random(k) < 0.05), rand_time(rng, build, np.full(k, TODAY)), revoke
    )
    revoke[(revoke > TODAY)] = np.datetime64("NaT")
    status = np.where(
        ~np.isnat(revoke) | dead_first, "已撤床", np.where(build <= TODAY, "已建床", "已评估")
    )
    build[build > TODAY] = np.datetime64("NaT")
    prov = pick_from_catchment(rng, o["bed_catchment"], o["bed_catchment_ids"], p["town"][who])
    fbed_id = 600_001 + np.arange(k)
    bed = {
        "fbed_id": fbed_id,
        "elder_id": elder_id_at(w, who, apply),
        "provider_org_id": org_id_at(w, prov, apply),
        "apply_date": apply.astype("datetime64[D]"),
        "assess_date": assess.astype("datetime64[D]"),
        "assess_level": np.array(["能力完好", "轻度失能", "中度失能", "重度失能", "完全失能"], dtype=object)[p["ability"][who]],
        "build_date": build.astype("datetime64[D]"),
        "revoke_date": revoke.astype("datetime64[D]"),
        "bed_status": status.astype(object),
        "contract_no": np.char.add("JC", (100_000 + np.arange(k)).astype(str)).astype(object),
        "monthly_subsidy": p["bed_subsidy"][who],
        "del_flag": np.full(k, "0", dtype=object),
    }  # fmt: skip
    d = w.cfg.dirt
    # beds of deceased elders still active (nobody revoked them)
    dead_active = pick(rng, k, d["deceased_bed_active"], ~np.isnat(death) & ~dead_first)
    w.dirt.add(
        "yl_family_bed",
        fbed_id[dead_active],
        "revoke_date",
        "deceased_bed_active",
        bed["revoke_date"][dead_active],
        None,
    )
    bed["revoke_date"][dead_active] = np.datetime64("NaT")
    bed["bed_status"][dead_active] = "已建床"
    # revoked before built
    built = np.flatnonzero(~np.isnat(build))
    hit = built[pick(rng, len(built), d["revoked_before_built"])]
    dirty = bed["build_date"][hit] - rng.integers(1, 30, len(hit))
    w.dirt.add(
        "yl_family_bed",
        fbed_id[hit],
        "revoke_date",
        "revoked_before_built",
        bed["revoke_date"][hit],
        dirty,
    )
    bed["revoke_date"][hit] = dirty
    bed["bed_status"][hit] = "已撤床"
    w.tables["yl_family_bed"] = bed
    # the true active window of each bed, for devices
    end = np.where(np.isnat(revoke), np.where(np.isnat(death), TODAY, death), revoke)
    w.truth["beds"] = {"person": who, "fbed_id": fbed_id, "start": build, "end": end}  # fmt: skip


def build_devices(w: World) -> None:
    rng = w.cfg.rng("devices")
    b, p = w.truth["beds"], w.persons
    has = ~np.isnat(b["start"])
    bp, bid, bstart, bend = b["person"][has], b["fbed_id"][has], b["start"][has], b["end"][has]
    mask = rng.random((len(bp), 9)) < DEVICE_P
    bed_row, dtype_ = np.nonzero(mask)
    # the wristband programme: lone and empty-nest elders without a family bed
    n = len(p["person_id"])
    lone = np.flatnonzero((p["care"] < 2) & (p["living"] <= 1) & (rng.random(n) < 0.03))
    lone = np.setdiff1d(lone, bp)
    l_start = rand_time(
        rng,
        np.maximum(p["create"][lone], START),
        np.full(len(lone), TODAY - np.timedelta64(20, "D")),
    )
    l_end = np.where(np.isnat(p["death"][lone]), TODAY, p["death"][lone].astype("datetime64[s]"))
    person = np.r_[bp[bed_row], lone]
    fbed = np.r_[bid[bed_row].astype(float), np.full(len(lone), np.nan)]
    dtype_ = np.r_[dtype_, np.full(len(lone), 8)]
    bind = np.r_[
        bstart[bed_row] + rng.integers(0, 5 * DAY_S, len(bed_row)).astype("timedelta64[s]"), l_start
    ]
    unbind = np.r_[bend[bed_row], l_end]
    ok = bind < unbind
    person, fbed, dtype_, bind, unbind = person[ok], fbed[ok], dtype_[ok], bind[ok], unbind[ok]
    k = len(person)
    sn = np.char.add(
        SN_PREFIX[dtype_], np.char.zfill((rng.permutation(k) + 10_000_000).astype(str), 10)
    )
    still = unbind >= TODAY
    offline = still & (rng.random(k) < 0.08)
    last = np.where(still, TODAY - rng.integers(0, 3600, k).astype("timedelta64[s]"), unbind)
    last[offline] = TODAY - rng.integers(2 * DAY_S, 40 * DAY_S, offline.sum()).astype(
        "timedelta64[s]"
    )
    dev = {
        "device_id": 400_001 + np.arange(k),
        "device_sn": sn.astype(object),
        "device_type": DEVICE_TYPES[dtype_].astype(object),
        "elder_id": elder_id_at(w, person, bind),
        "fbed_id": fbed,
        "bind_time": bind,
        "unbind_time": np.where(still, np.datetime64("NaT"), unbind),
        "last_online_time": last,
        "status": np.where(~still, "2", np.where(offline, "1", "0")).astype(object),
    }
    # one serial bound to two elders: a second row reuses a serial for another elder
    hit = pick(rng, k, w.cfg.dirt["sn_two_elders"])
    other = rng.integers(0, k, len(hit))
    hit, other = hit[person[other] != person[hit]], other[person[other] != person[hit]]
    new_ids = dev["device_id"].max() + 1 + np.arange(len(hit))
    extra = {c: v[other].copy() for c, v in dev.items()}
    extra["device_id"] = new_ids
    extra["device_sn"] = dev["device_sn"][hit]
    extra["device_type"] = dev["device_type"][hit]
    for c in dev:
        dev[c] = np.concatenate([dev[c], extra[c]])
    w.dirt.add("yl_device", new_ids, "device_sn", "sn_two_elders", None, extra["device_sn"])
    w.tables["yl_device"] = dev
    w.truth["devices"] = {
        "person": person,
        "type": dtype_,
        "sn": sn,
        "bind": bind,
        "end": np.minimum(unbind, TODAY),
    }


def build_alarms(w: World) -> None:
    rng = w.cfg.rng("alarms")
    d = w.truth["devices"]
    months = (d["end"] - d["bind"]).astype(np.int64) / (30.4 * DAY_S)
    n_al = rng.poisson(ALARM_RATE[d["type"]] * months)
    dev = np.repeat(np.arange(len(d["type"])), n_al)
    k = len(dev)
    at = rand_time(rng, d["bind"][dev], d["end"][dev])
    order = np.argsort(at, kind="stable")
    dev, at = dev[order], at[order]
    delay = np.exp(rng.normal(np.log(360), 1.0, k)).astype(np.int64)
    handle = at + delay.astype("timedelta64[s]")
    result = RESULTS[rng.choice(5, k, p=[0.4, 0.25, 0.15, 0.17, 0.03])].astype(object)
    handler = np.char.add("坐席", np.char.zfill(rng.integers(1, 16, k).astype(str), 2)).astype(
        object
    )
    alarm_id = 900_001 + np.arange(k)
    dd = w.cfg.dirt
    before = pick(rng, k, dd["handled_before_raised"])
    dirty = at[before] - rng.integers(60, 3600, len(before)).astype("timedelta64[s]")
    w.dirt.add(
        "yl_alarm", alarm_id[before], "handle_time", "handled_before_raised", handle[before], dirty
    )
    handle[before] = dirty
    never = np.flatnonzero(rng.random(k) < dd["never_handled"])
    w.dirt.add("yl_alarm", alarm_id[never], "handle_time", "never_handled", handle[never], None)
    handle[never] = np.datetime64("NaT")
    result[never] = None
    handler[never] = None
    handle[handle > TODAY] = np.datetime64("NaT")
    w.tables["yl_alarm"] = {
        "alarm_id": alarm_id,
        "device_sn": d["sn"][dev].astype(object),
        "elder_id": elder_id_at(w, d["person"][dev], at),
        "alarm_type": ALARM_OF[d["type"][dev]].astype(object),
        "alarm_time": at,
        "handle_time": handle,
        "handle_result": result,
        "handler": handler,
        "del_flag": np.where(rng.random(k) < 0.01, "2", "0").astype(object),
    }
