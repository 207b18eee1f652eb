-- Vital signs. measure_time comes as text or epoch milliseconds; glucose in mg/dL is
-- converted to mmol/L; a unit written inside the value is read from there. A reading that
-- is physically impossible, or a re-upload of a reading already kept, is rejected.
with source as (
    select * from {{ source('raw', 'yl_health_record') }}
),

cleaned as (
    select
        {{ to_bigint('r.record_id') }} as record_id,
        {{ to_bigint('r.elder_id') }} as elder_id,
        {{ blank_to_null('r.device_sn') }} as device_sn,
        {{ parse_timestamp('r.measure_time') }} as measure_time,
        upper(trim(r.item_code)) as item_code,
        {{ parse_measurement('r.item_value') }} as value_raw,
        coalesce(
            {{ blank_to_null('r.unit') }}, {{ measurement_unit_in_value('r.item_value') }}
        ) as unit_raw,
        {{ raw_bookkeeping('r', has_del_flag=false) }}
    from source as r
),

converted as (
    select
        *,
        -- glucose to one decimal, as meters show it (also undoes the rounding of mg/dL)
        case
            when item_code = 'GLU'
                then cast(
                    round(cast({{ glucose_to_mmol('value_raw', 'unit_raw') }} as numeric(12, 4)), 1)
                    as double precision
                )
            else value_raw
        end as item_value,
        case item_code
            when 'HR' then 'bpm'
            when 'SBP' then 'mmHg'
            when 'DBP' then 'mmHg'
            when 'GLU' then 'mmol/L'
            when 'SPO2' then '%'
        end as unit
    from cleaned
),

checked as (
    select
        *,
        -- Physiological limits, wide on purpose: only values no living person shows.
        case
            when item_code = 'HR' then item_value between 25 and 250
            when item_code = 'SBP' then item_value between 50 and 280
            when item_code = 'DBP' then item_value between 25 and 180
            when item_code = 'GLU' then item_value between 1 and 40
            when item_code = 'SPO2' then item_value between 50 and 100
        end as value_possible,
        row_number() over (
            partition by elder_id, device_sn, item_code, measure_time, item_value
            order by record_id
        ) as upload_no
    from converted
),

final as (
    select
        record_id,
        elder_id,
        device_sn,
        measure_time,
        item_code,
        item_value,
        unit,
        source_key,
        is_deleted,
        run_id,
        loaded_at,
        case
            when record_id is null then 'missing_key'
            when measure_time is null then 'bad_timestamp'
            when unit is null or item_value is null then 'health_item_unknown'
            when upload_no > 1 then 'duplicate_reading'
            when not value_possible then 'health_value_impossible'
        end as reject_code
    from checked
)

select * from final
