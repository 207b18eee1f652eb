with source as (
    select * from {{ source('raw', 'yl_complaint') }}
),

cleaned as (
    select
        {{ to_bigint('r.complaint_id') }} as complaint_id,
        {{ dict_code('r.channel', 'yl_complaint_channel') }} as channel,
        {{ resolve_area_code('r.area_code') }} as area_code,
        {{ to_bigint('r.org_id') }} as org_id,
        {{ dict_code('r.category', 'yl_complaint_category') }} as category,
        {{ blank_to_null('r.content') }} as content,
        {{ parse_timestamp('r.create_time') }} as create_time,
        {{ parse_timestamp('r.reply_time') }} as reply_time,
        {{ parse_timestamp('r.close_time') }} as close_time,
        {{ dict_code('r.status', 'yl_complaint_status') }} as status,
        {{ raw_bookkeeping('r', has_del_flag=false) }}
    from source as r
),

final as (
    select
        complaint_id,
        channel,
        area_code,
        substr(area_code, 1, 6) as county_code,
        case when length(area_code) >= 9 then substr(area_code, 1, 9) end as town_code,
        org_id,
        category,
        content,
        create_time,
        reply_time,
        close_time,
        status,
        source_key,
        is_deleted,
        run_id,
        loaded_at,
        case
            when complaint_id is null then 'missing_key'
            when create_time is null then 'bad_timestamp'
        end as reject_code
    from cleaned
)

select * from final
