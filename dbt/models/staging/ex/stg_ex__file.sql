-- EX report files: which unit and month each file reports, and whether it still counts
-- (a corrected file for the same unit and month supersedes the earlier one).
select
    file_id,
    file_name,
    {{ normalise_credential('subject_code') }} as subject_code,
    {{ clean_text('report_month') }} as report_month,
    arrived_at,
    status,
    superseded_by,
    status = 'loaded' as counts
from {{ source('ex', 'ex_file') }}
