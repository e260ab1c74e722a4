#!/bin/sh
# pg-restore.sh DUMP_FILE NEW_DATABASE
# Restores a pg-backup.sh dump into a database that must not exist yet, so a restore never
# overwrites live data; README.md "Back up and restore" shows how to swap it in.
# Connection from the libpq variables (PGHOST, PGPORT, PGUSER, PGPASSWORD); RESTORE_OWNER (the
# new database's owner, default: the connecting role) and RESTORE_JOBS (parallel jobs, default 2).
set -eu
[ $# -eq 2 ] || { echo "usage: $0 DUMP_FILE NEW_DATABASE" >&2; exit 2; }
dump=$1; target=$2
if [ -f "$dump.sha256" ]; then
    (cd "$(dirname "$dump")" && sha256sum --check --quiet "$(basename "$dump").sha256")
else
    echo "warning: no $dump.sha256 beside the dump; its integrity is not checked" >&2
fi
createdb --template=template0 --encoding=UTF8 ${RESTORE_OWNER:+--owner="$RESTORE_OWNER"} "$target"
pg_restore --exit-on-error --jobs="${RESTORE_JOBS:-2}" --dbname "$target" "$dump"
echo "restored $dump into $target"
