-- 助餐订单事实: one row per canteen meal order.
with

meal_order as (
    select * from {{ ref('stg_legacy__yl_meal_order') }}
    where not is_deleted
),

elders as (
    select
        elder_id,
        elder_code
    from {{ ref('int_elder_resolved') }}
),

orgs as (
    select
        org_id,
        org_code
    from {{ ref('int_org_resolved') }}
),

final as (
    select
        meal_order.meal_order_id,
        orgs.org_code,
        elders.elder_code,
        meal_order.order_time,
        cast(meal_order.order_time as date) as order_date,
        meal_order.amount,
        meal_order.subsidy_amount
    from meal_order
    left join elders on meal_order.elder_id = elders.elder_id
    left join orgs on meal_order.org_id = orgs.org_id
)

select * from final
