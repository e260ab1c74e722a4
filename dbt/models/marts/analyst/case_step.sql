-- 办案环节（已脱敏）: ZF20 steps with the approver's name masked. The free-text opinion is left
-- out: it may name people, and the standard's text rule (resident_id_anywhere) masks ID numbers
-- only, so no masking of it could be proven complete.
select
    st.case_id::text                                   as case_id,
    st.seq                                             as seq,
    st.stage_code::text                                as stage_code,
    sl.label                                           as stage_label,
    st.entered_at                                      as entered_at,
    st.completed_at                                    as completed_at,
    st.handler_cert_no::text                           as handler_cert_no,
    {{ mask_person_name('st.approver_name') }}::text   as approver_name,
    c.region_code::text                                as region_code,
    c.subject_code::text                               as subject_code
from {{ ref('zf20_case_step') }} st
join {{ ref('zf10_case') }} c on c.case_id = st.case_id
left join {{ ref('code_set') }} sl on sl.code_set = 'stage' and sl.code = st.stage_code
