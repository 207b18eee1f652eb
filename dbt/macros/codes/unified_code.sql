-- Unified pseudonymous codes (长者码 E…, 机构码 O…, 床位码 B…/F…, 服务人员码 S…).
-- Rules and the reasons behind them: docs/unified-codes.md. The Python twin that tests these
-- macros is tests/dbt/test_resolution.py::python_code.

-- Lower-case hex SHA-256 of a text expression, the same string on DuckDB and PostgreSQL.
{% macro sha256_hex(expr) -%}
    {{ return(adapter.dispatch('sha256_hex')(expr)) }}
{%- endmacro %}

{% macro default__sha256_hex(expr) -%}
    sha256({{ expr }})
{%- endmacro %}

{% macro postgres__sha256_hex(expr) -%}
    encode(sha256(convert_to({{ expr }}, 'UTF8')), 'hex')
{%- endmacro %}

-- The secret, as an SQL expression evaluated by the engine at run time: the value never enters
-- dbt's compiled SQL, manifest or logs (docs/unified-codes.md, Rotation). eldercare hands it to
-- the engine from settings.code_secret: DuckDB gets the variable code_secret from the dbt-duckdb
-- plugin pipelines/dbt_code_secret.py, PostgreSQL the session setting eldercare.code_secret
-- through PGOPTIONS (pipelines/dbt_project.py). A build without it must fail rather than
-- publish codes that anyone could recompute.
{% macro code_secret_sql() -%}
    {{ return(adapter.dispatch('code_secret_sql')()) }}
{%- endmacro %}

{% macro default__code_secret_sql() -%}
    coalesce(
        nullif(cast(getvariable('code_secret') as varchar), ''),
        error('code secret not set: eldercare passes settings.code_secret to dbt at run time')
    )
{%- endmacro %}

{% macro postgres__code_secret_sql() -%}
    {#- without missing_ok, an unset setting is an error ("unrecognized configuration parameter") -#}
    current_setting('eldercare.code_secret')
{%- endmacro %}

-- Keyed hash of an identity: sha256(secret | kind | identity), as 64 hex characters.
-- kind separates the code spaces (the same text never gives the same hash for two kinds).
{% macro code_hash(kind, identity_expr) -%}
    {{ sha256_hex(code_secret_sql() ~ " || '|" ~ kind ~ "|' || " ~ identity_expr) }}
{%- endmacro %}

-- Value 0..31 of body digit i (1..16): the low five bits of byte i of the hash.
{% macro _code_digit(hex_col, i) -%}
    ((position(substr({{ hex_col }}, {{ 2 * i - 1 }}, 1) in '0123456789abcdef') - 1) % 2 * 16
     + position(substr({{ hex_col }}, {{ 2 * i }}, 1) in '0123456789abcdef') - 1)
{%- endmacro %}

-- prefix + 16 Crockford base-32 digits + Crockford's mod-37 check symbol (18 characters).
-- The check symbol is the body read as one base-32 number, modulo 37; 32^(16-i) mod 37 are
-- the weights, so the sum stays a small integer on both databases.
{% macro code_from_hash(prefix, hex_col) -%}
    {%- set alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ' -%}
    {%- set check_alphabet = alphabet ~ '*~$=U' -%}
    '{{ prefix }}'
    {%- for i in range(1, 17) %}
    || substr('{{ alphabet }}', {{ _code_digit(hex_col, i) }} + 1, 1)
    {%- endfor %}
    || substr('{{ check_alphabet }}', (
        {%- for i in range(1, 17) %}
        {{ '+ ' if not loop.first }}{{ _code_digit(hex_col, i) }} * {{ (32 ** (16 - i)) % 37 }}
        {%- endfor %}
    ) % 37 + 1, 1)
{%- endmacro %}

-- The check symbol of a 16-character body written in Crockford base 32 (upper case): used to
-- verify codes that come back from outside (cockpit search, a typed code, data tests).
{% macro code_check_symbol(body_expr) -%}
    {%- set alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ' -%}
    substr('{{ alphabet }}*~$=U', (
        {%- for i in range(1, 17) %}
        {{ '+ ' if not loop.first }}(position(substr({{ body_expr }}, {{ i }}, 1) in '{{ alphabet }}') - 1) * {{ (32 ** (16 - i)) % 37 }}
        {%- endfor %}
    ) % 37 + 1, 1)
{%- endmacro %}

-- True when a text is a well-formed code of the given prefix: 18 characters, body in the
-- alphabet, check symbol right.
{% macro code_is_valid(code_expr, prefix) -%}
    (
        length({{ code_expr }}) = 18
        and substr({{ code_expr }}, 1, 1) = '{{ prefix }}'
        {%- for i in range(2, 18) %}
        and position(substr({{ code_expr }}, {{ i }}, 1) in '0123456789ABCDEFGHJKMNPQRSTVWXYZ') > 0
        {%- endfor %}
        and substr({{ code_expr }}, 18, 1) = {{ code_check_symbol('substr(' ~ code_expr ~ ', 2, 16)') }}
    )
{%- endmacro %}

-- Generic data test: every non-NULL value is a valid code with this prefix.
{% test valid_unified_code(model, column_name, prefix) %}
    select {{ column_name }}
    from {{ model }}
    where {{ column_name }} is not null
        and not {{ code_is_valid(column_name, prefix) }}
{% endtest %}
