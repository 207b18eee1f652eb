"""Call centre, inspections, complaints and canteens, timed by Chinese working days."""

from __future__ import annotations

import numpy as np

from migration.generator import identity
from migration.generator.config import START, TODAY
from migration.generator.orgs import org_id_at
from migration.generator.people import elder_id_at, rand_time
from migration.generator.state import World, pick, pick_from_catchment
from migration.generator.workdays import add_workdays, is_workday, workdays

CALL_TYPES = np.array(["求助", "咨询", "投诉", "回访", "关怀"])
INSPECT_ITEMS = [
    ("FIRE01", "消防通道畅通"),
    ("FIRE02", "消防设施完好"),
    ("FOOD01", "食品留样规范"),
    ("HYG01", "环境卫生整洁"),
    ("STAFF01", "护理员持证上岗"),
    ("REC01", "服务记录完整"),
    ("SAFE01", "防跌倒措施到位"),
]
DISHES = ["白切鸡", "清蒸鲈鱼", "番茄炒蛋", "冬瓜排骨汤", "蒸水蛋", "肉末豆腐", "青菜", "红烧茄子",
          "萝卜焖牛腩", "瘦肉粥", "鸡蛋肠粉", "南瓜饭", "木耳炒肉", "虾仁蒸蛋", "苦瓜炒蛋", "紫菜汤"]  # fmt: skip
SENSITIVE = ["包治百病养生汤", "长生不老粥", "特供茅台鸡", "壮阳羊肉煲", "降糖神药汤", "国宴级鲍鱼"]
COMPLAINT_CATS = np.array(["服务质量", "服务态度", "收费问题", "设施安全", "餐食质量", "其他"])
CHANNELS = np.array(["经办端", "机构端", "老人及家属", "12345热线"])


def _working_day_times(rng, n: int, lo, hi, hours=(8, 18)) -> np.ndarray:
    """Moments on working days only, in office hours."""
    wd = workdays()
    wd = wd[(wd >= lo.astype("datetime64[D]")) & (wd <= hi.astype("datetime64[D]"))]
    day = wd[rng.integers(0, len(wd), n)].astype("datetime64[s]")
    return day + rng.integers(hours[0] * 3600, hours[1] * 3600, n).astype("timedelta64[s]")


def build_calls(w: World) -> None:
    rng = w.cfg.rng("calls")
    p = w.persons
    n = len(p["person_id"])
    k = int(0.3 * n)
    person = rng.integers(0, n, k)
    ctype = rng.choice(5, k, p=[0.15, 0.35, 0.05, 0.25, 0.2])
    outbound = ctype >= 3
    at = rand_time(rng, np.maximum(p["create"][person], START), np.full(k, TODAY))
    office = _working_day_times(rng, k, START, TODAY)
    at = np.where(outbound | (rng.random(k) < 0.7), office, at)  # 求助 comes at any hour
    order = np.argsort(at, kind="stable")
    person, ctype, outbound, at = person[order], ctype[order], outbound[order], at[order]
    hotline = "07592345678"
    phone = p["phone"][person].astype(object)
    call_id = 1_000_001 + np.arange(k)
    elder = elder_id_at(w, person, at).astype(float)
    unknown = pick(rng, k, w.cfg.dirt["unknown_elder"])
    w.dirt.add(
        "yl_call_record",
        call_id[unknown],
        "elder_id",
        "unknown_elder",
        elder[unknown].astype(int),
        9_900_000 + unknown,
    )
    elder[unknown] = 9_900_000 + unknown
    talk = np.where(rng.random(k) < 0.1, 0, np.exp(rng.normal(np.log(120), 0.7, k)).astype(int))
    w.tables["yl_call_record"] = {
        "call_id": call_id,
        "seat_no": np.char.add("S", np.char.zfill(rng.integers(1, 16, k).astype(str), 3)).astype(object),
        "call_direction": np.where(outbound, "out", "in").astype(object),
        "caller_no": np.where(outbound, hotline, phone),
        "callee_no": np.where(outbound, phone, hotline),
        "elder_id": elder,
        "start_time": at,
        "talk_seconds": talk,
        "call_type": CALL_TYPES[ctype].astype(object),
        "result": np.where(talk == 0, "未接通", np.where(ctype == 0, "已转派服务", "已处理")).astype(object),
    }  # fmt: skip


