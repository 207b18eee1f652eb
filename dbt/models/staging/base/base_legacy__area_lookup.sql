{{ config(indexes=[{"columns": ["lookup_value"]}] if target.type == "postgres" else []) }}

-- Every way an area is written (GB code, 12-digit statistical code, name) -> its GB code, from
-- the vendor's sys_area and the GB/T 2260 reference seeds. A name shared by two divisions maps
-- to nothing (NULL) rather than to a guess.
with source as (
    select
        area_code,
        area_name
    from {{ source('raw', 'sys_area') }}
    union all
    select
        area_code,
        area_name
    from {{ ref('counties') }}
    union all
    select
        area_code,
        area_name
    from {{ ref('towns') }}
    union all
    select
        area_code,
        area_name
    from {{ ref('communities') }}
),

coded as (
    select
        {{ area_gb_code(area_code_digits('area_code')) }} as gb_code,
        {{ blank_to_null('area_name') }} as area_name,
        {{ area_code_digits('area_code') }} as digits
    from source
),

lookups as (
    select
        gb_code as lookup_value,
        gb_code
    from coded
    where gb_code is not null
    union
    select
        digits as lookup_value,
        gb_code
    from coded
    where gb_code is not null
    union
    select
        area_name as lookup_value,
        gb_code
    from coded
    where gb_code is not null and area_name is not null
    union
    -- a town written with its county's name in front ('赤坎区寿南街道')
    select
        county.area_name || town.area_name as lookup_value,
        town.gb_code
    from coded as town
    inner join coded as county on substr(town.gb_code, 1, 6) = county.gb_code
    where
        length(town.gb_code) = 9
        and town.area_name is not null
        and county.area_name is not null
),

final as (
    select
        lookup_value,
        min(gb_code) as gb_code
    from lookups
    group by 1
    having count(distinct gb_code) = 1
)

select * from final
