-- 执法公示 ZF30: only LP publishes.
{{ config(post_hook=["{{ standard_unique_index() }}", "{{ standard_delete_vanished(ref('stg_lp__publicity'), lp_entity='publicity') }}"]) }}

-- depends_on: {{ ref('int_run__scope') }}
{{ standard_select(ref('stg_lp__publicity'), lp_entity='publicity') }}
