#!/usr/bin/env bash
# The few system packages jiandu needs that no wheel provides: Debian's Chromium and its
# ChromeDriver, for the headless browser tests (case-entry UI, Superset dashboards) and
# Superset's screenshots. Installed only when missing; needs root (or password-less sudo).
set -euo pipefail

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
# Chromium renders Chinese only with a CJK font; without one every label is a row of boxes.
if ! fc-list 2>/dev/null | grep -qi -e "noto sans cjk" -e "wqy"; then need+=(fonts-noto-cjk); fi
[ ${#need[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "[system] please install: ${need[*]} (no apt-get on this machine)" >&2
  exit 0   # the browser tests then fail and say what is missing; nothing else needs them
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
    echo "[system] please run as root: apt-get install -y ${need[*]}" >&2; exit 0; fi
fi
echo "[system] installing ${need[*]} with apt-get"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
