-- 行政处罚（ZF12）recorded in LP.
{{ stg_lp__penalty_sql() }}
