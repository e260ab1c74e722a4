-- The dashboards' read-only role (jiandu_superset) reads whole schemas (marts, quality, ops), but
-- a few columns there hold natural persons' data unmasked: the records exactly as pushed to the
-- hub, a source row that could not be read (identity numbers are masked in it, names are not), the
-- staff contacts notices go to. The role may read every other column of those tables, so the push
-- and quality dashboards work; no query of its own can reach these. grant_readers
-- (jiandu/bootstrap/postgres.py) calls ops.withhold_personal_columns after its schema-wide grants,
-- which would otherwise give the columns back.
create table if not exists ops.reader_withheld_column (
    table_schema text not null,
    table_name   text not null,
    column_name  text not null,
    why          text not null,
    primary key (table_schema, table_name, column_name)
);

insert into ops.reader_withheld_column (table_schema, table_name, column_name, why) values
    ('ops', 'push_batch', 'body', '推送给省级平台的原始记录，含当事人姓名、身份证号'),
    ('quality', 'rejected_input', 'raw_content', '无法读取的来源原文，身份证号已遮蔽但姓名未遮蔽'),
    ('ops', 'notice_recipient', 'address', '预警通知接收人的手机号或邮箱'),
    ('ops', 'notice_digest', 'address', '预警通知接收人的手机号或邮箱')
on conflict do nothing;

-- Table-level SELECT covers every column, present and future: it is replaced by SELECT on the
-- columns not withheld. Returns the number of tables restricted.
create or replace function ops.withhold_personal_columns(reader name) returns int
language plpgsql as $$
declare
    t record;
    allowed text;
    withheld text;
    n int := 0;
begin
    for t in select distinct w.table_schema, w.table_name,
                    to_regclass(format('%I.%I', w.table_schema, w.table_name)) as rel
               from ops.reader_withheld_column w
    loop
        continue when t.rel is null;   -- a table another component has not created yet
        select string_agg(format('%I', a.attname), ', ' order by a.attnum)
                  filter (where w.column_name is null),
               string_agg(format('%I', a.attname), ', ' order by a.attnum)
                  filter (where w.column_name is not null)
          into allowed, withheld
          from pg_attribute a
          left join ops.reader_withheld_column w
            on (w.table_schema, w.table_name, w.column_name) = (t.table_schema, t.table_name, a.attname::text)
         where a.attrelid = t.rel and a.attnum > 0 and not a.attisdropped;
        execute format('revoke select on %s from %I', t.rel, reader);
        if withheld is not null then
            execute format('revoke select (%s) on %s from %I', withheld, t.rel, reader);
        end if;
        if allowed is not null then
            execute format('grant select (%s) on %s to %I', allowed, t.rel, reader);
        end if;
        n := n + 1;
    end loop;
    return n;
end
$$;
