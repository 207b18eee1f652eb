with source as (
    select * from {{ source('raw', 'yl_canteen_dish') }}
),

final as (
    select
        {{ to_bigint('r.dish_id') }} as dish_id,
        {{ to_bigint('r.org_id') }} as org_id,
        {{ blank_to_null('r.dish_name') }} as dish_name,
        {{ parse_amount('r.price') }} as price,
        {{ flag_is_one('r.on_shelf') }} as is_on_shelf,
        {{ raw_bookkeeping('r', has_del_flag=false) }},
        case when {{ to_bigint('r.dish_id') }} is null then 'missing_key' end as reject_code
    from source as r
)

select * from final
