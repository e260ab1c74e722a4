-- Nightly reconciliation with the provincial hub (hub-api.md "Reconciling"): one run, then one row
-- per dataset and region comparing the hub's summary with what ops.push_state says is live at the
-- hub (expected) and with the warehouse's pushable records, the keys found to differ, the repair
-- push and the summary taken after it.
create table if not exists ops.reconciliation_run (
    run_id        bigserial primary key,
    started_at    timestamptz not null default now(),
    finished_at   timestamptz,
    status        text not null default 'running' check (status in ('running', 'done', 'failed')),
    error         text
);

create table if not exists ops.reconciliation (
    run_id                  bigint not null references ops.reconciliation_run (run_id),
    dataset                 text not null,
    region_code             text not null,
    checked_at              timestamptz not null default now(),
    hub_records             bigint not null,
    hub_latest_version      text,
    hub_checksum            text not null,
    expected_records        bigint not null,
    expected_latest_version text,
    expected_checksum       text not null,
    -- the warehouse's pushable records (not held): differs from expected by the delta not pushed yet
    pushable_records        bigint,
    pushable_latest_version text,
    pushable_checksum       text,
    status                  text not null check (status in ('ok', 'different')),
    differences             text[] not null default '{}',   -- records, latest_version, checksum
    -- [{"record_key", "finding", "how"}]: finding missing_or_older | extra_live | in_repaired_batch
    differing_keys          jsonb not null default '[]',
    differing_keys_total    int not null default 0,         -- may exceed the keys listed (capped)
    differing_keys_exact    boolean not null default true,  -- false: some keys only narrowed to a batch
    repair_batches          int not null default 0,
    repair_records          int not null default 0,
    repair_accepted         int not null default 0,
    repair_stale            int not null default 0,
    repair_rejected         int not null default 0,
    after_records           bigint,
    after_latest_version    text,
    after_checksum          text,
    status_after            text check (status_after in ('ok', 'different')),
    message                 text,                           -- for operators and stewards, in Chinese
    primary key (run_id, dataset, region_code)
);
create index if not exists reconciliation_different on ops.reconciliation (status, dataset) where status = 'different';
