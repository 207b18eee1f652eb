"""What the tiny dataset holds: dirt and fraud at their rates, truth that points at real rows,
exports in the contract's layout, and a city that looks like a Chinese city."""

from __future__ import annotations

import csv
import io
import json
import math

import chinese_calendar
import numpy as np
import openpyxl
import pandas as pd
import pytest

from migration.generator.config import DIRT_RATES, FRAUD_RATES
from migration.generator.geo import haversine_m, wgs84_to_gcj02
from migration.legacy_schema import (
    DISTRICT_REPORT_COLUMNS,
    DISTRICT_REPORT_PREFIX,
    HISTORY_END,
    HISTORY_START,
    PARTITIONED_TABLES,
    TABLES,
    primary_key,
)


def near(count: int, n: int, rate: float) -> bool:
    """count ~ Binomial(n, rate), within 4 standard deviations (plus 2 for tiny expectations)."""
    sd = math.sqrt(max(n * rate * (1 - rate), 1e-9))
    return abs(count - n * rate) <= 4 * sd + 2


# ---- dirt, measured on the legacy tables ---------------------------------------------------


def test_elder_dirt_rates_from_legacy_values(generated):
    e = generated.sql(
        "select id_card, sex, phone, economic_type, area_code, birthday from yl_elder"
    )
    n = len(e)
    ids = e["id_card"].fillna("")
    assert near(ids.str.contains(" ").sum(), n, DIRT_RATES["id_card_spaces"])
    assert near(ids.str.contains("[０-９Ｘｘ]").sum(), n, DIRT_RATES["id_card_fullwidth"])
    x_end = ids.str.upper().str.endswith("X")
    assert near(ids.str.endswith("x").sum(), x_end.sum(), DIRT_RATES["id_card_lower_x"])
    assert near(e["sex"].isin(["男", "女"]).sum(), n, DIRT_RATES["sex_label"])
    assert near(e["sex"].isna().sum(), n, DIRT_RATES["sex_missing"])
    assert near(e["birthday"].isna().sum(), n, DIRT_RATES["birthday_missing"])
    assert near(e["phone"].str.startswith("+86").sum(), n * 0.85, DIRT_RATES["phone_plus86"])
    assert near(
        e["phone"].str.startswith("0759-").sum(), n * 0.15, min(1, 4 * DIRT_RATES["phone_landline"])
    )
    labels = e["economic_type"].isin(["特困", "低保", "低保边缘", "低收入", "普通"])
    assert near(labels.sum(), n, DIRT_RATES["economic_type_label"])
    assert near((~e["area_code"].str.match(r"^\d+$")).sum(), n, DIRT_RATES["area_code_name"])


def test_event_dirt_rates_from_legacy_values(generated):
    h = generated.sql("select measure_time, item_code, item_value, unit from yl_health_record")
    n = len(h)
    assert near(h["measure_time"].str.fullmatch(r"\d{13}").sum(), n, DIRT_RATES["time_epoch_ms"])
    glu = h[h["item_code"] == "GLU"]
    assert near((glu["unit"] == "mg/dL").sum(), len(glu), DIRT_RATES["glucose_mgdl"])
    bp = h[h["item_code"].isin(["SBP", "DBP"])]
    assert near(bp["item_value"].str.endswith("mmHg").sum(), len(bp), DIRT_RATES["unit_in_value"])
    o = generated.sql("select amount, order_status from yl_work_order")
    assert near(o["amount"].str.endswith("元").sum(), len(o), DIRT_RATES["amount_with_unit"])
    assert near((~o["order_status"].str.match(r"^\d$")).sum(), len(o), DIRT_RATES["status_label"])
    a = generated.sql("select alarm_time, handle_time from yl_alarm")
    assert near(a["handle_time"].isna().sum(), len(a), DIRT_RATES["never_handled"])
    c = generated.sql(
        "select elder_id from yl_call_record where elder_id not in (select elder_id from yl_elder)"
    )
    calls = generated.rows["yl_call_record"]
    assert near(len(c), calls, DIRT_RATES["unknown_elder"])


