-- EX data rows of the files that still count (status loaded), cleaned and mapped. One row per
-- file row: the choice among the months that report the same case (newest month wins) is a
-- precedence rule and lives in int_ex__case. Dates may be Excel serial numbers; a credential
-- number that Excel turned into a float ('4.40103E+17') is unrecoverable and stays empty.
{{ stg_ex__case_row_sql() }}
