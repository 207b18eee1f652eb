-- Small cross-database building blocks for the cleaning macros (DuckDB and PostgreSQL).
-- Everything here is an expression that never raises: bad input gives NULL or false.

-- Full-width (全角) digits, Latin letters and a few signs -> half-width. Chinese brackets and
-- punctuation are left alone on purpose: only the macros that need it touch them.
{% macro eldercare_halfwidth(s) -%}
translate(cast({{ s }} as {{ dbt.type_string() }}),
    '０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ．－＋：／％，',
    '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz.-+:/%,')
{%- endmacro %}

-- Character class of the blanks we strip: ASCII whitespace, no-break space (U+00A0), and the
-- ideographic (full-width) space U+3000. Written out because neither RE2 (DuckDB) nor
-- PostgreSQL's [[:space:]] reliably covers the last two.
{% macro eldercare_blank_class() -%}[[:space:] 　]{%- endmacro %}

-- Remove every blank (see above).
{% macro eldercare_strip_blanks(s) -%}
regexp_replace({{ s }}, '{{ eldercare_blank_class() }}+', '', 'g')
{%- endmacro %}

-- True when the text matches the (POSIX/RE2-compatible) pattern anywhere; NULL for NULL.
{% macro eldercare_regex_match(s, pattern) -%}
{{ adapter.dispatch('eldercare_regex_match')(s, pattern) }}
{%- endmacro %}

{% macro default__eldercare_regex_match(s, pattern) -%}
({{ s }} ~ '{{ pattern }}')
{%- endmacro %}

{% macro duckdb__eldercare_regex_match(s, pattern) -%}
regexp_matches({{ s }}, '{{ pattern }}')
{%- endmacro %}

-- The type of the numbers the measurement and coordinate macros return (8-byte float on both;
-- dbt.type_float() is a 4-byte FLOAT on DuckDB).
{% macro eldercare_double() -%}double precision{%- endmacro %}

-- A number written as text (or a number) -> double precision; NULL unless it is a plain
-- decimal number (optional sign, optional exponent).
-- The short way of the cleaning macros: NULL stays NULL, a value in the plain form most rows
-- have (`pattern`) becomes `plain`, anything else goes through `general`, the full rule, which
-- gives the same result for plain values (the oracle tests check both ways).
{% macro eldercare_plain_or(col, pattern, plain, general) -%}
case
    when {{ col }} is null then null
    when {{ eldercare_regex_match(col, pattern) }} then {{ plain }}
    else {{ general }}
end
{%- endmacro %}

{% macro eldercare_to_double(s) -%}
{%- set text = 'cast(' ~ s ~ ' as ' ~ dbt.type_string() ~ ')' -%}
{{ eldercare_plain_or(text, '^-?[0-9]{1,9}([.][0-9]+)?$',
    'cast(' ~ text ~ ' as ' ~ eldercare_double() ~ ')', eldercare_to_double_any(s)) }}
{%- endmacro %}

-- The general rule; eldercare_to_double takes a short way for plain decimals (most values).
{% macro eldercare_to_double_any(s) -%}
{%- set body -%}
case
    when {{ eldercare_regex_match('ec_dbl_n.ec_v', '^[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?$') }}
        then cast(ec_dbl_n.ec_v as {{ eldercare_double() }})
    end
{%- endset -%}
{{ eldercare_let([('ec_dbl_n', [('ec_v', eldercare_strip_blanks(eldercare_halfwidth(s)))])], body) }}
{%- endmacro %}

-- True when integer year/month/day make a real calendar date (pure arithmetic, so that
-- PostgreSQL never sees an invalid make_date/cast). Arguments are integer expressions.
{% macro eldercare_ymd_valid(y, m, d) -%}
({{ y }} between 1 and 9999 and {{ m }} between 1 and 12 and {{ d }} >= 1 and {{ d }} <= case
    when {{ m }} in (4, 6, 9, 11) then 30
    when {{ m }} = 2 then case
        when ({{ y }} % 4 = 0 and {{ y }} % 100 <> 0) or {{ y }} % 400 = 0 then 29 else 28 end
    else 31 end)
{%- endmacro %}

-- Named intermediate values inside one expression: `levels` is a list of (alias, bindings),
-- innermost first; each binding is (name, sql) and may use the aliases of the levels before it;
-- `body` uses them as alias.name. Cleaning rules need this because a value like the compacted
-- ID number is used many times, and pasting its expression everywhere would multiply the work.
{% macro eldercare_let(levels, body) -%}
{{ adapter.dispatch('eldercare_let')(levels, body) }}
{%- endmacro %}

-- PostgreSQL: chained derived tables in one scalar subquery. OFFSET 0 is PostgreSQL's documented
-- fence that keeps the planner from pulling them up and pasting each column's expression into
-- every place that uses it.
{% macro default__eldercare_let(levels, body) -%}
{%- set ns = namespace(sql='') -%}
{%- for alias, bindings in levels -%}
    {%- set cols = [] -%}
    {%- for name, sql in bindings -%}{%- do cols.append(sql ~ ' as ' ~ name) -%}{%- endfor -%}
    {%- set source = (' from ' ~ ns.sql) if ns.sql else '' -%}
    {%- set ns.sql = '(select ' ~ (cols | join(', ')) ~ source ~ ' offset 0) as ' ~ alias -%}
{%- endfor -%}
(select {{ body }} from {{ ns.sql }})
{%- endmacro %}

-- DuckDB: one-element lists through lambdas, evaluated row by row in the vectorised engine. A
-- correlated subquery there becomes a join over the distinct input values: on 30 million
-- readings that spilled over a hundred gigabytes to disk.
{% macro duckdb__eldercare_let(levels, body) -%}
{%- set ns = namespace(open='', close='') -%}
{%- for alias, bindings in levels -%}
    {%- set fields = [] -%}
    {%- for name, sql in bindings -%}{%- do fields.append(name ~ ' := ' ~ sql) -%}{%- endfor -%}
    {%- set ns.open = ns.open ~ 'list_transform([struct_pack(' ~ (fields | join(', ')) ~ ')], lambda ' ~ alias ~ ': ' -%}
    {%- set ns.close = ')[1]' ~ ns.close -%}
{%- endfor -%}
({{ ns.open }}{{ body }}{{ ns.close }})
{%- endmacro %}
