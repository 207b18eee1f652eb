-- District monthly reports, typed. Numbers written as text ('12人') are read; blank cells
-- stay NULL. A row naming no organisation (neither name nor credit code) is rejected.
with source as (
    select * from {{ source('raw', 'district_monthly_report') }}
),

cleaned as (
    select
        trim(r.report_month) as report_month,
        {{ clean_org_name('r.org_name') }} as org_name,
        {{ clean_credit_code('r.credit_code') }} as credit_code_clean,
        {{ credit_code_ok('r.credit_code') }} as credit_code_ok,
        {% for col in ['residents', 'approved_beds', 'actual_beds', 'staff', 'caregivers',
                       'certified_caregivers', 'activities'] -%}
            cast({{ parse_measurement('r.' ~ col) }} as integer) as {{ col }},
        {% endfor -%}
        {{ blank_to_null('r.fire_check') }} as fire_check,
        {{ blank_to_null('r.filled_by') }} as filled_by,
        {{ parse_date('r.filled_date') }} as filled_date,
        r.source_file,
        {{ to_int('r.source_row') }} as source_row,
        {{ raw_bookkeeping('r', has_del_flag=false) }}
    from source as r
),

final as (
    select
        report_month,
        org_name,
        case when credit_code_ok then credit_code_clean end as credit_code,
        residents,
        approved_beds,
        actual_beds,
        staff,
        caregivers,
        certified_caregivers,
        activities,
        fire_check,
        filled_by,
        filled_date,
        source_file,
        source_row,
        source_key,
        is_deleted,
        run_id,
        loaded_at,
        case
            when org_name is null and not coalesce(credit_code_ok, false)
                then 'report_org_missing'
        end as reject_code
    from cleaned
)

select * from final
