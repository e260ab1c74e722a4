"""What the DAGs run: plain, importable, unit-tested functions (the DAG files are wiring only)."""
