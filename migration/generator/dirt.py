"""Dirt of the master tables (areas, dictionaries, elders, organisations, catalogue, orders).

Dirt of the event tables is injected where those rows are made (health, iot, ops, orders).
Every change is logged with the value it replaced.
"""

from __future__ import annotations

import numpy as np

from migration.generator import geo, identity
from migration.generator.state import World, pick

FULLWIDTH = str.maketrans("0123456789Xx", "０１２３４５６７８９Ｘｘ")


def areas_and_dicts(w: World) -> None:
    rng = w.cfg.rng("areas")
    ref = w.ref
    rows = [ref.city, *ref.counties, *ref.towns, *ref.communities]
    code = np.array([r["area_code"] for r in rows], dtype=object)
    level = np.array([int(r["area_level"]) for r in rows])
    true = code.copy()
    # town codes are 9-digit statistical codes; most rows store the 12-digit form
    town = level == 3
    code[town] = np.char.add(code[town].astype(str), "000")
    hit = pick(rng, len(code), w.cfg.dirt["area_code_12_digit"])
    hit = hit[level[hit] <= 2]
    code[hit] = np.char.add(code[hit].astype(str), "000000")
    w.dirt.add("sys_area", code[hit], "area_code", "area_code_12_digit", true[hit], code[hit])
    parent = np.array([r["parent_code"] for r in rows], dtype=object)
    w.tables["sys_area"] = {
        "area_code": code,
        "area_name": np.array([r["area_name"] for r in rows], dtype=object),
        "parent_code": parent,
        "area_level": level,
    }
    d = ref.dict_rows
    w.tables["sys_dict_data"] = {
        "dict_code": np.array([int(r["dict_code"]) for r in d]),
        "dict_type": np.array([r["dict_type"] for r in d], dtype=object),
        "dict_value": np.array([r["dict_value"] for r in d], dtype=object),
        "dict_label": np.array([r["dict_label"] for r in d], dtype=object),
        "status": np.array([r["status"] for r in d], dtype=object),
    }
    # labels reused across dictionary types are in the seed itself; log them as found
    labels = w.tables["sys_dict_data"]["dict_label"]
    types = w.tables["sys_dict_data"]["dict_type"]
    reused = [i for i, lab in enumerate(labels) if len(set(types[labels == lab])) > 1]
    w.dirt.add(
        "sys_dict_data",
        w.tables["sys_dict_data"]["dict_code"][reused],
        "dict_label",
        "label_reused",
        labels[reused],
        labels[reused],
    )


