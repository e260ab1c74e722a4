-- 行政相对人 ZF04: LP's parties and those named by LG and EX cases (int_zf04__party).
{{ config(post_hook=["{{ standard_unique_index() }}", "{{ standard_delete_vanished(ref('int_zf04__party')) }}"]) }}

{{ standard_select(ref('int_zf04__party')) }}
