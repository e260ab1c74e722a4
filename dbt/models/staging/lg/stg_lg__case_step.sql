-- LG 案件流程 (t_ajlc): append-only steps, keyed by lcid. The stage code depends on the case's
-- type, so it is mapped in int_lg__case_step.
{{ stg_lg__case_step_sql() }}
