-- What the LG and EX connectors need beyond 002_raw.sql.

-- Notes a connector attaches to a raw row it did load, for a data steward: a double-encoded text it
-- repaired (with the original), an ID number Excel had turned into a float (left empty). A list of
-- {"field", "kind", "message", "original"}; null when there is nothing to say. Not part of the
-- content hash: the note explains how the content was read, it is not content.
alter table raw.lg_t_jg     add column if not exists _notes jsonb;
alter table raw.lg_t_ry     add column if not exists _notes jsonb;
alter table raw.lg_t_ajxx   add column if not exists _notes jsonb;
alter table raw.lg_t_ajlc   add column if not exists _notes jsonb;
alter table raw.lg_t_qzcs   add column if not exists _notes jsonb;
alter table raw.ex_case_row add column if not exists _notes jsonb;

-- How an EX file was read, so a steward can see why its unit and month are what they are.
alter table raw.ex_file add column if not exists file_format  text;   -- csv | xlsx
alter table raw.ex_file add column if not exists encoding     text;   -- csv only: utf-8, utf-8-sig, gb18030
alter table raw.ex_file add column if not exists sheet_name   text;   -- xlsx only
alter table raw.ex_file add column if not exists header_row   int;    -- line or sheet row of the header
alter table raw.ex_file add column if not exists unit_from    text;   -- file_name | column
alter table raw.ex_file add column if not exists month_from   text;   -- file_name | title | file_name_month

-- Every readable row of every EX file, as read (raw.ex_case_row holds only the case versions that
-- became current). A corrected file that drops a case needs to know which other file of the unit
-- still holds it, and with what content: that is read here. Written only by the EX connector, in
-- the same transaction as its raw.ex_file row; no foreign keys, whose per-row checks doubled the
-- cost of writing it.
create table if not exists raw.ex_file_row (
    _file_id        bigint not null,         -- raw.ex_file
    _row_no         int not null,            -- the file's line, or the sheet's row, counting from 1
    _batch_id       bigint not null,         -- ops.load_batch
    _source_key     text not null,           -- EX:<subject_code>:<案件编号>
    _content_hash   text not null,
    _notes          jsonb,
    seq_no text, subject_name text, subject_code text, case_type text, case_no text, item_code text,
    party_name text, party_type text, credential_type text, credential_no text, source_channel text,
    registered_date text, decision_no text, decision_date text, penalty_kinds text, fine_amount text,
    coercion_measure text, coercion_term text, inspection_result text, closed_date text,
    case_status text, officer_cert_nos text
);
-- A file's rows are written together and never updated: a BRIN index finds them at almost no
-- cost to the load; (_file_id, _row_no) is unique by construction.
create index if not exists ex_file_row_file on raw.ex_file_row using brin (_file_id);
create index if not exists ex_file_row_key on raw.ex_file_row (_source_key);
create index if not exists ex_file_unit_month on raw.ex_file (subject_code, report_month) where status = 'loaded';

-- For stewards: every note the connectors attached to loaded rows, newest first. Resident ID
-- numbers in the original text are masked as in quality.rejected_input.
create or replace view quality.connector_note as
with notes as (
    select 'LG' as source, 'lg_t_jg' as raw_table, _raw_id, _batch_id, _source_key, _extracted_at, _notes from raw.lg_t_jg where _notes is not null
    union all select 'LG', 'lg_t_ry', _raw_id, _batch_id, _source_key, _extracted_at, _notes from raw.lg_t_ry where _notes is not null
    union all select 'LG', 'lg_t_ajxx', _raw_id, _batch_id, _source_key, _extracted_at, _notes from raw.lg_t_ajxx where _notes is not null
    union all select 'LG', 'lg_t_ajlc', _raw_id, _batch_id, _source_key, _extracted_at, _notes from raw.lg_t_ajlc where _notes is not null
    union all select 'LG', 'lg_t_qzcs', _raw_id, _batch_id, _source_key, _extracted_at, _notes from raw.lg_t_qzcs where _notes is not null
    union all select 'EX', 'ex_case_row', _raw_id, _batch_id, _source_key, _extracted_at, _notes from raw.ex_case_row where _notes is not null
)
select n.source, n.raw_table, n._raw_id as raw_id, n._batch_id as batch_id, n._source_key as record_key,
       e->>'field' as field, e->>'kind' as kind, e->>'message' as message,
       regexp_replace(e->>'original', '(?<![0-9A-Za-z])([0-9]{6})[0-9]{8}([0-9]{3}[0-9Xx])(?![0-9A-Za-z])',
                      '\1********\2', 'g') as original_masked,
       n._extracted_at as noted_at
from notes n cross join lateral jsonb_array_elements(n._notes) e;
