-- 检查巡检事实: one row per inspection item result.
with

inspection as (
    select * from {{ ref('stg_legacy__yl_inspection') }}
    where not is_deleted
),

orgs as (
    select
        org_id,
        org_code
    from {{ ref('int_org_resolved') }}
),

final as (
    select
        inspection.inspection_id,
        orgs.org_code,
        inspection.inspect_date,
        inspection.source,
        inspection.item_code,
        inspection.item_name,
        inspection.result,
        inspection.result = '不合格' as is_failed,
        inspection.deduction,
        -- a deduction on a passed item is legacy dirt: kept, flagged for review
        coalesce(inspection.deduction, 0) > 0 and inspection.result = '合格'
            as is_deduction_without_failure
    from inspection
    left join orgs on inspection.org_id = orgs.org_id
)

select * from final
