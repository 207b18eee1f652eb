-- dict_code is RuoYi's surrogate key, not the contract's: a dump without it is keyed by its
-- natural key dict_type:dict_value (the migration's source_key, migration/contract.py).
with source as (
    select * from {{ source('raw', 'sys_dict_data') }}
),

final as (
    select
        coalesce({{ blank_to_null('r.dict_code') }}, r.source_key) as dict_code,
        trim(r.dict_type) as dict_type,
        trim(r.dict_value) as dict_value,
        trim(r.dict_label) as dict_label,
        coalesce(trim(r.status) = '0', false) as is_active,
        {{ raw_bookkeeping('r', has_del_flag=false) }},
        case
            when coalesce({{ blank_to_null('r.dict_code') }}, r.source_key) is null
                then 'missing_key'
        end as reject_code
    from source as r
)

select * from final
