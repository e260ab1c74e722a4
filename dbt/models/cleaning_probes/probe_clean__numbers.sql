-- Exists so the amount, term and Chinese-numeral macros can be unit-tested; not read by anything.
select
    sample,
    {{ parse_amount('sample') }} as amount,
    {{ parse_term_days('sample') }} as term_days,
    {{ chinese_integer('sample') }} as chinese_number
from {{ ref('cleaning_samples') }}
