-- 区域月度汇总 (驾驶舱): one row per month and area at three levels (city 市, county 县区,
-- town 镇街). Facts are placed by the elder's home (work orders, alarms, meals, family beds in
-- service at the month's end) or their own area (complaints). Averages are rebuilt from sums,
-- so every level adds up.
{% set measures = [
    'work_orders', 'served_elders_sum', 'order_amount', 'order_subsidy',
    'alarms', 'alarms_handled', 'response_seconds_sum',
    'meal_orders', 'meal_subsidy',
    'complaints', 'complaints_on_time', 'family_beds_active',
] %}
with

work_orders as (
    select
        order_month as month_start,
        county_code,
        town_code,
        count(*) as work_orders,
        count(distinct elder_code) as served_elders_sum,
        sum(amount) as order_amount,
        sum(subsidy_amount) as order_subsidy
    from {{ ref('fct_work_order') }}
    group by 1, 2, 3
),

alarms as (
    select
        cast({{ dbt.date_trunc('month', 'alarm_time') }} as date) as month_start,
        county_code,
        town_code,
        count(*) as alarms,
        sum(case when is_handled then 1 else 0 end) as alarms_handled,
        -- whole seconds: integer sums are the same in any order (float sums are not, and a
        -- re-run must not change a row)
        sum(cast(round(response_minutes * 60) as bigint)) as response_seconds_sum
    from {{ ref('fct_alarm') }}
    group by 1, 2, 3
),

meals as (
    select
        cast({{ dbt.date_trunc('month', 'meal.order_time') }} as date) as month_start,
        elder.county_code,
        elder.town_code,
        count(*) as meal_orders,
        sum(meal.subsidy_amount) as meal_subsidy
    from {{ ref('fct_meal_order') }} as meal
    left join {{ ref('dim_elder') }} as elder on meal.elder_code = elder.elder_code
    group by 1, 2, 3
),

complaints as (
    select
        cast({{ dbt.date_trunc('month', 'create_time') }} as date) as month_start,
        county_code,
        town_code,
        count(*) as complaints,
        sum(case when is_reply_on_time then 1 else 0 end) as complaints_on_time
    from {{ ref('fct_complaint') }}
    group by 1, 2, 3
),

months as (
    select
        cast(date_month as date) as month_start,
        cast({{ dbt.dateadd('day', -1, dbt.dateadd('month', 1, 'date_month')) }} as date)
            as month_end
    from (
        {{ dbt.date_spine('month', "cast('2023-01-01' as date)", "cast('2026-11-01' as date)") }}
    ) as spine
),

family_beds as (
    select
        months.month_start,
        elder.county_code,
        elder.town_code,
        count(distinct bed.bed_code) as family_beds_active
    from months
    inner join {{ ref('fct_family_bed_state') }} as bed
        on bed.state = '建床'
        and months.month_end >= bed.valid_from
        and (bed.valid_to is null or months.month_end < bed.valid_to)
    left join {{ ref('dim_elder') }} as elder on bed.elder_code = elder.elder_code
    group by 1, 2, 3
),

{% set sources = ['work_orders', 'alarms', 'meals', 'complaints', 'family_beds'] %}
{% set provides = {
    'work_orders': ['work_orders', 'served_elders_sum', 'order_amount', 'order_subsidy'],
    'alarms': ['alarms', 'alarms_handled', 'response_seconds_sum'],
    'meals': ['meal_orders', 'meal_subsidy'],
    'complaints': ['complaints', 'complaints_on_time'],
    'family_beds': ['family_beds_active'],
} %}
town_facts as (
    {% for src in sources %}
        select
            month_start,
            county_code,
            town_code,
        {% for m in measures -%}
            {{ m if m in provides[src] else 'cast(0 as ' ~ dbt.type_numeric() ~ ')' }} as {{ m }}
            {{- ',' if not loop.last }}
        {% endfor %}
        from {{ src }}
        {{ 'union all' if not loop.last }}
    {% endfor %}
),

city as (
    select min(gb_code) as city_code from {{ ref('stg_legacy__sys_area') }}
    where area_level = 1
),

{% set sums %}
    {% for m in measures -%}
        sum({{ m }}) as {{ m }}{{ ',' if not loop.last }}
    {% endfor %}
{% endset %}
levels as (
    select
        town_facts.month_start,
        'city' as area_level,
        city.city_code as area_code,
        {{ sums }}
    from town_facts
    cross join city
    group by 1, 3
    union all
    select
        month_start,
        'county' as area_level,
        county_code as area_code,
        {{ sums }}
    from town_facts
    where county_code is not null
    group by 1, 3
    union all
    select
        month_start,
        'town' as area_level,
        town_code as area_code,
        {{ sums }}
    from town_facts
    where town_code is not null
    group by 1, 3
),

final as (
    select
        levels.month_start,
        levels.area_level,
        levels.area_code,
        dim_area.area_name,
        cast(levels.work_orders as integer) as work_orders,
        -- served elders add up over towns (an elder lives in one town per month)
        cast(levels.served_elders_sum as integer) as served_elders,
        levels.order_amount,
        levels.order_subsidy,
        cast(levels.alarms as integer) as alarms,
        cast(levels.alarms_handled as integer) as alarms_handled,
        case
            when levels.alarms_handled > 0
                then
                    cast(levels.response_seconds_sum as double precision)
                    / 60 / levels.alarms_handled
        end as avg_response_minutes,
        cast(levels.meal_orders as integer) as meal_orders,
        levels.meal_subsidy,
        cast(levels.complaints as integer) as complaints,
        cast(levels.complaints_on_time as integer) as complaints_replied_on_time,
        -- family care beds built and not revoked at the month's end (家床在建数)
        cast(levels.family_beds_active as integer) as family_beds_active
    from levels
    left join {{ ref('dim_area') }} as dim_area on levels.area_code = dim_area.area_code
    where levels.month_start is not null
)

select * from final
