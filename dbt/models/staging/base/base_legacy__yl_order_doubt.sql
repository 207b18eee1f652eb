-- The old platform's suspicious-order history (存疑工单, 申诉, 审核). A doubt must belong to an
-- order the legacy system knows (any raw order, even one that is rejected or deleted).
with source as (
    select * from {{ source('raw', 'yl_order_doubt') }}
),

orders as (
    select distinct {{ to_bigint('order_id') }} as order_id
    from {{ source('raw', 'yl_work_order') }}
),

cleaned as (
    select
        {{ to_bigint('r.doubt_id') }} as doubt_id,
        {{ to_bigint('r.order_id') }} as order_id,
        {{ blank_to_null('r.source') }} as doubt_source,
        {{ blank_to_null('r.reason') }} as reason,
        {{ parse_timestamp('r.doubt_time') }} as doubt_time,
        {{ parse_timestamp('r.appeal_time') }} as appeal_time,
        {{ blank_to_null('r.appeal_reason') }} as appeal_reason,
        {{ parse_timestamp('r.review_time') }} as review_time,
        {{ blank_to_null('r.review_result') }} as review_result,
        {{ blank_to_null('r.reviewer') }} as reviewer,
        {{ raw_bookkeeping('r') }}
    from source as r
),

final as (
    select
        c.doubt_id,
        c.order_id,
        c.doubt_source,
        c.reason,
        c.doubt_time,
        c.appeal_time,
        c.appeal_reason,
        c.review_time,
        c.review_result,
        c.reviewer,
        c.source_key,
        c.is_deleted,
        c.run_id,
        c.loaded_at,
        case
            when c.doubt_id is null then 'missing_key'
            when o.order_id is null then 'orphan_doubt_order'
        end as reject_code
    from cleaned as c
    left join orders as o on c.order_id = o.order_id
)

select * from final
