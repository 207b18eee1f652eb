"""Vital signs (yl_health_record), generated in chunks so city scale stays within memory.

Each person has a baseline (hypertension and diabetes raise it); readings scatter around it and
stay inside physiological limits. Epoch-millisecond times are UTC instants of the Beijing-time
text they replace (UTC+8).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from migration.generator.people import elder_id_at, rand_time
from migration.generator.state import Frame, World, fmt_dt, fmt_unique, pick

CHUNK_DEVICES = 1_500
# device type -> items measured per session
ITEMS = {6: ("SBP", "DBP"), 7: ("GLU",), 8: ("HR", "SPO2")}
# object arrays of shared strings: the writer's tolist() then only adds references
CODES = np.array(["HR", "SBP", "DBP", "GLU", "SPO2"], dtype=object)
UNITS = np.array(["次/分", "mmHg", "mmHg", "mmol/L", "%"], dtype=object)
SESSION_WEIGHT = {6: 1.0, 7: 0.7, 8: 3.0}  # bands measure more often than cuffs and meters
BEIJING = np.timedelta64(8 * 3600, "s")
HR_ABNORMAL_SHARE = 0.06


def baselines(w: World) -> dict[str, np.ndarray]:
    """Each person's usual values; a condition (hypertension, diabetes, a fast heart) puts the
    baseline clearly inside the clinical range, so the truth of who has it is observable."""
    rng = w.cfg.rng("baselines")
    p = w.persons
    n = len(p["person_id"])
    hyper, diab = p["hyper"], p["diab"]
    p["hr_abnormal"] = heart_condition(w)
    return {
        "HR": np.where(
            p["hr_abnormal"],
            np.clip(rng.normal(112, 5, n), 106, 125),
            np.clip(rng.normal(72, 6, n), 58, 86),
        ),
        "SBP": np.where(
            hyper,
            np.clip(rng.normal(152, 6, n), 146, 175),
            np.clip(rng.normal(119, 6, n), 100, 126),
        ),
        "DBP": np.where(
            hyper, np.clip(rng.normal(86, 5, n), 78, 100), np.clip(rng.normal(73, 4, n), 60, 79)
        ),
        "GLU": np.where(
            diab,
            np.clip(rng.normal(9.2, 0.9, n), 8.3, 12),
            np.clip(rng.normal(5.2, 0.3, n), 4.2, 5.8),
        ),
        "SPO2": np.clip(rng.normal(96.8, 0.9, n), 93, 99.5),
    }


def heart_condition(w: World) -> np.ndarray:
    """Persons with a persistently fast heart (心动过速), its own stream: no other draw moves."""
    rng = w.cfg.rng("heart_condition")
    return rng.random(len(w.persons["person_id"])) < HR_ABNORMAL_SHARE


def plan(w: World) -> dict[str, np.ndarray]:
    """Sessions per measuring device, scaled so the readings meet the scale's target."""
    d = w.truth["devices"]
    meas = np.isin(d["type"], list(ITEMS))
    days = np.maximum((d["end"] - d["bind"]).astype(np.int64) / 86_400, 0)
    per_session = np.array([len(ITEMS.get(t, ())) for t in d["type"]])
    weight = np.array([SESSION_WEIGHT.get(t, 0.0) for t in d["type"]]) * meas
    expected = (days * weight * per_session).sum()
    rate = w.cfg.scale.readings / max(expected, 1.0)
    rng = w.cfg.rng("health_plan")
    sessions = rng.poisson(days * weight * rate)
    return {"device": np.flatnonzero(sessions > 0), "sessions": sessions}


def chunks(w: World, base: dict[str, np.ndarray]) -> Iterator[Frame]:
    pl = plan(w)
    w.truth["devices"]["sn_obj"] = w.truth["devices"]["sn"].astype(object)
    devices = pl["device"]
    next_id = 1
    for c, lo in enumerate(range(0, len(devices), CHUNK_DEVICES)):
        frame = _chunk(w, base, devices[lo : lo + CHUNK_DEVICES], pl["sessions"], c, next_id)
        next_id += len(frame["record_id"])
        yield frame


