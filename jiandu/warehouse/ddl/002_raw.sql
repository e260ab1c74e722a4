-- The raw layer: what each source gave, as text, plus where and when it came from.
-- Every raw table carries the same bookkeeping columns:
--   _raw_id        surrogate, in load order
--   _batch_id      the ops.load_batch that wrote the row
--   _source_key    the record's key at its source (LP entity key, LG primary key, EX case number)
--   _op            upsert or delete (a deletion is recorded, never applied by removing rows)
--   _content_hash  sha256 of the row's content: a version already held is not written again
--   _extracted_at  when the connector read it
--   _record_version the source's own change time when it has one (see the standard's record_version)

-- LP, the case-entry service: one table per entity of its change feed; payload as received.
do $$
declare t text;
begin
  foreach t in array array['subject','officer','item','party','case','inspection','penalty',
                           'coercion','case_step','publicity'] loop
    execute format($f$
      create table if not exists raw.lp_%1$s (
        _raw_id          bigserial primary key,
        _batch_id        bigint not null references ops.load_batch (batch_id),
        _source_key      text not null,
        _op              text not null default 'upsert' check (_op in ('upsert', 'delete')),
        _content_hash    text not null,
        _extracted_at    timestamptz not null,
        _record_version  text,
        _change_cursor   text,
        payload          jsonb
      );
      create index if not exists lp_%1$s_key on raw.lp_%1$s (_source_key, _raw_id);
    $f$, t);
  end loop;
end $$;

-- LG, the old case-handling database: its columns, all as text.
create table if not exists raw.lg_t_jg (
    _raw_id bigserial primary key, _batch_id bigint not null references ops.load_batch (batch_id),
    _source_key text not null, _op text not null default 'upsert', _content_hash text not null,
    _extracted_at timestamptz not null, _record_version text,
    jgid text, jgmc text, tyshxydm text, xzqh text, jb text
);
create table if not exists raw.lg_t_ry (
    _raw_id bigserial primary key, _batch_id bigint not null references ops.load_batch (batch_id),
    _source_key text not null, _op text not null default 'upsert', _content_hash text not null,
    _extracted_at timestamptz not null, _record_version text,
    ryid text, xm text, sfzh text, zfzh text, jgid text, zjyxq text
);
create table if not exists raw.lg_t_ajxx (
    _raw_id bigserial primary key, _batch_id bigint not null references ops.load_batch (batch_id),
    _source_key text not null, _op text not null default 'upsert', _content_hash text not null,
    _extracted_at timestamptz not null, _record_version text,
    ajbh text, ajlx text, cxlx text, ay text, sxbm text, dsr text, dsrlx text, zjhm text, ajly text,
    fadd text, xzqh text, larq text, cfjdsh text, cfjdrq text, cfzl text, fkje text, msje text,
    sdrq text, jarq text, zt text, zfry text, jgid text, gxsj text
);
create table if not exists raw.lg_t_ajlc (
    _raw_id bigserial primary key, _batch_id bigint not null references ops.load_batch (batch_id),
    _source_key text not null, _op text not null default 'upsert', _content_hash text not null,
    _extracted_at timestamptz not null, _record_version text,
    lcid text, ajbh text, hjmc text, kssj text, jssj text, blr text, yj text
);
create table if not exists raw.lg_t_qzcs (
    _raw_id bigserial primary key, _batch_id bigint not null references ops.load_batch (batch_id),
    _source_key text not null, _op text not null default 'upsert', _content_hash text not null,
    _extracted_at timestamptz not null, _record_version text,
    qzid text, ajbh text, csfs text, ksrq text, qx text, yqts text, jcrq text
);
create index if not exists lg_t_jg_key on raw.lg_t_jg (_source_key, _raw_id);
create index if not exists lg_t_ry_key on raw.lg_t_ry (_source_key, _raw_id);
create index if not exists lg_t_ajxx_key on raw.lg_t_ajxx (_source_key, _raw_id);
create index if not exists lg_t_ajlc_key on raw.lg_t_ajlc (_source_key, _raw_id);
create index if not exists lg_t_qzcs_key on raw.lg_t_qzcs (_source_key, _raw_id);

-- EX, exchange-platform report files: one row per file, and the template's columns as text.
create table if not exists raw.ex_file (
    file_id        bigserial primary key,
    batch_id       bigint references ops.load_batch (batch_id),
    file_name      text not null,
    file_sha256    text not null,
    subject_code   text,                -- the reporting unit
    report_month   text,                -- YYYYMM
    arrived_at     timestamptz not null,
    loaded_at      timestamptz not null default now(),
    status         text not null check (status in ('loaded', 'superseded', 'rejected')),
    superseded_by  bigint references raw.ex_file (file_id),
    rows_read      int not null default 0,
    rows_loaded    int not null default 0,
    rows_rejected  int not null default 0,
    reason         text
);
create unique index if not exists ex_file_sha on raw.ex_file (file_sha256) where status <> 'rejected';

create table if not exists raw.ex_case_row (
    _raw_id bigserial primary key, _batch_id bigint not null references ops.load_batch (batch_id),
    _source_key text not null,           -- EX:<subject_code>:<案件编号>
    _op text not null default 'upsert', _content_hash text not null,
    _extracted_at timestamptz not null, _record_version text,
    _file_id bigint not null references raw.ex_file (file_id),
    _row_no int not null,                -- the file's line, or the sheet's row, counting from 1
    _report_month text,
    seq_no text,                 -- 序号
    subject_name text,           -- 执法主体名称
    subject_code text,           -- 执法主体统一社会信用代码
    case_type text,              -- 案件类型
    case_no text,                -- 案件编号
    item_code text,              -- 执法事项编码
    party_name text,             -- 当事人名称
    party_type text,             -- 当事人类型
    credential_type text,        -- 证件类型
    credential_no text,          -- 证件号码
    source_channel text,         -- 案件来源
    registered_date text,        -- 立案（登记）日期
    decision_no text,            -- 处罚决定书文号
    decision_date text,          -- 处罚决定日期
    penalty_kinds text,          -- 处罚种类
    fine_amount text,            -- 罚款金额（元）
    coercion_measure text,       -- 强制措施种类
    coercion_term text,          -- 强制措施期限（日）
    inspection_result text,      -- 检查结果
    closed_date text,            -- 结案日期
    case_status text,            -- 案件状态
    officer_cert_nos text        -- 承办人执法证号
);
create index if not exists ex_case_row_key on raw.ex_case_row (_source_key, _raw_id);
create index if not exists ex_case_row_file on raw.ex_case_row (_file_id);
