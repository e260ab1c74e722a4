-- Warning notices to the enforcement subjects (jiandu/notices). The standard's ZF01 carries no
-- contact address, so the bureau keeps its subjects' contacts here.
create table if not exists ops.notice_recipient (
    recipient_id  bigserial primary key,
    subject_code  varchar(18) not null,          -- ZF01.subject_code
    channel       text not null check (channel in ('email', 'webhook')),
    address       text not null,                 -- e-mail address, or the webhook's http(s) URL
    note          text,                          -- e.g. 法制科 (a desk, not a person's name)
    active        boolean not null default true,
    created_at    timestamptz not null default now(),
    updated_at    timestamptz not null default now(),
    unique (subject_code, channel, address),
    check (channel <> 'email' or address ~ '^[^@\s]+@[^@\s]+$'),
    check (channel <> 'webhook' or address ~ '^https?://')
);

-- One message to one recipient: written with status 'sending' (and its whole content) before
-- the first attempt, so a retry sends exactly the same message, and set to 'sent' once the
-- server accepted it. 'failed': certainly not delivered (refused, or never reached), retried by
-- the next run with the same content and Message-ID. 'unconfirmed': the outcome is unknown (the
-- run died, or the connection broke after the message was handed over); it is never resent
-- automatically, because the notice may have arrived: an operator checks and confirms it
-- (jiandu.notices.confirm_digest).
create table if not exists ops.notice_digest (
    digest_id       uuid primary key,
    subject_code    varchar(18) not null,
    channel         text not null check (channel in ('email', 'webhook')),
    address         text not null,
    status          text not null default 'sending'
                    check (status in ('sending', 'sent', 'failed', 'unconfirmed')),
    message_id      text not null unique,
    title           text not null,
    body            text not null,                -- Chinese text, personal data masked
    payload         jsonb not null,               -- the webhook body (also kept for e-mail)
    event_count     int not null,
    as_of_date      date not null,
    created_at      timestamptz not null default now(),
    attempts        int not null default 0,
    last_attempt_at timestamptz,
    sent_at         timestamptz,
    last_error      text,
    resolved_by     text                          -- who confirmed an 'unconfirmed' digest
);
create index if not exists notice_digest_open on ops.notice_digest (status) where status <> 'sent';

-- One row per warning event and recipient: the unique key is what keeps a re-run, a retry or a
-- second scheduler from ever notifying the same event to the same address twice.
create table if not exists ops.notice_log (
    notice_id       bigserial primary key,
    subject_code    varchar(18) not null,
    channel         text not null,
    address         text not null,
    history_key     text not null,                -- marts.fct_warning_history.history_key
    warning_key     text,
    case_id         varchar(64),
    case_no         varchar(100),
    rule_id         text,
    event           text,
    level           text not null check (level in ('yellow', 'red')),
    effective_date  date,
    digest_id       uuid not null references ops.notice_digest (digest_id),
    status          text not null check (status in ('sending', 'sent', 'failed', 'unconfirmed')),
    logged_at       timestamptz not null default now(),
    sent_at         timestamptz,
    unique (subject_code, channel, address, history_key)
);
create index if not exists notice_log_digest on ops.notice_log (digest_id);
create index if not exists notice_log_history on ops.notice_log (history_key);
