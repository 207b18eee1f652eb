-- Dictionary values nobody could decode: per legacy column and raw value, the live and deleted
-- rows whose value is not blank and is in no dictionary the build used (dict_code() returns
-- NULL for them). Staging keeps the row (the code is NULL); this table keeps the value and its
-- count, so that a gap is never silent. column_rows: the column's non-blank rows, so that a
-- column that is all unknown (a vendor coding its statuses its own way) stands out.
with values_seen as (
    {% for table, column, dict_type in dictionary_columns() %}
        select
            '{{ table }}' as source_table,
            '{{ column }}' as column_name,
            '{{ dict_type }}' as dict_type,
            trim(r.{{ column }}) as raw_value,
            {{ dict_code('r.' ~ column, dict_type) }} is null as is_unknown
        from {{ source('raw', table) }} as r
        where {{ blank_to_null('r.' ~ column) }} is not null
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

per_value as (
    select
        source_table,
        column_name,
        dict_type,
        raw_value,
        is_unknown,
        count(*) as value_rows
    from values_seen
    group by 1, 2, 3, 4, 5
),

with_totals as (
    select
        *,
        sum(value_rows) over (partition by source_table, column_name) as column_rows
    from per_value
),

final as (
    select
        source_table,
        column_name,
        dict_type,
        raw_value,
        cast(value_rows as bigint) as value_rows,
        cast(column_rows as bigint) as column_rows,
        {{ dbt_run_id() }} as run_id
    from with_totals
    where is_unknown
)

select * from final
