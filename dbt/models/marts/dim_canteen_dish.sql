-- 长者食堂菜品: one row per live dish of a canteen, with its canteen's 机构码.
with

dish as (
    select * from {{ ref('stg_legacy__yl_canteen_dish') }}
    where not is_deleted
),

orgs as (
    select
        org_id,
        org_code
    from {{ ref('int_org_resolved') }}
),

final as (
    select
        dish.dish_id,
        orgs.org_code,
        dish.dish_name,
        dish.price,
        coalesce(dish.is_on_shelf, false) as is_on_shelf
    from dish
    left join orgs on dish.org_id = orgs.org_id
)

select * from final
