-- Dates and times in every form the vendor and the districts wrote them.
-- Accepted (after trimming and full-width -> half-width):
--   'YYYY-MM-DD HH:MM[:SS[.ffffff]]', separators '-', '/', '.', or '年月日' (and '时分秒'),
--   ISO 8601 with 'T' and an optional 'Z' / '+08:00' / '+0800' offset (converted to Beijing
--   time), 'YYYY-MM-DD', 'YYYYMMDD', 'YYYYMMDDHHMMSS', month/day/hour may be one digit;
--   epoch seconds (10 digits) and epoch milliseconds (13 digits), read as UTC instants.
-- Result: timestamp without time zone on the Asia/Shanghai wall clock (UTC+8; China has had no
-- daylight saving since 1991, and every epoch accepted here is after 2001). Years outside
-- 1900..2100, impossible dates and times (2023-02-29, 24:00) give NULL, never an error.


-- Text rewritten towards 'YYYY-M-D H:M:S.f+HH:MM' (the shape of the pattern above).
{% macro eldercare_ts_normalize(col) -%}
trim(regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(
    replace(replace(replace(replace(replace(replace(replace(replace(
        trim({{ eldercare_halfwidth(col) }}),
        '年', '-'), '月', '-'), '日', ' '), '时', ':'), '点', ':'), '分', ':'), '秒', ''), '/', '-'),
    '^([0-9]{4})[.]([0-9]{1,2})[.]([0-9]{1,2})', '\1-\2-\3'),
    '^([0-9]{4})([0-9]{2})([0-9]{2})$', '\1-\2-\3'),
    '^([0-9]{4})([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2})$', '\1-\2-\3 \4:\5:\6'),
    '([0-9])T([0-9])', '\1 \2'),
    '{{ eldercare_blank_class() }}+', ' ', 'g'),
    ' ?: ?', ':', 'g'),
    ':( |$)', '\1', 'g'),
    ' ([Z+-])', '\1', 'g'))
{%- endmacro %}

-- Epoch milliseconds (bigint) -> Beijing wall-clock timestamp.
{% macro eldercare_epoch_ms_to_beijing(ms) -%}
{{ adapter.dispatch('eldercare_epoch_ms_to_beijing')(ms) }}
{%- endmacro %}

{% macro default__eldercare_epoch_ms_to_beijing(ms) -%}
{{ dbt.dateadd('millisecond', ms, "cast('1970-01-01 08:00:00' as " ~ dbt.type_timestamp() ~ ")") }}
{%- endmacro %}

-- DuckDB's interval arithmetic takes a 32-bit count, too small for epoch milliseconds.
{% macro duckdb__eldercare_epoch_ms_to_beijing(ms) -%}
(epoch_ms({{ ms }}) + interval 8 hour)
{%- endmacro %}

-- Most rows come as 'YYYY-MM-DD[ HH:MM:SS]' or epoch milliseconds and take the short way
-- (eldercare_plain_or); the rest go through the general rule, eldercare_parse_timestamp_any.
{% macro parse_timestamp(col) -%}
{%- set plain = '^(19|20)[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])( ([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9])?$' -%}
{%- set plain_value -%}
case
    when {{ eldercare_ymd_valid('cast(substr(' ~ col ~ ', 1, 4) as integer)', 'cast(substr(' ~ col ~ ', 6, 2) as integer)', 'cast(substr(' ~ col ~ ', 9, 2) as integer)') }}
        then cast({{ col }} as {{ dbt.type_timestamp() }})
end
{%- endset -%}
{{ eldercare_plain_or(col, plain, plain_value,
    eldercare_plain_or(col, '^[0-9]{13}$', eldercare_epoch_ms_to_beijing('cast(' ~ col ~ ' as bigint)'),
        eldercare_parse_timestamp_any(col))) }}
{%- endmacro %}

