-- 服务人员维度: one row per real care worker (staff_code), with every employer.
with

staff as (
    select * from {{ ref('stg_legacy__yl_staff') }}
),

resolved as (
    select * from {{ ref('int_staff_resolved') }}
),

orgs as (
    select
        org_id,
        org_code
    from {{ ref('int_org_resolved') }}
),

ranked as (
    select
        resolved.staff_code,
        orgs.org_code,
        staff.*,
        row_number() over (
            partition by resolved.staff_code
            order by case when staff.is_deleted then 1 else 0 end, staff.staff_id desc
        ) as recency_rank
    from staff
    inner join resolved on staff.staff_id = resolved.staff_id
    left join orgs on staff.org_id = orgs.org_id
),

merged as (
    select
        staff_code,
        count(distinct org_code) as employer_count,
        max(case when is_certified then 1 else 0 end) = 1 as is_certified,
        min(case when is_deleted then 1 else 0 end) = 0 as is_live,
        {{ dbt.listagg('cast(staff_id as varchar)', "','", 'order by staff_id') }}
            as source_staff_ids
    from ranked
    group by 1
),

staff_orgs as (
    select distinct
        staff_code,
        org_code
    from ranked
    where org_code is not null
),

employers as (
    select
        staff_code,
        {{ dbt.listagg('org_code', "','", 'order by org_code') }} as org_codes
    from staff_orgs
    group by 1
),

final as (
    select
        ranked.staff_code,
        ranked.id_card_masked,
        ranked.post,
        ranked.org_code as main_org_code,
        employers.org_codes,
        merged.employer_count,
        merged.is_certified,
        merged.is_live,
        merged.source_staff_ids
    from ranked
    inner join merged on ranked.staff_code = merged.staff_code
    left join employers on ranked.staff_code = employers.staff_code
    where ranked.recency_rank = 1
)

select * from final
