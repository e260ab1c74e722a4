-- 执法主体（ZF01）: the LP registry's current subjects, typed as the standard names them.
-- Data stewards' corrections laid over the result (macros/quality/corrections.sql).
{{ stg_lp__subject_sql() }}
