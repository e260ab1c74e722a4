"""The data stewards' workflow: list issues, correct (an overlay the pipeline applies), waive,
re-validate. Logic here; `jiandu steward ...` (jiandu/steward/cli.py) only parses and prints."""
