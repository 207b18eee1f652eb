{{ config(severity='warn') }}
-- Dictionary values in no dictionary, per column (a warning: the rows stay, with a NULL code
-- and the value counted in audit.dictionary_gaps).
select
    source_table,
    column_name,
    sum(value_rows) as unknown_rows
from {{ ref('dictionary_gaps') }}
group by 1, 2
