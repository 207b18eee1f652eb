with source as (
    select * from {{ source('raw', 'yl_meal_order') }}
),

final as (
    select
        {{ to_bigint('r.meal_order_id') }} as meal_order_id,
        {{ to_bigint('r.org_id') }} as org_id,
        {{ to_bigint('r.elder_id') }} as elder_id,
        {{ parse_timestamp('r.order_time') }} as order_time,
        {{ parse_amount('r.amount') }} as amount,
        {{ parse_amount('r.subsidy_amount') }} as subsidy_amount,
        r.source_key,
        false as is_deleted,
        r.run_id,
        {{ parse_timestamp('r.loaded_at') }} as loaded_at,
        case
            when {{ to_bigint('r.meal_order_id') }} is null then 'missing_key'
            when {{ parse_timestamp('r.order_time') }} is null then 'bad_timestamp'
        end as reject_code,
        {{ row_to_json_text('r') }} as raw_row
    from source as r
)

select * from final
