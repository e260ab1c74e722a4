-- LG 案件信息 (t_ajxx), cleaned: dates to +08:00 instants with their date-only flag, amounts to
-- numbers, text variants to standard codes through the map_* seeds, credentials normalised and
-- typed (legacy/README.md). Every source text that feeds a parsed or mapped column is kept next
-- to it (*_text), so the staging tests can name a value that was not understood.
-- OFFSET 0 keeps each CTE a subquery of its own: a text is parsed once however often its
-- column is used below, and not at all when no reader asks for the column.
{{ stg_lg__case_sql() }}
