-- 长者维度: one row per real person (长者码). Attributes from the live row updated last;
-- deaths from the elder rows or the civil death registry.
with

elder as (
    select * from {{ ref('stg_legacy__yl_elder') }}
),

resolved as (
    select * from {{ ref('int_elder_resolved') }}
),

death_registry as (
    select
        substr(id_card, 1, 17) as id17,
        {{ person_name_key('name') }} as name_key,
        death_date
    from {{ ref('stg_legacy__yl_death_registry') }}
    where id_card is not null and not is_deleted
),

ranked as (
    select
        resolved.elder_code,
        resolved.id17,
        resolved.name_key,
        elder.*,
        row_number() over (
            partition by resolved.elder_code
            order by
                case when elder.is_deleted then 1 else 0 end,
                coalesce(elder.update_time, elder.create_time) desc nulls last,
                elder.elder_id desc
        ) as recency_rank
    from elder
    inner join resolved on elder.elder_id = resolved.elder_id
),

people as (
    select distinct
        elder_code,
        id17,
        name_key
    from resolved
),

-- a registered death belongs to the person with that number, and that name when it is given
registry_deaths as (
    select
        people.elder_code,
        min(death_registry.death_date) as death_date
    from death_registry
    inner join people
        on death_registry.id17 = people.id17
        and (death_registry.name_key is null or death_registry.name_key = people.name_key)
    group by 1
),

merged as (
    select
        elder_code,
        min(death_date) as elder_death_date,
        min(case when is_deleted then 1 else 0 end) = 0 as is_live,
        {{ dbt.listagg('cast(elder_id as varchar)', "','", 'order by elder_id') }}
            as source_elder_ids,
        count(*) as source_row_count
    from ranked
    group by 1
),

final as (
    select
        ranked.elder_code,
        ranked.id_card_masked,
        ranked.sex_label as sex,
        ranked.birth_date,
        ranked.county_code,
        ranked.town_code,
        -- business labels (特困, 轻度失能 …); the dictionary codes stay beside them
        ranked.economic_type_label as economic_type,
        ranked.economic_type as economic_type_code,
        ranked.ability_level_label as ability_level,
        ranked.ability_level as ability_level_code,
        ranked.living_type_label as living_type,
        coalesce(merged.elder_death_date, registry_deaths.death_date) is not null as is_deceased,
        coalesce(merged.elder_death_date, registry_deaths.death_date) as death_date,
        -- home location rounded to about 100 m: enough for maps and service circles
        cast(round(cast(ranked.lng as numeric(12, 6)), 3) as numeric(10, 3)) as home_lng,
        cast(round(cast(ranked.lat as numeric(12, 6)), 3) as numeric(10, 3)) as home_lat,
        merged.is_live,
        merged.source_row_count,
        merged.source_elder_ids
    from ranked
    inner join merged on ranked.elder_code = merged.elder_code
    left join registry_deaths on ranked.elder_code = registry_deaths.elder_code
    where ranked.recency_rank = 1
)

select * from final
