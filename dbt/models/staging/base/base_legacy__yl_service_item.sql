with source as (
    select * from {{ source('raw', 'yl_service_item') }}
),

final as (
    select
        {{ to_bigint('r.item_id') }} as item_id,
        {{ blank_to_null('r.item_name') }} as item_name,
        {{ blank_to_null('r.category') }} as category,
        {{ dict_code('r.charge_mode', 'yl_charge_mode') }} as charge_mode,
        {{ parse_amount('r.price') }} as price,
        {{ to_int('r.min_minutes') }} as min_minutes,
        {{ to_int('r.max_minutes') }} as max_minutes,
        {{ flag_is_one('r.subsidized') }} as is_subsidized,
        trim(r.status) as status,
        {{ raw_bookkeeping('r', has_del_flag=false) }},
        case when {{ to_bigint('r.item_id') }} is null then 'missing_key' end as reject_code
    from source as r
)

select * from final
