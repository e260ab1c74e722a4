{#- date_only_fields / presumed_fields: the names of the fields whose condition holds, as text[]
    (empty, never NULL). `conditions` is a list of [field_name, boolean SQL expression]. -#}
{% macro fields_where(conditions) -%}
array_remove(array[
  {%- for field, condition in conditions %}
    case when coalesce({{ condition }}, false) then '{{ field }}' end{% if not loop.last %},{% endif %}
  {%- endfor %}
  {%- if not conditions %}null::text{% endif %}
]::text[], null)
{%- endmacro %}
