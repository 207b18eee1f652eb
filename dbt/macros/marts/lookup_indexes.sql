{#
  PostgreSQL only: an index on each column the cockpit looks rows up by (one elder's card, one
  organisation's indicators, one worker's orders). PostgreSQL stores rows, so without one such a
  lookup reads the whole fact table (a second per card at city scale); DuckDB scans columns fast
  enough and gets none. The columns per mart are the variable `lookup_indexes` in
  dbt_project.yml. Unnamed indexes: PostgreSQL names them, so the build's swap of a table
  (old one renamed, then dropped) never meets a name still taken.
#}
{% macro lookup_indexes() %}
    {%- set columns = var("lookup_indexes", {}).get(this.name, []) -%}
    {%- if target.type == "postgres" and columns -%}
        {%- for column in columns -%}
            create index on {{ this }} ({{ adapter.quote(column) }});
        {%- endfor -%}
    {%- endif -%}
{% endmacro %}
