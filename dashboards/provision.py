"""Superset provisioning for jiandu, run with Superset's own interpreter inside its app context:

    .venvs/superset/bin/python dashboards/provision.py import|export|access|user ...

`jiandu.bootstrap.superset` runs it with the environment of `superset_env()` (config, metadata
URL, secret key). Connection URIs with passwords come in through the environment
(JIANDU_SUPERSET_DATABASE_URIS, a JSON object database name -> URI), never through the command
line (visible to every user in `ps`) and never from the files: the export masks passwords and the
files are committed.

Commands:
  import DIR      import the unzipped export in DIR (databases, datasets, charts, dashboards),
                  overwriting what exists with the same uuids
  export DIR      export every dashboard and database to DIR, one file per asset, named stably
                  (Superset names files by title and numeric id; ids differ per installation)
  access JSON     roles, dashboard roles, dataset access and row-level security (JSON on stdin
                  describes the regions)
  user JSON       create or update one user (JSON on stdin: username, password, roles, names)
  all JSON        import, access and users in one app start ({"import": DIR, "access": {...},
                  "users": [...]} on stdin)
"""
from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import yaml

MASKED_PASSWORD = "XXXXXXXXXX"
ANALYST_DATABASE = "监督数据仓库（分析员）"

# Role names the bureau sees in the user admin screens.
ROLE_VIEWER = "监督人员"
ROLE_STEWARD = "数据管理员"
ROLE_ANALYST = "分析员"
ROLE_CITYWIDE = "数据范围-全市"
REGION_ROLE_PREFIX = "数据范围-"

# Which dashboards (by slug) each role opens. Data scope (whole city or one district) is a
# separate role, so a steward or viewer can be given any scope.
DASHBOARDS_BY_ROLE = {
    ROLE_VIEWER: ["warnings", "statistics", "performance"],
    ROLE_STEWARD: ["quality", "push"],
}

# Gamma's permissions a read-only dashboard user must not have: anything that writes, explores
# ad hoc, exports raw data or manages users.
VIEWER_DENIED_PERMISSIONS = {
    "can_write", "can_bulk_create", "can_tag", "can_delete_embedded", "can_export_as_example", "can_add",
    "can_delete", "can_edit", "can_invalidate", "can_explore", "can_export", "can_file_handler",
    "can_share_chart", "can_slice", "can_export_streaming_csv", "can_csv", "can_put_chart_customizations",
}
VIEWER_MENUS = {"Dashboards", "Home"}


def app_context():
    from superset.app import create_app
    app = create_app()
    return app.app_context()


def database_uris() -> dict[str, str]:
    return json.loads(os.environ.get("JIANDU_SUPERSET_DATABASE_URIS", "{}"))


# --- import ----------------------------------------------------------------------------------

def read_bundle(folder: Path) -> dict[str, str]:
    """The export's files as Superset's importers take them ({relative path: text}), with each
    database's real URI (password included) put in place of the masked one."""
    uris = database_uris()
    contents = {}
    for path in sorted(folder.rglob("*.yaml")):
        rel = path.relative_to(folder).as_posix()
        text = path.read_text(encoding="utf-8")
        if rel.startswith("databases/"):
            doc = yaml.safe_load(text)
            uri = uris.get(doc["database_name"])
            if not uri:
                raise SystemExit(f"no connection URI given for database {doc['database_name']!r}")
            doc["sqlalchemy_uri"] = uri
            text = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)
        contents[rel] = text
    return contents


