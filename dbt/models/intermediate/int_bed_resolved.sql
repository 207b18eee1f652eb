-- One row per legacy bed: institution beds (yl_org_bed, bed_kind 'institution') and family
-- care beds (yl_family_bed, bed_kind 'family'), each with its 床位码.
-- An institution bed is its organisation + building + floor + room + bed number: two bed_id
-- for the same numbers in one room are one bed. A family bed is the elder's home bed.
with

org_bed as (
    select * from {{ ref('stg_legacy__yl_org_bed') }}
),

family_bed as (
    select * from {{ ref('stg_legacy__yl_family_bed') }}
),

orgs as (
    select * from {{ ref('int_org_resolved') }}
),

elders as (
    select * from {{ ref('int_elder_resolved') }}
),

{% set part = "upper(trim(coalesce(cast({} as varchar), '')))" %}
institution as (
    select
        'institution' as bed_kind,
        org_bed.bed_id as source_bed_id,
        orgs.org_code,
        cast(null as varchar) as elder_code,
        'B' as prefix,
        'bed' as kind,
        coalesce(
            orgs.identity_key,
            'legacy_bed:' || cast(org_bed.bed_id as varchar)
        )
        || '|' || {{ part.format('org_bed.building') }}
        || '|' || {{ part.format('org_bed.floor_no') }}
        || '|' || {{ part.format('org_bed.room_no') }}
        || '|' || {{ part.format('org_bed.bed_no') }} as identity_key
    from org_bed
    left join orgs on org_bed.org_id = orgs.org_id
),

family as (
    select
        'family' as bed_kind,
        family_bed.fbed_id as source_bed_id,
        orgs.org_code,
        elders.elder_code,
        'F' as prefix,
        'family_bed' as kind,
        coalesce(elders.identity_key, 'legacy:' || cast(family_bed.fbed_id as varchar))
            as identity_key
    from family_bed
    left join elders on family_bed.elder_id = elders.elder_id
    left join orgs on family_bed.provider_org_id = orgs.org_id
),

unioned as (
    select * from institution
    union all
    select * from family
),

hashed as (
    select
        *,
        {{ code_hash("' || kind || '", 'identity_key') }} as code_hex
    from unioned
),

final as (
    select
        bed_kind,
        source_bed_id,
        org_code,
        elder_code,
        identity_key,
        case
            when bed_kind = 'institution' then {{ code_from_hash('B', 'code_hex') }}
            else {{ code_from_hash('F', 'code_hex') }}
        end as bed_code
    from hashed
)

select * from final
