#!/usr/bin/env bash
# A throw-away PostgreSQL cluster for tests and benchmarks (Debian's `postgresql` package).
#
#   scripts/pg-temp-cluster.sh start DIR [PORT]   # initdb into DIR, start on 127.0.0.1:PORT (default 55432),
#                                                 # create database `warden`; prints its URL on stdout
#   scripts/pg-temp-cluster.sh stop DIR           # stop it (the caller removes DIR)
#
# initdb refuses to run as root, so as root the cluster runs as the `postgres` user the package creates.
# Installs the package with apt-get when no server binaries are found (CI machines are fresh Debian).
set -euo pipefail

find_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }

as_owner() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

command="${1:-}"
dir="${2:-}"
[ -n "$command" ] && [ -n "$dir" ] || { echo "usage: $0 start DIR [PORT] | stop DIR" >&2; exit 2; }

bin="$(find_bin)"
if [ -z "$bin" ]; then
    [ "$command" = stop ] && exit 0
    echo "PostgreSQL server not found; installing Debian's postgresql package" >&2
    sudo_cmd=""
    [ "$(id -u)" = 0 ] || sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq postgresql >&2
    bin="$(find_bin)"
fi

case "$command" in
start)
    port="${3:-55432}"
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres: "$dir"
    as_owner "$bin/initdb" -D "$dir/data" -U warden --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
        -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c max_connections=200" start >&2 \
        || { cat "$dir/server.log" >&2; exit 1; }
    as_owner "$bin/createdb" -h 127.0.0.1 -p "$port" -U warden warden
    echo "postgres://warden@127.0.0.1:$port/warden?sslmode=disable"
    ;;
stop)
    [ -d "$dir/data" ] && as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >&2 || true
    ;;
*)
    echo "usage: $0 start DIR [PORT] | stop DIR" >&2; exit 2
    ;;
esac
