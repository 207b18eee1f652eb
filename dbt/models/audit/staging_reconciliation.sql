-- Per source table, after staging: source_rows = loaded_rows + quarantined_rows + deleted_rows.
-- loaded = valid live rows, deleted = valid soft-deleted rows, quarantined = rows staging
-- rejected plus rows the migration quarantined before raw. Appended to audit.reconciliation
-- by the post-hook.
{{ config(
    alias='staging_reconciliation',
    post_hook=["{{ publish_reconciliation(this) }}"],
) }}

with staged as (
    {% for table, base in staging_base_models().items() %}
        select
            '{{ table }}' as source_table,
            count(*) as raw_rows,
            coalesce(sum(case when reject_code is not null then 1 else 0 end), 0) as rejected_rows,
            coalesce(sum(case when reject_code is null and is_deleted then 1 else 0 end), 0)
                as deleted_rows
        from {{ ref(base) }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

migration_quarantine as (
    {{ migration_quarantine_counts() }}
),

final as (
    select
        staged.source_table,
        cast(staged.raw_rows + coalesce(mq.n, 0) as bigint) as source_rows,
        cast(staged.raw_rows - staged.rejected_rows - staged.deleted_rows as bigint)
            as loaded_rows,
        cast(staged.rejected_rows + coalesce(mq.n, 0) as bigint) as quarantined_rows,
        cast(staged.deleted_rows as bigint) as deleted_rows,
        {{ dbt_run_id() }} as run_id,
        cast({{ dbt.current_timestamp() }} as timestamp) as checked_at
    from staged
    left join migration_quarantine as mq on staged.source_table = mq.source_table
)

select * from final