def elders(w: World) -> None:
    rng = w.cfg.rng("elder_dirt")
    e, d, log = w.tables["yl_elder"], w.cfg.dirt, w.dirt
    n = len(e["elder_id"])
    key = e["elder_id"]

    def apply(col: str, kind: str, idx: np.ndarray, dirty) -> None:
        dirty = np.asarray(dirty, dtype=object)
        log.add("yl_elder", key[idx], col, kind, e[col][idx], dirty)
        e[col][idx] = dirty

    ids = e["id_card"].astype(str)
    is18 = np.char.str_len(ids) == 18
    free = np.ones(n, bool)

    def take(rate: float, mask=None) -> np.ndarray:
        idx = pick(rng, n, rate, free & (True if mask is None else mask))
        free[idx] = False
        return idx

    x_end = np.char.endswith(ids, "X")
    idx = take(d["id_card_lower_x"], x_end)
    apply("id_card", "id_card_lower_x", idx, np.char.replace(ids[idx], "X", "x"))
    idx = take(d["id_card_spaces"], is18)
    apply("id_card", "id_card_spaces", idx, [f"{s[:6]} {s[6:14]} {s[14:]}" for s in ids[idx]])
    idx = take(d["id_card_fullwidth"], is18)
    apply("id_card", "id_card_fullwidth", idx, [s.translate(FULLWIDTH) for s in ids[idx]])
    idx = take(d["id_card_15_digit"], is18)
    apply("id_card", "id_card_15_digit", idx, identity.to_15_digit(ids[idx]))
    idx = take(d["id_card_bad_check"], is18)
    bad = [s[:17] + "0123456789X"[("0123456789X".index(s[17]) + 1) % 11] for s in ids[idx]]
    apply("id_card", "id_card_bad_check", idx, bad)

    birth = e["birthday"].astype(str)
    idx = pick(rng, n, d["birthday_missing"])
    apply("birthday", "birthday_missing", idx, np.full(len(idx), None))
    idx = pick(rng, n, d["birthday_contradicts"], ~np.isin(np.arange(n), idx))
    shifted = (birth[idx].astype("datetime64[D]") + rng.integers(30, 900, len(idx))).astype(str)
    apply("birthday", "birthday_contradicts", idx, shifted)
    idx = pick(rng, n, d["sex_missing"])
    apply("sex", "sex_missing", idx, np.full(len(idx), None))
    rest = np.setdiff1d(np.arange(n), idx)
    idx2 = rest[pick(rng, len(rest), d["sex_contradicts"])]
    apply("sex", "sex_contradicts", idx2, np.where(e["sex"][idx2] == "1", "0", "1"))
    rest = np.setdiff1d(rest, idx2)
    idx3 = rest[rng.random(len(rest)) < d["sex_label"]]
    apply("sex", "sex_label", idx3, np.where(e["sex"][idx3] == "1", "女", "男"))

    phone = e["phone"].astype(str)
    mobile = np.char.str_len(phone) == 11
    mobile &= ~np.char.startswith(phone, "0759")
    kinds = rng.random(n)
    acc = 0.0
    for kind in ("phone_plus86", "phone_spaces", "phone_dashes"):
        lo, acc = acc, acc + d[kind]
        idx = np.flatnonzero(mobile & (kinds >= lo) & (kinds < acc))
        p = phone[idx]
        fmt = {
            "phone_plus86": lambda s: "+86" + s,
            "phone_spaces": lambda s: f"{s[:3]} {s[3:7]} {s[7:]}",
            "phone_dashes": lambda s: f"{s[:3]}-{s[3:7]}-{s[7:]}",
        }[kind]
        apply("phone", kind, idx, [fmt(s) for s in p])
    idx = np.flatnonzero(~mobile & (rng.random(n) < min(1.0, d["phone_landline"] * 4)))
    apply("phone", "phone_landline", idx, [f"0759-{s[4:]}" for s in phone[idx]])

    names = {a["area_code"]: a["area_name"] for a in [*w.ref.counties, *w.ref.towns]}
    idx = pick(rng, n, d["area_code_name"])
    town9 = [s[:9] for s in e["area_code"][idx]]
    apply("area_code", "area_code_name", idx, [names[t[:6]] + names[t] for t in town9])
    econ = e["economic_type"].astype(str)
    labels = np.array(["特困", "低保", "低保边缘", "低收入", "普通"])
    idx = pick(rng, n, d["economic_type_label"])
    apply("economic_type", "economic_type_label", idx, labels[econ[idx].astype(int) - 1])
    idx = pick(rng, n, d["economic_type_old_code"], ~np.isin(np.arange(n), idx))
    apply("economic_type", "economic_type_old_code", idx, np.char.add("0", econ[idx]))


def orgs(w: World) -> None:
    rng = w.cfg.rng("org_dirt")
    o, d, log = w.tables["yl_org"], w.cfg.dirt, w.dirt
    n = len(o["org_id"])
    key = o["org_id"]
    draw = rng.random(n)
    cuts = np.cumsum(
        [
            d[k]
            for k in (
                "coord_gcj02_unlabelled",
                "coord_bd09_unlabelled",
                "coord_swapped",
                "coord_zero",
            )
        ]
    )
    info = w.truth["org_rows"]
    tl, tt = w.orgs["lng"][info["org_index"]], w.orgs["lat"][info["org_index"]]
    g = geo.wgs84_to_gcj02(tl, tt)
    b = geo.wgs84_to_bd09(tl, tt)
    for i, kind in enumerate(
        ("coord_gcj02_unlabelled", "coord_bd09_unlabelled", "coord_swapped", "coord_zero")
    ):
        lo = cuts[i - 1] if i else 0.0
        idx = np.flatnonzero((draw >= lo) & (draw < cuts[i]))
        old = [
            f"{a:.6f},{c:.6f},{s}"
            for a, c, s in zip(o["lng"][idx], o["lat"][idx], o["coord_sys"][idx], strict=True)
        ]
        if kind == "coord_gcj02_unlabelled":
            o["lng"][idx], o["lat"][idx], o["coord_sys"][idx] = g[0][idx], g[1][idx], None
        elif kind == "coord_bd09_unlabelled":
            o["lng"][idx], o["lat"][idx], o["coord_sys"][idx] = b[0][idx], b[1][idx], None
        elif kind == "coord_swapped":
            o["lng"][idx], o["lat"][idx] = o["lat"][idx].copy(), o["lng"][idx].copy()
        else:
            o["lng"][idx], o["lat"][idx] = 0.0, 0.0
        new = [
            f"{a:.6f},{c:.6f},{s}"
            for a, c, s in zip(o["lng"][idx], o["lat"][idx], o["coord_sys"][idx], strict=True)
        ]
        log.add("yl_org", key[idx], "lng,lat,coord_sys", kind, old, new)
    name = o["org_name"].astype(str)
    has_brackets = np.char.find(name, "(") >= 0
    idx = pick(rng, n, d["name_fullwidth_brackets"] * 4, has_brackets)
    dirty = [s.replace("(", "（").replace(")", "）") for s in name[idx]]
    log.add("yl_org", key[idx], "org_name", "name_fullwidth_brackets", name[idx], dirty)
    o["org_name"][idx] = dirty
    idx = pick(rng, n, d["name_trailing_space"])
    log.add(
        "yl_org",
        key[idx],
        "org_name",
        "name_trailing_space",
        o["org_name"][idx],
        np.char.add(o["org_name"][idx].astype(str), "  "),
    )
    o["org_name"][idx] = np.char.add(o["org_name"][idx].astype(str), "  ")
    idx = pick(rng, n, d["credit_code_invalid"])
    cc = o["credit_code"].astype(str)
    bad = [s[:17] + ("0" if s[17] != "0" else "1") for s in cc[idx]]
    log.add("yl_org", key[idx], "credit_code", "credit_code_invalid", cc[idx], bad)
    o["credit_code"][idx] = bad


