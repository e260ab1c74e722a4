-- How each steward correction met its record in this run: applied, stale (the source changed the
-- field since: not applied, for review) or at_source (the source now holds the new value itself).
-- Read by the quality gate (jiandu/steward/corrections.py), which sets the corrections' status.
-- A correction whose record is gone appears nowhere here.
{%- set relations = [('ZF01', 'stg_lp__subject'), ('ZF02', 'stg_lp__officer'), ('ZF03', 'stg_lp__item'),
                     ('ZF04', 'int_zf04__party'), ('ZF10', 'int_zf10__case'), ('ZF11', 'int_zf11__inspection'),
                     ('ZF12', 'int_zf12__penalty'), ('ZF13', 'int_zf13__coercion'), ('ZF20', 'int_zf20__case_step'),
                     ('ZF30', 'stg_lp__publicity')] %}
{% for dataset, relation in relations %}
select '{{ dataset }}'::text as dataset, r.record_key::text as record_key,
       split_part(s.state, ':', 1)::bigint as correction_id, split_part(s.state, ':', 2) as state,
       now() as judged_at
from {{ ref(relation) }} r
cross join lateral unnest(r._correction_states) as s(state)
where r._correction_states is not null
{% if not loop.last %}union all{% endif %}
{%- endfor %}
