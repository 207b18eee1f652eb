-- A legacy coordinate pair -> WGS-84. Two steps, each one CTE in the base models:
--   1. coord_lng_raw/coord_lat_raw: numbers, zero or out-of-range pairs -> NULL, swapped
--      pairs put back (the cleaning macro coords_swapped decides);
--   2. coord_to_wgs84: convert by the declared coordinate system (gcj02, bd09, else as is).

{% macro coord_lng_raw(lng, lat) -%}
    case
        when {{ coords_swapped(to_double(lng), to_double(lat)) }} then {{ to_double(lat) }}
        when {{ coords_valid(to_double(lng), to_double(lat)) }} then {{ to_double(lng) }}
    end
{%- endmacro %}

{% macro coord_lat_raw(lng, lat) -%}
    case
        when {{ coords_swapped(to_double(lng), to_double(lat)) }} then {{ to_double(lng) }}
        when {{ coords_valid(to_double(lng), to_double(lat)) }} then {{ to_double(lat) }}
    end
{%- endmacro %}

-- An unlabelled pair (coord_sys NULL or unknown) is taken as GCJ-02, the system of Amap and
-- Tencent maps and of most of the vendor's labelled rows; coord_sys_assumed() flags it, since
-- an unlabelled BD-09 pair cannot be told apart (it lands about 1 km off).
{% macro coord_to_wgs84(lng, lat, coord_sys, part) -%}
    case
        when lower(trim({{ coord_sys }})) = 'wgs84' then {{ lng if part == 'lng' else lat }}
        when lower(trim({{ coord_sys }})) = 'bd09'
            then {{ bd09_to_wgs84_lng(lng, lat) if part == 'lng' else bd09_to_wgs84_lat(lng, lat) }}
        else {{ gcj02_to_wgs84_lng(lng, lat) if part == 'lng' else gcj02_to_wgs84_lat(lng, lat) }}
    end
{%- endmacro %}

{% macro coord_sys_assumed(lng, coord_sys) -%}
    coalesce(
        {{ lng }} is not null
        and coalesce(lower(trim({{ coord_sys }})), '') not in ('wgs84', 'gcj02', 'bd09'),
        false
    )
{%- endmacro %}
