"""The case-entry service (本地执法办案平台, "LP").

Units without a system of their own enter their enforcement cases here. The pipeline reads the
service only through its change feed (``GET /api/v1/changes``), never through its database.

Entry points the rest of the project calls:
- ``caseentry.app.create_app(database_url, secret_key)``
- ``caseentry.migrate.upgrade(database_url)``
- ``caseentry.users.ensure_user(database_url, username, password, role, subject_code=None)``
- ``python -m caseentry``
"""
