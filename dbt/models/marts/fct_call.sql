-- 呼叫中心通话事实: one row per call; the elder code is NULL when the caller is unknown.
with

call_record as (
    select * from {{ ref('stg_legacy__yl_call_record') }}
    where not is_deleted
),

elders as (
    select
        elder_id,
        elder_code
    from {{ ref('int_elder_resolved') }}
),

final as (
    select
        call_record.call_id,
        call_record.seat_no,
        call_record.call_direction,
        elders.elder_code,
        elders.elder_code is not null as is_known_elder,
        call_record.start_time,
        cast(call_record.start_time as date) as call_date,
        call_record.talk_seconds,
        call_record.call_type,
        call_record.result
    from call_record
    left join elders on call_record.elder_id = elders.elder_id
)

select * from final
