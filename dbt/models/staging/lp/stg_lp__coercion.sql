-- 行政强制（ZF13）measures recorded in LP, one row per (case_id, measure_seq).
{{ stg_lp__coercion_sql() }}
