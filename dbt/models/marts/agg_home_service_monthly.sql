-- 居家上门服务月度汇总 (驾驶舱): one row per month (order month) × elder's county and town ×
-- provider × service item (with its category, minimum and maximum minutes). Durations are
-- judged against the item's own minimum and maximum; return visits count towards the month of
-- the order they visited.
with

orders as (
    select * from {{ ref('fct_work_order') }}
),

visits as (
    select
        order_id,
        count(*) as visits,
        sum(case when visit_result = '满意' then 1 else 0 end) as visits_satisfied,
        sum(case when visit_result = '基本满意' then 1 else 0 end) as visits_basic,
        sum(case when visit_result = '不满意' then 1 else 0 end) as visits_unsatisfied,
        sum(case when visit_result = '未接通' then 1 else 0 end) as visits_unreached,
        sum(case when visit_result = '否认服务' then 1 else 0 end) as visits_denied
    from {{ ref('fct_return_visit') }}
    group by 1
),

order_facts as (
    select
        orders.order_month as month_start,
        orders.county_code,
        orders.town_code,
        orders.org_code,
        orders.item_category,
        orders.item_id,
        orders.item_name,
        orders.item_min_minutes,
        orders.item_max_minutes,
        case when orders.order_status_label = '已作废' then 1 else 0 end as is_cancelled,
        case when orders.duration_min is not null then 1 else 0 end as is_timed,
        case when orders.duration_min < orders.item_min_minutes then 1 else 0 end as is_under_min,
        case when orders.duration_min > orders.item_max_minutes then 1 else 0 end as is_over_max,
        -- whole seconds: integer sums are the same in any order (float sums are not)
        cast(round(orders.duration_min * 60) as bigint) as service_seconds,
        orders.amount,
        orders.subsidy_amount,
        orders.self_pay_amount,
        orders.rating,
        coalesce(visits.visits, 0) as visits,
        coalesce(visits.visits_satisfied, 0) as visits_satisfied,
        coalesce(visits.visits_basic, 0) as visits_basic,
        coalesce(visits.visits_unsatisfied, 0) as visits_unsatisfied,
        coalesce(visits.visits_unreached, 0) as visits_unreached,
        coalesce(visits.visits_denied, 0) as visits_denied
    from orders
    left join visits on orders.order_id = visits.order_id
),

final as (
    select
        month_start,
        county_code,
        town_code,
        org_code,
        item_category,
        item_id,
        item_name,
        item_min_minutes,
        item_max_minutes,
        cast(count(*) as integer) as work_orders,
        cast(sum(is_cancelled) as integer) as cancelled_orders,
        cast(sum(is_timed) as integer) as timed_orders,
        cast(sum(is_under_min) as integer) as orders_under_min,
        cast(sum(is_over_max) as integer) as orders_over_max,
        cast(coalesce(sum(service_seconds), 0) as double precision) / 60 as service_minutes,
        sum(amount) as amount,
        sum(subsidy_amount) as subsidy_amount,
        sum(self_pay_amount) as self_pay_amount,
        cast(count(rating) as integer) as rated_orders,
        cast(coalesce(sum(rating), 0) as integer) as rating_sum,
        cast(sum(visits) as integer) as visits,
        cast(sum(visits_satisfied) as integer) as visits_satisfied,
        cast(sum(visits_basic) as integer) as visits_basic,
        cast(sum(visits_unsatisfied) as integer) as visits_unsatisfied,
        cast(sum(visits_unreached) as integer) as visits_unreached,
        cast(sum(visits_denied) as integer) as visits_denied
    from order_facts
    where month_start is not null
    group by 1, 2, 3, 4, 5, 6, 7, 8, 9
)

select * from final
