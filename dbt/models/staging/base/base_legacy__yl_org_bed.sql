with source as (
    select * from {{ source('raw', 'yl_org_bed') }}
),

cleaned as (
    select
        {{ to_bigint('r.bed_id') }} as bed_id,
        {{ to_bigint('r.org_id') }} as org_id,
        {{ blank_to_null('r.building') }} as building,
        {{ blank_to_null('r.floor_no') }} as floor_no,
        {{ blank_to_null('r.room_no') }} as room_no,
        {{ blank_to_null('r.bed_no') }} as bed_no,
        {{ dict_code('r.bed_type', 'yl_bed_type') }} as bed_type,
        {{ dict_code('r.bed_status', 'yl_bed_status') }} as bed_status,
        {{ raw_bookkeeping('r') }}
    from source as r
),

final as (
    select
        bed_id,
        org_id,
        building,
        floor_no,
        room_no,
        bed_no,
        bed_type,
        bed_status,
        -- Two live beds with one number in one room: both kept, the resolution picks.
        sum(case when is_deleted then 0 else 1 end) over (
            partition by org_id, building, floor_no, room_no, bed_no
        ) > 1 and not is_deleted as is_duplicate_bed_no,
        source_key,
        is_deleted,
        run_id,
        loaded_at,
        case when bed_id is null then 'missing_key' end as reject_code
    from cleaned
)

select * from final
