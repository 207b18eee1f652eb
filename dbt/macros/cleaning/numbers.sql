-- Money amounts and measured values written as text. Each public macro lets plain numbers
-- (most rows) take a short way with the same result as its general rule (the *_any macro).

-- '12.5', '12.50元', '￥12', ' 12 ', '1,200.00', full-width digits -> numeric(12,2), rounded half
-- away from zero. Blanks and thousands commas go anywhere; a currency sign (￥ ¥ RMB) only at the
-- start and 元/圆 only at the end ('12元5角' is not an amount). NULL when not a plain number or
-- when it does not fit numeric(12,2) (10 integer digits at most).
{% macro parse_amount(col) -%}
{{ eldercare_plain_or(col, '^[0-9]{1,10}([.][0-9]{1,2})?$',
    'cast(' ~ col ~ ' as numeric(12, 2))', eldercare_parse_amount_any(col)) }}
{%- endmacro %}

{% macro eldercare_parse_amount_any(col) -%}
{%- set text -%}
regexp_replace(regexp_replace(regexp_replace({{ eldercare_halfwidth(col) }},
    '({{ eldercare_blank_class() }}|,|，)+', '', 'g'),
    '^(￥|¥|RMB|rmb)', ''), '(元|圆)$', '')
{%- endset -%}
{%- set body -%}
case
    when {{ eldercare_regex_match('ec_pam_a.ec_s', '^[+-]?([0-9]{1,10}([.][0-9]*)?|[.][0-9]+)$') }}
        then cast(round(cast(ec_pam_a.ec_s as numeric(38, 16)), 2) as numeric(12, 2))
    end
{%- endset -%}
{{ eldercare_let([('ec_pam_a', [('ec_s', text)])], body) }}
{%- endmacro %}

-- A measured value written as a plain number (no unit): the short way of the two macros below.
{% macro eldercare_plain_number() -%}^[0-9]{1,9}([.][0-9]{1,6})?${%- endmacro %}

-- Shared shape of a measured value: a number, then optionally a unit without digits.
{% macro eldercare_measure_text(col) -%}
trim({{ eldercare_halfwidth(col) }})
{%- endmacro %}

-- The number in '120mmHg', '7.2 mmol/L', '98%', '36.5'; NULL when there is no single leading
-- number followed only by a unit (so '120/80' and '1.2.3' are NULL).
{% macro parse_measurement(value_col) -%}
{{ eldercare_plain_or(value_col, eldercare_plain_number(),
    'cast(' ~ value_col ~ ' as ' ~ eldercare_double() ~ ')', eldercare_parse_measurement_any(value_col)) }}
{%- endmacro %}

{% macro eldercare_parse_measurement_any(value_col) -%}
{%- set body -%}
case
    when {{ eldercare_regex_match('ec_pme_a.ec_s', '^[+-]?([0-9]+([.][0-9]+)?|[.][0-9]+)([^0-9.][^0-9]*)?$') }}
        then cast(regexp_replace(ec_pme_a.ec_s, '^([+-]?([0-9]+([.][0-9]+)?|[.][0-9]+)).*$', '\1')
                  as {{ eldercare_double() }})
    end
{%- endset -%}
{{ eldercare_let([('ec_pme_a', [('ec_s', eldercare_measure_text(value_col))])], body) }}
{%- endmacro %}

-- The unit written inside the value ('mmHg', 'mmol/L', '%'), trimmed; NULL when there is none
-- or when parse_measurement cannot read the value.
{% macro measurement_unit_in_value(value_col) -%}
{{ eldercare_plain_or(value_col, eldercare_plain_number(), 'null', eldercare_measurement_unit_any(value_col)) }}
{%- endmacro %}

{% macro eldercare_measurement_unit_any(value_col) -%}
{%- set body -%}
case
    when {{ eldercare_regex_match('ec_pmu_a.ec_s', '^[+-]?([0-9]+([.][0-9]+)?|[.][0-9]+)([^0-9.][^0-9]*)?$') }}
        then nullif(trim(regexp_replace(ec_pmu_a.ec_s, '^[+-]?([0-9]+([.][0-9]+)?|[.][0-9]+)', '')), '')
    end
{%- endset -%}
{{ eldercare_let([('ec_pmu_a', [('ec_s', eldercare_measure_text(value_col))])], body) }}
{%- endmacro %}

-- Blood glucose in mmol/L. `value`: a number or numeric text; `unit`: text (the unit column,
-- or measurement_unit_in_value). Rule: unit mg/dL (any case/blanks, also mg/100ml) -> value /
-- 18.0; unit mmol/L -> value; no unit -> mg/dL when value > 35 (no one lives at 35 mmol/L,
-- while 35 mg/dL is 1.9 mmol/L), else mmol/L; any other unit -> NULL.
{% macro glucose_to_mmol(value, unit) -%}
{%- set body -%}
case
    when ec_glu_a.ec_v is null then null
    when ec_glu_a.ec_u in ('mg/dl', 'mg/100ml', 'mgdl', 'mg%') then ec_glu_a.ec_v / 18.0
    when ec_glu_a.ec_u in ('mmol/l', 'mmol', 'mmoll') then ec_glu_a.ec_v
    when ec_glu_a.ec_u is null or ec_glu_a.ec_u = '' then
        case when ec_glu_a.ec_v > 35 then ec_glu_a.ec_v / 18.0 else ec_glu_a.ec_v end
    end
{%- endset -%}
{{ eldercare_let([('ec_glu_a', [
    ('ec_v', eldercare_to_double(value)),
    ('ec_u', 'lower(' ~ eldercare_strip_blanks(eldercare_halfwidth(unit)) ~ ')'),
])], body) }}
{%- endmacro %}
