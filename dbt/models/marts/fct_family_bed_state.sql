-- 家庭养老床位状态履历: one row per family bed and state (申请 → 评估 → 建床 → 撤床), with the
-- dates the state began and ended (valid_to NULL: still in that state).
with

family_bed as (
    select * from {{ ref('stg_legacy__yl_family_bed') }}
    where not is_deleted
),

beds as (
    select
        source_bed_id,
        bed_code,
        elder_code,
        org_code
    from {{ ref('int_bed_resolved') }}
    where bed_kind = 'family'
),

deaths as (
    select
        elder_code,
        death_date
    from {{ ref('dim_elder') }}
    where is_deceased
),

steps as (
    select
        fbed_id,
        1 as state_order,
        '申请' as state,
        apply_date as valid_from,
        coalesce(assess_date, build_date, revoke_date) as valid_to
    from family_bed
    where apply_date is not null
    union all
    select
        fbed_id,
        2 as state_order,
        '评估' as state,
        assess_date as valid_from,
        coalesce(build_date, revoke_date) as valid_to
    from family_bed
    where assess_date is not null
    union all
    select
        fbed_id,
        3 as state_order,
        '建床' as state,
        build_date as valid_from,
        revoke_date as valid_to
    from family_bed
    where build_date is not null
    union all
    select
        fbed_id,
        4 as state_order,
        '撤床' as state,
        revoke_date as valid_from,
        cast(null as date) as valid_to
    from family_bed
    where revoke_date is not null
),

final as (
    select
        beds.bed_code,
        steps.fbed_id,
        beds.elder_code,
        beds.org_code,
        steps.state_order,
        steps.state,
        steps.valid_from,
        steps.valid_to,
        steps.valid_to is null as is_current,
        -- a bed still built after its elder's registered death (legacy dirt, kept and flagged)
        steps.state = '建床' and steps.valid_to is null and deaths.death_date is not null
            as is_active_after_death
    from steps
    inner join beds on steps.fbed_id = beds.source_bed_id
    left join deaths on beds.elder_code = deaths.elder_code
)

select * from final
