"""HTTP routes of the JSON API (/api/v1)."""
