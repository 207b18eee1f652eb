with source as (
    select * from {{ source('raw', 'yl_org_resident') }}
),

final as (
    select
        {{ to_bigint('r.resident_id') }} as resident_id,
        {{ to_bigint('r.org_id') }} as org_id,
        {{ to_bigint('r.elder_id') }} as elder_id,
        {{ to_bigint('r.bed_id') }} as bed_id,
        {{ parse_date('r.check_in_date') }} as check_in_date,
        {{ parse_date('r.check_out_date') }} as check_out_date,
        {{ blank_to_null('r.contract_no') }} as contract_no,
        {{ dict_code('r.care_level', 'yl_care_level') }} as care_level,
        {{ raw_bookkeeping('r') }},
        case
            when {{ to_bigint('r.resident_id') }} is null then 'missing_key'
        end as reject_code
    from source as r
)

select * from final
