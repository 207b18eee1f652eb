-- 智能设备 (家庭养老床位的物联网设备): one row per live legacy device binding, with the elder's
-- area, the family bed's 床位码 and whether the device is online.
-- Online means seen within 24 hours of the data's end (reference_time), never the wall clock, so
-- a rebuild of the same data gives the same answer: reference_time is the latest moment the data
-- knows of (a device's last contact, an alarm, a health reading), capped at the load time so
-- that a future-dated legacy timestamp cannot move it.
with

device as (
    select * from {{ ref('stg_legacy__yl_device') }}
    where not is_deleted
),

elders as (
    select
        elder_id,
        elder_code
    from {{ ref('int_elder_resolved') }}
),

beds as (
    select
        source_bed_id,
        bed_code
    from {{ ref('int_bed_resolved') }}
    where bed_kind = 'family'
),

dim_elder as (
    select
        elder_code,
        county_code,
        town_code
    from {{ ref('dim_elder') }}
),

moments as (
    select max(last_online_time) as moment from device
    union all
    select max(alarm_time) as moment from {{ ref('fct_alarm') }}
    union all
    select max(measure_time) as moment from {{ ref('fct_health_reading') }}
),

latest as (
    select max(moment) as moment from moments
),

loaded as (
    select max(loaded_at) as loaded_at from device
),

clock as (
    select least(latest.moment, loaded.loaded_at) as reference_time
    from latest
    cross join loaded
),

renamed as (
    select
        device.device_id,
        device.device_sn,
        {{ dict_label('device.device_type', 'yl_device_type') }} as device_type,
        device.device_type as device_type_code,
        {{ dict_label('device.status', 'yl_device_status') }} as status,
        device.status as status_code,
        elders.elder_code,
        beds.bed_code,
        device.bind_time,
        device.unbind_time,
        device.last_online_time,
        device.unbind_time is null as is_bound,
        dim_elder.county_code,
        dim_elder.town_code
    from device
    left join elders on device.elder_id = elders.elder_id
    left join beds on device.fbed_id = beds.source_bed_id
    left join dim_elder on elders.elder_code = dim_elder.elder_code
),

-- one serial bound to two elders at once (legacy dirt, kept and flagged)
shared_serials as (
    select device_sn
    from renamed
    where is_bound and device_sn is not null
    group by 1
    having count(distinct elder_code) > 1
),

final as (
    select
        renamed.device_id,
        renamed.device_sn,
        renamed.device_type,
        renamed.device_type_code,
        renamed.status,
        renamed.status_code,
        renamed.elder_code,
        renamed.bed_code,
        renamed.bind_time,
        renamed.unbind_time,
        renamed.last_online_time,
        renamed.is_bound,
        coalesce(
            renamed.is_bound
            and renamed.last_online_time >= clock.reference_time - interval '24 hours',
            false
        ) as is_online,
        clock.reference_time,
        case
            when renamed.is_bound
                then {{ minutes_between('renamed.last_online_time', 'clock.reference_time') }} / 60
        end as hours_since_online,
        shared_serials.device_sn is not null as is_serial_shared,
        renamed.county_code,
        renamed.town_code
    from renamed
    cross join clock
    left join shared_serials on renamed.device_sn = shared_serials.device_sn
)

select * from final
