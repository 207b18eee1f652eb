with source as (
    select * from {{ source('raw', 'sys_area') }}
),

cleaned as (
    select
        trim(r.area_code) as area_code,
        {{ area_code_digits('r.area_code') }} as digits,
        {{ blank_to_null('r.area_name') }} as area_name,
        trim(r.parent_code) as parent_code,
        {{ to_int('r.area_level') }} as area_level,
        {{ raw_bookkeeping('r', has_del_flag=false) }}
    from source as r
),

final as (
    select
        area_code,
        area_name,
        parent_code,
        area_level,
        {{ area_gb_code('digits') }} as gb_code,
        case when area_level >= 2 then substr(digits, 1, 6) end as county_code,
        case when area_level >= 3 then substr(digits, 1, 9) end as town_code,
        source_key,
        is_deleted,
        run_id,
        loaded_at,
        case when digits is null then 'missing_key' end as reject_code
    from cleaned
)

select * from final
