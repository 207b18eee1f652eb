-- 长者联系方式 (restricted): each 长者码's name, ID number, phone and emergency contact in clear,
-- from the person's live row updated last (as dim_elder). Read only by the cockpit's audited
-- unmask (cockpit/data/contact.py); no mart or page reads it. County and town from dim_elder,
-- so its scope is the mart's.
with

elder as (
    select * from {{ ref('stg_legacy__yl_elder') }}
),

resolved as (
    select * from {{ ref('int_elder_resolved') }}
),

dim_elder as (
    select
        elder_code,
        county_code,
        town_code
    from {{ ref('dim_elder') }}
),

ranked as (
    select
        resolved.elder_code,
        elder.elder_name,
        elder.id_card,
        elder.phone,
        elder.guardian_name,
        elder.guardian_phone,
        elder.guardian_relation,
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

final as (
    select
        dim_elder.elder_code,
        dim_elder.county_code,
        dim_elder.town_code,
        ranked.elder_name as name,
        ranked.id_card,
        ranked.phone,
        ranked.guardian_name,
        ranked.guardian_phone,
        ranked.guardian_relation
    from dim_elder
    inner join ranked on dim_elder.elder_code = ranked.elder_code
    where ranked.recency_rank = 1
)

select * from final
