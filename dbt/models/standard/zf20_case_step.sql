-- 办案环节记录 ZF20: LP and LG steps; EX reports have none (int_zf20__case_step).
{{ config(post_hook=["{{ standard_unique_index() }}", "{{ standard_delete_vanished(ref('int_zf20__case_step')) }}"]) }}

{{ standard_select(ref('int_zf20__case_step')) }}
