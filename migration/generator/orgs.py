"""Organisations (yl_org), institution beds and residents, and service staff."""

from __future__ import annotations

import numpy as np

from migration.generator import geo, identity
from migration.generator.config import PLATFORM_START, START, TODAY
from migration.generator.people import DAY, rand_time
from migration.generator.state import World, pick

TYPES = np.array(["养老机构", "社区照料中心", "居家服务商", "家床服务商", "长者食堂", "评估机构"])
TYPE_SHARE = np.array([220, 1300, 420, 160, 850, 50]) / 3000
WORDS = list("康宁颐福寿安乐和瑞祥泰嘉禾晴悦善慈仁爱德恒盛华丰阳明")
POSTS = np.array(["护理员", "服务员", "社工", "医生", "护士", "管理人员"])


def _type_counts(w: World) -> np.ndarray:
    s = w.cfg.scale
    counts = np.maximum(np.round(TYPE_SHARE * s.orgs).astype(int), s.min_per_type)
    counts[2] = max(counts[2], 2 * len(w.ref.counties))  # home providers: two per county at least
    counts[3] = max(counts[3], len(w.ref.counties))  # family-bed providers: one per county
    return counts


def build_orgs(w: World) -> None:
    rng = w.cfg.rng("orgs")
    ref = w.ref
    counts = _type_counts(w)
    otype = np.repeat(np.arange(6), counts)
    n = len(otype)
    # Place organisations where the elders are: draw a town by the elders' town weights.
    tw = ref.town_weights()
    town = rng.choice(len(ref.towns), n, p=tw)
    tci = ref.town_county_index()
    # Providers that need county coverage: the first ones go one per county.
    for t in (2, 3):
        idx = np.flatnonzero(otype == t)
        for k, c in enumerate(range(len(ref.counties))):
            if k < len(idx):
                towns_c = np.flatnonzero(tci == c)
                town[idx[k]] = towns_c[np.argmax(tw[towns_c])]
        if t == 2:  # the second provider of each county too
            for k, c in enumerate(range(len(ref.counties))):
                j = len(ref.counties) + k
                if j < len(idx):
                    towns_c = np.flatnonzero(tci == c)
                    town[idx[j]] = towns_c[rng.integers(0, len(towns_c))]
    county_idx = tci[town]
    tx, ty = ref.town_xy()
    lng, lat = geo.offset_m(rng, tx[town], ty[town], 1200.0)
    lng, lat = geo.keep_inside(
        w.cfg.rng("orgs_geo"), lng, lat, county_idx, tx[town], ty[town], 1200.0
    )
    tnames = np.array([t["area_name"] for t in ref.towns])
    cnames = np.array([c["area_name"] for c in ref.counties])
    word = np.char.add(
        np.array(WORDS)[rng.integers(0, len(WORDS), n)],
        np.array(WORDS)[rng.integers(0, len(WORDS), n)],
    )
    suffix = np.array(["颐养院", "居家养老服务中心", "养老服务有限公司", "健康管理有限公司", "长者饭堂", "养老评估中心"])  # fmt: skip
    place = np.where(np.isin(otype, [1, 4]), tnames[town], cnames[county_idx])
    name = np.char.add(np.char.add(np.char.add("湛江市", place), word), suffix[otype])
    branch = np.isin(otype, [2, 4]) & (rng.random(n) < 0.25)  # e.g. 某公司(东城服务点)
    name = np.where(
        branch, np.char.add(np.char.add(np.char.add(name, "("), tnames[town]), "服务点)"), name
    )
    name = _unique(name)
    ownership = np.where(
        otype == 0,
        rng.choice(np.array(["公办", "民办", "公建民营"]), n, p=[0.35, 0.45, 0.2]),
        np.where(otype == 1, "公建民营", "民办"),
    )
    kind = np.where(ownership == "公办", "12", np.where(np.isin(otype, [2, 3, 4]), "91", "52"))
    credit = identity.credit_codes(rng, ref.county_codes[county_idx], kind)
    create = rand_time(
        rng, np.full(n, PLATFORM_START), np.full(n, START + np.timedelta64(700, "D"))
    )
    w.orgs = {
        "real_org_id": np.arange(1, n + 1),
        "type": otype,
        "name": name,
        "credit": credit,
        "town": town,
        "county_idx": county_idx,
        "lng": lng,
        "lat": lat,
        "ownership": ownership,
        "create": create,
        "star": np.where(otype == 0, rng.choice(6, n, p=[0.3, 0.1, 0.2, 0.25, 0.1, 0.05]), 0),
    }
    _catchments(w, rng)


