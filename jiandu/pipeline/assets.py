"""Assets that chain the DAGs: ingest DAGs publish the raw ones, the transform DAG the standard one.

An Asset event is a wake-up call, not a unit of work (apache/airflow#56050: events can be
skipped): every consumer processes everything since its own stored position.
"""
from airflow.sdk import Asset

RAW_LP = Asset("jiandu://warehouse/raw/lp")
RAW_LG = Asset("jiandu://warehouse/raw/lg")
RAW_EX = Asset("jiandu://warehouse/raw/ex")
STANDARD = Asset("jiandu://warehouse/standard")