{% macro eldercare_parse_timestamp_any(col) -%}
{%- set p = "^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}( [0-9]{1,2}:[0-9]{1,2}(:[0-9]{1,2}([.][0-9]{1,6})?)?(Z|[+-][0-9]{2}:?[0-9]{2})?)?$" -%}
{%- set t = 'ec_pts_t' -%}
{%- set seconds = "split_part(" ~ t ~ ".ec_time, ':', 3)" -%}
{%- set canonical -%}
split_part({{ t }}.ec_date, '-', 1)
        || '-' || lpad(split_part({{ t }}.ec_date, '-', 2), 2, '0')
        || '-' || lpad(split_part({{ t }}.ec_date, '-', 3), 2, '0')
        || ' ' || lpad(coalesce(nullif(split_part({{ t }}.ec_time, ':', 1), ''), '0'), 2, '0')
        || ':' || lpad(coalesce(nullif(split_part({{ t }}.ec_time, ':', 2), ''), '0'), 2, '0')
        || ':' || lpad(coalesce(nullif(split_part({{ seconds }}, '.', 1), ''), '0'), 2, '0')
        || case when strpos({{ t }}.ec_time, '.') > 0
                then '.' || split_part({{ t }}.ec_time, '.', 2) else '' end
{%- endset -%}
{#- minutes to add to reach Beijing time: 0 without an offset, else 480 - offset -#}
{%- set shift -%}
case
        when {{ t }}.ec_tz = '' then 0
        when {{ t }}.ec_tz = 'Z' then 480
        else 480 - (case when substr({{ t }}.ec_tz, 1, 1) = '-' then -1 else 1 end)
            * (cast(substr({{ t }}.ec_tz, 2, 2) as integer) * 60
               + cast(substr(replace({{ t }}.ec_tz, ':', ''), 4, 2) as integer))
    end
{%- endset -%}
{%- set body -%}
case
    when ec_pts_p.ec_epoch_ms is not null then {{ eldercare_epoch_ms_to_beijing('ec_pts_p.ec_epoch_ms') }}
    when ec_pts_p.ec_y between 1900 and 2100
        and {{ eldercare_ymd_valid('ec_pts_p.ec_y', 'ec_pts_p.ec_m', 'ec_pts_p.ec_d') }}
        and ec_pts_p.ec_hh <= 23 and ec_pts_p.ec_mi <= 59 and ec_pts_p.ec_ss <= 59 then
        {{ dbt.dateadd('minute', 'ec_pts_p.ec_shift_min',
            "cast(ec_pts_p.ec_canonical as " ~ dbt.type_timestamp() ~ ")") }}
    end
{%- endset -%}
{#- parts cut with split_part/strpos, not regex captures: PostgreSQL's regex engine is slow at
    extracting groups (about 60 microseconds a call for this pattern), plain string functions not -#}
{{ eldercare_let([
    ('ec_pts_a', [('ec_s', eldercare_ts_normalize(col))]),
    ('ec_pts_b', [
        ('ec_epoch_ms', "case when " ~ eldercare_regex_match('ec_pts_a.ec_s', '^[0-9]{13}$') ~ " then cast(ec_pts_a.ec_s as bigint)"
                        ~ " when " ~ eldercare_regex_match('ec_pts_a.ec_s', '^[0-9]{10}$') ~ " then cast(ec_pts_a.ec_s as bigint) * 1000 end"),
        ('ec_m0', "case when " ~ eldercare_regex_match('ec_pts_a.ec_s', p) ~ " then ec_pts_a.ec_s end"),
    ]),
    ('ec_pts_r', [
        ('ec_epoch_ms', 'ec_pts_b.ec_epoch_ms'),
        ('ec_m0', 'ec_pts_b.ec_m0'),
        ('ec_rest', "split_part(ec_pts_b.ec_m0, ' ', 2)"),
        ('ec_tzpos', "greatest(strpos(split_part(ec_pts_b.ec_m0, ' ', 2), '+'), strpos(split_part(ec_pts_b.ec_m0, ' ', 2), '-'), strpos(split_part(ec_pts_b.ec_m0, ' ', 2), 'Z'))"),
    ]),
    ('ec_pts_t', [
        ('ec_epoch_ms', 'ec_pts_r.ec_epoch_ms'),
        ('ec_date', "split_part(ec_pts_r.ec_m0, ' ', 1)"),
        ('ec_time', "case when ec_pts_r.ec_tzpos > 0 then substr(ec_pts_r.ec_rest, 1, ec_pts_r.ec_tzpos - 1) else ec_pts_r.ec_rest end"),
        ('ec_tz', "case when ec_pts_r.ec_tzpos > 0 then substr(ec_pts_r.ec_rest, ec_pts_r.ec_tzpos) else '' end"),
    ]),
    ('ec_pts_p', [
        ('ec_epoch_ms', t ~ '.ec_epoch_ms'),
        ('ec_y', "cast(nullif(split_part(" ~ t ~ ".ec_date, '-', 1), '') as integer)"),
        ('ec_m', "cast(nullif(split_part(" ~ t ~ ".ec_date, '-', 2), '') as integer)"),
        ('ec_d', "cast(nullif(split_part(" ~ t ~ ".ec_date, '-', 3), '') as integer)"),
        ('ec_hh', "coalesce(cast(nullif(split_part(" ~ t ~ ".ec_time, ':', 1), '') as integer), 0)"),
        ('ec_mi', "coalesce(cast(nullif(split_part(" ~ t ~ ".ec_time, ':', 2), '') as integer), 0)"),
        ('ec_ss', "coalesce(cast(nullif(split_part(" ~ seconds ~ ", '.', 1), '') as integer), 0)"),
        ('ec_canonical', canonical),
        ('ec_shift_min', shift),
    ]),
], body) }}
{%- endmacro %}

-- The date part of parse_timestamp (same formats, same NULL rule).
{% macro parse_date(col) -%}
cast({{ parse_timestamp(col) }} as date)
{%- endmacro %}
