with source as (
    select * from {{ source('raw', 'yl_device') }}
),

final as (
    select
        {{ to_bigint('r.device_id') }} as device_id,
        {{ blank_to_null('r.device_sn') }} as device_sn,
        {{ dict_code('r.device_type', 'yl_device_type') }} as device_type,
        {{ to_bigint('r.elder_id') }} as elder_id,
        {{ to_bigint('r.fbed_id') }} as fbed_id,
        {{ parse_timestamp('r.bind_time') }} as bind_time,
        {{ parse_timestamp('r.unbind_time') }} as unbind_time,
        {{ parse_timestamp('r.last_online_time') }} as last_online_time,
        {{ dict_code('r.status', 'yl_device_status') }} as status,
        {{ raw_bookkeeping('r', has_del_flag=false) }},
        case when {{ to_bigint('r.device_id') }} is null then 'missing_key' end as reject_code
    from source as r
)

select * from final
