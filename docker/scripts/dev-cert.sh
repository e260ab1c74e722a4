#!/bin/sh
# dev-cert.sh [HOST]: a self-signed certificate for trying the stack (docker/certs/fullchain.pem,
# privkey.pem). Browsers warn about it. In production put the certificate the bureau's CA (or
# the government cloud's) issued for PUBLIC_HOST in the same two files.
set -eu
cd "$(dirname "$0")/.."
host=${1:-${PUBLIC_HOST:-localhost}}
mkdir -p certs
umask 077
openssl req -x509 -newkey rsa:2048 -sha256 -nodes -days 397 \
    -subj "/CN=$host" -addext "subjectAltName=DNS:$host,DNS:localhost,IP:127.0.0.1" \
    -keyout certs/privkey.pem -out certs/fullchain.pem 2>/dev/null
# nginx's master process (root in its container) reads the key at start; it stays 600
chmod 644 certs/fullchain.pem
echo "wrote docker/certs/fullchain.pem and privkey.pem for $host (self-signed, 397 days)"
