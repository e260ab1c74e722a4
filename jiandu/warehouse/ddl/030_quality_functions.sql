-- SQL twins of jiandu/standard.py's check rules and masks, so the quality gate judges and masks
-- inside PostgreSQL (tests/quality/test_sql_functions.py compares them with python-stdnum and
-- jiandu.standard on thousands of generated values). Each is one SQL expression, IMMUTABLE and
-- PARALLEL SAFE, so the planner inlines it into the scan instead of calling a function per row.

-- GB 11643-1999, ISO 7064 MOD 11-2: weights 2^(17-i) mod 11, remainder -> '10X98765432'.
create or replace function quality.resident_id_check_char(first17 text) returns text
language sql immutable parallel safe strict as $$
  select substr('10X98765432', ((
      substr(first17, 1, 1)::int * 7 + substr(first17, 2, 1)::int * 9 + substr(first17, 3, 1)::int * 10
    + substr(first17, 4, 1)::int * 5 + substr(first17, 5, 1)::int * 8 + substr(first17, 6, 1)::int * 4
    + substr(first17, 7, 1)::int * 2 + substr(first17, 8, 1)::int * 1 + substr(first17, 9, 1)::int * 6
    + substr(first17, 10, 1)::int * 3 + substr(first17, 11, 1)::int * 7 + substr(first17, 12, 1)::int * 9
    + substr(first17, 13, 1)::int * 10 + substr(first17, 14, 1)::int * 5 + substr(first17, 15, 1)::int * 8
    + substr(first17, 16, 1)::int * 4 + substr(first17, 17, 1)::int * 2) % 11) + 1, 1)
$$;

-- A real calendar date from YYYY, MM, DD digits, without raising (make_date would) on 0231.
create or replace function quality.is_real_date(y int, m int, d int) returns boolean
language sql immutable parallel safe strict as $$
  select y between 1 and 9999 and m between 1 and 12 and d >= 1 and d <= case
      when m = 2 then case when (y % 4 = 0 and y % 100 <> 0) or y % 400 = 0 then 29 else 28 end
      when m in (4, 6, 9, 11) then 30 else 31 end
$$;

-- rules.resident_id: 18 characters, [0-9]{17}[0-9X], a real birth date, the check character.
-- Not whether the region code existed on the birth date (stdnum's ric.validate asks that too and
-- so rejects genuine old numbers: that is the warning RESIDENT_ID_REGION at most).
create or replace function quality.resident_id_valid(v text) returns boolean
language sql immutable parallel safe as $$
  select case
    when v is null or v !~ '^[0-9]{17}[0-9X]$' then false
    when not quality.is_real_date(substr(v, 7, 4)::int, substr(v, 11, 2)::int, substr(v, 13, 2)::int) then false
    else quality.resident_id_check_char(substr(v, 1, 17)) = substr(v, 18, 1)
  end
$$;

-- GB 32100-2015: 31-character alphabet without I, O, S, V, Z; weights 3^i mod 31.
create or replace function quality.uscc_check_char(first17 text) returns text
language sql immutable parallel safe strict as $$
  select substr('0123456789ABCDEFGHJKLMNPQRTUWXY', ((31 - ((
      (strpos('0123456789ABCDEFGHJKLMNPQRTUWXY', substr(first17, 1, 1)) - 1) * 1
    + (strpos('0123456789ABCDEFGHJKLMNPQRTUWXY', substr(first17, 2, 1)) - 1) * 3
    + (strpos('0123456789ABCDEFGHJKLMNPQRTUWXY', substr(first17, 3, 1)) - 1) * 9
    + (strpos('0123456789ABCDEFGHJKLMNPQRTUWXY', substr(first17, 4, 1)) - 1) * 27
    + (strpos('0123456789ABCDEFGHJKLMNPQRTUWXY', substr(first17, 5, 1)) - 1) * 19
    + (strpos('0123456789ABCDEFGHJKLMNPQRTUWXY', substr(first17, 6, 1)) - 1) * 26
    + (strpos('0123456789ABCDEFGHJKLMNPQRTUWXY', substr(first17, 7, 1)) - 1) * 16
    + (strpos('0123456789ABCDEFGHJKLMNPQRTUWXY', substr(first17, 8, 1)) - 1) * 17
    + (strpos('0123456789ABCDEFGHJKLMNPQRTUWXY', substr(first17, 9, 1)) - 1) * 20
    + (strpos('0123456789ABCDEFGHJKLMNPQRTUWXY', substr(first17, 10, 1)) - 1) * 29
    + (strpos('0123456789ABCDEFGHJKLMNPQRTUWXY', substr(first17, 11, 1)) - 1) * 25
    + (strpos('0123456789ABCDEFGHJKLMNPQRTUWXY', substr(first17, 12, 1)) - 1) * 13
    + (strpos('0123456789ABCDEFGHJKLMNPQRTUWXY', substr(first17, 13, 1)) - 1) * 8
    + (strpos('0123456789ABCDEFGHJKLMNPQRTUWXY', substr(first17, 14, 1)) - 1) * 24
    + (strpos('0123456789ABCDEFGHJKLMNPQRTUWXY', substr(first17, 15, 1)) - 1) * 10
    + (strpos('0123456789ABCDEFGHJKLMNPQRTUWXY', substr(first17, 16, 1)) - 1) * 30
    + (strpos('0123456789ABCDEFGHJKLMNPQRTUWXY', substr(first17, 17, 1)) - 1) * 28
  ) % 31)) % 31) + 1, 1)
