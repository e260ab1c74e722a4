-- 行政强制 ZF13: LP, LG and EX coercive measures (int_zf13__coercion).
{{ config(post_hook=["{{ standard_unique_index() }}", "{{ standard_delete_vanished(ref('int_zf13__coercion')) }}"]) }}

{{ standard_select(ref('int_zf13__coercion')) }}
