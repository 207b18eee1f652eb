-- Generic data test: the combination of these columns is unique (the grain of a model).
{% test unique_key_columns(model, columns) %}
    select {{ columns | join(', ') }}, count(*) as rows_per_key
    from {{ model }}
    group by {{ columns | join(', ') }}
    having count(*) > 1
{% endtest %}
