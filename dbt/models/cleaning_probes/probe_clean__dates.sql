-- Exists so the date macros can be unit-tested (_cleaning_probes.yml); not read by anything.
-- date_only is computed the way the models do (from the parsed value); date_only_full parses
-- again, and a test on the seed's samples holds the two equal.
with parsed as materialized (
    select
        sample,
        {{ local_datetime('sample') }} as parsed_at,
        {{ local_datetime('sample', excel_serial=true) }} as parsed_at_excel
    from {{ ref('cleaning_samples') }}
)

select
    sample,
    parsed_at,
    {{ date_only('sample', parsed='parsed_at') }} as date_only,
    {{ date_only('sample') }} as date_only_full,
    {{ local_date('sample') }} as parsed_date,
    parsed_at_excel,
    {{ date_only('sample', excel_serial=true, parsed='parsed_at_excel') }} as date_only_excel,
    {{ date_only('sample', excel_serial=true) }} as date_only_excel_full,
    {{ date_present('sample') }} as present
from parsed
