-- Small cross-database helpers of the staging layer (type casts that never raise, flags,
-- masking, a row as JSON). The cleaning rules proper live in macros/cleaning/.

-- Trimmed text, '' -> NULL.
{% macro blank_to_null(col) -%}
    nullif(trim({{ col }}), '')
{%- endmacro %}

-- Integer-looking text -> bigint, anything else -> NULL (never a cast error).
{% macro to_bigint(col) -%}
    case when trim({{ col }}) ~ '^-?[0-9]{1,18}$' then cast(trim({{ col }}) as bigint) end
{%- endmacro %}

{% macro to_int(col) -%}
    case when trim({{ col }}) ~ '^-?[0-9]{1,9}$' then cast(trim({{ col }}) as integer) end
{%- endmacro %}

-- Decimal text ('110.35', '-3', '1e-3') -> double precision, else NULL.
{% macro to_double(col) -%}
    case
        when trim({{ col }}) ~ '^-?[0-9]+(\.[0-9]*)?([eE][-+]?[0-9]+)?$'
            then cast(trim({{ col }}) as double precision)
    end
{%- endmacro %}

-- RuoYi soft delete: del_flag '2'.
{% macro is_deleted(col) -%}
    coalesce(trim({{ col }}) = '2', false)
{%- endmacro %}

-- Boolean from the vendor's '0'/'1' flags.
{% macro flag_is_one(col) -%}
    coalesce(trim({{ col }}) = '1', false)
{%- endmacro %}

-- 18-character ID number -> first 6 + 8 stars + last 4.
{% macro mask_id_card(col) -%}
    case when {{ col }} is not null
        then substr({{ col }}, 1, 6) || '********' || substr({{ col }}, 15, 4)
    end
{%- endmacro %}

-- Canonical dictionary code (dict_value) of a raw value that is either a code or a label of
-- the dictionary type, or an old code written with leading zeros ('01' for '1'); NULL when it
-- is none of these.
{% macro dict_code(col, dict_type) -%}
    coalesce(
        (
            select min(d.dict_value)
            from {{ ref('base_legacy__dict_lookup') }} as d
            where d.dict_type = '{{ dict_type }}' and d.lookup_value = trim({{ col }})
        ),
        (
            select min(d.dict_value)
            from {{ ref('base_legacy__dict_lookup') }} as d
            where d.dict_type = '{{ dict_type }}'
                and trim({{ col }}) ~ '^0+[0-9]+$'
                and d.lookup_value = ltrim(trim({{ col }}), '0')
        )
    )
{%- endmacro %}

{% macro dict_label(code_col, dict_type) -%}
    (
        select min(d.dict_label)
        from {{ ref('base_legacy__dict_lookup') }} as d
        where d.dict_type = '{{ dict_type }}' and d.lookup_value = {{ code_col }}
    )
{%- endmacro %}

-- The whole source row as JSON text, for audit.quarantine.raw. `alias` is a table alias.
{% macro row_to_json_text(alias) -%}
    {{ return(adapter.dispatch('row_to_json_text')(alias)) }}
{%- endmacro %}

{% macro default__row_to_json_text(alias) -%}
    cast(to_json({{ alias }}) as varchar)
{%- endmacro %}

{% macro postgres__row_to_json_text(alias) -%}
    cast(row_to_json({{ alias }}) as text)
{%- endmacro %}

-- Difference in minutes between two timestamps (b - a), as double precision.
{% macro minutes_between(a, b) -%}
    {{ return(adapter.dispatch('minutes_between')(a, b)) }}
{%- endmacro %}

{% macro default__minutes_between(a, b) -%}
    (epoch({{ b }}) - epoch({{ a }})) / 60.0
{%- endmacro %}

{% macro postgres__minutes_between(a, b) -%}
    (extract(epoch from ({{ b }} - {{ a }})) / 60.0)
{%- endmacro %}

-- The bookkeeping columns every base_ model ends with (see docs/staging.md): the legacy key,
-- the soft-delete flag (tables without del_flag are never deleted), the load's run and time.
-- loaded_at is written by our own migration ('YYYY-MM-DD HH:MM:SS'), so a plain cast reads it.
-- The raw row itself is not copied: audit.staging_quarantine joins rejects back to raw.
{% macro raw_bookkeeping(alias='r', has_del_flag=true) -%}
        {{ alias }}.source_key,
        {% if has_del_flag %}{{ is_deleted(alias ~ '.del_flag') }}{% else %}false{% endif %} as is_deleted,
        {{ alias }}.run_id,
        cast({{ alias }}.loaded_at as {{ dbt.type_timestamp() }}) as loaded_at
{%- endmacro %}
