{#
  County scope held by PostgreSQL itself (docs/security.md, County scope). DuckDB has no roles:
  every macro here is a no-op there, and cockpit/data/core.py is the boundary.

  The cockpit connects as role eldercare_reader and, inside each read-only transaction, sets
  eldercare.county_code to the viewer's county, or to '*' for a city-level viewer. Each table of
  the reader's schemas (var county_scope.schemas) is one of:

  - county: it has a county_code column: rows of that county (row-level security);
  - town: a town_code column and no county_code: rows whose town lies in that county;
  - via: no such column, but a key into a scoped table (var county_scope.via): rows whose key
    is visible there, e.g. fct_call's elder_code in dim_elder (whose own policy filters it);
  - area: area_level/area_code rows: that county and its towns, never the city row;
  - city_only (var): only for '*';
  - shared (var): reference data, granted to every reader without row security;
  - a view: made security_invoker and granted, so the reader's own grants and policies hold
    inside it (an ordinary view would read with its owner's rights, past row security);
  - anything else: not granted.
  Of the schemas in var county_scope.column_grants (raw) the reader may read the named columns
  of each table only.

  Unset or empty means no rows: the policies compare with the setting, and NULL or '' matches
  no county. ENABLE and FORCE ROW LEVEL SECURITY; the owner (the build's role) keeps a policy
  of its own, so that FORCE does not hide a mart from the build that reads it.

  The rules live in one PL/pgSQL function, eldercare_county_scope(table, config), created by
  ensure_county_scope() (on-run-start) and called by the post-hook county_scope() for each
  model, by county_scope_all() (on-run-end: seeds and the tables Python publishes) and by
  eldercare/row_security.py after the publish step.
#}

{% macro county_scope_config() -%}
    {{ return(tojson(var('county_scope'))) }}
{%- endmacro %}

{% macro county_scope() -%}
    {%- if target.type == 'postgres' and this.schema in var('county_scope')['schemas'] -%}
        select public.eldercare_county_scope(
            '{{ adapter.quote(this.schema) }}.{{ adapter.quote(this.identifier) }}'::regclass,
            '{{ county_scope_config() }}'::jsonb,
            false
        )
    {%- endif -%}
{%- endmacro %}

{% macro county_scope_all() -%}
    {%- if target.type == 'postgres' -%}
        select public.eldercare_county_scope_all('{{ county_scope_config() }}'::jsonb)
    {%- endif -%}
{%- endmacro %}

{% macro ensure_county_scope() -%}
    {%- if target.type == 'postgres' -%}
        {%- set reader = var('county_scope')['reader_role'] -%}
do $role$
begin
    if not exists (select from pg_roles where rolname = '{{ reader }}') then
        -- LOGIN: the cockpit connects as this role. Its password is set by the operator
        -- (docs/security.md); this machine's servers trust local connections.
        create role {{ reader }} login nosuperuser nobypassrls nocreatedb nocreaterole noinherit;
    end if;
exception when duplicate_object or unique_violation then
    null;  -- another build created it at the same moment (roles are cluster-wide)
end
$role$;

-- final: false from a model's post-hook, where a via table's policy is only deferred (see there)
create or replace function public.eldercare_county_scope(
    rel regclass, config jsonb, final boolean default true
)
returns text
language plpgsql
as $fn$
declare
    reader constant text := config ->> 'reader_role';
    -- a scalar subquery: evaluated once per query (an InitPlan), not once per row (city scale:
    -- a county's call-centre listing 1.5 s -> 0.7 s, the city's profile counts 208 -> 140 ms)
    setting constant text := '(select current_setting(''eldercare.county_code'', true))';
    qualified text;
    kind_of_rel "char";
    owner_name text;
    cols text[];
    via jsonb;
    kind text;
    rule text;
begin
    if exists (
        select from pg_roles where rolname = reader and (rolsuper or rolbypassrls)
    ) then
        raise exception 'role % is superuser or BYPASSRLS: row-level security would not hold', reader;
    end if;
    select n.nspname || '.' || c.relname, c.relkind, pg_get_userbyid(c.relowner)
    into qualified, kind_of_rel, owner_name
    from pg_class as c inner join pg_namespace as n on c.relnamespace = n.oid
    where c.oid = rel;
    select array_agg(attname::text) into cols
    from pg_attribute where attrelid = rel and attnum > 0 and not attisdropped;
    via := config -> 'via' -> qualified;

    if kind_of_rel = 'v' then
        -- A view reads with its owner's rights, past row security, unless it is a
        -- security_invoker view: then the reader's own grants and policies hold inside it.
        execute format('alter view %s set (security_invoker = true)', rel);
        kind := 'view';
    elsif kind_of_rel not in ('r', 'p') then
        kind := 'none';
    elsif 'county_code' = any(cols) then
        kind := 'county';
        rule := format('county_code = %s', setting);
    elsif 'town_code' = any(cols) then
        kind := 'town';
        rule := format('left(town_code, 6) = %s', setting);
    elsif config -> 'shared' ? qualified then
        kind := 'shared';
    elsif config -> 'city_only' ? qualified then
        kind := 'city_only';
        rule := 'false';
    elsif via is not null and not final then
        -- The policy names the other table, and dbt drops a rebuilt table's old copy with
        -- CASCADE, which would drop the policy too: it is made at the build's end
        -- (county_scope_all). Until then the reader sees no row of this table.
        kind := 'via (deferred)';
        rule := 'false';
    elsif via is not null then
        kind := 'via';
        -- one key [column, table, column there] or several (a row visible through any);
        -- IN (subquery), not EXISTS: PostgreSQL hashes the visible keys once per query
        if jsonb_typeof(via -> 0) <> 'array' then
            via := jsonb_build_array(via);
        end if;
        select string_agg(
            format('%I in (select %I from %s)', k ->> 0, coalesce(k ->> 2, k ->> 0), k ->> 1),
            ' or '
        ) into rule
        from jsonb_array_elements(via) as k;
        rule := '(' || rule || ')';
    elsif 'area_code' = any(cols) and 'area_level' = any(cols) then
        kind := 'area';
        rule := format('area_level <> ''city'' and left(area_code, 6) = %s', setting);
    else
        kind := 'none';
    end if;

    execute format('revoke all on %s from public', rel);
    execute format('drop policy if exists eldercare_county_scope on %s', rel);
    execute format('drop policy if exists eldercare_owner on %s', rel);
    if rule is not null then
        execute format('alter table %s enable row level security', rel);
        execute format('alter table %s force row level security', rel);
        execute format(
            'create policy eldercare_owner on %s to %I using (true) with check (true)',
            rel, owner_name
        );
        execute format(
            'create policy eldercare_county_scope on %s for select to %I using (%s)',
            rel, reader, case when kind = 'via (deferred)' then 'false'
                else format('%s = ''*'' or %s', setting, rule) end
        );
        execute format('grant select on %s to %I', rel, reader);
    elsif kind = 'shared' then
        execute format('alter table %s no force row level security', rel);
        execute format('alter table %s disable row level security', rel);
        execute format('grant select on %s to %I', rel, reader);
    elsif kind = 'view' then
        execute format('grant select on %s to %I', rel, reader);
    else
        execute format('revoke all on %s from %I', rel, reader);
    end if;
    return kind;
end
$fn$;

-- Every table of the reader's schemas; USAGE on those schemas only.
create or replace function public.eldercare_county_scope_all(config jsonb)
returns integer
language plpgsql
as $fn$
declare
    schema_name text;
    granted text;
    rel regclass;
    n integer := 0;
begin
    for schema_name in select jsonb_array_elements_text(config -> 'schemas') loop
        if exists (select from pg_namespace where nspname = schema_name) then
            execute format('grant usage on schema %I to %I', schema_name, config ->> 'reader_role');
        end if;
    end loop;
    for rel in
        select c.oid::regclass
        from pg_class as c inner join pg_namespace as n on c.relnamespace = n.oid
        where c.relkind in ('r', 'p', 'v', 'm')
            and n.nspname in (select jsonb_array_elements_text(config -> 'schemas'))
    loop
        perform public.eldercare_county_scope(rel, config);
        n := n + 1;
    end loop;
    -- Schemas (or tables) of which the reader may read a few named columns, no others.
    for schema_name in
        select distinct split_part(key, '.', 1) from jsonb_object_keys(config -> 'column_grants') as key
    loop
        continue when not exists (select from pg_namespace where nspname = schema_name);
        execute format('grant usage on schema %I to %I', schema_name, config ->> 'reader_role');
        for rel, granted in
            select c.oid::regclass, string_agg(quote_ident(a.attname), ', ')
            from pg_class as c
            inner join pg_namespace as ns on c.relnamespace = ns.oid
            inner join pg_attribute as a on c.oid = a.attrelid
            where ns.nspname = schema_name and c.relkind = 'r' and a.attnum > 0
                and not a.attisdropped
                and (
                    config -> 'column_grants' -> ns.nspname ? a.attname
                    or config -> 'column_grants' -> (ns.nspname || '.' || c.relname) ? a.attname
                )
            group by c.oid
        loop
            execute format('revoke all on %s from %I', rel, config ->> 'reader_role');
            execute format(
                'grant select (%s) on %s to %I', granted, rel, config ->> 'reader_role'
            );
            n := n + 1;
        end loop;
    end loop;
    return n;
end
$fn$;

revoke all on function public.eldercare_county_scope(regclass, jsonb, boolean) from public;
revoke all on function public.eldercare_county_scope_all(jsonb) from public
    {%- endif -%}
{%- endmacro %}

{#- For a warehouse whose tables did not come from this build (benchmarks/warehouse_to_postgres.py):
    dbt run-operation apply_county_scope -#}
{% macro apply_county_scope() -%}
    {%- if target.type == 'postgres' -%}
        {%- do run_query(ensure_county_scope()) -%}
        {%- set tables = run_query(county_scope_all()).columns[0].values()[0] -%}
        {{ log('county scope applied to ' ~ tables ~ ' tables', info=true) }}
    {%- endif -%}
{%- endmacro %}
