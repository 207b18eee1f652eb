-- 区县月报的每次报送: every valid district report row, matched to the 机构码 (by credit code,
-- else by the cleaned name when that name is unique), ranked within its institution and month.
-- A district that corrects a month sends it again: the latest submission wins (the latest
-- 填报日期, a dated row before an undated one, then the later file name, then the later row);
-- the earlier ones stay here, is_superseded.
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

matched as (
    select
        report.*,
        coalesce(by_credit.org_code, by_name.org_code) as org_code,
        case
            when by_credit.org_code is not null then 'credit_code'
            when by_name.org_code is not null then 'name'
        end as matched_by
    from report
    left join by_credit on report.credit_code = by_credit.credit_key
    left join by_name on {{ org_name_key('report.org_name') }} = by_name.name_only_key
),

keyed as (
    select
        *,
        -- Who reported: the 机构码, else the credit code, else the cleaned name.
        report_month || ':' || coalesce(
            org_code,
            'credit:' || credit_code,
            'name:' || {{ org_name_key('org_name') }}
        ) as report_key
    from matched
),

ranked as (
    select
        *,
        row_number() over (
            partition by report_key
            order by filled_date desc nulls last, source_file desc, source_row desc
        ) as submission_rank,
        count(*) over (partition by report_key) as submissions,
        min(filled_date) over (partition by report_key) as first_filled_date
    from keyed
),

final as (
    select
        report_key,
        report_month,
        org_code,
        matched_by,
        org_name,
        credit_code,
        residents,
        approved_beds,
        actual_beds,
        staff,
        caregivers,
        certified_caregivers,
        activities,
        fire_check,
        filled_date,
        first_filled_date,
        submissions,
        submission_rank,
        source_file,
        source_row,
        source_key,
        submission_rank > 1 as is_superseded
    from ranked
)

select * from final
