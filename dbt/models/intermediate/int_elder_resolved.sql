-- One row per legacy elder_id with the real person it belongs to and that person's 长者码.
-- Merge rule (docs/unified-codes.md): the first 17 digits of the cleaned ID number and the
-- name; two people issued the same number (重号) stay two people.
with

elder as (
    select * from {{ ref('stg_legacy__yl_elder') }}
),

keyed as (
    select
        elder_id,
        substr(id_card, 1, 17) as id17,
        {{ person_name_key('elder_name') }} as name_key,
        case
            when id_card is not null
                then
                    'id:' || substr(id_card, 1, 17)
                    || '|' || coalesce({{ person_name_key('elder_name') }}, '')
            else 'legacy:' || cast(elder_id as varchar)
        end as identity_key,
        case when id_card is not null then 'id_card' else 'legacy_id' end as identity_basis
    from elder
),

hashed as (
    select
        *,
        {{ code_hash('elder', 'identity_key') }} as code_hex
    from keyed
),

final as (
    select
        elder_id,
        id17,
        name_key,
        identity_key,
        identity_basis,
        {{ code_from_hash('E', 'code_hex') }} as elder_code
    from hashed
)

select * from final
