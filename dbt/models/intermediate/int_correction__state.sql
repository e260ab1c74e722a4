-- How each steward correction met its record in this run: applied, stale (the source changed the
-- field since: not applied, for review) or at_source (the source now holds the new value itself).
-- Read by the quality gate (jiandu/steward/corrections.py), which sets the corrections' status.
-- A correction whose record is gone appears nowhere here.
-- Cost in proportion to the corrections, not the data: the intermediate tables are read through
-- their partial index on corrected rows; the LP registries and publicity (no intermediate table)
-- through the raw rows of the corrected keys only (LP's _source_key is the record_key).
{%- set corrections = source('steward', 'correction') %}
{%- set relations = [('ZF04', 'int_zf04__party'), ('ZF10', 'int_zf10__case'), ('ZF11', 'int_zf11__inspection'),
                     ('ZF12', 'int_zf12__penalty'), ('ZF13', 'int_zf13__coercion'), ('ZF20', 'int_zf20__case_step')] %}
{%- set lp_relations = [('ZF01', 'stg_lp__subject', 'subject'), ('ZF02', 'stg_lp__officer', 'officer'),
                        ('ZF03', 'stg_lp__item', 'item'), ('ZF30', 'stg_lp__publicity', 'publicity')] %}
{%- for dataset, relation, entity in lp_relations %}
{%- set keys = "array(select distinct record_key from " ~ corrections ~ " where dataset = '" ~ dataset ~ "')" %}
select '{{ dataset }}'::text as dataset, r.record_key::text as record_key,
       split_part(s.state, ':', 1)::bigint as correction_id, split_part(s.state, ':', 2) as state,
       now() as judged_at
from (
{%- if entity == 'subject' %}{{ stg_lp__subject_sql(keys=keys) }}
{%- elif entity == 'officer' %}{{ stg_lp__officer_sql(keys=keys) }}
{%- elif entity == 'item' %}{{ stg_lp__item_sql(keys=keys) }}
{%- else %}{{ stg_lp__publicity_sql(keys=keys) }}{% endif %}
) r
cross join lateral unnest(r._correction_states) as s(state)
where r._correction_states is not null
union all
{%- endfor %}
{%- for dataset, relation in relations %}
select '{{ dataset }}'::text as dataset, r.record_key::text as record_key,
       split_part(s.state, ':', 1)::bigint as correction_id, split_part(s.state, ':', 2) as state,
       now() as judged_at
from {{ ref(relation) }} r
cross join lateral unnest(r._correction_states) as s(state)
where r._correction_states is not null
{% if not loop.last %}union all{% endif %}
{%- endfor %}
