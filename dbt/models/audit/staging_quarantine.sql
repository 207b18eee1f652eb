-- Every raw row that staging could not make valid, with its reason (Chinese / English) and the
-- whole source row as JSON, read back from raw by its key (source_key is the legacy primary
-- key, unique in raw). Published into audit.quarantine by the post-hook.
{{ config(
    alias='staging_quarantine',
    post_hook=["{{ publish_quarantine(this) }}"],
) }}

with rejects as (
    {% for table, base in staging_base_models().items() %}
        select
            '{{ table }}' as source_table,
            base.source_key,
            base.reject_code as reason_code,
            {{ row_to_json_text('raw_row') }} as raw
        from {{ ref(base) }} as base
        inner join {{ source('raw', table) }} as raw_row on base.source_key = raw_row.source_key
        where base.reject_code is not null
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

reasons as (
    select * from {{ ref('quarantine_reasons') }}
),

final as (
    select
        rejects.source_table,
        rejects.source_key,
        rejects.reason_code,
        reasons.reason_zh || ' / ' || reasons.reason_en as reason,
        rejects.raw,
        {{ dbt_run_id() }} as run_id
    from rejects
    left join reasons on rejects.reason_code = reasons.reason_code
)

select * from final
