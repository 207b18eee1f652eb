with source as (
    select * from {{ source('raw', 'sys_dict_data') }}
),

final as (
    select
        {{ to_bigint('r.dict_code') }} as dict_code,
        trim(r.dict_type) as dict_type,
        trim(r.dict_value) as dict_value,
        trim(r.dict_label) as dict_label,
        coalesce(trim(r.status) = '0', false) as is_active,
        {{ raw_bookkeeping('r', has_del_flag=false) }},
        case when {{ to_bigint('r.dict_code') }} is null then 'missing_key' end as reject_code
    from source as r
)

select * from final
