-- 健康监测日汇总: one row per elder, day and vital sign.
with

reading as (
    select * from {{ ref('fct_health_reading') }}
    where elder_code is not null
),

final as (
    select
        elder_code,
        measure_date,
        item_code,
        max(unit) as unit,
        count(*) as readings,
        min(item_value) as min_value,
        avg(item_value) as avg_value,
        max(item_value) as max_value
    from reading
    group by elder_code, measure_date, item_code
)

select * from final
