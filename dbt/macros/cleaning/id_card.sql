-- Resident identity card numbers (居民身份证号, GB 11643-1999).
-- clean_id_card normalises the writing; id_card_check_ok / id_card_reason judge validity.


-- The ISO 7064 MOD 11-2 check character of the first 17 digits of `v` (which must be digits).
{% macro eldercare_id_check_char(v) -%}
{%- set weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] -%}
substr('10X98765432', ((
{%- for w in weights %}{% if not loop.first %} + {% endif %}cast(substr({{ v }}, {{ loop.index }}, 1) as integer) * {{ w }}{% endfor -%}
) % 11) + 1, 1)
{%- endmacro %}

-- The raw text with blanks removed, full-width characters made half-width, upper case (a number
-- already written so is taken as it is).
{% macro eldercare_id_compact(col) -%}
{{ eldercare_plain_or(col, '^[0-9]{17}[0-9Xx]$',
    'upper(' ~ col ~ ')', 'upper(' ~ eldercare_strip_blanks(eldercare_halfwidth(col)) ~ ')') }}
{%- endmacro %}

-- 18-character number (17 digits + digit or X), 15-digit numbers upgraded (century 19 and a
-- computed check digit); NULL when the text has no such shape. The check digit of an
-- 18-character number is NOT verified here: see id_card_check_ok.
{% macro clean_id_card(col) -%}
{%- set v17 -%}
case when {{ eldercare_regex_match('ec_idc_c0.ec_v', '^[0-9]{15}$') }}
    then substr(ec_idc_c0.ec_v, 1, 6) || '19' || substr(ec_idc_c0.ec_v, 7, 9) end
{%- endset -%}
{%- set body -%}
case
    when {{ eldercare_regex_match('ec_idc_c.ec_v', '^[0-9]{17}[0-9X]$') }} then ec_idc_c.ec_v
    when ec_idc_c.ec_v17 is not null then ec_idc_c.ec_v17 || {{ eldercare_id_check_char('ec_idc_c.ec_v17') }}
    end
{%- endset -%}
{#- v17 is guarded by the regex because every binding is evaluated, used or not -#}
{{ eldercare_let([
    ('ec_idc_c0', [('ec_v', eldercare_id_compact(col))]),
    ('ec_idc_c', [('ec_v', 'ec_idc_c0.ec_v'), ('ec_v17', v17)]),
], body) }}
{%- endmacro %}

-- Birth-date parts of a cleaned number, as integers (only call when the shape is right).
{% macro eldercare_id_ymd_valid(v) -%}
{{ eldercare_ymd_valid('cast(substr(' ~ v ~ ', 7, 4) as integer)',
                       'cast(substr(' ~ v ~ ', 11, 2) as integer)',
                       'cast(substr(' ~ v ~ ', 13, 2) as integer)') }}
{%- endmacro %}

{% macro eldercare_id_make_date(v) -%}
make_date(cast(substr({{ v }}, 7, 4) as integer), cast(substr({{ v }}, 11, 2) as integer), cast(substr({{ v }}, 13, 2) as integer))
{%- endmacro %}

-- Birth date from the number; NULL when the number is not cleanable or the date is not real.
{% macro id_card_birth_date(col) -%}
{%- set body -%}
case
    when ec_idb_b.ec_v is not null and {{ eldercare_id_ymd_valid('ec_idb_b.ec_v') }} then {{ eldercare_id_make_date('ec_idb_b.ec_v') }}
    end
{%- endset -%}
{{ eldercare_let([('ec_idb_b', [('ec_v', clean_id_card(col))])], body) }}
{%- endmacro %}

-- '男' when the 17th digit is odd, '女' when even; NULL when the number is not cleanable.
{% macro id_card_sex(col) -%}
{%- set body -%}
case
    when ec_ids_s.ec_v is null then null
    when cast(substr(ec_ids_s.ec_v, 17, 1) as integer) % 2 = 1 then '男'
    else '女'
    end
{%- endset -%}
{{ eldercare_let([('ec_ids_s', [('ec_v', clean_id_card(col))])], body) }}
{%- endmacro %}

-- NULL when the number is valid, else the first failing rule:
-- id_card_missing; id_card_bad_length (not 15/18 characters after cleaning, or not digits with
-- an optional final X); id_card_bad_birth_date (not a real date, or outside 1900-01-01..today);
-- id_card_bad_check_digit. These codes are in staging's quarantine_reasons seed.
{% macro id_card_reason(col) -%}
{%- set body -%}
case
    when ec_idr_r.ec_raw is null or ec_idr_r.ec_raw = '' then 'id_card_missing'
    when ec_idr_r.ec_v is null then 'id_card_bad_length'
    when not {{ eldercare_id_ymd_valid('ec_idr_r.ec_v') }} then 'id_card_bad_birth_date'
    when cast(substr(ec_idr_r.ec_v, 7, 4) as integer) < 1900
        or {{ eldercare_id_make_date('ec_idr_r.ec_v') }} > current_date then 'id_card_bad_birth_date'
    when substr(ec_idr_r.ec_v, 18, 1) <> {{ eldercare_id_check_char('ec_idr_r.ec_v') }} then 'id_card_bad_check_digit'
    end
{%- endset -%}
{{ eldercare_let([
    ('ec_idr_c', [('ec_raw', eldercare_id_compact(col))]),
    ('ec_idr_r', [('ec_raw', 'ec_idr_c.ec_raw'), ('ec_v', clean_id_card('ec_idr_c.ec_raw'))]),
], body) }}
{%- endmacro %}

-- True when the number (raw or cleaned) is cleanable and valid; false otherwise (also NULL).
{% macro id_card_check_ok(col) -%}
({{ id_card_reason(col) }} is null)
{%- endmacro %}

-- The cleaned number when it is valid, else NULL.
{% macro clean_valid_id_card(col) -%}
{{ eldercare_let([('ec_idv_v', [('ec_cleaned', clean_id_card(col)), ('ec_reason', id_card_reason(col))])],
    'case when ec_idv_v.ec_reason is null then ec_idv_v.ec_cleaned end') }}
{%- endmacro %}
