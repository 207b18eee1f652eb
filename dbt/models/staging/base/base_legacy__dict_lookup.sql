{{ config(
    indexes=[{"columns": ["dict_type", "lookup_value"]}] if target.type == "postgres" else []
) }}
-- (PostgreSQL: the dict_code / dict_label subqueries probe this table once per value.)
-- Every way the vendor writes a dictionary value (its code or its label), per dictionary type,
-- -> the canonical code and label. Labels are reused across types, so always filter by type.
-- The vendor's dictionary decides; our seed (seeds/sys_dict_data.csv) fills in what the
-- vendor's lacks (a dump without yl_order_status entries still decodes 已完成 and 2).
with source as (
    select * from {{ source('raw', 'sys_dict_data') }}
),

seed as (
    select * from {{ ref('sys_dict_data') }}
),

synonyms as (
    select
        s.dict_type,
        d.dict_value,
        d.dict_label,
        lower(trim(s.synonym)) as word
    from {{ ref('dict_synonyms') }} as s
    inner join seed as d on s.dict_type = d.dict_type and s.dict_value = d.dict_value
),

entries as (
    select
        trim(dict_type) as dict_type,
        trim(dict_value) as dict_value,
        trim(dict_label) as dict_label,
        0 as fallback
    from source
    where {{ blank_to_null('dict_value') }} is not null
    union all
    select
        trim(dict_type) as dict_type,
        trim(dict_value) as dict_value,
        trim(dict_label) as dict_label,
        2 as fallback
    from seed
    where {{ blank_to_null('dict_value') }} is not null
),

lookups as (
    select
        dict_type,
        dict_value as lookup_value,
        dict_value,
        dict_label,
        1 + fallback as priority
    from entries
    union all
    select
        dict_type,
        dict_label as lookup_value,
        dict_value,
        dict_label,
        2 + fallback as priority
    from entries
    where dict_label is not null
    union all
    -- synonyms last, as written, in upper case and capitalised ('completed', 'COMPLETED',
    -- 'Completed')
    select
        dict_type,
        word as lookup_value,
        dict_value,
        dict_label,
        5 as priority
    from synonyms
    union all
    select
        dict_type,
        upper(word) as lookup_value,
        dict_value,
        dict_label,
        5 as priority
    from synonyms
    union all
    select
        dict_type,
        upper(substr(word, 1, 1)) || substr(word, 2) as lookup_value,
        dict_value,
        dict_label,
        5 as priority
    from synonyms
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
