#!/usr/bin/env bash
# Starts `warden serve` on a free loopback port, runs the official OpenAI Python client against
# it (Tests/clients/openai_moderation.py), lints /metrics with promtool, and stops the server. Used by .ci/run
# after the tests.
#
#   bash Tests/clients/run_openai_check.sh [path/to/warden]
#
# Uses Models/warden-minilm-lora when it exists, else a throwaway null bundle in a temporary folder
# (Tests/clients/make_null_bundle.py). Installs `openai` into a temporary virtualenv.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN="${1:-.build/debug/warden}"
WORK="$(mktemp -d)"
SERVER_PID=""
cleanup() {
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

BUNDLE=Models/warden-minilm-lora
if [ ! -f "$BUNDLE/manifest.json" ]; then
    BUNDLE="$WORK/null-bundle"
    python3 Tests/clients/make_null_bundle.py "$BUNDLE" Taxonomy/mlcommons-v1.yaml >/dev/null
    echo "openai check: no Models/warden-minilm-lora, using a throwaway null bundle"
fi

if ! python3 -m venv "$WORK/venv" >/dev/null 2>&1; then
    sudo_cmd=""
    [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq python3-venv
    python3 -m venv "$WORK/venv"
fi
"$WORK/venv/bin/pip" install -q openai

PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
"$BIN" serve --model "$BUNDLE" --host 127.0.0.1 --port "$PORT" --audit-db "$WORK/audit.sqlite" --backend echo \
    >"$WORK/serve.log" 2>&1 &
SERVER_PID=$!

ready=0
for _ in $(seq 1 120); do
    if python3 -c "import urllib.request, sys; urllib.request.urlopen('http://127.0.0.1:$PORT/readyz', timeout=2)" 2>/dev/null; then
        ready=1
        break
    fi
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 1
done
if [ "$ready" -ne 1 ]; then
    echo "openai check: warden serve did not become ready; its log:" >&2
    cat "$WORK/serve.log" >&2
    exit 1
fi

WARDEN_URL="http://127.0.0.1:$PORT" "$WORK/venv/bin/python" Tests/clients/openai_moderation.py

# /metrics, after the requests above, must pass Prometheus's own linter (Debian's `prometheus` ships promtool).
if ! command -v promtool >/dev/null 2>&1; then
    sudo_cmd=""
    [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq prometheus >/dev/null
fi
python3 -c "import urllib.request; print(urllib.request.urlopen('http://127.0.0.1:$PORT/metrics', timeout=5).read().decode(), end='')" \
    >"$WORK/metrics.txt"
grep -q '^warden_guard_decisions_total' "$WORK/metrics.txt"
promtool check metrics <"$WORK/metrics.txt"
echo "promtool check metrics: clean"

kill -TERM "$SERVER_PID"
if ! wait "$SERVER_PID"; then
    echo "openai check: warden serve did not shut down cleanly; its log:" >&2
    cat "$WORK/serve.log" >&2
    exit 1
fi
SERVER_PID=""
