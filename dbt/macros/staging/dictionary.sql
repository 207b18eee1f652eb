-- Every legacy column decoded through a dictionary: (table, column, dict_type). The same pairs
-- as the dict_code(...) calls of the base models (tests/dbt/test_dictionary_gaps.py keeps the
-- two lists equal); audit.dictionary_gaps counts what none of the dictionaries could decode.
{% macro dictionary_columns() -%}
    {{ return([
        ('yl_alarm', 'alarm_type', 'yl_alarm_type'),
        ('yl_call_record', 'call_direction', 'yl_call_direction'),
        ('yl_call_record', 'call_type', 'yl_call_type'),
        ('yl_complaint', 'channel', 'yl_complaint_channel'),
        ('yl_complaint', 'category', 'yl_complaint_category'),
        ('yl_complaint', 'status', 'yl_complaint_status'),
        ('yl_device', 'device_type', 'yl_device_type'),
        ('yl_device', 'status', 'yl_device_status'),
        ('yl_elder', 'sex', 'sys_user_sex'),
        ('yl_elder', 'living_type', 'yl_living_type'),
        ('yl_elder', 'economic_type', 'yl_economic_type'),
        ('yl_elder', 'ability_level', 'yl_ability_level'),
        ('yl_family_bed', 'bed_status', 'yl_fbed_status'),
        ('yl_inspection', 'source', 'yl_inspection_source'),
        ('yl_inspection', 'result', 'yl_inspection_result'),
        ('yl_org', 'org_type', 'yl_org_type'),
        ('yl_org', 'ownership', 'yl_ownership'),
        ('yl_org_bed', 'bed_type', 'yl_bed_type'),
        ('yl_org_bed', 'bed_status', 'yl_bed_status'),
        ('yl_org_resident', 'care_level', 'yl_care_level'),
        ('yl_return_visit', 'visit_way', 'yl_visit_way'),
        ('yl_return_visit', 'visit_result', 'yl_visit_result'),
        ('yl_service_item', 'charge_mode', 'yl_charge_mode'),
        ('yl_staff', 'post', 'yl_staff_post'),
        ('yl_work_order', 'source', 'yl_order_source'),
        ('yl_work_order', 'order_status', 'yl_order_status'),
    ]) }}
{%- endmacro %}
