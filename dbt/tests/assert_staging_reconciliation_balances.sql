-- Every source table: source_rows = loaded_rows + quarantined_rows + deleted_rows, and every
-- rejected row of a base model is in the quarantine (returns the tables that break either).
with counts as (
    select * from {{ ref('staging_reconciliation') }}
),

quarantined as (
    select
        source_table,
        count(*) as n
    from {{ ref('staging_quarantine') }}
    group by 1
)

select counts.source_table
from counts
left join quarantined on counts.source_table = quarantined.source_table
where
    counts.source_rows <> counts.loaded_rows + counts.quarantined_rows + counts.deleted_rows
    or counts.quarantined_rows < coalesce(quarantined.n, 0)
