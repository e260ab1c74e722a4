-- 执法事项 ZF03: only from the LP registry.
{{ config(post_hook=["{{ standard_unique_index() }}", "{{ standard_delete_vanished(ref('stg_lp__item'), lp_entity='item') }}"]) }}

-- depends_on: {{ ref('int_run__scope') }}
{{ standard_select(ref('stg_lp__item'), lp_entity='item') }}
