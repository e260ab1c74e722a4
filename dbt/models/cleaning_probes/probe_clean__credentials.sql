-- Exists so the credential macros can be unit-tested; tests/dbt/test_check_characters.py checks
-- the check-character macros against jiandu.standard on many generated values.
with normalised as (
    select sample, {{ normalise_credential('sample') }} as normalised
    from {{ ref('cleaning_samples') }}
)

select
    sample,
    normalised,
    {{ resident_id_valid('normalised') }} as resident_id_valid,
    {{ uscc_valid('normalised') }} as uscc_valid,
    {{ infer_credential_type('normalised') }} as inferred_type,
    {{ party_id(infer_credential_type('normalised'), 'normalised') }} as party_id
from normalised
