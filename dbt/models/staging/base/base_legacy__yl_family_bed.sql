with source as (
    select * from {{ source('raw', 'yl_family_bed') }}
),

cleaned as (
    select
        {{ to_bigint('r.fbed_id') }} as fbed_id,
        {{ to_bigint('r.elder_id') }} as elder_id,
        {{ to_bigint('r.provider_org_id') }} as provider_org_id,
        {{ parse_date('r.apply_date') }} as apply_date,
        {{ parse_date('r.assess_date') }} as assess_date,
        {{ blank_to_null('r.assess_level') }} as assess_level,
        {{ parse_date('r.build_date') }} as build_date,
        {{ parse_date('r.revoke_date') }} as revoke_date,
        {{ dict_code('r.bed_status', 'yl_fbed_status') }} as bed_status,
        {{ blank_to_null('r.contract_no') }} as contract_no,
        {{ parse_amount('r.monthly_subsidy') }} as monthly_subsidy,
        {{ raw_bookkeeping('r') }}
    from source as r
),

final as (
    select
        *,
        case
            when fbed_id is null then 'missing_key'
            when revoke_date < build_date then 'revoked_before_built'
        end as reject_code
    from cleaned
)

select * from final
