-- A legacy coordinate pair -> WGS-84. Two steps, each one CTE in the base models:
--   1. coord_lng_raw/coord_lat_raw: numbers, zero or out-of-range pairs -> NULL, swapped
--      pairs put back (the cleaning macro coords_swapped decides);
--   2. coord_to_wgs84: convert by the declared coordinate system (gcj02, bd09, else as is);
--      its arguments are the numbers of step 1.

{% macro coord_lng_raw(lng, lat) -%}
{{ eldercare_coord_raw(lng, lat, 'lng') }}
{%- endmacro %}

{% macro coord_lat_raw(lng, lat) -%}
{{ eldercare_coord_raw(lng, lat, 'lat') }}
{%- endmacro %}

-- The numbers are read once, then judged by the cleaning macros coords_swapped / coords_valid.
{% macro eldercare_coord_raw(lng, lat, part) -%}
{%- set x, y = 'ec_crw_a.ec_x', 'ec_crw_a.ec_y' -%}
{%- set body -%}
case
    when {{ coords_swapped(x, y, numbers=true) }} then {{ y if part == 'lng' else x }}
    when {{ coords_valid(x, y, numbers=true) }} then {{ x if part == 'lng' else y }}
end
{%- endset -%}
{{ eldercare_let([('ec_crw_a', [('ec_x', to_double(lng)), ('ec_y', to_double(lat))])], body) }}
{%- endmacro %}

-- An unlabelled pair (coord_sys NULL or unknown) is taken as GCJ-02, the system of Amap and
-- Tencent maps and of most of the vendor's labelled rows; coord_sys_assumed() flags it, since
-- an unlabelled BD-09 pair cannot be told apart (it lands about 1 km off).
{% macro coord_to_wgs84(lng, lat, coord_sys, part) -%}
    case
        when lower(trim({{ coord_sys }})) = 'wgs84' then {{ lng if part == 'lng' else lat }}
        when lower(trim({{ coord_sys }})) = 'bd09'
            then {{ bd09_to_wgs84_lng(lng, lat, numbers=true) if part == 'lng' else bd09_to_wgs84_lat(lng, lat, numbers=true) }}
        else {{ gcj02_to_wgs84_lng(lng, lat, numbers=true) if part == 'lng' else gcj02_to_wgs84_lat(lng, lat, numbers=true) }}
    end
{%- endmacro %}

{% macro coord_sys_assumed(lng, coord_sys) -%}
    coalesce(
        {{ lng }} is not null
        and coalesce(lower(trim({{ coord_sys }})), '') not in ('wgs84', 'gcj02', 'bd09'),
        false
    )
{%- endmacro %}
