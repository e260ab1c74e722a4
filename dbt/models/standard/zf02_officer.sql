-- 执法人员 ZF02: only from the LP registry (LG's t_ry only translates names).
{{ config(post_hook=["{{ standard_unique_index() }}", "{{ standard_delete_vanished(ref('stg_lp__officer')) }}"]) }}

{{ standard_select(ref('stg_lp__officer')) }}
