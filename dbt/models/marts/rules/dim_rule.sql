-- The supervision rules (supervision-rules.md) with their Chinese names, for dashboards and for
-- reading warnings. Their thresholds are the bureau's: seed rule_config (and stage_limit for T10).
select rule_id::text as rule_id, rule_name::text as rule_name, category::text as category,
       limit_unit::text as limit_unit, basis::text as basis
  from (values
  {%- for r in rule_catalog() %}
    ('{{ r[0] }}', '{{ r[1] }}', '{{ r[2] }}', {% if r[3] %}'{{ r[3] }}'{% else %}null{% endif %}, '{{ r[4] }}'){% if not loop.last %},{% endif %}
  {%- endfor %}
  ) as r(rule_id, rule_name, category, limit_unit, basis)
