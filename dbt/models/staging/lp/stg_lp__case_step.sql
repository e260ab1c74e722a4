-- 办案环节记录（ZF20）recorded in LP, one row per (case_id, seq).
{{ stg_lp__case_step_sql() }}
