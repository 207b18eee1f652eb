-- One row per legacy staff_id with the real care worker and the worker's staff_code.
-- One person employed by two providers has two staff_id and one staff_code. Same rule as
-- elders: the first 17 digits of the ID number and the name.
with

staff as (
    select * from {{ ref('stg_legacy__yl_staff') }}
),

keyed as (
    select
        staff_id,
        case
            when id_card is not null
                then
                    'id:' || substr(id_card, 1, 17)
                    || '|' || coalesce({{ person_name_key('staff_name') }}, '')
            else 'legacy:' || cast(staff_id as varchar)
        end as identity_key
    from staff
),

hashed as (
    select
        *,
        {{ code_hash('staff', 'identity_key') }} as code_hex
    from keyed
),

final as (
    select
        staff_id,
        identity_key,
        {{ code_from_hash('S', 'code_hex') }} as staff_code
    from hashed
)

select * from final
