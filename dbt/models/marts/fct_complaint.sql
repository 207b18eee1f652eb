-- 问题投诉事实: one row per complaint, with its reply time in Chinese working days
-- (holidays and make-up working days counted; the answer is due within 3 working days).
with

complaint as (
    select * from {{ ref('stg_legacy__yl_complaint') }}
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
        complaint.complaint_id,
        complaint.channel,
        complaint.county_code,
        complaint.town_code,
        orgs.org_code,
        complaint.category,
        complaint.create_time,
        complaint.reply_time,
        complaint.close_time,
        complaint.status,
        complaint.reply_time is not null as is_replied,
        {{ working_days_between('complaint.create_time', 'complaint.reply_time') }}
            as reply_working_days,
        {{ working_days_between('complaint.create_time', 'complaint.reply_time') }} <= 3
            as is_reply_on_time
    from complaint
    left join orgs on complaint.org_id = orgs.org_id
)

select * from final