def build_inspections(w: World) -> None:
    """Daily sampling by the guidance centre, quarterly checks by the bureau, automatic checks."""
    rng = w.cfg.rng("inspections")
    o = w.orgs
    n_org = len(o["type"])
    wd = workdays()
    wd = wd[(wd >= START.astype("datetime64[D]")) & (wd <= TODAY.astype("datetime64[D]"))]
    per_day = max(1, min(20, n_org // 30))
    day = np.repeat(wd, per_day)
    source = rng.choice(3, len(day), p=[0.15, 0.6, 0.25])
    risk = 1.0 + (5 - o["star"]) * 0.2
    org = rng.choice(n_org, len(day), p=risk / risk.sum())
    n_items = rng.integers(2, 5, len(day))
    visit = np.repeat(np.arange(len(day)), n_items)
    k = len(visit)
    item = rng.integers(0, len(INSPECT_ITEMS), k)
    fail = rng.random(k) < (0.06 + 0.04 * (o["star"][org[visit]] <= 1))
    deduction = np.where(fail, rng.choice([1.0, 2.0, 3.0, 5.0], k), 0.0)
    insp_id = 1_100_001 + np.arange(k)
    bad = pick(rng, k, w.cfg.dirt["deduction_without_fail"], ~fail)
    deduction[bad] = rng.choice([1.0, 2.0], len(bad))
    w.dirt.add(
        "yl_inspection", insp_id[bad], "deduction", "deduction_without_fail", "0.0", deduction[bad]
    )
    w.tables["yl_inspection"] = {
        "inspection_id": insp_id,
        "org_id": org_id_at(w, org[visit], day[visit].astype("datetime64[s]")),
        "inspect_date": day[visit],
        "source": np.array(["民政检查", "指导中心巡检", "系统自动巡检"], dtype=object)[
            source[visit]
        ],
        "item_code": np.array([c for c, _ in INSPECT_ITEMS], dtype=object)[item],
        "item_name": np.array([nm for _, nm in INSPECT_ITEMS], dtype=object)[item],
        "result": np.where(fail, "不合格", "合格").astype(object),
        "deduction": deduction,
        "remark": np.where(fail, "责令限期整改", None).astype(object),
        "inspector": identity.names(rng, rng.random(len(day)) < 0.5)[visit].astype(object),
    }


def build_complaints(w: World) -> None:
    """Complaints answered within 3 working days mostly; some late, some never."""
    rng = w.cfg.rng("complaints")
    o = w.orgs
    k = max(30, int(0.004 * len(w.persons["person_id"])))
    created = rand_time(rng, np.full(k, START), np.full(k, TODAY))
    office = is_workday(created)
    created = np.where(
        office | (rng.random(k) < 0.5), created, _working_day_times(rng, k, START, TODAY)
    )
    created.sort()
    late = rng.random(k) < 0.12
    wd_delay = np.where(late, rng.integers(4, 10, k), rng.integers(0, 4, k))
    reply = add_workdays(created, wd_delay) + rng.integers(9 * 3600, 18 * 3600, k).astype(
        "timedelta64[s]"
    )
    reply = np.maximum(reply, created + np.timedelta64(600, "s"))
    close = add_workdays(reply, rng.integers(1, 6, k)) + np.timedelta64(15 * 3600, "s")
    cid = 1_200_001 + np.arange(k)
    never = pick(rng, k, w.cfg.dirt["never_replied"])
    w.dirt.add("yl_complaint", cid[never], "reply_time", "never_replied", reply[never], None)
    reply[never] = np.datetime64("NaT")
    close[never] = np.datetime64("NaT")
    reply[reply > TODAY] = np.datetime64("NaT")
    close[(close > TODAY) | np.isnat(reply)] = np.datetime64("NaT")
    status = np.where(~np.isnat(close), "2", np.where(~np.isnat(reply), "1", "0"))
    org = rng.integers(0, len(o["type"]), k)
    cat = rng.integers(0, len(COMPLAINT_CATS), k)
    w.tables["yl_complaint"] = {
        "complaint_id": cid,
        "channel": CHANNELS[rng.choice(4, k, p=[0.2, 0.15, 0.4, 0.25])].astype(object),
        "area_code": w.ref.county_codes[o["county_idx"][org]].astype(object),
        "org_id": org_id_at(w, org, created).astype(float),
        "category": COMPLAINT_CATS[cat].astype(object),
        "content": np.char.add("反映", np.char.add(COMPLAINT_CATS[cat], "方面的问题，请尽快核实处理")).astype(object),
        "create_time": created,
        "reply_time": reply,
        "close_time": close,
        "status": status.astype(object),
    }  # fmt: skip


def build_canteens(w: World) -> None:
    rng = w.cfg.rng("canteens")
    o, p = w.orgs, w.persons
    canteens = np.flatnonzero(o["type"] == 4)
    n_d = rng.integers(8, 16, len(canteens))
    c_of = np.repeat(canteens, n_d)
    k = len(c_of)
    names = np.array(DISHES, dtype=object)[rng.integers(0, len(DISHES), k)]
    dish_id = 1_300_001 + np.arange(k)
    bad = pick(rng, k, w.cfg.dirt["sensitive_dish_name"])
    dirty = np.array(SENSITIVE, dtype=object)[rng.integers(0, len(SENSITIVE), len(bad))]
    w.dirt.add(
        "yl_canteen_dish", dish_id[bad], "dish_name", "sensitive_dish_name", names[bad], dirty
    )
    names[bad] = dirty
    w.tables["yl_canteen_dish"] = {
        "dish_id": dish_id,
        "org_id": org_id_at(w, c_of, np.full(k, TODAY)),
        "dish_name": names,
        "price": rng.integers(6, 19, k).astype(float),
        "on_shelf": np.where(rng.random(k) < 0.85, "1", "0").astype(object),
    }
    # meals: community-care persons and some home-living ones eat at a canteen of their county
    diners = np.flatnonzero(
        (p["care"] == 1) | ((p["care"] == 0) & (rng.random(len(p["care"])) < 0.03))
    )
    n_meals = int(0.5 * w.cfg.scale.orders)
    who = diners[rng.integers(0, len(diners), n_meals)]
    # a canteen of the diner's county (any canteen where the county has none)
    n_c = len(w.ref.counties)
    in_county = np.zeros((n_c, len(canteens)), bool)
    in_county[o["county_idx"][canteens], np.arange(len(canteens))] = True
    in_county[~in_county.any(axis=1)] = True
    chosen = pick_from_catchment(rng, in_county, np.arange(len(canteens)), p["county_idx"][who])
    hi = np.where(np.isnat(p["death"][who]), TODAY, p["death"][who].astype("datetime64[s]"))
    lo = np.maximum(p["create"][who], START)
    ok = lo < hi
    who, chosen, lo, hi = who[ok], chosen[ok], lo[ok], hi[ok]
    at = rand_time(rng, lo, hi).astype("datetime64[D]").astype("datetime64[s]")
    at = (
        at
        + rng.choice([11 * 3600, 17 * 3600], len(at)).astype("timedelta64[s]")
        + rng.integers(0, 5400, len(at)).astype("timedelta64[s]")
    )
    order = np.argsort(at, kind="stable")
    who, chosen, at = who[order], chosen[order], at[order]
    m = len(who)
    amount = rng.integers(8, 16, m).astype(float)
    subsidy = np.where(p["home_subsidy"][who] > 0, 5.0, np.where(p["age"][who] >= 80, 3.0, 0.0))
    w.tables["yl_meal_order"] = {
        "meal_order_id": 1_400_001 + np.arange(m),
        "org_id": org_id_at(w, canteens[chosen], at),
        "elder_id": elder_id_at(w, who, at),
        "order_time": at,
        "amount": amount,
        "subsidy_amount": np.minimum(subsidy, amount),
    }  # fmt: skip
