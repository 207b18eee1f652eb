"""Drafting the report: the numbers of ``content.Queries`` for the period and the one before,
written out as sentences that state each number and its change, with tables and charts."""

from __future__ import annotations

import datetime as dt

from eldercare.warehouse import WarehouseConnection
from models.quality_score import previous_quarter
from reports.content import SECTIONS, Chart, Queries, Report, Section, Table, change, fmt


def _ratio(a, b):
    return None if not b else float(a or 0) / float(b)


def build(
    conn: WarehouseConnection, lo: dt.date, hi: dt.date, county: str | None, area_name: str,
    comments: dict[str, str] | None = None,
) -> Report:  # fmt: skip
    q = Queries(conn, county)
    days = (hi - lo).days + 1
    plo, phi = lo - dt.timedelta(days=days), lo - dt.timedelta(days=1)
    sections = [_operations(q, lo, hi, plo, phi), _quality(q, hi), _inspection(q, lo, hi, plo, phi),
                _complaints(q, lo, hi, plo, phi)]  # fmt: skip
    for s in sections:
        s.comment = (comments or {}).get(s.key) or None
    return Report(
        f"{area_name}养老服务质量分析报告",
        f"报告期 {lo.isoformat()} 至 {hi.isoformat()}（{days} 天），"
        f"对比上期 {plo.isoformat()} 至 {phi.isoformat()}",
        lo,
        hi,
        county,
        sections,
    )


def _operations(q: Queries, lo, hi, plo, phi) -> Section:
    s = Section("operations", SECTIONS["operations"])
    res, beds, approved = q.occupancy(hi)
    pres, pbeds, _ = q.occupancy(phi)
    s.paragraphs.append(
        f"机构养老：截至报告期末，养老机构及照料中心在住老人 {fmt(res)} 人，{change(res, pres)}；"
        f"床位档案 {fmt(beds)} 张，{change(beds, pbeds)}；核定床位 {fmt(approved)} 张，"
        f"床位使用率 {fmt(_ratio(res, beds), 'pct')}。"
    )
    orders, items = q.orders(lo, hi)
    porders, pitems = q.orders(plo, phi)
    s.paragraphs.append(
        f"居家上门服务：报告期新增工单 {fmt(orders)} 单，{change(orders, porders)}；"
        f"有工单的上架服务项目 {fmt(items)} 项，{change(items, pitems)}。"
    )
    warn, pwarn = q.warnings(lo, hi), q.warnings(plo, phi)
    s.paragraphs.append(
        "工单预警：预警模型尚未发布，本期不统计。" if warn is None
        else f"工单预警：报告期存疑工单 {fmt(warn)} 单，{change(warn, pwarn)}。"
    )  # fmt: skip
    canteens, meals = q.canteens(lo, hi)
    pcanteens, pmeals = q.canteens(plo, phi)
    s.paragraphs.append(
        f"长者食堂：报告期有助餐订单的上线食堂 {fmt(canteens)} 家，{change(canteens, pcanteens)}；"
        f"助餐订单 {fmt(meals)} 单，{change(meals, pmeals)}。"
    )
    dishes, flagged = q.dishes()
    s.paragraphs.append(
        f"上架菜品：截至报告期末上架菜品 {fmt(dishes)} 道，其中菜名经文本复核提示需核查 "
        f"{fmt(flagged)} 道。"
    )
    s.tables.append(Table(["指标", "本期", "上期"], [
        ["在住老人 (人)", fmt(res), fmt(pres)], ["床位档案 (张)", fmt(beds), fmt(pbeds)],
        ["居家服务工单 (单)", fmt(orders), fmt(porders)],
        ["上线食堂 (家)", fmt(canteens), fmt(pcanteens)], ["助餐订单 (单)", fmt(meals), fmt(pmeals)],
        ["上架菜品 (道)", fmt(dishes), "—"],
    ]))  # fmt: skip
    daily = q.daily_orders(lo, hi)
    s.charts.append(Chart("每日新增居家服务工单 (单)", [d.strftime("%m-%d") for d, _ in daily],
                          [float(n) for _, n in daily], "line"))  # fmt: skip
    return s


