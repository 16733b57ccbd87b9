#!/usr/bin/env bash
# System packages Mujun needs: PostgreSQL with PostGIS, GDAL's command-line tools, headless Chromium and a
# CJK font, Node.js/npm, Python's venv, and a C compiler with Python's headers (the ETL's compiled loops).
# Installed with apt when missing and we are root on Debian/Ubuntu; otherwise it says exactly what to install
# and stops.
set -euo pipefail

missing=()
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

pg_version=$(ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -n 1 || true)
if [ -z "$pg_version" ]; then
  missing+=(postgresql)
  pg_version=15
fi
for pkg in "postgresql-${pg_version}-postgis-3" chromium fonts-wqy-microhei gdal-bin; do
  have_pkg "$pkg" || missing+=("$pkg")
done
command -v npm >/dev/null || missing+=(npm)
python3 -c "import ensurepip, venv" 2>/dev/null || missing+=(python3-venv)
command -v gcc >/dev/null || missing+=(gcc)
python3 -c "import os, sysconfig; assert os.path.exists(os.path.join(sysconfig.get_paths()['include'], 'Python.h'))" 2>/dev/null \
  || missing+=(python3-dev)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  echo "installing with apt: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  exit 0
fi
echo "Mujun needs these packages; install them (Debian/Ubuntu: sudo apt-get install ${missing[*]}) and run make again." >&2
exit 1
