-- LG 强制措施 (t_qzcs): one row per measure; terms as '30', '30日', '三十日'.
{{ stg_lg__coercion_sql() }}
