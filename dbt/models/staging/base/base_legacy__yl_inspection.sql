with source as (
    select * from {{ source('raw', 'yl_inspection') }}
),

final as (
    select
        {{ to_bigint('r.inspection_id') }} as inspection_id,
        {{ to_bigint('r.org_id') }} as org_id,
        {{ parse_date('r.inspect_date') }} as inspect_date,
        {{ dict_code('r.source', 'yl_inspection_source') }} as source,
        {{ blank_to_null('r.item_code') }} as item_code,
        {{ blank_to_null('r.item_name') }} as item_name,
        {{ dict_code('r.result', 'yl_inspection_result') }} as result,
        {{ parse_amount('r.deduction') }} as deduction,
        {{ blank_to_null('r.remark') }} as remark,
        {{ blank_to_null('r.inspector') }} as inspector,
        {{ raw_bookkeeping('r', has_del_flag=false) }},
        case
            when {{ to_bigint('r.inspection_id') }} is null then 'missing_key'
        end as reject_code
    from source as r
)

select * from final