def staff(w: World) -> None:
    """One person employed by two providers: a second staff row with the same identity."""
    rng = w.cfg.rng("staff_dirt")
    s = w.tables["yl_staff"]
    n = len(s["staff_id"])
    idx = pick(rng, n, w.cfg.dirt["staff_two_providers"])
    other = rng.integers(0, n, len(idx))
    ok = s["org_id"][other] != s["org_id"][idx]
    idx, other = idx[ok], other[ok]
    new_ids = s["staff_id"].max() + 1 + np.arange(len(idx))
    extra = {c: v[idx].copy() for c, v in s.items()}
    extra["staff_id"] = new_ids
    extra["org_id"] = s["org_id"][other]
    # the truth of the staff merge: a copy is the person of the row it was copied from
    w.truth["staff_rows"] = {
        "staff_id": np.r_[s["staff_id"], new_ids],
        "person_id": np.r_[s["staff_id"], s["staff_id"][idx]],
    }
    for c in s:
        s[c] = np.concatenate([s[c], extra[c]])
    w.orgs["staff_org_index"] = np.r_[w.orgs["staff_org_index"], w.orgs["staff_org_index"][other]]
    w.dirt.add("yl_staff", new_ids, "org_id", "staff_two_providers", None, extra["org_id"])


def items_and_orders(w: World) -> None:
    rng = w.cfg.rng("order_dirt")
    d, log = w.cfg.dirt, w.dirt
    it = w.tables["yl_service_item"]
    idx = pick(rng, len(it["item_id"]), d["price_with_unit"])
    dirty = np.char.add(it["price"][idx].astype(str), "元")
    log.add(
        "yl_service_item", it["item_id"][idx], "price", "price_with_unit", it["price"][idx], dirty
    )
    it["price"][idx] = dirty.astype(object)
    o = w.tables["yl_work_order"]
    n = len(o["order_id"])
    has_end = ~np.isnat(o["end_time"])
    idx = pick(rng, n, d["end_before_start"], has_end)
    dirty = o["start_time"][idx] - (o["end_time"][idx] - o["start_time"][idx])
    log.add(
        "yl_work_order",
        o["order_id"][idx],
        "end_time",
        "end_before_start",
        o["end_time"][idx],
        dirty,
    )
    o["end_time"][idx] = dirty
    idx = pick(rng, n, d["amount_with_unit"])
    dirty = np.char.add(o["amount"][idx].astype(str), "元")
    log.add(
        "yl_work_order", o["order_id"][idx], "amount", "amount_with_unit", o["amount"][idx], dirty
    )
    o["amount"][idx] = dirty.astype(object)
    labels = np.array(["待服务", "服务中", "已完成", "已作废", "存疑"], dtype=object)
    idx = pick(rng, n, d["status_label"])
    dirty = labels[o["order_status"][idx].astype(int)]
    log.add(
        "yl_work_order",
        o["order_id"][idx],
        "order_status",
        "status_label",
        o["order_status"][idx],
        dirty,
    )
    o["order_status"][idx] = dirty
