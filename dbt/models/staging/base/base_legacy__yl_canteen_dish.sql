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
        r.source_key,
        false as is_deleted,
        r.run_id,
        {{ parse_timestamp('r.loaded_at') }} as loaded_at,
        case when {{ to_bigint('r.dish_id') }} is null then 'missing_key' end as reject_code,
        {{ row_to_json_text('r') }} as raw_row
    from source as r
)

select * from final
