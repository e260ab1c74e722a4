-- Layers of the warehouse and the pipeline's own bookkeeping.
create schema if not exists raw;       -- what the sources gave, as text, one table per source entity
create schema if not exists staging;   -- dbt staging views (rename, cast, clean)
create schema if not exists standard;  -- the provincial standard datasets ZF01..ZF30
create schema if not exists marts;     -- supervision marts read by dashboards and notices
create schema if not exists quality;   -- rejected input, validation runs, quality issues
create schema if not exists ops;       -- load log, source positions, push receipts

-- One row per load batch of any source (issue: "a load log records each batch").
create table if not exists ops.load_batch (
    batch_id        bigserial primary key,
    source          text not null check (source in ('LP', 'LG', 'EX')),
    stream          text not null,              -- source entity or file
    status          text not null default 'running' check (status in ('running', 'committed', 'failed')),
    started_at      timestamptz not null default now(),
    finished_at     timestamptz,
    position_from   text,
    position_to     text,
    rows_read       bigint not null default 0,
    rows_loaded     bigint not null default 0,  -- new versions written to raw
    rows_unchanged  bigint not null default 0,  -- already held with the same content
    rows_rejected   bigint not null default 0,  -- set aside in quality.rejected_input
    error           text
);

-- Where each incremental stream resumes; updated in the same transaction as the rows it covers.
create table if not exists ops.source_position (
    source      text not null,
    stream      text not null,
    position    text not null,
    batch_id    bigint references ops.load_batch (batch_id),
    updated_at  timestamptz not null default now(),
    primary key (source, stream)
);

-- Input that could not be read: never lost, shown to data stewards with the reason in Chinese.
create table if not exists quality.rejected_input (
    rejected_id   bigserial primary key,
    batch_id      bigint references ops.load_batch (batch_id),
    source        text not null,
    stream        text not null,
    location      text not null,          -- file and row, or table and key
    record_key    text,
    field         text,
    raw_content   text,
    reason        text not null,          -- plain Chinese, for a steward
    status        text not null default 'open' check (status in ('open', 'fixed', 'waived')),
    rejected_at   timestamptz not null default now(),
    resolved_at   timestamptz,
    resolved_by   text
);
create index if not exists rejected_input_open on quality.rejected_input (status, source);

-- One row per run of the expectation suites.
create table if not exists quality.validation_run (
    run_id        bigserial primary key,
    suite         text not null,
    dataset       text not null,
    started_at    timestamptz not null default now(),
    finished_at   timestamptz,
    success       boolean,
    expectations  int not null default 0,
    failed        int not null default 0,
    details       jsonb
);

-- One row per failing record and rule; closes itself once the record passes.
create table if not exists quality.issue (
    issue_id      bigserial primary key,
    dataset       text not null,
    record_key    text not null,
    rule          text not null,
    severity      text not null check (severity in ('blocking', 'warning')),
    field         text,
    value_masked  text,                   -- offending value, masked as the standard says
    source_ref    text,
    message       text not null,
    status        text not null default 'open' check (status in ('open', 'closed', 'waived')),
    first_seen    timestamptz not null default now(),
    last_seen     timestamptz not null default now(),
    last_run_id   bigint references quality.validation_run (run_id),
    closed_at     timestamptz,
    unique (dataset, record_key, rule)
);
create index if not exists issue_open on quality.issue (status, dataset);

-- Push to the provincial hub: a batch is written here (with its idempotency key and content)
-- before it is first sent, so a crash resends the same batch.
create table if not exists ops.push_batch (
    batch_id        uuid primary key,
    dataset         text not null,
    region_code     text not null,
    created_at      timestamptz not null default now(),
    record_count    int not null,
    body            jsonb not null,
    status          text not null default 'pending' check (status in ('pending', 'sent', 'failed')),
    attempts        int not null default 0,
    last_error      text,
    sent_at         timestamptz
);

create table if not exists ops.push_receipt (
    batch_id      uuid primary key references ops.push_batch (batch_id),
    dataset       text not null,
    received      int not null,
    accepted      int not null,
    stale         int not null,
    rejected      int not null,
    receipt       jsonb not null,
    received_at   timestamptz not null default now()
);

-- What the hub holds for each record, as far as receipts say (for the delta and reconciliation).
create table if not exists ops.push_state (
    dataset         text not null,
    record_key      text not null,
    region_code     text not null,
    record_version  text not null,
    op              text not null,
    outcome         text not null check (outcome in ('accepted', 'stale', 'rejected')),
    reject_code     text,
    reject_field    text,
    reject_message  text,
    batch_id        uuid,
    updated_at      timestamptz not null default now(),
    primary key (dataset, record_key)
);
