"""Institution beds (yl_org_bed) and residents (yl_org_resident)."""

from __future__ import annotations

import numpy as np

from migration.generator.config import TODAY
from migration.generator.orgs import org_id_at
from migration.generator.people import elder_id_at, rand_time
from migration.generator.state import World, pick

CARE_LEVEL = np.array(["自理", "介助", "介护", "特护", "特护"])


def build_beds_and_residents(w: World) -> None:
    rng = w.cfg.rng("beds")
    o, p = w.orgs, w.persons
    inst = np.flatnonzero(o["type"] == 0)
    beds_n = o["approved_beds"][inst]
    org_index = np.repeat(inst, beds_n)
    k_in_org = np.arange(len(org_index)) - np.repeat(np.cumsum(beds_n) - beds_n, beds_n)
    per_room = np.repeat(rng.integers(2, 5, len(inst)), beds_n)
    room = k_in_org // per_room
    floor = room // 10 + 1
    nb = len(org_index)
    bed_id = np.arange(500_001, 500_001 + nb)
    bed_no = np.char.add((k_in_org % per_room + 1).astype(str), "号床").astype(object)
    beds = {
        "bed_id": bed_id,
        "org_id": org_id_at(w, org_index, np.full(nb, TODAY)),
        "building": np.where(floor <= 5, "A栋", "B栋").astype(object),
        "floor_no": (((floor - 1) % 5) + 1).astype(str).astype(object),
        "room_no": np.char.add(
            (((floor - 1) % 5) + 1).astype(str), np.char.zfill((room % 10 + 1).astype(str), 2)
        ).astype(object),
        "bed_no": bed_no,
        "bed_type": np.where(rng.random(nb) < 0.35, "护理床", "普通床").astype(object),
        "bed_status": np.full(nb, "空闲", dtype=object),
        "del_flag": np.full(nb, "0", dtype=object),
    }
    # residents: the i-th resident of an institution takes its i-th bed
    who = np.flatnonzero(p["institution"] >= 0)
    org_of = p["institution"][who]
    order = np.lexsort((who, org_of))
    who, org_of = who[order], org_of[order]
    first_bed = np.zeros(len(o["type"]), int)
    first_bed[inst] = np.cumsum(beds_n) - beds_n
    starts = np.r_[0, np.flatnonzero(org_of[1:] != org_of[:-1]) + 1]
    rank = np.arange(len(who)) - np.repeat(starts, np.diff(np.r_[starts, len(who)]))
    bed_row = first_bed[org_of] + rank
    death = p["death"][who]
    end = np.where(np.isnat(death), TODAY.astype("datetime64[D]"), death)
    check_in = rand_time(
        rng, np.maximum(p["create"][who] - np.timedelta64(400, "D"), np.datetime64("2016-01-01")),
        end.astype("datetime64[s]"),
    ).astype("datetime64[D]")  # fmt: skip
    nr = len(who)
    p["check_in"] = np.full(len(p["person_id"]), np.datetime64("NaT"), "datetime64[D]")
    p["check_in"][who] = check_in  # the district exports count residents from the same stays
    occupied = np.isnat(death)
    beds["bed_status"][bed_row[occupied]] = "占用"
    beds["bed_status"][rng.random(nb) < 0.02] = "维修"
    res = {
        "resident_id": np.arange(700_001, 700_001 + nr),
        "org_id": beds["org_id"][bed_row],
        "elder_id": elder_id_at(w, who, check_in.astype("datetime64[s]")),
        "bed_id": bed_id[bed_row],
        "check_in_date": check_in,
        "check_out_date": death,
        "contract_no": np.char.add("HT", (900_000 + np.arange(nr)).astype(str)).astype(object),
        "care_level": CARE_LEVEL[p["ability"][who]].astype(object),
        "del_flag": np.full(nr, "0", dtype=object),
    }
    _dirt(w, rng, beds, res, per_room, k_in_org)
    w.tables["yl_org_bed"] = beds
    w.tables["yl_org_resident"] = res


def _dirt(w: World, rng, beds: dict, res: dict, per_room, k_in_org) -> None:
    d = w.cfg.dirt
    # duplicate bed numbers in one room: a bed takes the number of its room-mate
    cand = np.flatnonzero(k_in_org % per_room > 0)
    hit = cand[pick(rng, len(cand), d["bed_no_duplicate"])]
    true = beds["bed_no"][hit].copy()
    beds["bed_no"][hit] = beds["bed_no"][hit - 1]
    w.dirt.add(
        "yl_org_bed", beds["bed_id"][hit], "bed_no", "bed_no_duplicate", true, beds["bed_no"][hit]
    )
    nr = len(res["resident_id"])
    if nr < 2:
        return
    # a bed of another organisation
    hit = pick(rng, nr, d["bed_other_org"])
    # a bed of another organisation (the first bed whose organisation differs)
    other = rng.integers(0, len(beds["bed_id"]), len(hit))
    same = beds["org_id"][other] == res["org_id"][hit]
    other[same] = np.argmax(beds["org_id"][None, :] != res["org_id"][hit][same][:, None], axis=1)
    ok = beds["org_id"][other] != res["org_id"][hit]
    hit, other = hit[ok], other[ok]
    true = res["bed_id"][hit].copy()
    res["bed_id"][hit] = beds["bed_id"][other]
    w.dirt.add(
        "yl_org_resident",
        res["resident_id"][hit],
        "bed_id",
        "bed_other_org",
        true,
        res["bed_id"][hit],
    )
    # overlapping stays: a second, overlapping contract of the same elder elsewhere
    hit = pick(rng, nr, d["stay_overlap"])
    if len(hit) == 0:
        return
    other = rng.integers(0, nr, len(hit))
    span = np.maximum(
        (
            np.where(
                np.isnat(res["check_out_date"][hit]),
                TODAY.astype("datetime64[D]"),
                res["check_out_date"][hit],
            )
            - res["check_in_date"][hit]
        ).astype(int),
        2,
    )
    start = res["check_in_date"][hit] + (rng.random(len(hit)) * span / 2).astype(int)
    new_ids = res["resident_id"].max() + 1 + np.arange(len(hit))
    extra = {
        "resident_id": new_ids,
        "org_id": res["org_id"][other],
        "elder_id": res["elder_id"][hit],
        "bed_id": res["bed_id"][other],
        "check_in_date": start,
        "check_out_date": start + rng.integers(10, 120, len(hit)),
        "contract_no": np.char.add("HT", (990_000 + np.arange(len(hit))).astype(str)).astype(object),
        "care_level": res["care_level"][hit],
        "del_flag": np.full(len(hit), "0", dtype=object),
    }  # fmt: skip
    for c in res:
        res[c] = np.concatenate([res[c], extra[c]])
    w.dirt.add("yl_org_resident", new_ids, "check_in_date", "stay_overlap", None, start)
