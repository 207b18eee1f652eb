-- Organisation codes, names and division codes.

-- Unified social credit code (统一社会信用代码, GB 32100-2015): blanks and '-' removed,
-- full-width -> half-width, upper case; NULL unless 18 characters of the code alphabet
-- (digits and capital letters except I, O, S, V, Z).
{% macro clean_credit_code(col) -%}
{%- set text -%}
upper(regexp_replace({{ eldercare_halfwidth(col) }}, '({{ eldercare_blank_class() }}|-)+', '', 'g'))
{%- endset -%}
{%- set body -%}
case when {{ eldercare_regex_match('ec_ccc_a.ec_s', '^[0-9A-HJ-NP-RTUW-Y]{18}$') }} then ec_ccc_a.ec_s end
{%- endset -%}
{{ eldercare_let([('ec_ccc_a', [('ec_s', text)])], body) }}
{%- endmacro %}

-- The check character of an 18-character code (weights 3^(i-1) mod 31, check = 31 - sum mod 31).
{% macro eldercare_credit_check_char(v) -%}
{%- set alphabet = '0123456789ABCDEFGHJKLMNPQRTUWXY' -%}
{%- set weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] -%}
substr('{{ alphabet }}', (31 - (
{%- for w in weights %}{% if not loop.first %} + {% endif %}(strpos('{{ alphabet }}', substr({{ v }}, {{ loop.index }}, 1)) - 1) * {{ w }}{% endfor -%}
) % 31) % 31 + 1, 1)
{%- endmacro %}

-- NULL when valid, else credit_code_missing, credit_code_bad_format (length, alphabet, or the
-- 6-digit division code in positions 3-8), credit_code_bad_check_char.
{% macro credit_code_reason(col) -%}
{%- set body -%}
case
    when coalesce({{ eldercare_strip_blanks(eldercare_halfwidth(col)) }}, '') = '' then 'credit_code_missing'
    when ec_ccr_a.ec_v is null or not {{ eldercare_regex_match('substr(ec_ccr_a.ec_v, 3, 6)', '^[0-9]{6}$') }}
        then 'credit_code_bad_format'
    when substr(ec_ccr_a.ec_v, 18, 1) <> {{ eldercare_credit_check_char('ec_ccr_a.ec_v') }}
        then 'credit_code_bad_check_char'
    end
{%- endset -%}
{{ eldercare_let([('ec_ccr_a', [('ec_v', clean_credit_code(col))])], body) }}
{%- endmacro %}

{% macro credit_code_ok(col) -%}
({{ credit_code_reason(col) }} is null)
{%- endmacro %}

-- Organisation names: canonical brackets are the full-width （） of official Chinese names;
-- full-width letters/digits -> half-width; blanks (also U+3000) collapsed to one space, and none
-- next to a bracket; trimmed; empty -> NULL.
{% macro clean_org_name(col) -%}
nullif(trim(regexp_replace(regexp_replace(
    replace(replace({{ eldercare_halfwidth(col) }}, '(', '（'), ')', '）'),
    '{{ eldercare_blank_class() }}+', ' ', 'g'),
    ' ?([（）]) ?', '\1', 'g')), '')
{%- endmacro %}

-- Division codes (GB/T 2260 + statistical codes): blanks removed, full-width digits made
-- half-width; the 6-, 9- or 12-digit code, else NULL (a name is not a code: staging looks names
-- up in the division table).
{% macro area_code_digits(col) -%}
{%- set body -%}
case
    when {{ eldercare_regex_match('ec_acd_a.ec_s', '^([0-9]{6}|[0-9]{9}|[0-9]{12})$') }} then ec_acd_a.ec_s
    end
{%- endset -%}
{{ eldercare_let([('ec_acd_a', [('ec_s', eldercare_strip_blanks(eldercare_halfwidth(col)))])], body) }}
{%- endmacro %}

-- County-level code (first 6 digits) of a 6/9/12-digit code.
{% macro area_county_code(col) -%}
substr({{ area_code_digits(col) }}, 1, 6)
{%- endmacro %}

-- Town-level code (first 9 digits) of a 9/12-digit code whose town part is not 000; else NULL.
{% macro area_town_code(col) -%}
{%- set body -%}
case
    when length(ec_atc_a.ec_d) >= 9 and substr(ec_atc_a.ec_d, 7, 3) <> '000' then substr(ec_atc_a.ec_d, 1, 9)
    end
{%- endset -%}
{{ eldercare_let([('ec_atc_a', [('ec_d', area_code_digits(col))])], body) }}
{%- endmacro %}
