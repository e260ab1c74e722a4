#!/bin/sh
# Runs once, when the postgres container initialises an empty data folder: let the replication
# role (created, with its password, by jiandu-init) stream WAL to a replica
# (compose.scale.yaml). "all" in pg_hba.conf does not cover replication connections.
set -eu
echo "host replication replicator all scram-sha-256" >> "$PGDATA/pg_hba.conf"
