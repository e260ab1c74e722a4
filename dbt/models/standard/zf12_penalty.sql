-- 行政处罚 ZF12: LP, LG and EX penalties (int_zf12__penalty).
{{ config(post_hook=["{{ standard_unique_index() }}", "{{ standard_delete_vanished(ref('int_zf12__penalty')) }}"]) }}

{{ standard_select(ref('int_zf12__penalty')) }}
