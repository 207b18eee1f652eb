-- Staff are not rejected for a bad ID number (the person works there): id_card is NULL then.
with source as (
    select * from {{ source('raw', 'yl_staff') }}
),

cleaned as (
    select
        {{ to_bigint('r.staff_id') }} as staff_id,
        {{ to_bigint('r.org_id') }} as org_id,
        {{ blank_to_null('r.staff_name') }} as staff_name,
        {{ clean_valid_id_card('r.id_card') }} as id_card,
        {{ normalize_phone('r.phone') }} as phone,
        {{ dict_code('r.post', 'yl_staff_post') }} as post,
        {{ flag_is_one('r.certified') }} as is_certified,
        trim(r.status) as status,
        {{ raw_bookkeeping('r') }}
    from source as r
),

final as (
    select
        staff_id,
        org_id,
        staff_name,
        id_card,
        {{ mask_id_card('id_card') }} as id_card_masked,
        phone,
        post,
        is_certified,
        status,
        source_key,
        is_deleted,
        run_id,
        loaded_at,
        case when staff_id is null then 'missing_key' end as reject_code
    from cleaned
)

select * from final
