-- 回访事实: one row per live return visit, with the visited order's provider.
with

visit as (
    select * from {{ ref('stg_legacy__yl_return_visit') }}
    where not is_deleted
),

orders as (
    select
        order_id,
        org_code,
        staff_code,
        elder_code as order_elder_code
    from {{ ref('fct_work_order') }}
),

elders as (
    select
        elder_id,
        elder_code
    from {{ ref('int_elder_resolved') }}
),

final as (
    select
        visit.visit_id,
        visit.order_id,
        coalesce(elders.elder_code, orders.order_elder_code) as elder_code,
        orders.org_code,
        orders.staff_code,
        visit.visit_time,
        cast(visit.visit_time as date) as visit_date,
        visit.visit_way,
        visit.visit_result_label as visit_result,
        visit.visit_result as visit_result_code,
        visit.visit_result_label in ('满意', '基本满意') as is_satisfied,
        visit.visit_result_label = '否认服务' as is_service_denied
    from visit
    left join orders on visit.order_id = orders.order_id
    left join elders on visit.elder_id = elders.elder_id
)

select * from final
