#!/bin/sh
# pg-backup.sh OUT_DIR DATABASE...
# One custom-format dump (pg_dump -Fc) per database, checked readable and checksummed, plus the
# roles (without passwords: those live in docker/.env, and jiandu-init sets them again).
# Connection from the usual libpq variables (PGHOST, PGPORT, PGUSER, PGPASSWORD); in the stack:
#   docker compose exec postgres pg-backup.sh /backups jiandu jiandu_lp
set -eu
[ $# -ge 2 ] || { echo "usage: $0 OUT_DIR DATABASE..." >&2; exit 2; }
out=$1; shift
mkdir -p "$out"
stamp=$(date +%Y%m%dT%H%M%S)
for db in "$@"; do
    name="$db-$stamp.dump"
    # written under a temporary name: an interrupted dump never looks like a backup
    pg_dump --format=custom --compress=6 --file "$out/$name.partial" --dbname "$db"
    pg_restore --list "$out/$name.partial" >/dev/null
    mv "$out/$name.partial" "$out/$name"
    (cd "$out" && sha256sum "$name" > "$name.sha256")
    echo "$out/$name"
done
pg_dumpall --globals-only --no-role-passwords --file "$out/globals-$stamp.sql"
echo "$out/globals-$stamp.sql"