def _quality(q: Queries, hi) -> Section:
    s = Section("quality", SECTIONS["quality"])
    period = q.latest_period(hi)
    if period is None:
        s.paragraphs.append("质量评分尚未发布 (eldercare score)。")
        return s
    before = previous_quarter(period)
    scored, no_data, mean = q.org_scores(period)
    pscored, _, pmean = q.org_scores(before)
    s.paragraphs.append(
        f"{period} 季度共评分机构 {fmt(scored)} 家，数据不足 {fmt(no_data)} 家；"
        f"机构平均得分 {fmt(mean, 'score')} 分，{change(mean, pmean, 'score')} 分"
        f"（上季度 {before}）。"
    )
    counties = q.county_scores(period)
    prev = {r[0]: r[2] for r in q.county_scores(before)}
    if counties:
        best = counties[0]
        s.paragraphs.append(
            f"县区得分最高的是{best[1]}，{fmt(best[2], 'score')} 分（全市第 {fmt(best[3])} 名）。"
        )
    s.tables.append(Table(["县区", "得分", "全市排名", "上季度", "评分机构", "数据不足"], [
        [r[1], fmt(r[2], "score"), fmt(r[3]), fmt(prev.get(r[0]), "score"), fmt(r[4]), fmt(r[5])]
        for r in counties
    ]))  # fmt: skip
    movers = q.movers(period, before)
    if movers:
        s.paragraphs.append(
            "各县区得分见下表；其后一表为得分变化较大的机构（上升在前，下降在后）。"
        )
        s.tables.append(Table(["机构", "类型", "上季度", "本季度", "变化"], [
            [m[0], m[1], fmt(m[2], "score"), fmt(m[3], "score"), f"{m[4]:+.1f}"] for m in movers
        ]))  # fmt: skip
    s.charts.append(Chart(f"{period} 县区养老服务质量得分", [r[1] for r in counties],
                          [round(float(r[2]), 1) for r in counties]))  # fmt: skip
    return s


def _inspection(q: Queries, lo, hi, plo, phi) -> Section:
    s = Section("inspection", SECTIONS["inspection"])
    items, failed, orgs = q.inspections(lo, hi)
    pitems, pfailed, porgs = q.inspections(plo, phi)
    planned = q.planned(lo, hi)
    s.paragraphs.append(
        f"报告期指导中心巡检机构 {fmt(orgs)} 家，{change(orgs, porgs)}；检查项目 {fmt(items)} 项，"
        f"不合格 {fmt(failed)} 项，不合格率 {fmt(_ratio(failed, items), 'pct')}，"
        f"{change(_ratio(failed, items), _ratio(pfailed, pitems), 'pct')}。"
        + ("" if planned is None else f"每日抽检计划安排 {fmt(planned)} 家次。")
    )
    top = q.failed_items(lo, hi)
    s.tables.append(Table(["检查项目", "不合格 (项)"], [[r[0], fmt(r[1])] for r in top]))
    s.charts.append(Chart("不合格检查项目 (项)", [r[0] for r in top], [float(r[1]) for r in top]))
    return s


def _complaints(q: Queries, lo, hi, plo, phi) -> Section:
    s = Section("complaints", SECTIONS["complaints"])
    total, replied, on_time = q.complaints(lo, hi)
    ptotal, _, pon_time = q.complaints(plo, phi)
    s.paragraphs.append(
        f"报告期受理问题投诉 {fmt(total)} 件，{change(total, ptotal)}；已答复 {fmt(replied)} 件，"
        f"3个工作日内答复 {fmt(on_time)} 件，按时答复率 {fmt(_ratio(on_time, total), 'pct')}，"
        f"{change(_ratio(on_time, total), _ratio(pon_time, ptotal), 'pct')}。"
    )
    rows = q.complaints_by_channel(lo, hi)
    s.tables.append(Table(["渠道", "投诉 (件)", "按时答复 (件)", "未答复 (件)"],
                          [[r[0], fmt(r[1]), fmt(r[2]), fmt(r[3])] for r in rows]))  # fmt: skip
    s.charts.append(Chart("各渠道问题投诉 (件)", [r[0] for r in rows], [float(r[1]) for r in rows]))
    return s
