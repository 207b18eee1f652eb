-- 机构维度: one row per real organisation (机构码). Attributes from the live row updated
-- last; coordinates in WGS-84 (converted in staging).
with

org as (
    select * from {{ ref('stg_legacy__yl_org') }}
),

resolved as (
    select * from {{ ref('int_org_resolved') }}
),

ranked as (
    select
        resolved.org_code,
        org.*,
        row_number() over (
            partition by resolved.org_code
            order by
                case when org.is_deleted then 1 else 0 end,
                coalesce(org.update_time, org.create_time) desc nulls last,
                org.org_id desc
        ) as recency_rank
    from org
    inner join resolved on org.org_id = resolved.org_id
),

merged as (
    select
        org_code,
        min(case when is_deleted then 1 else 0 end) = 0 as is_live,
        {{ dbt.listagg('cast(org_id as varchar)', "','", 'order by org_id') }}
            as source_org_ids,
        count(*) as source_row_count
    from ranked
    group by 1
),

final as (
    select
        ranked.org_code,
        ranked.org_name,
        -- business label (养老机构, 长者食堂 …); the dictionary code stays beside it
        ranked.org_type_label as org_type,
        ranked.org_type as org_type_code,
        ranked.credit_code,
        ranked.area_code,
        ranked.county_code,
        ranked.town_code,
        ranked.lng,
        ranked.lat,
        ranked.approved_beds,
        ranked.filed_beds,
        ranked.star_level,
        ranked.ownership_label as ownership,
        ranked.charge_min,
        ranked.charge_max,
        ranked.medical_condition,
        ranked.status,
        merged.is_live,
        merged.source_row_count,
        merged.source_org_ids
    from ranked
    inner join merged on ranked.org_code = merged.org_code
    where ranked.recency_rank = 1
)

select * from final
