-- 居家服务工单事实: one row per live legacy work order, people and organisations as codes.
-- The warning columns of the contract (warning_score, warning_reasons, is_suspicious) are
-- added by the work-order warning model, not here (docs/marts.md).
with

work_order as (
    select * from {{ ref('stg_legacy__yl_work_order') }}
    where not is_deleted
),

service_item as (
    select * from {{ ref('stg_legacy__yl_service_item') }}
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

staff as (
    select
        staff_id,
        staff_code
    from {{ ref('int_staff_resolved') }}
),

dim_elder as (
    select
        elder_code,
        county_code,
        town_code
    from {{ ref('dim_elder') }}
),

final as (
    select
        work_order.order_id,
        work_order.order_no,
        elders.elder_code,
        orgs.org_code,
        staff.staff_code,
        work_order.item_id,
        service_item.item_name,
        service_item.category as item_category,
        service_item.min_minutes as item_min_minutes,
        service_item.max_minutes as item_max_minutes,
        service_item.price as item_price,
        service_item.charge_mode as item_charge_mode,
        work_order.source,
        work_order.order_status,
        work_order.order_status_label,
        work_order.create_time,
        work_order.plan_time,
        work_order.start_time,
        work_order.end_time,
        cast(work_order.duration_min as double precision) as duration_min,
        work_order.start_lng,
        work_order.start_lat,
        work_order.end_lng,
        work_order.end_lat,
        work_order.photo_before,
        work_order.photo_after,
        work_order.audio_seconds,
        work_order.amount,
        work_order.subsidy_amount,
        work_order.self_pay_amount,
        work_order.rating,
        dim_elder.county_code,
        dim_elder.town_code,
        cast({{ dbt.date_trunc('month', 'work_order.create_time') }} as date) as order_month
    from work_order
    left join service_item on work_order.item_id = service_item.item_id
    left join elders on work_order.elder_id = elders.elder_id
    left join orgs on work_order.provider_org_id = orgs.org_id
    left join staff on work_order.staff_id = staff.staff_id
    left join dim_elder on elders.elder_code = dim_elder.elder_code
)

select * from final
