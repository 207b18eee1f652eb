-- A status column whose every non-blank value is in no dictionary is not dirt but a vendor
-- coding its statuses its own way: every row would lose its status. Fails the build
-- (dictionary_gaps keeps the values; map them in the vendor dictionary or the seed).
select
    source_table,
    column_name,
    sum(value_rows) as unknown_rows,
    max(column_rows) as column_rows
from {{ ref('dictionary_gaps') }}
where column_name like '%status'
group by 1, 2
having sum(value_rows) = max(column_rows)
