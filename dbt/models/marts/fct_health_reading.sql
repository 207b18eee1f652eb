-- 健康监测读数事实: one row per valid, de-duplicated vital-sign reading (units canonical).
with

reading as (
    select * from {{ ref('stg_legacy__yl_health_record') }}
    where not is_deleted
),

elders as (
    select
        elder_id,
        elder_code
    from {{ ref('int_elder_resolved') }}
),

final as (
    select
        reading.record_id,
        elders.elder_code,
        reading.device_sn,
        reading.measure_time,
        cast(reading.measure_time as date) as measure_date,
        reading.item_code,
        reading.item_value,
        reading.unit
    from reading
    left join elders on reading.elder_id = elders.elder_id
)

select * from final
