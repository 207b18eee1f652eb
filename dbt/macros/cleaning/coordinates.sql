-- Chinese map coordinates -> WGS-84.
-- GCJ-02 (Amap/Tencent, "火星坐标") is WGS-84 plus a published offset function of the position
-- (the eviltransform / coordTransform formulas, Krasovsky ellipsoid). Its inverse has no closed
-- form: we take the usual one-step estimate w1 = g - offset(g) and refine it once,
-- w2 = g - offset(w1). One step errs by up to ~4.6 m over China, the refined step by < 3 cm.
-- BD-09 (Baidu) is GCJ-02 with a further rotation/shift, inverted by the standard formula.
-- Inputs: numbers or numeric text. Anything outside China's box (lng 73..136, lat 3..54),
-- zero, NULL or unreadable gives NULL; swapped pairs are NULL too (see coords_swapped).

{% macro eldercare_gcj_dlat_m(x, y) -%}
(-100.0 + 2.0 * {{ x }} + 3.0 * {{ y }} + 0.2 * {{ y }} * {{ y }} + 0.1 * {{ x }} * {{ y }}
 + 0.2 * sqrt(abs({{ x }}))
 + (20.0 * sin(6.0 * {{ x }} * pi()) + 20.0 * sin(2.0 * {{ x }} * pi())) * 2.0 / 3.0
 + (20.0 * sin({{ y }} * pi()) + 40.0 * sin({{ y }} / 3.0 * pi())) * 2.0 / 3.0
 + (160.0 * sin({{ y }} / 12.0 * pi()) + 320.0 * sin({{ y }} * pi() / 30.0)) * 2.0 / 3.0)
{%- endmacro %}

{% macro eldercare_gcj_dlng_m(x, y) -%}
(300.0 + {{ x }} + 2.0 * {{ y }} + 0.1 * {{ x }} * {{ x }} + 0.1 * {{ x }} * {{ y }}
 + 0.1 * sqrt(abs({{ x }}))
 + (20.0 * sin(6.0 * {{ x }} * pi()) + 20.0 * sin(2.0 * {{ x }} * pi())) * 2.0 / 3.0
 + (20.0 * sin({{ x }} * pi()) + 40.0 * sin({{ x }} / 3.0 * pi())) * 2.0 / 3.0
 + (150.0 * sin({{ x }} / 12.0 * pi()) + 300.0 * sin({{ x }} / 30.0 * pi())) * 2.0 / 3.0)
{%- endmacro %}

-- GCJ-02 offset in degrees at WGS-84 point (lng, lat): which = 'lng' or 'lat'.
{% macro eldercare_gcj_offset(lng, lat, which) -%}
{%- set x = '(' ~ lng ~ ' - 105.0)' -%}
{%- set y = '(' ~ lat ~ ' - 35.0)' -%}
{%- set magic = '(1 - 0.00669342162296594323 * sin(' ~ lat ~ ' / 180.0 * pi()) * sin(' ~ lat ~ ' / 180.0 * pi()))' -%}
{%- if which == 'lat' -%}
({{ eldercare_gcj_dlat_m(x, y) }} * 180.0 / ((6378245.0 * (1 - 0.00669342162296594323)) / ({{ magic }} * sqrt({{ magic }})) * pi()))
{%- else -%}
({{ eldercare_gcj_dlng_m(x, y) }} * 180.0 / (6378245.0 / sqrt({{ magic }}) * cos({{ lat }} / 180.0 * pi()) * pi()))
{%- endif -%}
{%- endmacro %}

-- True when both numbers are present and inside China's box (so not zero).
{% macro eldercare_in_china(lng, lat) -%}
(coalesce({{ lng }} between 73 and 136 and {{ lat }} between 3 and 54, false))
{%- endmacro %}

-- True when the pair (numbers, or numeric text unless numbers=true) lies in China's box.
{% macro coords_valid(lng, lat, numbers=false) -%}
{{ eldercare_coord_test(lng, lat, numbers, swapped=false) }}
{%- endmacro %}

-- True when the pair only makes sense the other way round (lng in the latitude range and lat in
-- the longitude range); false otherwise, also for NULL or zero.
{% macro coords_swapped(lng, lat, numbers=false) -%}
{{ eldercare_coord_test(lng, lat, numbers, swapped=true) }}
{%- endmacro %}

{% macro eldercare_coord_test(lng, lat, numbers, swapped) -%}
{%- set x, y = eldercare_coord_inputs(lng, lat, numbers) -%}
{%- if numbers -%}
{{ eldercare_in_china(y, x) if swapped else eldercare_in_china(x, y) }}
{%- else -%}
{{ eldercare_let([('ec_cvt_a', [('ec_lng', x), ('ec_lat', y)])],
    eldercare_in_china('ec_cvt_a.ec_lat', 'ec_cvt_a.ec_lng') if swapped
    else eldercare_in_china('ec_cvt_a.ec_lng', 'ec_cvt_a.ec_lat')) }}
{%- endif -%}
{%- endmacro %}