def _unique(name: np.ndarray) -> np.ndarray:
    seen: dict[str, int] = {}
    out = []
    for s in name.tolist():
        k = seen.get(s, 0)
        seen[s] = k + 1
        out.append(s if k == 0 else s.replace("湛江市", f"湛江市第{k + 1}", 1))
    return np.array(out)


def _catchments(w: World, rng: np.random.Generator) -> None:
    """town x provider matrices: which home/family-bed providers serve which towns."""
    tci = w.ref.town_county_index()
    o = w.orgs
    for t, key in ((2, "home_catchment"), (3, "bed_catchment")):
        prov = np.flatnonzero(o["type"] == t)
        m = np.zeros((len(tci), len(prov)), bool)
        for j, p in enumerate(prov):
            same = tci == o["county_idx"][p]
            m[:, j] = same & (rng.random(len(tci)) < (0.6 if t == 2 else 1.0))
            m[o["town"][p], j] = True
        for i in range(len(tci)):  # every town served by at least one provider of its county
            if not m[i].any():
                cands = np.flatnonzero(o["county_idx"][prov] == tci[i])
                m[i, cands[rng.integers(0, len(cands))] if len(cands) else 0] = True
        o[key] = m
        o[key + "_ids"] = prov


def assign_institutions(w: World) -> None:
    """Put each institutional person in an institution of their county (if any)."""
    rng = w.cfg.rng("residents")
    p, o = w.persons, w.orgs
    inst = np.flatnonzero(o["type"] == 0)
    size = rng.lognormal(0, 0.7, len(inst))
    who = np.flatnonzero(p["care"] == 2)
    same = p["county_idx"][who][:, None] == o["county_idx"][inst][None, :]
    wgt = size[None, :] * np.where(same, 1.0, 0.03)
    cum = np.cumsum(wgt / wgt.sum(axis=1, keepdims=True), axis=1)
    choice = (rng.random(len(who))[:, None] > cum).sum(axis=1).clip(0, len(inst) - 1)
    org_of = np.full(len(p["person_id"]), -1)
    org_of[who] = inst[choice]
    p["institution"] = org_of
    occupancy = rng.beta(6, 3.5, len(inst))  # mean ~0.63
    assigned = np.bincount(choice, minlength=len(inst))
    beds = np.maximum(np.ceil(assigned / occupancy).astype(int), 10)
    beds = (np.ceil(beds / 10) * 10).astype(int)
    approved = np.zeros(len(o["type"]), int)
    approved[inst] = beds
    centres = o["type"] == 1
    approved[centres] = rng.integers(1, 4, centres.sum()) * 10
    o["approved_beds"] = approved


