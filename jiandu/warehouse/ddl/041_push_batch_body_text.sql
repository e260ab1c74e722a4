-- A pending batch is resent exactly as it was first sent: its body is kept as the bytes sent
-- (UTF-8 JSON text), not as jsonb, which reorders keys and rewrites numbers, and which cost the
-- push more to parse (10 ms per 500-record batch) than the rest of persisting it.
alter table ops.push_batch alter column body type text using body::text;
-- lz4 compresses a 300 kB body in half pglz's time; a server built without lz4 keeps pglz.
do $$
begin
    execute 'alter table ops.push_batch alter column body set compression lz4';
exception when feature_not_supported or invalid_parameter_value then
    null;
end
$$;
