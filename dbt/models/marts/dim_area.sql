-- 行政区划维度: one row per division (市 / 县区 / 镇街 / 村社) under its GB/T 2260 code.
with

area as (
    select * from {{ ref('stg_legacy__sys_area') }}
    where not is_deleted and gb_code is not null
),

ranked as (
    select
        *,
        row_number() over (partition by gb_code order by area_code) as code_rank
    from area
),

final as (
    select
        gb_code as area_code,
        area_name,
        area_level,
        case area_level
            when 1 then '市'
            when 2 then '县区'
            when 3 then '镇街'
            when 4 then '村社'
        end as area_level_name,
        county_code,
        town_code,
        area_code as source_area_code
    from ranked
    where code_rank = 1
)

select * from final
