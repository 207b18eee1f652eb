-- Organisations. An invalid credit code does not reject the organisation (it exists and has
-- beds, staff and orders): the code becomes NULL and credit_code_invalid says why.
with source as (
    select * from {{ source('raw', 'yl_org') }}
),

cleaned as (
    select
        {{ to_bigint('r.org_id') }} as org_id,
        {{ clean_org_name('r.org_name') }} as org_name,
        {{ dict_code('r.org_type', 'yl_org_type') }} as org_type,
        {{ clean_credit_code('r.credit_code') }} as credit_code_clean,
        {{ credit_code_ok('r.credit_code') }} as credit_code_ok,
        {{ blank_to_null('r.credit_code') }} as credit_code_raw,
        {{ resolve_area_code('r.area_code') }} as area_code,
        {{ blank_to_null('r.address') }} as address,
        {{ coord_lng_raw('r.lng', 'r.lat') }} as lng_raw,
        {{ coord_lat_raw('r.lng', 'r.lat') }} as lat_raw,
        r.coord_sys,
        {{ blank_to_null('r.contact_name') }} as contact_name,
        {{ normalize_phone('r.contact_phone') }} as contact_phone,
        {{ to_int('r.approved_beds') }} as approved_beds,
        {{ to_int('r.filed_beds') }} as filed_beds,
        {{ to_int('r.star_level') }} as star_level,
        {{ dict_code('r.ownership', 'yl_ownership') }} as ownership,
        {{ parse_amount('r.charge_min') }} as charge_min,
        {{ parse_amount('r.charge_max') }} as charge_max,
        {{ blank_to_null('r.medical_condition') }} as medical_condition,
        trim(r.status) as status,
        {{ parse_timestamp('r.create_time') }} as create_time,
        {{ parse_timestamp('r.update_time') }} as update_time,
        {{ raw_bookkeeping('r') }}
    from source as r
),

final as (
    select
        org_id,
        org_name,
        org_type,
        {{ dict_label('org_type', 'yl_org_type') }} as org_type_label,
        case when credit_code_ok then credit_code_clean end as credit_code,
        coalesce(credit_code_raw is not null and not credit_code_ok, false) as credit_code_invalid,
        area_code,
        substr(area_code, 1, 6) as county_code,
        case when length(area_code) >= 9 then substr(area_code, 1, 9) end as town_code,
        address,
        {{ coord_to_wgs84('lng_raw', 'lat_raw', 'coord_sys', 'lng') }} as lng,
        {{ coord_to_wgs84('lng_raw', 'lat_raw', 'coord_sys', 'lat') }} as lat,
        {{ coord_sys_assumed('lng_raw', 'coord_sys') }} as coord_sys_assumed,
        contact_name,
        contact_phone,
        approved_beds,
        filed_beds,
        star_level,
        ownership,
        {{ dict_label('ownership', 'yl_ownership') }} as ownership_label,
        charge_min,
        charge_max,
        medical_condition,
        status,
        create_time,
        update_time,
        source_key,
        is_deleted,
        run_id,
        loaded_at,
        case when org_id is null then 'missing_key' end as reject_code
    from cleaned
)

select * from final
