"""Real persons aged 60+ and their rows in yl_elder and yl_death_registry (before dirt)."""

from __future__ import annotations

import numpy as np

from migration.generator import geo, identity
from migration.generator.config import PLATFORM_START, START, TODAY
from migration.generator.state import World, pick_from_catchment

DAY = np.timedelta64(1, "D")
SEC_PER_DAY = 86_400
LIVING = np.array(["独居", "空巢", "与子女同住", "与其他亲属同住", "其他"])
LIVING_P = [0.13, 0.38, 0.43, 0.04, 0.02]
ECONOMIC_P = np.array([0.008, 0.038, 0.012, 0.02, 0.922])
ABILITY_YOUNG = np.array([0.90, 0.06, 0.02, 0.01, 0.01])  # age 60
ABILITY_OLD = np.array([0.50, 0.20, 0.14, 0.09, 0.07])  # age 90+
CONDITIONS = np.array(["高血压", "糖尿病", "冠心病", "脑卒中后遗症", "慢阻肺", "骨关节病"])
RELATIONS = np.array(["子女", "配偶", "亲属", "其他"])
# Birth places outside Zhanjiang's counties (Maoming, Guangzhou, Guangxi Beihai, Hainan Haikou).
OTHER_BIRTH_AREAS = np.array(["440902", "440106", "450502", "460106", "440981"])


