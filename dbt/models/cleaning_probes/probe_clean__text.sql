-- Exists so the text macros can be unit-tested; not read by anything.
select
    sample,
    {{ halfwidth('sample') }} as halfwidth,
    {{ clean_text('sample') }} as clean_text,
    {{ map_key('sample') }} as map_key,
    {{ case_no_key('sample') }} as case_no_key,
    {{ region_code('sample') }} as region_code,
    array_to_string({{ split_list('sample') }}, '|') as split_list
from {{ ref('cleaning_samples') }}
