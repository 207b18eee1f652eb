-- A visit must belong to an order the legacy system knows (any raw order, even one that is
-- itself rejected or deleted: the visit's own fact is then still true).
with source as (
    select * from {{ source('raw', 'yl_return_visit') }}
),

orders as (
    select distinct {{ to_bigint('order_id') }} as order_id
    from {{ source('raw', 'yl_work_order') }}
),

cleaned as (
    select
        {{ to_bigint('r.visit_id') }} as visit_id,
        {{ to_bigint('r.order_id') }} as order_id,
        {{ to_bigint('r.elder_id') }} as elder_id,
        {{ parse_timestamp('r.visit_time') }} as visit_time,
        {{ dict_code('r.visit_way', 'yl_visit_way') }} as visit_way,
        {{ dict_code('r.visit_result', 'yl_visit_result') }} as visit_result,
        {{ blank_to_null('r.remark') }} as remark,
        {{ blank_to_null('r.visitor') }} as visitor,
        {{ raw_bookkeeping('r', has_del_flag=false) }}
    from source as r
),

final as (
    select
        c.visit_id,
        c.order_id,
        c.elder_id,
        c.visit_time,
        c.visit_way,
        c.visit_result,
        {{ dict_label('c.visit_result', 'yl_visit_result') }} as visit_result_label,
        c.remark,
        c.visitor,
        c.source_key,
        c.is_deleted,
        c.run_id,
        c.loaded_at,
        case
            when c.visit_id is null then 'missing_key'
            when o.order_id is null then 'orphan_order'
        end as reject_code
    from cleaned as c
    left join orders as o on c.order_id = o.order_id
)

select * from final