def build_org_rows(w: World) -> None:
    rng = w.cfg.rng("org_rows")
    o = w.orgs
    n = len(o["type"])
    dup = pick(rng, n, w.cfg.dirt["org_duplicate"])
    src = np.r_[np.arange(n), dup]
    m = len(src)
    create = o["create"][src].copy()
    create[n:] = rand_time(rng, create[n:], np.full(len(dup), TODAY - np.timedelta64(200, "D")))
    order = np.lexsort((np.arange(m), create))
    org_id = np.empty(m, np.int64)
    org_id[order] = 10_001 + np.arange(m)
    t = o["type"][src]
    coord_draw = rng.random(m)
    coord_sys = np.where(coord_draw < 0.6, "gcj02", np.where(coord_draw < 0.8, "bd09", "wgs84"))
    lng, lat = o["lng"][src], o["lat"][src]
    glng, glat = geo.wgs84_to_gcj02(lng, lat)
    blng, blat = geo.gcj02_to_bd09(glng, glat)
    beds = o["approved_beds"][src]
    filed = np.where(rng.random(m) < 0.8, beds, np.round(beds * rng.uniform(0.7, 1.1, m)))
    charge_min = np.where(t == 0, rng.integers(15, 30, m) * 100, np.nan)
    w.tables["yl_org"] = {
        "org_id": org_id,
        "org_name": o["name"][src].astype(object),
        "org_type": TYPES[t].astype(object),
        "credit_code": o["credit"][src].astype(object),
        "area_code": w.ref.county_codes[o["county_idx"][src]].astype(object),
        "address": np.char.add(
            np.array([w.ref.towns[i]["area_name"] for i in o["town"][src]]),
            np.char.add(rng.integers(1, 400, m).astype(str), "号"),
        ).astype(object),
        "lng": np.where(coord_sys == "gcj02", glng, np.where(coord_sys == "bd09", blng, lng)),
        "lat": np.where(coord_sys == "gcj02", glat, np.where(coord_sys == "bd09", blat, lat)),
        "coord_sys": coord_sys.astype(object),
        "contact_name": identity.names(rng, rng.random(m) < 0.6).astype(object),
        "contact_phone": identity.mobiles(rng, m).astype(object),
        "approved_beds": np.where(beds > 0, beds, np.nan),
        "filed_beds": np.where(beds > 0, filed, np.nan),
        "star_level": np.where(t == 0, o["star"][src], np.nan),
        "ownership": o["ownership"][src].astype(object),
        "charge_min": charge_min,
        "charge_max": charge_min + np.where(t == 0, rng.integers(10, 40, m) * 100, np.nan),
        "medical_condition": np.where(
            t == 0, rng.choice(np.array(["内设医疗机构", "医养签约", "无"]), m), None
        ).astype(object),
        "status": np.where(rng.random(m) < 0.03, "1", "0").astype(object),
        "del_flag": np.where(rng.random(m) < 0.01, "2", "0").astype(object),
        "create_time": create,
        "update_time": rand_time(rng, create, np.full(m, TODAY)),
    }
    w.truth["org_rows"] = {"org_id": org_id, "org_index": src, "create": create}


def org_id_at(w: World, org_index: np.ndarray, when: np.ndarray) -> np.ndarray:
    """The org_id used for an organisation at a moment: its duplicate once that exists."""
    rows = w.truth["org_rows"]
    n = len(w.orgs["type"])
    out = rows["org_id"][:n][org_index].copy()
    dup_of = np.full(n, -1)
    dups = np.arange(n, len(rows["org_id"]))
    dup_of[rows["org_index"][dups]] = dups
    d = dup_of[org_index]
    newer = (d >= 0) & (when >= rows["create"][np.where(d >= 0, d, 0)])
    out[newer] = rows["org_id"][d[newer]]
    return out


def build_staff(w: World) -> None:
    """Staff per organisation, sized to its residents and served elders (fills yl_staff)."""
    rng = w.cfg.rng("staff")
    o = w.orgs
    n = len(o["type"])
    residents = np.bincount(w.persons["institution"][w.persons["institution"] >= 0], minlength=n)
    base = np.array([0, 4, 0, 6, 3, 5])[o["type"]]
    served = o.get("served_elders", np.zeros(n))
    size = base + np.ceil(residents / 4.0) + np.ceil(served / 40.0) + rng.integers(1, 5, n)
    size = size.astype(int)
    org_index = np.repeat(np.arange(n), size)
    k = len(org_index)
    female = rng.random(k) < 0.8
    birth = np.datetime64("1966-01-01") + rng.integers(0, 35 * 365, k) * DAY
    area = w.ref.county_codes[o["county_idx"][org_index]]
    caregiver_org = np.isin(o["type"][org_index], [0, 2, 3])
    post = np.where(
        caregiver_org & (rng.random(k) < 0.8),
        np.where(o["type"][org_index] == 0, "护理员", "服务员"),
        POSTS[rng.integers(2, 6, k)],
    )
    first_of_org = np.r_[True, org_index[1:] != org_index[:-1]]
    post[first_of_org] = "管理人员"
    staff = {
        "staff_id": np.arange(200_001, 200_001 + k),
        "org_id": org_id_at(w, org_index, np.full(k, TODAY)),
        "staff_name": identity.names(rng, female).astype(object),
        "id_card": identity.id_cards(rng, area, birth, female).astype(object),
        "phone": identity.mobiles(rng, k).astype(object),
        "post": post.astype(object),
        "certified": np.where(rng.random(k) < 0.72, "1", "0").astype(object),
        "status": np.where(rng.random(k) < 0.08, "1", "0").astype(object),
        "del_flag": np.where(rng.random(k) < 0.01, "2", "0").astype(object),
    }
    w.tables["yl_staff"] = staff
    o["staff_org_index"] = org_index
