-- Which LG case each current step (t_ajlc) and measure (t_qzcs) belongs to, by the case's key
-- (case_no_key): the incremental runs find a recomputed case's steps and measures here, through
-- an index, instead of reading every raw row. A step that arrived before its case is listed too.
{{ config(materialized='incremental', incremental_strategy='scoped', unique_key='record_key', scope='pending',
          post_hook=["{{ int_indexes(['record_key'], extra=['case_no_key']) }}"]) }}
-- depends_on: {{ ref('int_run__scope') }}
{%- set steps = current_rows(source('lg', 'lg_t_ajlc'), keys=scope_keys('LGS#') if is_incremental() else none) %}
{%- set measures = current_rows(source('lg', 'lg_t_qzcs'), keys=scope_keys('LGQ#') if is_incremental() else none) %}
select 'LGS#' || _source_key as record_key, _source_key, {{ case_no_key('ajbh') }} as case_no_key,
       'LGS#' || _source_key as _scope, {{ int_run_id() }} as _run_id
from ({{ steps }}) s
union all
select 'LGQ#' || _source_key, _source_key, {{ case_no_key('ajbh') }}, 'LGQ#' || _source_key, {{ int_run_id() }}
from ({{ measures }}) m
