with source as (
    select * from {{ source('raw', 'yl_call_record') }}
),

final as (
    select
        {{ to_bigint('r.call_id') }} as call_id,
        {{ blank_to_null('r.seat_no') }} as seat_no,
        {{ dict_code('r.call_direction', 'yl_call_direction') }} as call_direction,
        coalesce({{ normalize_phone('r.caller_no') }}, {{ blank_to_null('r.caller_no') }})
            as caller_no,
        coalesce({{ normalize_phone('r.callee_no') }}, {{ blank_to_null('r.callee_no') }})
            as callee_no,
        {{ to_bigint('r.elder_id') }} as elder_id,
        {{ parse_timestamp('r.start_time') }} as start_time,
        {{ to_int('r.talk_seconds') }} as talk_seconds,
        {{ dict_code('r.call_type', 'yl_call_type') }} as call_type,
        {{ blank_to_null('r.result') }} as result,
        {{ raw_bookkeeping('r', has_del_flag=false) }},
        case
            when {{ to_bigint('r.call_id') }} is null then 'missing_key'
            when {{ parse_timestamp('r.start_time') }} is null then 'bad_timestamp'
        end as reject_code
    from source as r
)

select * from final
