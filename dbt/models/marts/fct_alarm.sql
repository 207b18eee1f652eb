-- 报警事实: one row per live alarm, with its response time in minutes (NULL: never handled).
with

alarm as (
    select * from {{ ref('stg_legacy__yl_alarm') }}
    where not is_deleted
),

elders as (
    select
        elder_id,
        elder_code
    from {{ ref('int_elder_resolved') }}
),

dim_elder as (
    select
        elder_code,
        county_code,
        town_code
    from {{ ref('dim_elder') }}
),

final as (
    select
        alarm.alarm_id,
        elders.elder_code,
        alarm.device_sn,
        alarm.alarm_type,
        {{ dict_label('alarm.alarm_type', 'yl_alarm_type') }} as alarm_type_label,
        alarm.alarm_time,
        cast(alarm.alarm_time as date) as alarm_date,
        alarm.handle_time,
        alarm.handle_result,
        alarm.is_handled,
        cast(alarm.response_minutes as double precision) as response_minutes,
        dim_elder.county_code,
        dim_elder.town_code
    from alarm
    left join elders on alarm.elder_id = elders.elder_id
    left join dim_elder on elders.elder_code = dim_elder.elder_code
)

select * from final
