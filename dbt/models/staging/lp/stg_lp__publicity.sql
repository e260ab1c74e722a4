-- 执法公示（ZF30）published through LP (the only source that publishes).
-- Data stewards' corrections laid over the result (macros/quality/corrections.sql).
{{ stg_lp__publicity_sql() }}
