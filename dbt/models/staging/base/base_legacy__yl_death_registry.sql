-- registry_id is a surrogate key only our generator has: a dump without it is keyed by the
-- row's hash (the migration's source_key, migration/contract.py).
with source as (
    select * from {{ source('raw', 'yl_death_registry') }}
),

cleaned as (
    select
        coalesce({{ blank_to_null('r.registry_id') }}, r.source_key) as registry_id,
        {{ clean_valid_id_card('r.id_card') }} as id_card,
        {{ id_card_reason('r.id_card') }} as id_card_reason,
        {{ blank_to_null('r.name') }} as name,
        {{ parse_date('r.death_date') }} as death_date,
        {{ blank_to_null('r.source') }} as source,
        {{ raw_bookkeeping('r', has_del_flag=false) }}
    from source as r
),

final as (
    select
        registry_id,
        id_card,
        {{ mask_id_card('id_card') }} as id_card_masked,
        name,
        death_date,
        source,
        source_key,
        is_deleted,
        run_id,
        loaded_at,
        case
            when registry_id is null then 'missing_key'
            when id_card_reason is not null then id_card_reason
            when death_date is null then 'bad_timestamp'
        end as reject_code
    from cleaned
)

select * from final