def _chunk(w, base, devs, sessions, c: int, first_id: int) -> Frame:
    rng = w.cfg.rng(f"health_{c}")
    d = w.truth["devices"]
    dev = np.repeat(devs, sessions[devs])
    at = rand_time(rng, d["bind"][dev], d["end"][dev])
    # daytime measurements: move each session to 6:00-21:59 of its day
    day = at.astype("datetime64[D]").astype("datetime64[s]")
    at = day + (6 * 3600 + rng.integers(0, 16 * 3600, len(at))).astype("timedelta64[s]")
    codes, values, sess = [], [], []
    for t, items in ITEMS.items():
        s = np.flatnonzero(d["type"][dev] == t)
        person = d["person"][dev[s]]
        for code in items:
            v = _values(rng, code, base[code][person], w.persons["diab"][person])
            if code == "DBP":  # a diastolic stays well below its systolic
                v = np.minimum(v, values[-1] - 20)
            codes.append(np.full(len(s), list(CODES).index(code), np.int8))
            values.append(v)
            sess.append(s)
    sess_i = np.concatenate(sess)
    code = np.concatenate(codes)
    value = np.concatenate(values)
    order = np.lexsort((code, at[sess_i]))
    sess_i, code, value = sess_i[order], code[order], value[order]
    person = d["person"][dev[sess_i]]
    when = at[sess_i]
    frame = {
        "record_id": np.arange(first_id, first_id + len(sess_i)),
        "elder_id": elder_id_at(w, person, when),
        "device_sn": d["sn_obj"][dev[sess_i]],
        "measure_time": fmt_dt(when),
        "item_code": CODES[code],
        "item_value": _fmt(code, value),
        "unit": UNITS[code],
    }
    return _dirt(w, rng, frame, when, CODES[code], value)


def _values(rng, code: str, base: np.ndarray, diab: np.ndarray) -> np.ndarray:
    n = len(base)
    if code == "HR":
        return np.clip(base + rng.normal(0, 6, n), 42, 150).round()
    if code == "SBP":
        return np.clip(base + rng.normal(0, 9, n), 88, 215).round()
    if code == "DBP":
        return np.clip(base + rng.normal(0, 6, n), 48, 125).round()
    if code == "GLU":
        return np.clip(base + rng.normal(0, 0.6 + 0.9 * diab, n), 3.0, 25).round(1)
    return np.clip(base + rng.normal(0, 0.9, n), 85, 100).round()


def _fmt(code: np.ndarray, value: np.ndarray) -> np.ndarray:
    out = np.empty(len(code), dtype=object)
    g = code == 3  # glucose keeps one decimal
    out[~g] = fmt_unique(value[~g], "%d")
    out[g] = fmt_unique(value[g], "%.1f")
    return out


def _dirt(w: World, rng, f: Frame, when, code, value) -> Frame:
    dd, log = w.cfg.dirt, w.dirt
    n = len(code)
    t = "yl_health_record"
    hit = np.flatnonzero((code == "GLU") & (rng.random(n) < dd["glucose_mgdl"]))
    dirty = np.round(value[hit] * 18.0).astype(int).astype(str)
    log.add(t, f["record_id"][hit], "item_value", "glucose_mgdl", f["item_value"][hit], dirty)
    f["item_value"][hit] = dirty
    f["unit"][hit] = "mg/dL"
    hit = pick(rng, n, dd["impossible_value"], code == "HR")
    dirty = np.where(rng.random(len(hit)) < 0.5, "0", "300")
    log.add(t, f["record_id"][hit], "item_value", "impossible_value", f["item_value"][hit], dirty)
    f["item_value"][hit] = dirty
    hit = np.flatnonzero(np.isin(code, ["SBP", "DBP"]) & (rng.random(n) < dd["unit_in_value"]))
    dirty = np.char.add(f["item_value"][hit].astype(str), "mmHg")
    log.add(t, f["record_id"][hit], "item_value", "unit_in_value", f["item_value"][hit], dirty)
    f["item_value"][hit] = dirty
    hit = np.flatnonzero(rng.random(n) < dd["time_epoch_ms"])
    ms = ((when[hit] - BEIJING).astype(np.int64) * 1000 + rng.integers(0, 1000, len(hit))).astype(
        str
    )
    log.add(t, f["record_id"][hit], "measure_time", "time_epoch_ms", f["measure_time"][hit], ms)
    f["measure_time"][hit] = ms
    # re-uploaded duplicates: the same reading again under a new record_id, at the chunk's end
    dup = np.flatnonzero(rng.random(n) < dd["duplicate_upload"])
    if len(dup):
        new_ids = f["record_id"][-1] + 1 + np.arange(len(dup))
        for c in f:
            extra = new_ids if c == "record_id" else f[c][dup]
            f[c] = np.concatenate([f[c], extra])
        log.add(t, new_ids, "record_id", "duplicate_upload", f["record_id"][dup], new_ids)
    return f