$$;

create or replace function quality.uscc_valid(v text) returns boolean
language sql immutable parallel safe as $$
  select case
    when v is null or v !~ '^[0-9A-HJ-NP-RTUW-Y]{18}$' then false
    else quality.uscc_check_char(substr(v, 1, 17)) = substr(v, 18, 1)
  end
$$;

-- rules.by_credential_type: 01 resident ID, 10 USCC, anything else free text of at most 50.
create or replace function quality.credential_valid(credential_type text, credential_no text) returns boolean
language sql immutable parallel safe as $$
  select case
    when credential_no is null or credential_no = '' then false
    when credential_type = '01' then quality.resident_id_valid(credential_no)
    when credential_type = '10' then quality.uscc_valid(credential_no)
    else char_length(credential_no) <= 50
  end
$$;

-- The standard's masking (jiandu/standard.py mask_*), for every value shown outside the hub push.
create or replace function quality.mask_person_name(v text) returns text
language sql immutable parallel safe as $$
  select case when v is null or v = '' then v else left(v, 1) || repeat('*', char_length(v) - 1) end
$$;

create or replace function quality.mask_resident_id(v text) returns text
language sql immutable parallel safe as $$
  select case when v is null or v = '' then v
              when char_length(v) <= 10 then repeat('*', char_length(v))
              else left(v, 6) || repeat('*', char_length(v) - 10) || right(v, 4) end
$$;

create or replace function quality.mask_other_credential(v text) returns text
language sql immutable parallel safe as $$
  select case when v is null or v = '' then v
              else repeat('*', greatest(char_length(v) - 4, 0)) || right(v, 4) end
$$;

-- resident_id_anywhere: any resident-ID shape inside a text keeps its first 6 and last 4.
create or replace function quality.mask_ids_in_text(v text) returns text
language sql immutable parallel safe as $$
  select regexp_replace(v, '(^|[^0-9A-Za-z])([0-9]{6})[0-9]{8}([0-9]{3}[0-9Xx])(?![0-9A-Za-z])',
                        '\1\2********\3', 'g')
$$;

-- The one text form of a field's value, used wherever a value is compared or shown as text: by
-- the correction overlay (dbt) to see whether the source still holds the value a correction
-- replaced, and by `jiandu steward` when a correction is entered. Forms as the hub takes them:
-- datetime YYYY-MM-DDTHH:MM:SS+08:00, date YYYY-MM-DD, decimal with 2 decimals, bool true/false,
-- a list as its items joined by ',' (no item of a standard list holds a comma).
create or replace function quality.field_text(v text) returns text
language sql immutable parallel safe as $$ select v $$;

create or replace function quality.field_text(v timestamptz) returns text
language sql immutable parallel safe as $$
  select to_char(v at time zone 'Asia/Shanghai', 'YYYY-MM-DD"T"HH24:MI:SS"+08:00"')
$$;

create or replace function quality.field_text(v date) returns text
language sql immutable parallel safe as $$ select to_char(v, 'YYYY-MM-DD') $$;

create or replace function quality.field_text(v numeric) returns text
language sql immutable parallel safe as $$ select to_char(round(v, 2), 'FM9999999999999999990.00') $$;

create or replace function quality.field_text(v integer) returns text
language sql immutable parallel safe as $$ select v::text $$;

create or replace function quality.field_text(v bigint) returns text
language sql immutable parallel safe as $$ select v::text $$;

create or replace function quality.field_text(v boolean) returns text
language sql immutable parallel safe as $$ select case when v then 'true' when not v then 'false' end $$;

create or replace function quality.field_text(v text[]) returns text
language sql immutable parallel safe as $$ select array_to_string(v, ',') $$;
