-- 行政检查 ZF11: LP, LG and EX inspections (int_zf11__inspection).
{{ config(post_hook=["{{ standard_unique_index() }}", "{{ standard_delete_vanished(ref('int_zf11__inspection')) }}"]) }}

{{ standard_select(ref('int_zf11__inspection')) }}
