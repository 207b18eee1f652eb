-- Area codes: the vendor mixes GB/T 2260 codes (6 digits county, 9 digits town) with 12-digit
-- statistical codes (county + '000000', town + '000', or a community) and sometimes writes a
-- name instead of a code.

-- Digits of a code (6, 9 or 12) -> the shortest code naming the same division.
{% macro area_gb_code(digits) -%}
    case
        when length({{ digits }}) = 12 and substr({{ digits }}, 7, 6) = '000000'
            then substr({{ digits }}, 1, 6)
        when length({{ digits }}) = 12 and substr({{ digits }}, 10, 3) = '000'
            then substr({{ digits }}, 1, 9)
        else {{ digits }}
    end
{%- endmacro %}

-- Any raw area value (code in any form, or a name) -> GB code via base_legacy__area_lookup;
-- NULL when unknown or when a name is ambiguous.
{% macro resolve_area_code(col) -%}
    (
        select a.gb_code
        from {{ ref('base_legacy__area_lookup') }} as a
        where a.lookup_value = coalesce(
            {{ area_gb_code(area_code_digits(col)) }}, {{ blank_to_null(col) }}
        )
    )
{%- endmacro %}
