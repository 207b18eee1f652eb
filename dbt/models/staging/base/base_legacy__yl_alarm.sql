with source as (
    select * from {{ source('raw', 'yl_alarm') }}
),

cleaned as (
    select
        {{ to_bigint('r.alarm_id') }} as alarm_id,
        {{ blank_to_null('r.device_sn') }} as device_sn,
        {{ to_bigint('r.elder_id') }} as elder_id,
        {{ dict_code('r.alarm_type', 'yl_alarm_type') }} as alarm_type,
        {{ parse_timestamp('r.alarm_time') }} as alarm_time,
        {{ parse_timestamp('r.handle_time') }} as handle_time,
        {{ blank_to_null('r.handle_result') }} as handle_result,
        {{ blank_to_null('r.handler') }} as handler,
        {{ raw_bookkeeping('r') }}
    from source as r
),

final as (
    select
        alarm_id,
        device_sn,
        elder_id,
        alarm_type,
        alarm_time,
        handle_time,
        handle_result,
        handler,
        handle_time is not null as is_handled,
        {{ minutes_between('alarm_time', 'handle_time') }} as response_minutes,
        source_key,
        is_deleted,
        run_id,
        loaded_at,
        case
            when alarm_id is null then 'missing_key'
            when alarm_time is null then 'bad_timestamp'
            when handle_time < alarm_time then 'handled_before_raised'
        end as reject_code
    from cleaned
)

select * from final
