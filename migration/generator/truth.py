"""The truth behind the legacy tables, as Parquet files (see docs/generator.md)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from eldercare.errors import EldercareError
from migration.generator.people import elder_id_at
from migration.generator.state import Frame, World


def _write(folder: Path, name: str, frame: Frame) -> Path:
    cols = {}
    for c, v in frame.items():
        if v.dtype.kind == "M" and v.dtype == np.dtype("datetime64[D]"):
            cols[c] = pa.array(v, type=pa.date32())
        elif v.dtype.kind == "U":
            cols[c] = pa.array(v.astype(object), type=pa.string())
        elif v.dtype == object:
            cols[c] = pa.array(v, type=pa.string())
        else:
            cols[c] = pa.array(v)
    path = folder / name
    pq.write_table(pa.table(cols), path, compression="zstd")
    return path


def write_truth(w: World, folder: Path, orders: dict[str, np.ndarray]) -> list[Path]:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise EldercareError(f"--truth {folder}: cannot create folder ({exc.strerror})") from None
    p, rows = w.persons, w.truth["elder_rows"]
    pi = rows["person_index"]
    files = [
        _write(
            folder,
            "elders.parquet",
            {
                "elder_id": rows["elder_id"],
                "person_id": p["person_id"][pi],
                "true_id_card": p["id18"][pi],
                "true_name": p["name"][pi],
                "true_birth_date": p["birth"][pi],
                "true_sex": np.where(p["female"][pi], "1", "0"),
                "true_area_code": p["county"][pi],
                "true_town_code": p["town_code"][pi],
                "true_lng": p["lng"][pi],
                "true_lat": p["lat"][pi],
                "true_economic_type": (p["economic"][pi] + 1).astype(str),
                "true_ability_level": p["ability"][pi].astype(str),
                "true_care_mode": np.array(["home", "community", "institution"])[p["care"][pi]],
                "true_death_date": p["death"][pi],
                "true_hypertension": p["hyper"][pi],
                "true_diabetes": p["diab"][pi],
                "true_abnormal_heart_rate": p["hr_abnormal"][pi],
                "is_duplicate_row": rows["is_dup"],
                "duplicate_kind": rows["dup_kind"],
            },
        )
    ]
    o, orow = w.orgs, w.truth["org_rows"]
    oi = orow["org_index"]
    files.append(
        _write(
            folder,
            "orgs.parquet",
            {
                "org_id": orow["org_id"],
                "real_org_id": o["real_org_id"][oi],
                "true_name": o["name"][oi],
                "true_credit_code": o["credit"][oi],
                "true_org_type": np.array(["养老机构", "社区照料中心", "居家服务商", "家床服务商", "长者食堂", "评估机构"])[o["type"][oi]],
                "true_county_code": w.ref.county_codes[o["county_idx"][oi]],
                "true_lng": o["lng"][oi],
                "true_lat": o["lat"][oi],
                "is_duplicate_row": np.arange(len(oi)) >= len(o["type"]),
            },
        )
    )  # fmt: skip
    fraud = orders["pattern"] != ""
    files.append(
        _write(
            folder,
            "fraud_orders.parquet",
            {"order_id": orders["order_id"][fraud], "pattern": orders["pattern"][fraud]},
        )
    )
    files.append(_write(folder, "lapsing_entitlements.parquet", _lapsing(w, orders)))
    if "staff_rows" in w.truth:
        files.append(_write(folder, "staff.parquet", w.truth["staff_rows"]))
    if "doubts" in w.truth:
        files.append(_write(folder, "order_doubts.parquet", w.truth["doubts"]))
    dirt_path = folder / "dirt.parquet"
    pq.write_table(w.dirt.table(), dirt_path, compression="zstd")
    files.append(dirt_path)
    cfg = folder / "config.json"
    cfg.write_text(
        json.dumps(w.cfg.as_json(), ensure_ascii=False, indent=2, sort_keys=True) + "\n",
        encoding="utf-8",
    )
    files.append(cfg)
    return files


def _lapsing(w: World, f: dict[str, np.ndarray]) -> Frame:
    """Entitled person-months (whole months only) whose used subsidy stayed under half the standard."""
    e = w.truth["entitlements"]
    m0 = e["start"].astype("datetime64[M]") + 1  # first whole month
    m1 = e["end"].astype("datetime64[M]") - 1  # last whole month
    k = np.maximum((m1 - m0).astype(int) + 1, 0)
    person = np.repeat(e["person"], k)
    month = np.repeat(m0, k) + (np.arange(k.sum()) - np.repeat(np.cumsum(k) - k, k))
    quota = np.repeat(e["quota"], k)
    live = f["status"] != "3"
    key = f["person"][live].astype(np.int64) * 10_000 + f["plan"][live].astype(
        "datetime64[M]"
    ).astype(np.int64)
    uniq, inv = np.unique(key, return_inverse=True)
    used_by_key = np.bincount(inv, weights=f["subsidy"][live])
    q = person.astype(np.int64) * 10_000 + month.astype(np.int64)
    pos = np.clip(np.searchsorted(uniq, q), 0, max(len(uniq) - 1, 0))
    used = (
        np.where((len(uniq) > 0) & (uniq[pos] == q), used_by_key[pos], 0.0)
        if len(uniq)
        else np.zeros(len(q))
    )
    lapsing = used < 0.5 * quota
    person, month, quota, used = person[lapsing], month[lapsing], quota[lapsing], used[lapsing]
    start = month.astype("datetime64[D]")
    end = (month + 1).astype("datetime64[D]") - 1
    return {
        "elder_id": elder_id_at(w, person, end.astype("datetime64[s]")),
        "person_id": w.persons["person_id"][person],
        "entitlement": np.full(len(person), "home_service_subsidy", dtype=object),
        "period_start": start,
        "period_end": end,
        "entitled_amount": quota,
        "used_amount": np.round(used, 2),
    }
