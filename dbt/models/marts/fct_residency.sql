-- 机构入住事实: one row per live stay of an elder in an institution.
with

resident as (
    select * from {{ ref('stg_legacy__yl_org_resident') }}
    where not is_deleted
),

elders as (
    select
        elder_id,
        elder_code
    from {{ ref('int_elder_resolved') }}
),

orgs as (
    select
        org_id,
        org_code
    from {{ ref('int_org_resolved') }}
),

beds as (
    select
        source_bed_id,
        bed_code,
        org_code as bed_org_code
    from {{ ref('int_bed_resolved') }}
    where bed_kind = 'institution'
),

stays as (
    select
        resident.resident_id,
        elders.elder_code,
        orgs.org_code,
        beds.bed_code,
        resident.check_in_date,
        resident.check_out_date,
        resident.care_level,
        coalesce(beds.bed_org_code <> orgs.org_code, false) as is_bed_of_other_org
    from resident
    left join elders on resident.elder_id = elders.elder_id
    left join orgs on resident.org_id = orgs.org_id
    left join beds on resident.bed_id = beds.source_bed_id
),

overlapping as (
    select distinct a.resident_id
    from stays as a
    inner join stays as b
        on a.elder_code = b.elder_code
        and a.resident_id <> b.resident_id
        and a.check_in_date < coalesce(b.check_out_date, cast('9999-12-31' as date))
        and b.check_in_date < coalesce(a.check_out_date, cast('9999-12-31' as date))
),

final as (
    select
        stays.*,
        {{ dbt.datediff('stays.check_in_date', 'stays.check_out_date', 'day') }} as stay_days,
        stays.check_out_date is null as is_current,
        overlapping.resident_id is not null as is_overlapping
    from stays
    left join overlapping on stays.resident_id = overlapping.resident_id
)

select * from final
