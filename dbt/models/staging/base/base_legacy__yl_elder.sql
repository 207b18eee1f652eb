-- Every raw elder row with its cleaned values and the first rule it fails (reject_code).
with source as (
    select * from {{ source('raw', 'yl_elder') }}
),

cleaned as (
    select
        {{ to_bigint('r.elder_id') }} as elder_id,
        {{ blank_to_null('r.elder_name') }} as elder_name,
        {{ clean_id_card('r.id_card') }} as id_card_clean,
        {{ id_card_reason('r.id_card') }} as id_card_reason,
        {{ id_card_birth_date('r.id_card') }} as id_birth_date,
        {{ id_card_sex('r.id_card') }} as id_sex_label,
        {{ parse_date('r.birthday') }} as legacy_birthday,
        {{ dict_code('r.sex', 'sys_user_sex') }} as legacy_sex,
        {{ normalize_phone('r.phone') }} as phone,
        {{ phone_kind('r.phone') }} as phone_kind,
        {{ resolve_area_code('r.area_code') }} as area_code,
        {{ blank_to_null('r.address') }} as address,
        {{ coord_lng_raw('r.lng', 'r.lat') }} as lng_raw,
        {{ coord_lat_raw('r.lng', 'r.lat') }} as lat_raw,
        r.coord_sys,
        {{ dict_code('r.living_type', 'yl_living_type') }} as living_type,
        {{ dict_code('r.economic_type', 'yl_economic_type') }} as economic_type,
        {{ dict_code('r.ability_level', 'yl_ability_level') }} as ability_level,
        {{ blank_to_null('r.medical_history') }} as medical_history,
        {{ blank_to_null('r.guardian_name') }} as guardian_name,
        {{ normalize_phone('r.guardian_phone') }} as guardian_phone,
        {{ blank_to_null('r.guardian_relation') }} as guardian_relation,
        {{ parse_date('r.death_date') }} as death_date,
        {{ parse_timestamp('r.create_time') }} as create_time,
        {{ parse_timestamp('r.update_time') }} as update_time,
        {{ raw_bookkeeping('r') }}
    from source as r
),

final as (
    select
        elder_id,
        elder_name,
        -- a number failing its rule is kept nowhere but in the quarantine
        case when id_card_reason is null then id_card_clean end as id_card,
        {{ mask_id_card('case when id_card_reason is null then id_card_clean end') }}
            as id_card_masked,
        id_birth_date as birth_date,
        case id_sex_label when '男' then '0' when '女' then '1' end as sex,
        id_sex_label as sex_label,
        coalesce(legacy_birthday <> id_birth_date, false) as birthday_conflict,
        -- '2' (未知) states no sex, so it contradicts nothing
        coalesce(
            legacy_sex in ('0', '1')
            and legacy_sex <> case id_sex_label when '男' then '0' when '女' then '1' end,
            false
        ) as sex_conflict,
        phone,
        phone_kind,
        area_code,
        substr(area_code, 1, 6) as county_code,
        case when length(area_code) >= 9 then substr(area_code, 1, 9) end as town_code,
        address,
        {{ coord_to_wgs84('lng_raw', 'lat_raw', 'coord_sys', 'lng') }} as lng,
        {{ coord_to_wgs84('lng_raw', 'lat_raw', 'coord_sys', 'lat') }} as lat,
        {{ coord_sys_assumed('lng_raw', 'coord_sys') }} as coord_sys_assumed,
        living_type,
        {{ dict_label('living_type', 'yl_living_type') }} as living_type_label,
        economic_type,
        {{ dict_label('economic_type', 'yl_economic_type') }} as economic_type_label,
        ability_level,
        {{ dict_label('ability_level', 'yl_ability_level') }} as ability_level_label,
        medical_history,
        guardian_name,
        guardian_phone,
        guardian_relation,
        death_date,
        create_time,
        update_time,
        source_key,
        is_deleted,
        run_id,
        loaded_at,
        case
            when elder_id is null then 'missing_key'
            else id_card_reason
        end as reject_code
    from cleaned
)

select * from final
