-- fct_device: one reference time for every row, never before a device's last contact that
-- came before the load; only bound devices are online.
with

device as (
    select * from {{ ref('fct_device') }}
),

loaded as (
    select max(loaded_at) as loaded_at from {{ ref('stg_legacy__yl_device') }}
),

clocks as (
    select
        count(distinct device.reference_time) as reference_times,
        max(device.reference_time) as reference_time,
        max(case when device.last_online_time <= loaded.loaded_at then device.last_online_time end)
            as last_contact
    from device
    cross join loaded
)

select
    device.device_id,
    'online but unbound' as failure
from device
where device.is_online and not device.is_bound
union all
select
    cast(null as bigint) as device_id,
    'not one reference time' as failure
from clocks
where reference_times > 1
union all
select
    cast(null as bigint) as device_id,
    'reference time before the last contact' as failure
from clocks
where reference_time < last_contact
