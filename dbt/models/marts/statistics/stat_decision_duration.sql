-- Days from filing (registered_at) to decision (decision_at), one row per decided penalty, in
-- calendar days between the two local dates (the rules' way of counting). A decision recorded
-- before its filing breaks the standard's datetime order: the row stays, flagged, with no
-- duration, so it neither vanishes nor drags the averages below zero.
with params as (
    select {{ as_of_date() }} as as_of_date
),

decided as (
    select c.case_id, c.case_no, c.region_code, c.subject_code, c.procedure, c.time_limit_extended,
           (c.registered_at at time zone 'Asia/Shanghai')::date as registered_on,
           (p.decision_at at time zone 'Asia/Shanghai')::date as decided_on
      from {{ ref('zf12_penalty') }} p
      join {{ ref('zf10_case') }} c on c.case_id = p.case_id
      cross join params a
     where p.decision_at is not null
       and (p.decision_at at time zone 'Asia/Shanghai')::date <= a.as_of_date
       and c.status not in ('90', '91')
)

select d.case_id::varchar(64) as case_id,
       d.case_no::varchar(100) as case_no,
       date_trunc('month', d.decided_on)::date as stat_month,
       d.region_code::varchar(6) as region_code,
       d.subject_code::varchar(18) as subject_code,
       s.subject_name::text as subject_name,
       d.procedure::varchar(2) as procedure,
       d.time_limit_extended,
       d.registered_on,
       d.decided_on,
       case when d.decided_on >= d.registered_on then d.decided_on - d.registered_on end::integer as days_to_decision,
       (d.decided_on < d.registered_on) as dates_inconsistent,
       p.as_of_date
  from decided d
  cross join params p
  left join {{ ref('zf01_subject') }} s on s.subject_code = d.subject_code
