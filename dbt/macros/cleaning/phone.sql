-- Telephone numbers (手机 / 固定电话).
-- Rules (docs/cleaning-rules.md): separators, blanks and full-width digits go; a +86 / 0086
-- (or bare 86 before a mobile) country prefix goes; what is left must be
--   * a mobile: 1[3-9] + 9 digits                      -> '13812345678'
--   * a landline with area code: 010 / 02X + 8 digits,
--     or 0[3-9]XX + 7-8 digits                         -> '0759-2345678'
--   * a landline without area code: 7-8 digits [2-9]... -> local area code (var
--     eldercare_local_area_code, default '0759') + '-' + number
-- anything else is NULL.

-- Digits only, country prefix removed; after '+86' a landline loses its leading 0, so it is put
-- back. NULL when anything but digits remains.
{% macro eldercare_phone_digits(col) -%}
{%- set text -%}
regexp_replace({{ eldercare_halfwidth(col) }}, '({{ eldercare_blank_class() }}|[-()（）—_.])+', '', 'g')
{%- endset -%}
{%- set body -%}
case
    when {{ eldercare_regex_match('ec_phd_a.ec_s', '^([+]|00)86[0-9]+$') }} then case
        when {{ eldercare_regex_match('ec_phd_a.ec_s', '^([+]|00)86[2-9]') }}
            then '0' || regexp_replace(ec_phd_a.ec_s, '^([+]|00)86', '')
        else regexp_replace(ec_phd_a.ec_s, '^([+]|00)86', '')
        end
    when {{ eldercare_regex_match('ec_phd_a.ec_s', '^861[3-9][0-9]{9}$') }} then substr(ec_phd_a.ec_s, 3)
    when {{ eldercare_regex_match('ec_phd_a.ec_s', '^[0-9]+$') }} then ec_phd_a.ec_s
    end
{%- endset -%}
{{ eldercare_let([('ec_phd_a', [('ec_s', text)])], body) }}
{%- endmacro %}

{% macro normalize_phone(col) -%}
{{ eldercare_plain_or(col, '^1[3-9][0-9]{9}$', col, eldercare_normalize_phone_any(col)) }}
{%- endmacro %}

-- The general rule; normalize_phone takes a short way for a mobile number written plainly.
{% macro eldercare_normalize_phone_any(col) -%}
{%- set body -%}
case
    when {{ eldercare_regex_match('ec_php_d.ec_d', '^1[3-9][0-9]{9}$') }} then ec_php_d.ec_d
    when {{ eldercare_regex_match('ec_php_d.ec_d', '^0(10|2[0-9])[2-9][0-9]{7}$') }}
        then substr(ec_php_d.ec_d, 1, 3) || '-' || substr(ec_php_d.ec_d, 4)
    when {{ eldercare_regex_match('ec_php_d.ec_d', '^0[3-9][0-9]{2}[2-9][0-9]{6,7}$') }}
        then substr(ec_php_d.ec_d, 1, 4) || '-' || substr(ec_php_d.ec_d, 5)
    when {{ eldercare_regex_match('ec_php_d.ec_d', '^[2-9][0-9]{6,7}$') }}
        then '{{ var("eldercare_local_area_code", "0759") }}-' || ec_php_d.ec_d
    end
{%- endset -%}
{{ eldercare_let([('ec_php_d', [('ec_d', eldercare_phone_digits(col))])], body) }}
{%- endmacro %}

-- 'mobile', 'landline', or NULL when normalize_phone gives NULL.
{% macro phone_kind(col) -%}
{%- set body -%}
case
    when ec_phk_n.ec_p is null then null
    when {{ eldercare_regex_match('ec_phk_n.ec_p', '-') }} then 'landline'
    else 'mobile'
    end
{%- endset -%}
{{ eldercare_let([('ec_phk_n', [('ec_p', normalize_phone(col))])], body) }}
{%- endmacro %}
