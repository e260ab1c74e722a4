-- 执法事项（ZF03）: the LP registry's current enforcement items.
-- Data stewards' corrections laid over the result (macros/quality/corrections.sql).
{{ stg_lp__item_sql() }}