def do_import(folder: Path) -> None:
    from flask import g
    from superset import security_manager
    from superset.commands.dashboard.importers.v1 import ImportDashboardsCommand
    from superset.commands.database.importers.v1 import ImportDatabasesCommand
    from superset.extensions import db

    contents = read_bundle(folder)
    g.user = security_manager.find_user(username=os.environ.get("JIANDU_ADMIN_USER", "admin"))
    # Databases first and all of them: the dashboard importer takes only the databases its
    # datasets use, and the analysts' connection backs no dataset.
    db_contents = {k: v for k, v in contents.items() if k == "metadata.yaml" or k.startswith("databases/")}
    db_meta = yaml.safe_load(contents["metadata.yaml"])
    db_meta["type"] = "Database"
    db_contents["metadata.yaml"] = yaml.safe_dump(db_meta)
    ImportDatabasesCommand(db_contents, overwrite=True).run()
    ImportDashboardsCommand(contents, overwrite=True).run()
    # The importer keeps an existing connection's password when the file's is masked, and takes
    # the file's otherwise; set it from the environment either way, so a changed password lands.
    from superset.models.core import Database
    for name, uri in database_uris().items():
        database = db.session.query(Database).filter_by(database_name=name).one_or_none()
        if database is not None:
            database.set_sqlalchemy_uri(uri)
    db.session.commit()
    print(f"imported {sum(1 for k in contents if k.startswith('dashboards/'))} dashboards, "
          f"{sum(1 for k in contents if k.startswith('charts/'))} charts, "
          f"{sum(1 for k in contents if k.startswith('datasets/'))} datasets")


# --- export ----------------------------------------------------------------------------------

def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_").lower() or "x"


def stable_name(rel: str, doc: dict, existing: dict[str, str]) -> str:
    """A file name that does not depend on the installation: the name a file with the same uuid
    has in the target folder already, or one made from what identifies the asset."""
    if doc.get("uuid") in existing:
        return existing[doc["uuid"]]
    kind = rel.split("/", 1)[0]
    if kind == "databases":
        return f"databases/{_slug(doc.get('sqlalchemy_uri', '').split('@')[0].split('//')[-1].split(':')[0])}.yaml"
    if kind == "datasets":
        return f"datasets/{doc.get('schema') or 'default'}.{doc['table_name']}.yaml"
    if kind == "dashboards":
        return f"dashboards/{doc.get('slug') or doc['uuid']}.yaml"
    if kind == "charts":
        return f"charts/{doc['uuid']}.yaml"
    return rel


def do_export(folder: Path) -> None:
    from flask import g
    from superset import security_manager
    from superset.commands.dashboard.export import ExportDashboardsCommand
    from superset.commands.database.export import ExportDatabasesCommand
    from superset.extensions import db
    from superset.models.core import Database
    from superset.models.dashboard import Dashboard

    g.user = security_manager.find_user(username=os.environ.get("JIANDU_ADMIN_USER", "admin"))
    existing = {}
    for path in folder.rglob("*.yaml"):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if "uuid" in doc:
            existing[doc["uuid"]] = path.relative_to(folder).as_posix()
    files: dict[str, str] = {}
    dashboard_ids = [i for (i,) in db.session.query(Dashboard.id).all()]
    database_ids = [i for (i,) in db.session.query(Database.id).all()]
    for command in (ExportDashboardsCommand(dashboard_ids), ExportDatabasesCommand(database_ids)):
        for rel, content in command.run():
            text = content()
            if rel == "metadata.yaml":
                # one metadata file for the bundle; its timestamp is dropped on comparison
                if rel not in files or "Dashboard" in text:
                    files[rel] = text
                continue
            if isinstance(command, ExportDatabasesCommand) and not rel.startswith("databases/"):
                continue  # the datasets a dashboard does not use are not part of the assets
            doc = yaml.safe_load(text)
            name = stable_name(rel, doc, existing)
            if rel.startswith("databases/"):
                # the committed file must hold no credentials or host: they come from the
                # environment at import
                doc["sqlalchemy_uri"] = "postgresql+psycopg2://" + _user_of(doc["sqlalchemy_uri"]) \
                    + f":{MASKED_PASSWORD}@warehouse/warehouse"
            # readable Chinese in the committed files (Superset writes \u escapes)
            files[name] = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=120)
    for old in list(folder.rglob("*.yaml")):
        old.unlink()
    for rel, text in files.items():
        out = folder / rel
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
    print(f"exported {len(files)} files to {folder}")


def _user_of(uri: str) -> str:
    m = re.match(r"[^:]+://([^:@/]+)", uri)
    return m.group(1) if m else "unknown"


# --- roles, dashboard access, row-level security ---------------------------------------------

def _perm(sm, permission: str, view: str):
    pv = sm.find_permission_view_menu(permission, view)
    return pv or sm.add_permission_view_menu(permission, view)


def _set_role_permissions(sm, role, pvs) -> None:
    role.permissions = list({pv.id: pv for pv in pvs if pv is not None}.values())


