-- 家庭养老床位: one row per live family-bed record (legacy fbed_id) with its 床位码, the elder's
-- area, the provider, the dates of each step and the current state. The states come from
-- fct_family_bed_state (the one place the step rules live); the current state is the latest
-- step the record is still in.
with

family_bed as (
    select * from {{ ref('stg_legacy__yl_family_bed') }}
    where not is_deleted
),

states as (
    select * from {{ ref('fct_family_bed_state') }}
),

dim_elder as (
    select
        elder_code,
        county_code,
        town_code
    from {{ ref('dim_elder') }}
),

current_state as (
    select
        fbed_id,
        bed_code,
        elder_code,
        org_code,
        state,
        state_order,
        valid_from,
        is_active_after_death,
        row_number() over (partition by fbed_id order by state_order desc) as state_rank
    from states
    where is_current
),

final as (
    select
        family_bed.fbed_id,
        current_state.bed_code,
        current_state.elder_code,
        current_state.org_code,
        dim_elder.county_code,
        dim_elder.town_code,
        family_bed.apply_date,
        family_bed.assess_date,
        family_bed.assess_level,
        family_bed.build_date,
        family_bed.revoke_date,
        current_state.state as current_state,
        current_state.state_order as current_state_order,
        current_state.valid_from as current_state_since,
        family_bed.monthly_subsidy,
        current_state.is_active_after_death
    from family_bed
    inner join current_state
        on family_bed.fbed_id = current_state.fbed_id and current_state.state_rank = 1
    left join dim_elder on current_state.elder_code = dim_elder.elder_code
)

select * from final