def test_every_dirt_kind_of_the_contract_is_present(generated):
    kinds = set(generated.truth("dirt")["kind"])
    missing = {k for k in DIRT_RATES if k not in kinds} - {"elder_duplicate", "org_duplicate"}
    # the tiny city may have no family bed of a deceased elder to leave active
    assert missing <= {"deceased_bed_active"}, missing
    elders = generated.truth("elders")
    assert set(elders["duplicate_kind"]) >= {"dup_moved", "dup_15_digit"}
    assert elders["is_duplicate_row"].mean() == pytest.approx(
        DIRT_RATES["elder_duplicate"], abs=0.012
    )


def test_logged_dirty_values_are_what_the_legacy_rows_hold(generated):
    d = generated.truth("dirt")
    e = generated.sql("select * from yl_elder").set_index("elder_id")
    for r in d[d["table_name"] == "yl_elder"].itertuples():
        value = e.at[int(r.source_key), r.column_name]
        value = None if pd.isna(value) else str(value)
        assert value == (None if pd.isna(r.dirty_value) else r.dirty_value), r


# ---- fraud, measured on the legacy tables --------------------------------------------------


def _orders(generated) -> pd.DataFrame:
    o = generated.sql(
        "select o.*, i.min_minutes from yl_work_order o join yl_service_item i using (item_id)"
    )
    for c in ("start_time", "end_time", "create_time"):
        o[c] = pd.to_datetime(o[c])
    o["minutes"] = (o["end_time"] - o["start_time"]).dt.total_seconds() / 60
    return o


def test_fraud_patterns_at_their_rates(generated):
    fraud = generated.truth("fraud_orders")
    o = _orders(generated)
    n = len(o)
    counts = fraud["pattern"].value_counts()
    for pattern, rate in FRAUD_RATES.items():
        assert counts.get(pattern, 0) >= 1, pattern
        assert near(counts.get(pattern, 0), n, rate), (pattern, counts.get(pattern, 0), n * rate)


def test_fraud_is_visible_in_the_legacy_rows(generated):
    fraud = generated.truth("fraud_orders")
    by = {p: set(g["order_id"]) for p, g in fraud.groupby("pattern")}
    o = _orders(generated).set_index("order_id")
    # duration under the item's minimum: exactly the injected orders (end-before-start aside)
    short = set(o.index[(o["minutes"] >= 0) & (o["minutes"] < o["min_minutes"])])
    assert short <= by["under_min_duration"] and len(short) >= 0.9 * len(by["under_min_duration"])
    # a photo used twice
    photos = o["photo_before"].dropna()
    assert set(photos[photos.duplicated(keep=False)].index) >= by["reused_photo"]
    # far from home: more than 2 km from the elder's true home (in GCJ-02, as the app records)
    el = generated.truth("elders").set_index("elder_id")
    home = el.loc[o["elder_id"], ["true_lng", "true_lat"]].to_numpy()
    glng, glat = wgs84_to_gcj02(home[:, 0], home[:, 1])
    dist = pd.Series(haversine_m(o["start_lng"], o["start_lat"], glng, glat), index=o.index)
    assert set(dist.index[dist > 2000]) == by["far_from_home"]
    # service after death, from the legacy death registry joined by id_card
    deaths = generated.sql(
        "select e.elder_id, r.death_date from yl_elder e join yl_death_registry r on r.id_card = e.id_card"
    ).set_index("elder_id")["death_date"]
    dd = pd.to_datetime(o["elder_id"].map(deaths))
    after = set(o.index[o["start_time"] > dd + pd.Timedelta(days=1)])
    assert after <= by["after_death"] and len(after) >= 0.5 * len(by["after_death"])
    true_death = pd.to_datetime(o["elder_id"].map(el["true_death_date"]))
    assert set(o.index[o["start_time"] >= true_death]) == by["after_death"]
    # denial at the return visit
    v = generated.sql("select order_id from yl_return_visit where visit_result = '否认服务'")
    assert set(v["order_id"]) >= by["denied_at_visit"]
    # one worker in two places: overlapping orders of one staff member for different elders
    s = (
        o[o["start_time"].notna() & o["end_time"].notna()]
        .reset_index()
        .sort_values(["staff_id", "start_time"])
    )
    prev_end = s.groupby("staff_id")["end_time"].shift()
    prev_elder = s.groupby("staff_id")["elder_id"].shift()
    overlap = s[(s["start_time"] < prev_end) & (s["elder_id"] != prev_elder)]
    assert len(set(overlap["order_id"]) & by["worker_double_booked"]) >= 0.8 * len(
        by["worker_double_booked"]
    )


