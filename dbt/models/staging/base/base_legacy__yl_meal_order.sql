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
        {{ raw_bookkeeping('r', has_del_flag=false) }},
        case
            when {{ to_bigint('r.meal_order_id') }} is null then 'missing_key'
            when {{ parse_timestamp('r.order_time') }} is null then 'bad_timestamp'
        end as reject_code
    from source as r
)

select * from final
