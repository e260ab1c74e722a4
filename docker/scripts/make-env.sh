#!/bin/sh
# make-env.sh: write docker/.env from .env.example, every CHANGE_ME replaced by a fresh random
# value (hex: safe in connection URLs); AIRFLOW_FERNET_KEY gets a valid Fernet key. The values
# that are not secrets (host name, region, the LG address, the hub) still need your edit.
# Refuses to overwrite an existing .env.
set -eu
cd "$(dirname "$0")/.."
[ ! -e .env ] || { echo ".env exists; edit it by hand (README.md, 'Rotate credentials')" >&2; exit 1; }
umask 077
fernet=$(python3 -c "import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())")
while IFS= read -r line; do
    case "$line" in
        AIRFLOW_FERNET_KEY=CHANGE_ME) echo "AIRFLOW_FERNET_KEY=$fernet" ;;
        *CHANGE_ME*) echo "$line" | sed "s/CHANGE_ME/$(openssl rand -hex 24)/" ;;
        *) echo "$line" ;;
    esac
done < .env.example > .env
echo "wrote docker/.env (mode 600); now set PUBLIC_HOST, JIANDU_REGION_CODE, JIANDU_LG_URL and the JIANDU_HUB_* values"
