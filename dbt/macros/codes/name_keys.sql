-- The name half of an organisation's match key: the cleaned name (staging's clean_org_name)
-- without any spaces, lower case. See docs/unified-codes.md.
{% macro org_name_key(name_expr) -%}
    lower(replace(replace({{ name_expr }}, ' ', ''), '　', ''))
{%- endmacro %}

-- The name half of a person's identity (elders, staff): the name without any spaces
-- (half- or full-width). Two people under one ID number (重号) stay apart by it.
{% macro person_name_key(name_expr) -%}
    replace(replace(trim({{ name_expr }}), ' ', ''), '　', '')
{%- endmacro %}
