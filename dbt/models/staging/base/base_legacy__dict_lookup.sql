{{ config(
    indexes=[{"columns": ["dict_type", "lookup_value"]}] if target.type == "postgres" else []
) }}
-- (PostgreSQL: the dict_code / dict_label subqueries probe this table once per value.)
-- Every way the vendor writes a dictionary value (its code or its label), per dictionary type,
-- -> the canonical code and label. Labels are reused across types, so always filter by type.
with source as (
    select * from {{ source('raw', 'sys_dict_data') }}
),

entries as (
    select
        trim(dict_type) as dict_type,
        trim(dict_value) as dict_value,
        trim(dict_label) as dict_label
    from source
    where {{ blank_to_null('dict_value') }} is not null
),

lookups as (
    select
        dict_type,
        dict_value as lookup_value,
        dict_value,
        dict_label,
        1 as priority
    from entries
    union all
    select
        dict_type,
        dict_label as lookup_value,
        dict_value,
        dict_label,
        2 as priority
    from entries
    where dict_label is not null
),

ranked as (
    select
        *,
        row_number() over (
            partition by dict_type, lookup_value order by priority, dict_value
        ) as rn
    from lookups
),

final as (
    select
        dict_type,
        lookup_value,
        dict_value,
        dict_label
    from ranked
    where rn = 1
)

select * from final
