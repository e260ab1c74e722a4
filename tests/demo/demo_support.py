"""Constants shared by the demo-data tests (the demo's size and date)."""
import datetime as dt

AS_OF = dt.date(2026, 4, 15)
SEED = 7
CASES = 100
