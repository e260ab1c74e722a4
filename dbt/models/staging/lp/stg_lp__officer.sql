-- 执法人员（ZF02）: the LP registry's current officers.
-- Data stewards' corrections laid over the result (macros/quality/corrections.sql).
{{ stg_lp__officer_sql() }}
