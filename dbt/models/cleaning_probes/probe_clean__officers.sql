-- Exists so the zfry parser can be unit-tested: one row per officer listed in the sample.
select s.sample, e.pos, e.item, e.officer_name, e.cert_no
from {{ ref('cleaning_samples') }} s
cross join lateral {{ officer_entries('s.sample') }} e
