#!/bin/sh
# A PostgreSQL hot standby of the `postgres` service (compose.scale.yaml, service postgres-replica).
# First start: clone the primary with pg_basebackup (-R writes primary_conninfo and
# standby.signal; -C -S makes the replication slot that keeps the WAL the replica still needs).
# Later starts: just run; it catches up from the slot. Read-only: analysts and Superset only.
set -eu
: "${PRIMARY_HOST:=postgres}" "${REPLICA_SLOT:=replica1}" "${PG_REPLICATION_PASSWORD:?}"
export PGPASSWORD="$PG_REPLICATION_PASSWORD"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
    until pg_isready -h "$PRIMARY_HOST" -p 5432 -U replicator >/dev/null 2>&1; do
        echo "[replica] waiting for $PRIMARY_HOST"; sleep 3
    done
    # A slot left by an earlier replica of this name would make -C fail: reuse it instead.
    if psql "host=$PRIMARY_HOST user=replicator dbname=postgres replication=database" -Atc \
           "select 1 from pg_replication_slots where slot_name = '$REPLICA_SLOT'" 2>/dev/null | grep -q 1; then
        slot_args="-S $REPLICA_SLOT"
    else
        slot_args="-C -S $REPLICA_SLOT"
    fi
    echo "[replica] cloning $PRIMARY_HOST into $PGDATA"
    # shellcheck disable=SC2086
    pg_basebackup -h "$PRIMARY_HOST" -p 5432 -U replicator -D "$PGDATA" -X stream -R $slot_args --checkpoint=fast --progress
    chmod 0700 "$PGDATA"
fi
unset PGPASSWORD
# Analysts' long queries: delay WAL replay rather than cancel them at once, and tell the primary
# which rows they still see (feedback), within limits that keep the replica near real time.
exec postgres -c hot_standby=on -c hot_standby_feedback=on -c max_standby_streaming_delay=300s \
    -c max_connections=300 -c shared_buffers="${PG_SHARED_BUFFERS:-1GB}" \
    -c effective_cache_size="${PG_EFFECTIVE_CACHE_SIZE:-3GB}" -c timezone="${JIANDU_TIMEZONE:-Asia/Shanghai}" "$@"
