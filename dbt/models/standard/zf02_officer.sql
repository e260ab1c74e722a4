-- 执法人员 ZF02: only from the LP registry (LG's t_ry only translates names).
{{ config(post_hook=["{{ standard_unique_index() }}", "{{ standard_delete_vanished(ref('stg_lp__officer'), lp_entity='officer') }}"]) }}

-- depends_on: {{ ref('int_run__scope') }}
{{ standard_select(ref('stg_lp__officer'), lp_entity='officer') }}
