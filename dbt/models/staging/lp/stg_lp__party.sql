-- 行政相对人（ZF04）registered in LP. party_id is the service's; the standard layer's test
-- recomputes it (rules.party_id).
{{ stg_lp__party_sql() }}
