-- Bookkeeping of the staging layer: which base model checks which source table, and the
-- publication of its rejects and counts into the contract's audit tables.

-- source table -> base model that holds its cleaned rows and reject_code.
{% macro staging_base_models() -%}
    {%- set tables = [
        'sys_area', 'sys_dict_data', 'yl_elder', 'yl_org', 'yl_org_bed', 'yl_org_resident',
        'yl_staff', 'yl_family_bed', 'yl_device', 'yl_health_record', 'yl_alarm',
        'yl_service_item', 'yl_work_order', 'yl_return_visit', 'yl_call_record',
        'yl_canteen_dish', 'yl_meal_order', 'yl_inspection', 'yl_complaint', 'yl_death_registry',
        'yl_order_doubt',
    ] -%}
    {%- set out = {} -%}
    {%- for t in tables -%}{%- do out.update({t: 'base_legacy__' ~ t}) -%}{%- endfor -%}
    {%- do out.update({'district_monthly_report': 'base_district__monthly_report'}) -%}
    {{ return(out) }}
{%- endmacro %}

-- run_id of everything this dbt invocation publishes into audit.*.
{% macro dbt_run_id() -%}
    'dbt:{{ invocation_id }}'
{%- endmacro %}

-- The contract's audit tables, created when the migration has not made them yet.
-- audit.reconciliation is migration/reconcile.py's RECONCILIATION_DDL, column for column and
-- with its not-null constraints (tests/test_audit_ddl.py fails when the two differ).
{% macro ensure_audit_tables() -%}
    create schema if not exists audit;
    create table if not exists audit.quarantine (
        source_table text,
        source_key text,
        reason_code text,
        reason text,
        raw text,
        run_id text
    );
    create table if not exists audit.reconciliation (
        source_table text not null,
        source_rows bigint not null,
        loaded_rows bigint not null,
        quarantined_rows bigint not null,
        deleted_rows bigint not null,
        run_id text not null,
        checked_at timestamp not null,
        partition_month text,
        source_key_checksum bigint,
        loaded_key_checksum bigint,
        note text
    );
{%- endmacro %}

-- Post-hook of audit.staging_quarantine: the staging rejects replace those of earlier dbt runs
-- in audit.quarantine (rows of the migration itself are left alone).
{% macro publish_quarantine(relation) -%}
    delete from audit.quarantine where run_id like 'dbt:%';
    insert into audit.quarantine (source_table, source_key, reason_code, reason, raw, run_id)
    select source_table, source_key, reason_code, reason, raw, run_id from {{ relation }};
{%- endmacro %}

-- Post-hook of audit.staging_reconciliation: this run's counts are appended to
-- audit.reconciliation (history of every run; the latest checked_at per table is current).
{% macro publish_reconciliation(relation) -%}
    delete from audit.reconciliation where run_id = {{ dbt_run_id() }};
    insert into audit.reconciliation (
        source_table, source_rows, loaded_rows, quarantined_rows, deleted_rows, run_id,
        checked_at
    )
    select
        source_table, source_rows, loaded_rows, quarantined_rows, deleted_rows, run_id,
        checked_at
    from {{ relation }};
{%- endmacro %}

-- Rows the migration quarantined itself (they never reached raw), per source table; an empty
-- relation when the migration has written no audit.quarantine.
{% macro migration_quarantine_counts() -%}
    {%- set rel = adapter.get_relation(database=target.database, schema='audit', identifier='quarantine') if execute else none -%}
    {%- if rel is not none -%}
        select source_table, count(distinct source_key) as n
        from {{ rel }}
        where run_id not like 'dbt:%'
        group by source_table
    {%- else -%}
        select cast(null as text) as source_table, cast(0 as bigint) as n where 1 = 0
    {%- endif -%}
{%- endmacro %}