def test_subsidy_never_above_standard_except_fraud(generated):
    fraud = generated.truth("fraud_orders")
    o = _orders(generated)
    el = generated.truth("elders").set_index("elder_id")
    std = pd.read_csv("seeds/subsidy_standards.csv")
    std = std.set_index(["economic_type", "ability_level"])["home_service_monthly"]
    key = list(zip(el.loc[o["elder_id"], "true_economic_type"].astype(int),
                   el.loc[o["elder_id"], "true_ability_level"].astype(int), strict=True))  # fmt: skip
    limit = std.reindex(key).to_numpy()
    sub = o["subsidy_amount"].astype(float).to_numpy()
    above = set(o["order_id"][sub > limit + 0.005])
    assert above == set(fraud.loc[fraud["pattern"] == "above_subsidy_standard", "order_id"])


def test_month_end_bursts_stand_out(generated):
    fraud = generated.truth("fraud_orders")
    burst = set(fraud.loc[fraud["pattern"] == "month_end_burst", "order_id"])
    o = _orders(generated)
    t = o["start_time"]
    last2 = (t + pd.Timedelta(days=2)).dt.month != t.dt.month
    grp = o[last2].groupby([o["provider_org_id"], t.dt.to_period("M")])["order_id"]
    big = grp.transform("size") >= 5
    flagged = set(o[last2][big.reindex(o[last2].index, fill_value=False)]["order_id"])
    assert len(flagged & burst) >= 0.7 * len(burst)


# ---- truth points at rows that exist --------------------------------------------------------


def test_truth_points_at_existing_rows(generated):
    ids = {
        t: set(generated.sql(f"select {primary_key(t)} as k from {t}")["k"].astype(str))
        for t in TABLES
    }
    el = generated.truth("elders")
    assert set(el["elder_id"].astype(str)) == ids["yl_elder"]
    assert el.groupby("person_id")["true_id_card"].nunique().max() == 1
    og = generated.truth("orgs")
    assert set(og["org_id"].astype(str)) == ids["yl_org"]
    assert set(generated.truth("fraud_orders")["order_id"].astype(str)) <= ids["yl_work_order"]
    lapse = generated.truth("lapsing_entitlements")
    assert len(lapse) > 0 and set(lapse["elder_id"].astype(str)) <= ids["yl_elder"]
    assert (lapse["used_amount"] < 0.5 * lapse["entitled_amount"]).all()
    d = generated.truth("dirt")
    for table, g in d.groupby("table_name"):
        if table == "district_monthly_report":
            files = {p.name for p in generated.exports_dir.iterdir()}
            assert set(g["source_key"].str.rsplit(":", n=1).str[0]) <= files
        else:
            assert set(g["source_key"]) <= ids[table], table
    strangers = d.loc[d["kind"] == "death_unknown_elder", "dirty_value"]
    assert len(strangers) and not set(strangers) & set(el["true_id_card"])
    cfg = json.loads((generated.truth_dir / "config.json").read_text(encoding="utf-8"))
    assert cfg["scale"] == "tiny" and cfg["seed"] == 7 and cfg["fraud"] == FRAUD_RATES


# ---- district exports ------------------------------------------------------------------------


def _read_csv(path) -> list[list[str]]:
    raw = path.read_bytes()
    text = raw[3:].decode("utf-8") if raw.startswith(b"\xef\xbb\xbf") else raw.decode("gb18030")
    return list(csv.reader(io.StringIO(text)))


