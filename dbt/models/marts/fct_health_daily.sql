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
        -- rounded: a parallel float average may differ in its last bits between runs
        cast(round(cast(avg(item_value) as numeric(18, 6)), 4) as numeric(18, 4)) as avg_value,
        max(item_value) as max_value
    from reading
    group by 1, 2, 3
)

select * from final
