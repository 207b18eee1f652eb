-- One row per legacy org_id with the real organisation it belongs to and its 机构码.
-- Merge rule (docs/unified-codes.md): same valid credit code, or same normalised name + county,
-- transitively. Connected groups by propagating the smallest org_id through both keys.
with

org as (
    select * from {{ ref('stg_legacy__yl_org') }}
),

keyed as (
    select
        org_id,
        credit_code as credit_key,
        case
            when org_name is not null
                then {{ org_name_key('org_name') }} || '@' || coalesce(county_code, '')
        end as name_key
    from org
),

{% set rounds = 4 %}
round_0 as (
    select
        org_id,
        credit_key,
        name_key,
        org_id as group_id
    from keyed
),
{% for r in range(1, rounds + 1) %}
    {% set key = 'credit_key' if r % 2 == 1 else 'name_key' %}
    round_{{ r }} as (
        select
            org_id,
            credit_key,
            name_key,
            case
                when {{ key }} is null then group_id
                else min(group_id) over (partition by {{ key }})
            end as group_id
        from round_{{ r - 1 }}
    ),
{% endfor %}

grouped as (
    select
        *,
        min(credit_key) over (partition by group_id) as group_credit_key,
        min(name_key) over (partition by group_id) as group_name_key
    from round_{{ rounds }}
),

identified as (
    select
        org_id,
        group_id,
        credit_key,
        name_key,
        case
            when group_credit_key is not null then 'credit:' || group_credit_key
            when group_name_key is not null then 'name:' || group_name_key
            else 'legacy:' || cast(org_id as varchar)
        end as identity_key
    from grouped
),

hashed as (
    select
        *,
        {{ code_hash('org', 'identity_key') }} as code_hex
    from identified
),

final as (
    select
        org_id,
        group_id,
        credit_key,
        name_key,
        identity_key,
        {{ code_from_hash('O', 'code_hex') }} as org_code
    from hashed
)

select * from final
