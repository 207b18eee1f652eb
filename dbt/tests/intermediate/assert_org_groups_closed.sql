-- The organisation groups of int_org_resolved are closed: one more round of propagating the
-- smallest org_id through the credit-code key or the name key would change no group.
-- (docs/unified-codes.md: the model runs four rounds; this proves they were enough.)
with

groups as (
    select
        org_id,
        group_id,
        credit_key,
        name_key,
        min(group_id) over (partition by credit_key) as min_by_credit,
        min(group_id) over (partition by name_key) as min_by_name
    from {{ ref('int_org_resolved') }}
)

select
    org_id,
    group_id,
    min_by_credit,
    min_by_name
from groups
where
    (credit_key is not null and min_by_credit <> group_id)
    or (name_key is not null and min_by_name <> group_id)