def do_access(spec: dict) -> None:
    """spec: {"regions": [{"code": "440106", "name": "天河区"}, ...]}: the deployment's districts."""
    from superset import security_manager as sm
    from superset.connectors.sqla.models import RowLevelSecurityFilter, SqlaTable
    from superset.extensions import db
    from superset.models.core import Database
    from superset.models.dashboard import Dashboard
    from superset.utils.core import RowLevelSecurityFilterType

    gamma = sm.find_role("Gamma")
    viewer_pvs = [pv for pv in gamma.permissions
                  if pv.permission.name not in VIEWER_DENIED_PERMISSIONS
                  and not (pv.permission.name == "menu_access" and pv.view_menu.name not in VIEWER_MENUS)]
    dashboards = {d.slug: d for d in db.session.query(Dashboard).all()}
    roles = {}
    for name in (ROLE_VIEWER, ROLE_STEWARD, ROLE_ANALYST, ROLE_CITYWIDE):
        roles[name] = sm.find_role(name) or sm.add_role(name)
    for role_name, slugs in DASHBOARDS_BY_ROLE.items():
        pvs = list(viewer_pvs)
        for slug in slugs:
            dash = dashboards.get(slug)
            if dash is None:
                continue
            for chart in dash.slices:
                pvs.append(_perm(sm, "datasource_access", chart.datasource.perm))
            if roles[role_name] not in dash.roles:
                dash.roles.append(roles[role_name])
            dash.published = True
        _set_role_permissions(sm, roles[role_name], pvs)
    # Analysts: SQL Lab on their own connection only (the role jiandu_analyst: marts, masked).
    sql_lab = sm.find_role("sql_lab")
    analyst_db = db.session.query(Database).filter_by(database_name=ANALYST_DATABASE).one()
    analyst_pvs = [pv for pv in sql_lab.permissions]
    analyst_pvs += [pv for pv in viewer_pvs if pv.permission.name != "menu_access"]
    analyst_pvs += [_perm(sm, "menu_access", m) for m in ("Home",)]
    analyst_pvs.append(_perm(sm, "database_access", analyst_db.perm))
    _set_role_permissions(sm, roles[ROLE_ANALYST], analyst_pvs)
    _set_role_permissions(sm, roles[ROLE_CITYWIDE], [])  # a data scope only, no permissions

    region_roles = {}
    for region in spec["regions"]:
        name = f"{REGION_ROLE_PREFIX}{region['name']}"
        role = sm.find_role(name) or sm.add_role(name)
        _set_role_permissions(sm, role, [])
        region_roles[region["code"]] = role

    tables = db.session.query(SqlaTable).all()
    with_region = [t for t in tables if any(c.column_name == "region_code" for c in t.columns)]
    without_region = [t for t in tables if t not in with_region]

    def rls(name: str, ftype, clause: str, tables_, roles_, group_key=None, description="") -> None:
        f = db.session.query(RowLevelSecurityFilter).filter_by(name=name).one_or_none()
        if f is None:
            f = RowLevelSecurityFilter(name=name)
            db.session.add(f)
        f.filter_type, f.clause, f.group_key, f.description = ftype, clause, group_key, description
        f.tables, f.roles = list(tables_), list(roles_)

    # Without a base filter a user with no data scope would see every row (pitfalls: Superset 6).
    rls("无数据范围不显示数据", RowLevelSecurityFilterType.BASE, "1 = 0", tables,
        [sm.find_role("Admin"), roles[ROLE_CITYWIDE], *region_roles.values()],
        description="未授予数据范围（全市或某辖区）的用户看不到任何数据")
    for region in spec["regions"]:
        code = region["code"]
        if not re.fullmatch(r"\d{6}", code):
            raise SystemExit(f"bad region code {code!r}")
        rls(f"辖区数据-{region['name']}", RowLevelSecurityFilterType.REGULAR, f"region_code = '{code}'",
            with_region, [region_roles[code]], group_key="region",
            description=f"{region['name']}用户只看本辖区（{code}）的数据")
    # Datasets without a region (quality issues, push receipts) belong to the whole city.
    rls("辖区用户不显示全市运维数据", RowLevelSecurityFilterType.REGULAR, "1 = 0", without_region,
        region_roles.values(), group_key="no_region",
        description="不带行政区划的数据（质量问题、推送回执）只对全市范围的用户显示")
    db.session.commit()
    print(f"roles: {', '.join(roles)} and {len(region_roles)} district scopes; "
          f"row-level security on {len(tables)} datasets ({len(with_region)} by region)")