-- GCJ-02 -> WGS-84, one coordinate (which = 'lng' or 'lat'), from double expressions.
{% macro eldercare_gcj_to_wgs(glng, glat, which, tag) -%}
{%- set g = 'ec_' ~ tag ~ '_g' -%}
{%- set w = 'ec_' ~ tag ~ '_w' -%}
{%- set body -%}
case when {{ eldercare_in_china(w ~ '.ec_glng', w ~ '.ec_glat') }} then
    {{ w }}.ec_g{{ which }} - {{ eldercare_gcj_offset(w ~ '.ec_w1lng', w ~ '.ec_w1lat', which) }}
    end
{%- endset -%}
{{ eldercare_let([
    (g, [('ec_glng', glng), ('ec_glat', glat)]),
    (w, [
        ('ec_glng', g ~ '.ec_glng'),
        ('ec_glat', g ~ '.ec_glat'),
        ('ec_w1lng', g ~ '.ec_glng - ' ~ eldercare_gcj_offset(g ~ '.ec_glng', g ~ '.ec_glat', 'lng')),
        ('ec_w1lat', g ~ '.ec_glat - ' ~ eldercare_gcj_offset(g ~ '.ec_glng', g ~ '.ec_glat', 'lat')),
    ]),
], body) }}
{%- endmacro %}

-- The conversions take numbers or numeric text; numbers=true says the arguments are already
-- double precision (as staging's coord_lng_raw/coord_lat_raw give), which saves reading them.
{% macro eldercare_coord_inputs(lng, lat, numbers) -%}
{%- if numbers -%}{{ return((lng, lat)) }}
{%- else -%}{{ return((eldercare_to_double(lng), eldercare_to_double(lat))) }}{%- endif -%}
{%- endmacro %}

{% macro gcj02_to_wgs84_lng(lng, lat, numbers=false) -%}
{%- set x, y = eldercare_coord_inputs(lng, lat, numbers) -%}
{{ eldercare_gcj_to_wgs(x, y, 'lng', 'gwl') }}
{%- endmacro %}

{% macro gcj02_to_wgs84_lat(lng, lat, numbers=false) -%}
{%- set x, y = eldercare_coord_inputs(lng, lat, numbers) -%}
{{ eldercare_gcj_to_wgs(x, y, 'lat', 'gwa') }}
{%- endmacro %}

-- BD-09 -> GCJ-02 (standard inverse of Baidu's shift), one coordinate.
{% macro eldercare_bd_to_gcj(lng, lat, which, tag) -%}
{%- set xpi = '(pi() * 3000.0 / 180.0)' -%}
{%- set b = 'ec_' ~ tag ~ '_b' -%}
{%- set body -%}
case when {{ eldercare_in_china(b ~ '.ec_x', b ~ '.ec_y') }} then
    (sqrt({{ b }}.ec_x * {{ b }}.ec_x + {{ b }}.ec_y * {{ b }}.ec_y)
     - 0.00002 * sin({{ b }}.ec_y * {{ xpi }}))
    * {{ 'cos' if which == 'lng' else 'sin' }}(atan2({{ b }}.ec_y, {{ b }}.ec_x)
     - 0.000003 * cos({{ b }}.ec_x * {{ xpi }}))
    end
{%- endset -%}
{{ eldercare_let([(b, [('ec_x', lng ~ ' - 0.0065'), ('ec_y', lat ~ ' - 0.006')])], body) }}
{%- endmacro %}

{% macro bd09_to_wgs84_lng(lng, lat, numbers=false) -%}
{%- set x, y = eldercare_coord_inputs(lng, lat, numbers) -%}
{{ eldercare_let([
    ('ec_bwl_i', [('ec_lng', x), ('ec_lat', y)]),
    ('ec_bwl_c', [
        ('ec_lng', eldercare_bd_to_gcj('ec_bwl_i.ec_lng', 'ec_bwl_i.ec_lat', 'lng', 'bwlx')),
        ('ec_lat', eldercare_bd_to_gcj('ec_bwl_i.ec_lng', 'ec_bwl_i.ec_lat', 'lat', 'bwly')),
    ]),
], eldercare_gcj_to_wgs('ec_bwl_c.ec_lng', 'ec_bwl_c.ec_lat', 'lng', 'bwlg')) }}
{%- endmacro %}

{% macro bd09_to_wgs84_lat(lng, lat, numbers=false) -%}
{%- set x, y = eldercare_coord_inputs(lng, lat, numbers) -%}
{{ eldercare_let([
    ('ec_bwa_i', [('ec_lng', x), ('ec_lat', y)]),
    ('ec_bwa_c', [
        ('ec_lng', eldercare_bd_to_gcj('ec_bwa_i.ec_lng', 'ec_bwa_i.ec_lat', 'lng', 'bwax')),
        ('ec_lat', eldercare_bd_to_gcj('ec_bwa_i.ec_lng', 'ec_bwa_i.ec_lat', 'lat', 'bway')),
    ]),
], eldercare_gcj_to_wgs('ec_bwa_c.ec_lng', 'ec_bwa_c.ec_lat', 'lat', 'bwag')) }}
{%- endmacro %}
