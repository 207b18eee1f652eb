"""The report model: sections with drafted text, tables and chart data, every number from a
named query on the marts (``QUERIES``), compared with the period of the same length before.

A number is written the same way everywhere (``fmt``): integers plain, shares as 12.3%,
scores with one decimal, so a test can read both renderings back and compare them with SQL.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from eldercare.warehouse import WarehouseConnection
from models.quality_score import quarter_bounds

SECTIONS = {
    "operations": "一、业务运行情况",
    "quality": "二、养老服务质量评估",
    "inspection": "三、指导中心业务巡检",
    "complaints": "四、问题投诉处理",
}


@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]]


@dataclass
class Chart:
    title: str
    labels: list[str]
    values: list[float]
    kind: str = "bar"  # bar | line


@dataclass
class Section:
    key: str
    title: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    comment: str | None = None


@dataclass
class Report:
    title: str
    subtitle: str
    date_from: dt.date
    date_to: dt.date
    county_code: str | None
    sections: list[Section]


def fmt(value, kind: str = "int") -> str:
    if value is None:
        return "—"
    if kind == "pct":
        return f"{100 * float(value):.1f}%"
    if kind == "score":
        return f"{float(value):.1f}"
    return str(int(round(float(value))))


def change(now, before, kind: str = "int") -> str:
    """'比上期增加 3' / '减少 2.0%' / '持平' (percentage points for shares)."""
    if now is None or before is None:
        return "上期无可比数据"
    diff = float(now) - float(before)
    if abs(diff) < 1e-9:
        return "与上期持平"
    word = "增加" if diff > 0 else "减少"
    if kind == "pct":
        return f"比上期{word} {abs(100 * diff):.1f} 个百分点"
    return f"比上期{word} {fmt(abs(diff), kind)}"


# -- queries (every number of the report) ----------------------------------------------------
class Queries:
    def __init__(self, conn: WarehouseConnection, county: str | None) -> None:
        self.conn, self.county = conn, county

    def _where(self, column: str = "county_code") -> tuple[str, tuple]:
        return (f"{column} = ?", (self.county,)) if self.county else ("true", ())

    def one(self, sql: str, params: tuple = ()) -> tuple:
        return self.conn.execute(sql, params)[0]

    def occupancy(self, day: dt.date) -> tuple:
        """(residents, beds on file, approved beds) of the latest month starting by ``day``."""
        w, p = self._where()
        return self.one(
            "select sum(residents), sum(beds_on_file), sum(approved_beds)"
            " from marts.agg_org_occupancy_monthly where month_start = (select max(month_start)"
            f" from marts.agg_org_occupancy_monthly where month_start <= ?) and {w}",
            (day, *p),
        )

    def orders(self, lo: dt.date, hi: dt.date) -> tuple:
        """(work orders, service items ordered) created in [lo, hi]."""
        w, p = self._where()
        return self.one(
            "select count(*), count(distinct item_name) from marts.fct_work_order"
            f" where cast(create_time as date) between ? and ? and {w}",
            (lo, hi, *p),
        )

    def warnings(self, lo: dt.date, hi: dt.date) -> int | None:
        """Suspicious work orders (issue 12), None while the warning is not published."""
        if "is_suspicious" not in self.conn.columns("marts", "fct_work_order"):
            return None
        w, p = self._where()
        return self.one(
            "select count(*) from marts.fct_work_order where is_suspicious"
            f" and cast(create_time as date) between ? and ? and {w}",
            (lo, hi, *p),
        )[0]

    def canteens(self, lo: dt.date, hi: dt.date) -> tuple:
        """(canteens with meal orders, meal orders) in [lo, hi]."""
        w, p = self._where("o.county_code")
        return self.one(
            "select count(distinct m.org_code), count(*) from marts.fct_meal_order m"
            " join marts.dim_org o on o.org_code = m.org_code"
            f" where m.order_date between ? and ? and {w}",
            (lo, hi, *p),
        )

    def dishes(self) -> tuple:
        """(dishes on shelf now, of them names the text review flagged) at the scope's canteens;
        the catalogue has no history, so there is no figure for the previous period."""
        w, p = self._where("o.county_code")
        flagged = "0"
        if self.conn.columns("quality", "text_review"):
            flagged = (
                "count(*) filter (where exists (select 1 from quality.text_review r"
                " where r.source_table = 'yl_canteen_dish'"
                " and r.source_key = cast(d.dish_id as varchar)))"
            )
        return self.one(
            f"select count(*), {flagged} from marts.dim_canteen_dish d"
            f" join marts.dim_org o on o.org_code = d.org_code where d.is_on_shelf and {w}",
            p,
        )

    def daily_orders(self, lo: dt.date, hi: dt.date) -> list[tuple]:
        w, p = self._where()
        return self.conn.execute(
            "select cast(create_time as date) as d, count(*) from marts.fct_work_order"
            f" where cast(create_time as date) between ? and ? and {w} group by 1 order by 1",
            (lo, hi, *p),
        )

    def latest_period(self, day: dt.date) -> str | None:
        if not self.conn.table_exists("marts", "quality_score"):
            return None
        periods = [r[0] for r in self.conn.execute(
            "select distinct period from marts.quality_score order by 1")]  # fmt: skip
        done = [q for q in periods if quarter_bounds(q)[1] <= day]
        return done[-1] if done else (periods[0] if periods else None)

    def county_scores(self, period: str) -> list[tuple]:
        w, p = self._where("c.county_code")
        return self.conn.execute(
            "select c.county_code, coalesce(a.area_name, c.county_code), c.total_score,"
            " c.city_rank, c.orgs_scored, c.orgs_no_data from marts.county_quality_score c"
            " left join marts.dim_area a on a.area_code = c.county_code"
            f" where c.period = ? and {w} order by c.total_score desc",
            (period, *p),
        )

    def org_scores(self, period: str) -> tuple:
        """(scored, 数据不足, mean total score) of the organisations in ``period``."""
        w, p = self._where()
        return self.one(
            "select sum(case when status = '已评分' then 1 else 0 end),"
            " coalesce(sum(case when status = '数据不足' then 1 else 0 end), 0), avg(total_score)"
            f" from marts.quality_score where period = ? and {w}",
            (period, *p),
        )

    def movers(self, period: str, before: str, n: int = 3) -> list[tuple]:
        """Organisations whose score moved most since ``before`` (largest rises, then falls)."""
        w, p = self._where("a.county_code")
        rows = self.conn.execute(
            "select a.org_name, a.org_type, b.total_score, a.total_score,"
            " a.total_score - b.total_score as delta from marts.quality_score a"
            " join marts.quality_score b on b.org_code = a.org_code and b.period = ?"
            " where a.period = ? and a.total_score is not null and b.total_score is not null"
            f" and {w} order by delta desc, a.org_code",
            (before, period, *p),
        )
        ups = [r for r in rows if r[4] > 0][:n]
        downs = [r for r in reversed(rows) if r[4] < 0][:n]
        return ups + downs

    def inspections(self, lo: dt.date, hi: dt.date) -> tuple:
        """(items checked, items failed, organisations) of guidance-centre inspections."""
        w, p = self._where("o.county_code")
        return self.one(
            "select count(*), coalesce(sum(case when i.is_failed then 1 else 0 end), 0),"
            " count(distinct i.org_code) from marts.fct_inspection i"
            " join marts.dim_org o on o.org_code = i.org_code"
            f" where i.source = '指导中心巡检' and i.inspect_date between ? and ? and {w}",
            (lo, hi, *p),
        )

    def failed_items(self, lo: dt.date, hi: dt.date) -> list[tuple]:
        w, p = self._where("o.county_code")
        return self.conn.execute(
            "select i.item_name, count(*) from marts.fct_inspection i"
            " join marts.dim_org o on o.org_code = i.org_code"
            " where i.source = '指导中心巡检' and i.is_failed and i.inspect_date between ? and ?"
            f" and {w} group by 1 order by 2 desc, 1",
            (lo, hi, *p),
        )

    def planned(self, lo: dt.date, hi: dt.date) -> int | None:
        if not self.conn.table_exists("marts", "inspection_plan"):
            return None
        w, p = self._where()
        return self.one(
            f"select count(*) from marts.inspection_plan where plan_date between ? and ? and {w}",
            (lo, hi, *p),
        )[0]

    def complaints(self, lo: dt.date, hi: dt.date) -> tuple:
        """(complaints, replied, replied within 3 working days) created in [lo, hi]."""
        w, p = self._where()
        return self.one(
            "select count(*), coalesce(sum(case when is_replied then 1 else 0 end), 0),"
            " coalesce(sum(case when is_reply_on_time then 1 else 0 end), 0) from marts.fct_complaint"
            f" where cast(create_time as date) between ? and ? and {w}",
            (lo, hi, *p),
        )

    def complaints_by_channel(self, lo: dt.date, hi: dt.date) -> list[tuple]:
        w, p = self._where()
        return self.conn.execute(
            "select channel, count(*), sum(case when is_reply_on_time then 1 else 0 end),"
            " coalesce(sum(case when is_replied then 0 else 1 end), 0) from marts.fct_complaint"
            f" where cast(create_time as date) between ? and ? and {w} group by 1 order by 2 desc, 1",
            (lo, hi, *p),
        )