def test_exports_layout(generated):
    files = sorted(generated.exports_dir.iterdir())
    headers = list(DISTRICT_REPORT_COLUMNS)
    months = {f.name[len(DISTRICT_REPORT_PREFIX) :][:6] for f in files}
    assert len(months) == 12 and len(files) == 12 * 9
    kinds = set()
    for f in files:
        assert f.name.startswith(DISTRICT_REPORT_PREFIX)
        if f.suffix == ".xlsx":
            ws = openpyxl.load_workbook(f).active
            assert [str(r) for r in ws.merged_cells.ranges] == ["A1:L1"]
            rows = [list(r) for r in ws.iter_rows(values_only=True)]
            kinds.add("xlsx")
        else:
            rows = _read_csv(f)
            kinds.add("bom" if f.read_bytes().startswith(b"\xef\xbb\xbf") else "gb")
        assert "养老机构运营月报" in rows[0][0]
        assert [str(c) for c in rows[1]] == headers
        assert rows[-1][0] == "合计"
        # the total adds up the institutions' numbers (typed as "12人" at times; blanks lost)
        for j in range(2, 9):
            cells = [str(r[j] or "").rstrip("人张次") for r in rows[2:-1]]
            known = sum(int(c) for c in cells if c)
            total = int(rows[-1][j])
            assert known == total if all(cells) else known <= total, (f.name, j)
    assert kinds == {"xlsx", "bom", "gb"}


# ---- a city that looks like one --------------------------------------------------------------


def test_population_shape(generated):
    el = generated.truth("elders")
    el = el[~el["is_duplicate_row"]]
    age = (pd.Timestamp("2026-10-31") - pd.to_datetime(el["true_birth_date"])).dt.days / 365.25
    assert age.min() >= 59.9 and 0.16 <= (age >= 80).mean() <= 0.24
    care = el["true_care_mode"].value_counts(normalize=True)
    assert care["home"] == pytest.approx(0.90, abs=0.01) and care["institution"] == pytest.approx(
        0.03, abs=0.005
    )
    std = pd.read_csv("seeds/subsidy_standards.csv").set_index(["economic_type", "ability_level"])
    key = list(
        zip(el["true_economic_type"].astype(int), el["true_ability_level"].astype(int), strict=True)
    )
    subsidised = std["home_service_monthly"].reindex(key).to_numpy() > 0
    assert 0.03 <= subsidised.mean() <= 0.07
    assert set(el["true_area_code"]) <= {"440802", "440803", "440804", "440811", "440823", "440825", "440881", "440882", "440883"}  # fmt: skip


def test_institutions_plausible(generated):
    occ = generated.sql(
        "select o.org_id, o.approved_beds, count(r.resident_id) as n from yl_org o"
        " join yl_org_resident r on r.org_id = o.org_id and r.check_out_date is null"
        " where o.org_type = '养老机构' group by o.org_id, o.approved_beds"
    )
    rate = occ["n"].sum() / occ["approved_beds"].sum()
    assert 0.35 <= rate <= 0.9


def test_vital_signs_in_physiological_ranges(generated):
    h = generated.sql("select item_code, item_value, unit from yl_health_record")
    clean = h[h["item_value"].str.fullmatch(r"\d+(\.\d)?") & (h["unit"] != "mg/dL")].copy()
    clean["v"] = clean["item_value"].astype(float)
    lim = {"HR": (40, 160), "SBP": (85, 220), "DBP": (45, 130), "GLU": (2.5, 25), "SPO2": (80, 100)}
    for code, (lo, hi) in lim.items():
        v = clean.loc[clean["item_code"] == code, "v"]
        inside = v.between(lo, hi).mean()
        assert inside > 0.99, code  # the rest is the injected HR 0/300


def test_complaints_answered_in_working_days(generated):
    c = generated.sql(
        "select create_time, reply_time from yl_complaint where reply_time is not null"
    )
    days = [
        len(chinese_calendar.get_workdays(a.date(), b.date())) - 1
        for a, b in zip(
            pd.to_datetime(c["create_time"]), pd.to_datetime(c["reply_time"]), strict=True
        )
    ]
    assert np.mean(np.array(days) <= 3) >= 0.7


def test_partition_times_lie_in_the_history(generated):
    lo, hi = pd.Timestamp(HISTORY_START), pd.Timestamp(HISTORY_END) + pd.Timedelta(days=1)
    for table, col in PARTITIONED_TABLES.items():
        v = generated.sql(f"select {col} as t from {table}")["t"].dropna().astype(str)
        ms = v.str.fullmatch(r"\d{13}")
        t = pd.concat(
            [
                pd.to_datetime(v[~ms]),
                pd.to_datetime(v[ms].astype("int64"), unit="ms") + pd.Timedelta(hours=8),
            ]
        )
        assert t.min() >= lo and t.max() < hi, (table, t.min(), t.max())
