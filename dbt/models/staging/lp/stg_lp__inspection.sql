-- 行政检查（ZF11）recorded in LP.
{{ stg_lp__inspection_sql() }}
