-- Per source table, after staging: source_rows = loaded_rows + quarantined_rows + deleted_rows,
-- each side counted on its own, so that the equation can fail: source rows in raw (plus rows
-- the migration quarantined before raw), loaded and deleted rows in the stg_ model itself,
-- quarantined rows in the quarantine. A row lost or doubled by a join, or a quarantine that
-- fans out, breaks it (tests/dbt/test_reconciliation_can_fail.py). Appended to
-- audit.reconciliation by the post-hook.
{{ config(
    alias='staging_reconciliation',
    post_hook=["{{ publish_reconciliation(this) }}"],
) }}

with source_counts as (
    {% for table in staging_base_models() %}
        select
            '{{ table }}' as source_table,
            count(*) as raw_rows
        from {{ source('raw', table) }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

staged as (
    {% for table, base in staging_base_models().items() %}
        select
            '{{ table }}' as source_table,
            coalesce(sum(case when is_deleted then 0 else 1 end), 0) as loaded_rows,
            coalesce(sum(case when is_deleted then 1 else 0 end), 0) as deleted_rows
        from {{ ref(base | replace('base_', 'stg_', 1)) }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

quarantined as (
    select
        source_table,
        count(*) as n
    from {{ ref('staging_quarantine') }}
    group by 1
),

migration_quarantine as (
    {{ migration_quarantine_counts() }}
),

final as (
    select
        source_counts.source_table,
        cast(source_counts.raw_rows + coalesce(mq.n, 0) as bigint) as source_rows,
        cast(staged.loaded_rows as bigint) as loaded_rows,
        cast(coalesce(quarantined.n, 0) + coalesce(mq.n, 0) as bigint) as quarantined_rows,
        cast(staged.deleted_rows as bigint) as deleted_rows,
        {{ dbt_run_id() }} as run_id,
        cast({{ dbt.current_timestamp() }} as timestamp) as checked_at
    from source_counts
    inner join staged on source_counts.source_table = staged.source_table
    left join quarantined on source_counts.source_table = quarantined.source_table
    left join migration_quarantine as mq on source_counts.source_table = mq.source_table
)

select * from final
