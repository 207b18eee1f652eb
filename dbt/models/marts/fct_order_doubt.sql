-- 存疑工单历史: the old platform's doubts (回访存疑 / 系统监管存疑), appeals and reviews, one row
-- per live doubt, with the order's provider and county. state: 存疑 → 已申诉 → 已审核 / 已作废.
with

doubt as (
    select * from {{ ref('stg_legacy__yl_order_doubt') }}
    where not is_deleted
),

work_order as (
    select
        order_id,
        elder_code,
        org_code,
        county_code
    from {{ ref('fct_work_order') }}
),

final as (
    select
        doubt.doubt_id,
        doubt.order_id,
        work_order.elder_code,
        work_order.org_code,
        work_order.county_code,
        doubt.doubt_source,
        doubt.reason,
        doubt.doubt_time,
        doubt.appeal_time,
        doubt.appeal_reason,
        doubt.review_time,
        doubt.review_result,
        doubt.reviewer,
        case
            when doubt.review_result in ('已审核', '已作废') then doubt.review_result
            when doubt.appeal_time is not null then '已申诉'
            else '存疑'
        end as state,
        coalesce(doubt.review_result = '已作废', false) as is_confirmed,
        coalesce(doubt.review_result = '已审核', false) as is_cleared
    from doubt
    left join work_order on doubt.order_id = work_order.order_id
)

select * from final
