-- 死亡预警 (#63): findings for the operator to verify, per provider and county. Orders and
-- subsidies dated after a registered death, family beds and devices still active after it, and
-- deaths in the civil registry that the elder table does not know.
with

elder as (
    select
        elder_code,
        county_code,
        death_date
    from {{ ref('dim_elder') }}
    where death_date is not null
),

work_order as (
    select * from {{ ref('fct_work_order') }}
    where start_time is not null or plan_time is not null
),

orders_after as (
    select
        elder.elder_code,
        elder.county_code,
        work_order.org_code,
        case when coalesce(work_order.subsidy_amount, 0) > 0 then 'subsidy' else 'order' end
            as kind,
        cast(work_order.order_id as varchar) as ref,
        coalesce(work_order.start_time, work_order.plan_time) as event_time,
        elder.death_date,
        coalesce(work_order.subsidy_amount, work_order.amount) as amount
    from work_order
    inner join elder on work_order.elder_code = elder.elder_code
    where cast(coalesce(work_order.start_time, work_order.plan_time) as date) > elder.death_date
),

beds_after as (
    select
        elder.elder_code,
        elder.county_code,
        family_bed.org_code,
        'family_bed' as kind,
        cast(family_bed.fbed_id as varchar) as ref,
        cast(family_bed.current_state_since as timestamp) as event_time,
        elder.death_date,
        family_bed.monthly_subsidy as amount
    from {{ ref('fct_family_bed') }} as family_bed
    inner join elder on family_bed.elder_code = elder.elder_code
    where family_bed.is_active_after_death
),

devices_after as (
    select
        elder.elder_code,
        elder.county_code,
        cast(null as varchar) as org_code,
        'device' as kind,
        cast(device.device_id as varchar) as ref,
        device.last_online_time as event_time,
        elder.death_date,
        cast(null as numeric(12, 2)) as amount
    from {{ ref('fct_device') }} as device
    inner join elder on device.elder_code = elder.elder_code
    where
        device.is_bound
        and cast(device.last_online_time as date) > elder.death_date
),

registry as (
    select
        substr(id_card, 1, 17) as id17,
        id_card_masked,
        cast(registry_id as varchar) as registry_ref,
        death_date
    from {{ ref('stg_legacy__yl_death_registry') }}
    where id_card is not null and not is_deleted
),

known as (
    select distinct id17 from {{ ref('int_elder_resolved') }}
    where id17 is not null
),

counties as (
    select area_code from {{ ref('dim_area') }}
    where area_level = 2
),

unknown_deaths as (
    select
        cast(null as varchar) as elder_code,
        counties.area_code as county_code,
        cast(null as varchar) as org_code,
        'death_unknown' as kind,
        registry.id_card_masked as ref,
        cast(null as timestamp) as event_time,
        registry.death_date,
        cast(null as numeric(12, 2)) as amount
    from registry
    left join known on registry.id17 = known.id17
    left join counties on substr(registry.id17, 1, 6) = counties.area_code
    where known.id17 is null
),

unioned as (
    select * from orders_after
    union all
    select * from beds_after
    union all
    select * from devices_after
    union all
    select * from unknown_deaths
),

final as (
    select
        elder_code,
        county_code,
        org_code,
        kind,
        case kind
            when 'order' then '死亡后服务工单'
            when 'subsidy' then '死亡后发放补贴'
            when 'family_bed' then '死亡后家床仍在用'
            when 'device' then '死亡后设备仍在线'
            else '死亡登记未同步老人档案'
        end as kind_label,
        ref,
        event_time,
        death_date,
        cast(amount as numeric(12, 2)) as amount
    from unioned
)

select * from final
