-- 机构月度入住率: one row per institution and month: residents at the month's end against
-- approved beds and the beds on file.
with

months as (
    select cast(date_month as date) as month_start
    from (
        {{ dbt.date_spine('month', "cast('2023-01-01' as date)", "cast('2026-11-01' as date)") }}
    ) as spine
),

month_ends as (
    select
        month_start,
        cast({{ dbt.dateadd('day', -1, dbt.dateadd('month', 1, 'month_start')) }} as date)
            as month_end
    from months
),

orgs as (
    select
        org_code,
        org_name,
        county_code,
        town_code,
        approved_beds
    from {{ ref('dim_org') }}
    where org_type = '养老机构'
),

beds as (
    select
        org_code,
        count(distinct bed_code) as beds_on_file
    from {{ ref('int_bed_resolved') }}
    where bed_kind = 'institution'
    group by 1
),

stays as (
    select * from {{ ref('fct_residency') }}
),

residents as (
    select
        month_ends.month_start,
        stays.org_code,
        count(distinct stays.elder_code) as residents
    from month_ends
    inner join stays
        on month_ends.month_end >= stays.check_in_date
        and (stays.check_out_date is null or month_ends.month_end < stays.check_out_date)
    group by 1, 2
),

final as (
    select
        month_ends.month_start,
        orgs.org_code,
        orgs.org_name,
        orgs.county_code,
        orgs.town_code,
        orgs.approved_beds,
        coalesce(beds.beds_on_file, 0) as beds_on_file,
        coalesce(residents.residents, 0) as residents,
        case
            when orgs.approved_beds > 0
                then
                    cast(coalesce(residents.residents, 0) as double precision)
                    / orgs.approved_beds
        end as occupancy_rate
    from month_ends
    cross join orgs
    left join beds on orgs.org_code = beds.org_code
    left join residents
        on month_ends.month_start = residents.month_start
        and orgs.org_code = residents.org_code
)

select * from final
