-- Case-file review (案卷评查): the monthly draws and the reviewers' records. These tables keep
-- history across runs and hold the reviewers' own input, so dbt never creates or rebuilds them:
-- the sampling models (dbt/models/marts/sampling) add a month's draw once, through their hooks.
create schema if not exists review;

-- One row per month drawn: the seed the sample is reproduced from, and the parameters used.
create table if not exists review.sample_draw (
    sample_month      date primary key check (sample_month = date_trunc('month', sample_month)::date),
    seed              text not null,
    as_of_date        date not null,              -- the D of the run that drew it
    population_until  date not null,              -- closed cases up to and including this day
    drawn_at          timestamptz not null default now(),
    recorded_at       timestamptz,                -- when the drawn cases were written below
    case_count        int,
    config            jsonb                       -- sampling_config rows in force, per subject
);

-- One row per drawn case; (sample_month, case_id) is the draw, and the reviewer's record of it.
create table if not exists review.sample_case (
    sample_month      date not null references review.sample_draw (sample_month),
    case_id           varchar(64) not null,
    subject_code      varchar(18) not null,
    case_no           varchar(100),
    case_type         varchar(2),
    closed_on         date,
    draw_rank         int not null,               -- position in md5(seed || case_id) order within the subject
    eligible_count    int not null,               -- the subject's closed cases that could be drawn
    sample_size       int not null,               -- how many were drawn for the subject
    drawn_at          timestamptz not null default now(),
    primary key (sample_month, case_id)
);
create index if not exists sample_case_case on review.sample_case (case_id, sample_month);

-- What the reviewers fill in: one record per drawn case, created empty with the draw.
create table if not exists review.case_review (
    sample_month      date not null,
    case_id           varchar(64) not null,
    reviewer          text,                       -- reviewer's name: personal data, masked in marts
    score             numeric(5,1) check (score is null or (score >= 0 and score <= 100)),
    grade             text check (grade is null or grade in ('优秀', '合格', '基本合格', '不合格')),
    findings          text,
    reviewed_at       timestamptz,
    updated_at        timestamptz not null default now(),
    primary key (sample_month, case_id),
    foreign key (sample_month, case_id) references review.sample_case (sample_month, case_id)
);
