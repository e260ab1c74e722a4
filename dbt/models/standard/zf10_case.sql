-- 执法案件 ZF10: LP, LG and EX cases after precedence (int_case__precedence).
{{ config(post_hook=["{{ standard_unique_index() }}", "{{ standard_delete_vanished(ref('int_zf10__case')) }}"]) }}

{{ standard_select(ref('int_zf10__case')) }}
