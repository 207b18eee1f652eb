with source as (
    select * from {{ source('raw', 'yl_work_order') }}
),

cleaned as (
    select
        {{ to_bigint('r.order_id') }} as order_id,
        {{ blank_to_null('r.order_no') }} as order_no,
        {{ to_bigint('r.elder_id') }} as elder_id,
        {{ to_bigint('r.provider_org_id') }} as provider_org_id,
        {{ to_bigint('r.staff_id') }} as staff_id,
        {{ to_bigint('r.item_id') }} as item_id,
        {{ dict_code('r.source', 'yl_order_source') }} as source,
        {{ parse_timestamp('r.create_time') }} as create_time,
        {{ parse_timestamp('r.plan_time') }} as plan_time,
        {{ parse_timestamp('r.start_time') }} as start_time,
        {{ parse_timestamp('r.end_time') }} as end_time,
        {{ coord_lng_raw('r.start_lng', 'r.start_lat') }} as start_lng_raw,
        {{ coord_lat_raw('r.start_lng', 'r.start_lat') }} as start_lat_raw,
        {{ coord_lng_raw('r.end_lng', 'r.end_lat') }} as end_lng_raw,
        {{ coord_lat_raw('r.end_lng', 'r.end_lat') }} as end_lat_raw,
        {{ blank_to_null('r.photo_before') }} as photo_before,
        {{ blank_to_null('r.photo_after') }} as photo_after,
        {{ to_int('r.audio_seconds') }} as audio_seconds,
        {{ parse_amount('r.amount') }} as amount,
        {{ parse_amount('r.subsidy_amount') }} as subsidy_amount,
        {{ parse_amount('r.self_pay_amount') }} as self_pay_amount,
        {{ dict_code('r.order_status', 'yl_order_status') }} as order_status,
        {{ to_int('r.rating') }} as rating,
        {{ blank_to_null('r.comment') }} as comment,
        {{ raw_bookkeeping('r') }}
    from source as r
),

final as (
    select
        order_id,
        order_no,
        elder_id,
        provider_org_id,
        staff_id,
        item_id,
        source,
        create_time,
        plan_time,
        start_time,
        end_time,
        {{ minutes_between('start_time', 'end_time') }} as duration_min,
        -- The service app records positions from the phone's map SDK: GCJ-02.
        {{ gcj02_to_wgs84_lng('start_lng_raw', 'start_lat_raw', numbers=true) }} as start_lng,
        {{ gcj02_to_wgs84_lat('start_lng_raw', 'start_lat_raw', numbers=true) }} as start_lat,
        {{ gcj02_to_wgs84_lng('end_lng_raw', 'end_lat_raw', numbers=true) }} as end_lng,
        {{ gcj02_to_wgs84_lat('end_lng_raw', 'end_lat_raw', numbers=true) }} as end_lat,
        photo_before,
        photo_after,
        audio_seconds,
        amount,
        subsidy_amount,
        self_pay_amount,
        order_status,
        {{ dict_label('order_status', 'yl_order_status') }} as order_status_label,
        rating,
        comment,
        source_key,
        is_deleted,
        run_id,
        loaded_at,
        case
            when order_id is null then 'missing_key'
            when create_time is null then 'bad_timestamp'
            when end_time < start_time then 'end_before_start'
        end as reject_code
    from cleaned
)

select * from final
