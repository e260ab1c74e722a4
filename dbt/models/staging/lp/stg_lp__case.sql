-- 执法案件（ZF10）entered in LP. case_no_key is how the same real case is recognised in LG and EX
-- (see int_case__precedence).
{{ stg_lp__case_sql() }}