def do_user(spec: dict) -> None:
    from superset import security_manager as sm
    from superset.extensions import db
    roles = []
    for name in spec["roles"]:
        role = sm.find_role(name)
        if role is None:
            raise SystemExit(f"no role {name!r}")
        roles.append(role)
    user = sm.find_user(username=spec["username"])
    if user is None:
        user = sm.add_user(spec["username"], spec.get("first_name", spec["username"]), spec.get("last_name", "用户"),
                           spec.get("email", f"{spec['username']}@jiandu.local"), roles, password=spec["password"])
        if not user:
            raise SystemExit(f"could not create user {spec['username']}")
    else:
        user.roles = roles
        sm.reset_password(user.id, spec["password"])
    db.session.commit()
    print(f"user {spec['username']}: {', '.join(r.name for r in roles)}")


def do_sync(labels: dict[str, dict[str, str]]) -> None:
    """Complete every dataset from the warehouse: its columns and their types (fetch_metadata),
    and Chinese labels from the dbt column comments, else from labels {schema.table: {column:
    label}} (the ops and quality tables have no comments)."""
    from sqlalchemy import text
    from superset.connectors.sqla.models import SqlaTable
    from superset.extensions import db
    for table in db.session.query(SqlaTable).all():
        table.fetch_metadata()
        key = f"{table.schema}.{table.table_name}"
        # a virtual dataset takes its labels from the first relation its SQL reads
        rel = re.search(r"\b(marts|quality|ops)\.\w+", table.sql).group(0) if table.sql else key
        with table.database.get_sqla_engine() as engine, engine.connect() as conn:
            rows = conn.execute(text(
                "select a.attname, col_description(a.attrelid, a.attnum) from pg_attribute a"
                " where a.attrelid = cast(:rel as regclass) and a.attnum > 0 and not a.attisdropped"),
                {"rel": rel}).fetchall()
            table_comment = conn.execute(text("select obj_description(cast(:rel as regclass), 'pg_class')"),
                                         {"rel": rel}).scalar()
            # fetch_metadata lists columns from the catalogue, also those withheld from the role
            # (personal data, jiandu/warehouse/ddl/050_*.sql): a dataset must not offer them
            withheld = {r[0] for r in conn.execute(text(
                "select a.attname from pg_attribute a where a.attrelid = cast(:rel as regclass) and a.attnum > 0"
                " and not a.attisdropped and not has_column_privilege(a.attrelid, a.attnum, 'SELECT')"),
                {"rel": key}).fetchall()} if not table.sql else set()
        table.columns = [c for c in table.columns if c.column_name not in withheld]
        comments = {name: comment for name, comment in rows if comment}
        for col in table.columns:
            label = labels.get(key, {}).get(col.column_name) or comments.get(col.column_name)
            if label and not col.expression:
                # the first clause of a dbt description is the label; the rest explains it
                col.verbose_name = label if len(label) <= 16 else label.split("（")[0].split("，")[0].strip()[:60]
                col.description = label
        if table_comment and not table.description:
            table.description = table_comment
    db.session.commit()
    print(f"synced {db.session.query(SqlaTable).count()} datasets with the warehouse")


def main(argv: list[str]) -> None:
    command = argv[1]
    with app_context():
        if command == "import":
            do_import(Path(argv[2]))
        elif command == "export":
            do_export(Path(argv[2]))
        elif command == "access":
            do_access(json.load(sys.stdin))
        elif command == "sync":
            do_sync(json.load(sys.stdin))
        elif command == "user":
            do_user(json.load(sys.stdin))
        elif command == "all":
            # one app start instead of one per step (each takes 10-20 s)
            spec = json.load(sys.stdin)
            do_import(Path(spec["import"]))
            do_access(spec["access"])
            for user in spec.get("users", []):
                do_user(user)
        else:
            raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