def rand_time(rng: np.random.Generator, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Uniform datetime64[s] between lo and hi (per row)."""
    lo_s = lo.astype("datetime64[s]").astype(np.int64)
    hi_s = hi.astype("datetime64[s]").astype(np.int64)
    span = np.maximum(hi_s - lo_s, 1)
    return (lo_s + (rng.random(len(lo_s)) * span).astype(np.int64)).astype("datetime64[s]")


def build_persons(w: World) -> None:
    rng = w.cfg.rng("people")
    ref = w.ref
    n = w.cfg.scale.elders
    # Age at TODAY: exponential decline calibrated so that 80+ is share_80_plus of the 60+.
    lam = -np.log(w.cfg.share_80_plus) / 20.0
    ages = np.arange(60, 105)
    p_age = np.exp(-lam * (ages - 60))
    age = rng.choice(ages, n, p=p_age / p_age.sum())
    today_d = TODAY.astype("datetime64[D]")
    birth = today_d - (age * 365.25 + rng.integers(0, 365, n)).astype(np.int64) * DAY
    female = rng.random(n) < (0.50 + 0.006 * (age - 60))
    town = rng.choice(len(ref.towns), n, p=ref.town_weights())
    county_idx = ref.town_county_index()[town]
    county = ref.county_codes[county_idx]
    _, comm_offset, comm_count = community_index(w)
    comm = comm_offset[town] + rng.integers(0, 1 << 30, n) % comm_count[town]
    tx, ty = ref.town_xy()
    spread = np.where(ref.town_is_street()[town], 900.0, 3500.0)
    lng, lat = geo.offset_m(rng, tx[town], ty[town], spread)
    lng, lat = geo.keep_inside(
        w.cfg.rng("people_geo"), lng, lat, county_idx, tx[town], ty[town], spread
    )
    birth_area = np.where(rng.random(n) < 0.88, county, OTHER_BIRTH_AREAS[rng.integers(0, 5, n)])
    id18 = identity.id_cards(rng, birth_area, birth, female)
    # Ability worsens with age; economic hardship and living alone come with it.
    t = np.clip((age - 60) / 30.0, 0, 1)[:, None]
    p_ab = (1 - t) * ABILITY_YOUNG + t * ABILITY_OLD
    ability = (rng.random(n)[:, None] > np.cumsum(p_ab, axis=1)).sum(axis=1).clip(0, 4)
    economic = rng.choice(5, n, p=ECONOMIC_P)
    living = rng.choice(len(LIVING), n, p=LIVING_P)
    hyper = rng.random(n) < 0.45
    diab = rng.random(n) < 0.18
    care = _care_mode(w, rng, ability, economic)
    # Registration: after the 60th birthday and the platform's start, before TODAY.
    sixty = birth + (60 * 365.25 * DAY).astype("timedelta64[D]")
    reg_lo = np.maximum(sixty.astype("datetime64[s]"), PLATFORM_START)
    create = rand_time(rng, reg_lo, np.minimum(reg_lo + np.timedelta64(900, "D"), TODAY))
    # Deaths during the history (Gompertz-like annual mortality).
    q = np.clip(0.005 * np.exp(0.095 * (age - 63)), 0, 0.5)
    exp_from = np.maximum(create, START)
    years = (TODAY - exp_from).astype(np.int64) / (365.25 * SEC_PER_DAY)
    dies = rng.random(n) < 1 - (1 - q) ** years
    death = np.full(n, np.datetime64("NaT"), "datetime64[D]")
    death[dies] = rand_time(rng, exp_from[dies], np.full(dies.sum(), TODAY)).astype("datetime64[D]")
    mobile = rng.random(n) < 0.85
    phone = np.where(mobile, identity.mobiles(rng, n), identity.landlines(rng, n))
    w.persons = {
        "person_id": np.arange(1, n + 1),
        "name": identity.names(rng, female),
        "female": female,
        "birth": birth,
        "age": age,
        "id18": id18,
        "county": county,
        "county_idx": county_idx,
        "town": town,
        "town_code": ref.town_codes[town],
        "community": comm,
        "lng": lng,
        "lat": lat,
        "phone": phone,
        "ability": ability,
        "economic": economic,
        "living": living,
        "hyper": hyper,
        "diab": diab,
        "care": care,
        "create": create,
        "death": death,
        "home_subsidy": ref.home_subsidy[economic, ability],
        "bed_subsidy": ref.bed_subsidy[economic, ability],
    }


def community_index(w: World) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Communities in town order: their full address prefix, each town's offset and count."""
    names = {c["area_code"]: c["area_name"] for c in [*w.ref.counties, *w.ref.towns]}
    towns = list(w.ref.town_codes)
    comms = sorted(w.ref.communities, key=lambda c: (towns.index(c["parent_code"]), c["area_code"]))
    prefix = np.array(
        [
            f"广东省湛江市{names[c['parent_code'][:6]]}{names[c['parent_code']]}{c['area_name']}"
            for c in comms
        ]
    )
    parent = np.array([towns.index(c["parent_code"]) for c in comms])
    count = np.bincount(parent, minlength=len(towns))
    return prefix, np.r_[0, np.cumsum(count)[:-1]], count


def _care_mode(w: World, rng, ability: np.ndarray, economic: np.ndarray) -> np.ndarray:
    """0 home, 1 community, 2 institution: exact 90/7/3 shares, frailer people in institutions."""
    n = len(ability)
    home, comm, inst = w.cfg.care_mode
    weight = (1.0 + 2.5 * ability) * np.where(economic == 0, 6.0, 1.0)
    n_inst, n_comm = round(n * inst), round(n * comm)
    care = np.zeros(n, np.int8)
    g = rng.exponential(1.0, n) / weight  # weighted sampling without replacement
    care[np.argsort(g, kind="stable")[:n_inst]] = 2
    rest = np.flatnonzero(care == 0)
    care[rng.permutation(rest)[:n_comm]] = 1
    return care


def build_elder_rows(w: World) -> None:
    """One yl_elder row per person plus duplicates (15-digit re-entry or re-registered after a move)."""
    rng = w.cfg.rng("elder_rows")
    p = w.persons
    n = len(p["person_id"])
    dup = np.flatnonzero(rng.random(n) < w.cfg.dirt["elder_duplicate"])
    dup_moved = rng.random(len(dup)) < 0.5
    src = np.r_[np.arange(n), dup]
    m = len(src)
    is_dup = np.r_[np.zeros(n, bool), np.ones(len(dup), bool)]
    dup_kind = np.r_[np.full(n, ""), np.where(dup_moved, "dup_moved", "dup_15_digit")]
    create = p["create"][src].copy()
    later = rand_time(rng, create[n:], np.full(len(dup), TODAY))
    create[n:] = later
    alive_at = np.isnat(p["death"][src]) | (create.astype("datetime64[D]") < p["death"][src])
    create[~alive_at] = p["create"][src][~alive_at]  # a dead person is not re-registered later
    order = np.lexsort((np.arange(m), create))
    elder_id = np.empty(m, np.int64)
    elder_id[order] = 100_001 + np.arange(m)
    id_card = p["id18"][src].astype(object)
    fifteen = is_dup & (dup_kind == "dup_15_digit")
    id_card[fifteen] = identity.to_15_digit(p["id18"][src][fifteen])
    town = p["town"][src].copy()
    lng, lat = p["lng"][src].copy(), p["lat"][src].copy()
    moved = is_dup & (dup_kind == "dup_moved")
    # A move: new town in the same county, new home.
    tci = w.ref.town_county_index()
    county_towns = np.zeros((len(w.ref.counties), len(tci)), bool)
    county_towns[tci, np.arange(len(tci))] = True
    town[moved] = pick_from_catchment(rng, county_towns, np.arange(len(tci)), tci[town[moved]])
    tx, ty = w.ref.town_xy()
    lng[moved], lat[moved] = geo.keep_inside(
        w.cfg.rng("elder_rows_geo"),
        *geo.offset_m(rng, tx[town[moved]], ty[town[moved]], 1500.0),
        tci[town[moved]], tx[town[moved]], ty[town[moved]], 1500.0,
    )  # fmt: skip
    prefix, comm_offset, _ = community_index(w)
    comm = p["community"][src].copy()
    comm[moved] = comm_offset[town[moved]]
    house = np.char.add(rng.integers(1, 300, m).astype("U3"), "号")
    address = np.char.add(prefix[comm], house).astype(object)
    coord_draw = rng.random(m)
    coord_sys = np.where(coord_draw < 0.70, "gcj02", np.where(coord_draw < 0.85, "bd09", "wgs84"))
    glng, glat = geo.wgs84_to_gcj02(lng, lat)
    blng, blat = geo.gcj02_to_bd09(glng, glat)
    out_lng = np.where(coord_sys == "gcj02", glng, np.where(coord_sys == "bd09", blng, lng))
    out_lat = np.where(coord_sys == "gcj02", glat, np.where(coord_sys == "bd09", blat, lat))
    no_coord = coord_draw > 0.95
    out_lng, out_lat = out_lng.astype(object), out_lat.astype(object)
    out_lng[no_coord] = out_lat[no_coord] = None
    coord_sys = coord_sys.astype(object)
    coord_sys[no_coord] = None
    cond = rng.random((m, len(CONDITIONS))) < [0.0, 0.0, 0.12, 0.05, 0.06, 0.15]
    cond[:, 0] = p["hyper"][src]
    cond[:, 1] = p["diab"][src]
    combos = np.array(
        ["、".join(CONDITIONS[[b >> i & 1 == 1 for i in range(6)]]) or "无" for b in range(64)]
    )
    history = combos[cond.astype(np.int64) @ (1 << np.arange(6))].astype(object)
    female = p["female"][src]
    death = p["death"][src]
    death_known = ~np.isnat(death) & (rng.random(m) < 0.6)
    death_txt = np.where(death_known, np.datetime_as_string(death, unit="D"), None)
    update = rand_time(rng, create, np.full(m, TODAY))
    update[death_known] = np.maximum(
        update[death_known], death[death_known].astype("datetime64[s]")
    )
    del_flag = np.where(rng.random(m) < 0.01, "2", "0")
    w.tables["yl_elder"] = {
        "elder_id": elder_id,
        "elder_name": p["name"][src].astype(object),
        "id_card": id_card,
        "sex": np.where(female, "1", "0").astype(object),
        "birthday": np.datetime_as_string(p["birth"][src], unit="D").astype(object),
        "phone": p["phone"][src].astype(object),
        "area_code": np.char.add(w.ref.town_codes[town], "000").astype(object),
        "address": address,
        "lng": out_lng,
        "lat": out_lat,
        "coord_sys": coord_sys,
        "living_type": LIVING[p["living"][src]].astype(object),
        "economic_type": (p["economic"][src] + 1).astype(str).astype(object),
        "ability_level": np.array(
            ["能力完好", "轻度失能", "中度失能", "重度失能", "完全失能"], dtype=object
        )[p["ability"][src]],
        "medical_history": history,
        "guardian_name": identity.names(rng, rng.random(m) < 0.5).astype(object),
        "guardian_phone": identity.mobiles(rng, m).astype(object),
        "guardian_relation": RELATIONS[rng.choice(4, m, p=[0.7, 0.15, 0.1, 0.05])].astype(object),
        "death_date": death_txt.astype(object),
        "del_flag": del_flag.astype(object),
        "create_time": create,
        "update_time": update,
    }
    # truth: which row belongs to whom, and each person's current elder_id over time
    w.truth["elder_rows"] = {
        "elder_id": elder_id,
        "person_index": src,
        "is_dup": is_dup,
        "dup_kind": dup_kind,
        "create": create,
        "town": town,
        "lng": lng,
        "lat": lat,
    }


def elder_id_at(w: World, person_index: np.ndarray, when: np.ndarray) -> np.ndarray:
    """The elder_id a provider would use for a person at a moment: the newer row once it exists."""
    rows = w.truth["elder_rows"]
    n = len(w.persons["person_id"])
    primary = rows["elder_id"][:n]
    out = primary[person_index].copy()
    dup_rows = np.flatnonzero(rows["is_dup"])
    if len(dup_rows):
        dup_of = np.full(n, -1)
        dup_of[rows["person_index"][dup_rows]] = dup_rows
        d = dup_of[person_index]
        has = d >= 0
        newer = has & (when >= rows["create"][np.where(has, d, 0)])
        out[newer] = rows["elder_id"][d[newer]]
    return out


def build_death_registry(w: World) -> None:
    rng = w.cfg.rng("deaths")
    p = w.persons
    dead = np.flatnonzero(~np.isnat(p["death"]))
    synced = dead[rng.random(len(dead)) < 0.92]
    k = int(round(len(synced) * w.cfg.dirt["death_unknown_elder"]))
    female = rng.random(k) < 0.5
    birth = np.datetime64("1935-01-01") + rng.integers(0, 10_000, k) * DAY
    extra_id = identity.id_cards(
        rng, w.ref.county_codes[rng.integers(0, 9, k)], birth, female
    ).astype(object)
    extra_death = rand_time(rng, np.full(k, START), np.full(k, TODAY)).astype("datetime64[D]")
    # strangers only: drop a made-up number that happens to be a platform elder's
    own = ~np.isin(extra_id.astype(str), p["id18"])
    extra_id, extra_death, female = extra_id[own], extra_death[own], female[own]
    ids = np.r_[p["id18"][synced].astype(object), extra_id]
    n = len(ids)
    order = np.argsort(np.r_[p["death"][synced], extra_death], kind="stable")
    w.tables["yl_death_registry"] = {
        "registry_id": np.arange(1, n + 1),
        "id_card": ids[order],
        "name": np.r_[p["name"][synced], identity.names(rng, female)].astype(object)[order],
        "death_date": np.r_[p["death"][synced], extra_death][order],
        "source": np.array(["民政殡葬系统", "公安户籍系统"], dtype=object)[rng.integers(0, 2, n)],
    }
    unknown_rows = np.flatnonzero(order >= len(synced))
    w.dirt.add(
        "yl_death_registry",
        unknown_rows + 1,
        "id_card",
        "death_unknown_elder",
        None,
        ids[order][unknown_rows],
    )
