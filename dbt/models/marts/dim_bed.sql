-- 床位维度: one row per physical bed (床位码): institution beds (B…) and family care beds (F…).
with

resolved as (
    select * from {{ ref('int_bed_resolved') }}
),

org_bed as (
    select * from {{ ref('stg_legacy__yl_org_bed') }}
),

family_bed as (
    select * from {{ ref('stg_legacy__yl_family_bed') }}
),

attributes as (
    select
        resolved.bed_code,
        resolved.bed_kind,
        resolved.source_bed_id,
        resolved.org_code,
        resolved.elder_code,
        org_bed.building,
        org_bed.floor_no,
        org_bed.room_no,
        org_bed.bed_no,
        coalesce(org_bed.bed_type, family_bed.assess_level) as bed_type,
        coalesce(org_bed.bed_status, family_bed.bed_status) as bed_status,
        family_bed.build_date,
        family_bed.revoke_date,
        coalesce(org_bed.is_deleted, family_bed.is_deleted) as is_deleted
    from resolved
    left join org_bed
        on resolved.bed_kind = 'institution' and resolved.source_bed_id = org_bed.bed_id
    left join family_bed
        on resolved.bed_kind = 'family' and resolved.source_bed_id = family_bed.fbed_id
),

ranked as (
    select
        *,
        row_number() over (
            partition by bed_code
            order by
                case when is_deleted then 1 else 0 end,
                build_date desc nulls last,
                source_bed_id desc
        ) as recency_rank
    from attributes
),

merged as (
    select
        bed_code,
        min(case when is_deleted then 1 else 0 end) = 0 as is_live,
        {{ dbt.listagg('cast(source_bed_id as varchar)', "','", 'order by source_bed_id') }}
            as source_bed_ids
    from ranked
    group by 1
),

final as (
    select
        ranked.bed_code,
        ranked.bed_kind,
        ranked.org_code,
        ranked.elder_code,
        ranked.building,
        ranked.floor_no,
        ranked.room_no,
        ranked.bed_no,
        ranked.bed_type,
        ranked.bed_status,
        ranked.build_date,
        ranked.revoke_date,
        merged.is_live,
        merged.source_bed_ids
    from ranked
    inner join merged on ranked.bed_code = merged.bed_code
    where ranked.recency_rank = 1
)

select * from final
