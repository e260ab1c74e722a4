-- 执法主体 ZF01: only from the LP registry (legacy/README.md: LG's t_jg only translates ids).
{{ config(post_hook=["{{ standard_unique_index() }}", "{{ standard_delete_vanished(ref('stg_lp__subject'), lp_entity='subject') }}"]) }}

-- depends_on: {{ ref('int_run__scope') }}
{{ standard_select(ref('stg_lp__subject'), lp_entity='subject') }}
