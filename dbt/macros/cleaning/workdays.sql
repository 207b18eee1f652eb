-- Chinese working days (法定节假日 and 调休 make-up days) from the seed cn_workday_calendar.

-- Number of working days in (start_date, end_date]: the day the clock starts does not count,
-- the day it stops does (a request on Friday answered on Monday took 1 working day). Arguments
-- are timestamps or dates (their date part is used). Negative when end is before start; NULL when
-- either date is NULL or outside the calendar's years (2023-2026 today), never a silent guess.
-- Two equality look-ups into the seed, so it is cheap on millions of rows.
{% macro working_days_between(start_ts, end_ts) -%}
((select ec_wde_c.workday_seq from {{ ref('cn_workday_calendar') }} as ec_wde_c
  where ec_wde_c.calendar_date = cast({{ end_ts }} as date))
 - (select ec_wds_c.workday_seq from {{ ref('cn_workday_calendar') }} as ec_wds_c
    where ec_wds_c.calendar_date = cast({{ start_ts }} as date)))
{%- endmacro %}

-- True when the date part of the timestamp is a working day; NULL outside the calendar.
{% macro is_cn_workday(ts) -%}
(select ec_iwd_c.is_workday from {{ ref('cn_workday_calendar') }} as ec_iwd_c
 where ec_iwd_c.calendar_date = cast({{ ts }} as date))
{%- endmacro %}
