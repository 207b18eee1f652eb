-- The columns of a base model that staging publishes: all but the bookkeeping of rejects
-- (reject_code). Read from the built base relation, like dbt_utils.star (no hub
-- packages here); at parse time `*` stands in.
{% macro staging_columns(base_relation) -%}
    {%- if not execute -%}
        *
    {%- else -%}
        {%- set cols = adapter.get_columns_in_relation(base_relation) -%}
        {%- set keep = [] -%}
        {%- for col in cols if col.name | lower not in ['reject_code'] -%}
            {%- do keep.append(adapter.quote(col.name)) -%}
        {%- endfor -%}
        {{ keep | join(',\n        ') }}
    {%- endif -%}
{%- endmacro %}

-- The whole body of a stg_ model: the valid rows of its base model (live and deleted).
{% macro staging_from_base(base_name) -%}
with source as (
    select * from {{ ref(base_name) }}
),

final as (
    select
        {{ staging_columns(ref(base_name)) }}
    from source
    where reject_code is null
)

select * from final
{%- endmacro %}
