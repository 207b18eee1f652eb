-- 区县机构运营月报: one row per institution and month as the districts reported it, matched to
-- the 机构码 by credit code, else by the cleaned name when that name is unique. A corrected
-- resubmission replaces the earlier one (int_district_report_submission keeps both); the month
-- counts as filed on the first submission's 填报日期.
with

submission as (
    select * from {{ ref('int_district_report_submission') }}
),

final as (
    select
        report_key,
        cast(report_month || '-01' as date) as month_start,
        report_month,
        org_code,
        matched_by,
        org_name,
        residents,
        approved_beds,
        actual_beds,
        staff,
        caregivers,
        certified_caregivers,
        activities,
        fire_check,
        first_filled_date as filled_date,
        case when submissions > 1 then filled_date end as corrected_date,
        submissions,
        source_file,
        source_row
    from submission
    where not is_superseded
)

select * from final
