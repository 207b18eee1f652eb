-- 区县机构运营月报: one row per institution and month as the districts reported it, matched to
-- the 机构码 by credit code, else by the cleaned name when that name is unique.
with

report as (
    select * from {{ ref('stg_district__monthly_report') }}
),

orgs as (
    select * from {{ ref('int_org_resolved') }}
),

by_credit as (
    select
        credit_key,
        min(org_code) as org_code
    from orgs
    where credit_key is not null
    group by 1
),

by_name as (
    select
        {{ org_name_key('dim_org.org_name') }} as name_only_key,
        min(org_code) as org_code
    from {{ ref('dim_org') }} as dim_org
    group by 1
    having count(*) = 1
),

final as (
    select
        cast(report.report_month || '-01' as date) as month_start,
        report.report_month,
        coalesce(by_credit.org_code, by_name.org_code) as org_code,
        case
            when by_credit.org_code is not null then 'credit_code'
            when by_name.org_code is not null then 'name'
        end as matched_by,
        report.org_name,
        report.residents,
        report.approved_beds,
        report.actual_beds,
        report.staff,
        report.caregivers,
        report.certified_caregivers,
        report.activities,
        report.fire_check,
        report.filled_date,
        report.source_file,
        report.source_row
    from report
    left join by_credit on report.credit_code = by_credit.credit_key
    left join by_name on {{ org_name_key('report.org_name') }} = by_name.name_only_key
)

select * from final
