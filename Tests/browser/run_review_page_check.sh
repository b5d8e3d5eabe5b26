#!/usr/bin/env bash
# Drives the review page (/review) of a started `warden serve` in headless Chromium: sign-in, filters, an event,
# labelling, the export, hostile conversations, roles (Tests/browser/review_page_test.py). Used by .ci/run.
#
#   bash Tests/browser/run_review_page_check.sh [path/to/warden]
#
# Needs Debian's `chromium` and `chromium-driver`. With CI=true they are installed when missing; elsewhere the
# check is skipped, saying so, when they are missing. Installs `selenium` into a temporary virtualenv.
# Screenshots and the measured queue time go to $WARDEN_BROWSER_OUTPUT (default .build/browser-tests).
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN="${1:-.build/debug/warden}"
OUTPUT="${WARDEN_BROWSER_OUTPUT:-.build/browser-tests}"
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

sudo_cmd=""
[ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
    if [ "${CI:-}" = "true" ]; then
        $sudo_cmd apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium chromium-driver >/dev/null
    else
        echo "review page check: SKIPPED, chromium and chromium-driver are not installed" \
            "(apt-get install chromium chromium-driver; with CI=true this script installs them)"
        exit 0
    fi
fi

if ! python3 -m venv "$WORK/venv" >/dev/null 2>&1; then
    $sudo_cmd apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq python3-venv
    python3 -m venv "$WORK/venv"
fi
"$WORK/venv/bin/pip" install -q selenium

BUNDLE=Models/warden-minilm-lora
if [ ! -f "$BUNDLE/manifest.json" ]; then
    BUNDLE="$WORK/null-bundle"
    python3 Tests/clients/make_null_bundle.py "$BUNDLE" Taxonomy/mlcommons-v1.yaml >/dev/null
    echo "review page check: no Models/warden-minilm-lora, using a throwaway null bundle"
fi

# The shipped policy's shape (every category blocks at 0.5), plus an `unsafe` rule at 0 that sends every check to
# review, so the conversations the test sends are recorded whatever the model scores them: the page is under test.
mkdir -p "$WORK/policies"
cat >"$WORK/policies/default.yaml" <<'YAML'
id: default
taxonomy: mlcommons-v1
defaults: { threshold: 0.5, decision: block }
input:
  - { category: unsafe, threshold: 0.0, decision: review }
output:
  - { category: unsafe, threshold: 0.0, decision: review }
on_error: block
audit: { record: flagged, store_text: full }
YAML

# 10,000 synthetic flagged events (blocks and reviews) before the server starts: the queue's load test.
"$BIN" audit _load --audit-db "$WORK/audit.sqlite" --count 10000 --batch-size 2000 >/dev/null

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
PORT="$(free_port)"
ADMIN_TOKEN="adm-$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
REVIEWER_TOKEN="rev-$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
# Tokens through the environment, not flags: flags show in `ps`. A debug build scores the long hostile conversation
# slowly, hence the generous classifier deadline.
WARDEN_ADMIN_TOKENS="ops:$ADMIN_TOKEN" WARDEN_REVIEWER_TOKENS="alice:$REVIEWER_TOKEN" WARDEN_REQUEST_TIMEOUT_MS=120000 \
    "$BIN" serve --model "$BUNDLE" --host 127.0.0.1 --port "$PORT" --audit-db "$WORK/audit.sqlite" \
    --policies "$WORK/policies" --log-level debug >"$WORK/serve.log" 2>&1 &
SERVER_PID=$!

ready=0
for _ in $(seq 1 120); do
    if python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$PORT/readyz', timeout=2)" 2>/dev/null; then
        ready=1
        break
    fi
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 1
done
if [ "$ready" -ne 1 ]; then
    echo "review page check: warden serve did not become ready; its log:" >&2
    cat "$WORK/serve.log" >&2
    exit 1
fi

mkdir -p "$OUTPUT"
status=0
WARDEN_URL="http://127.0.0.1:$PORT" WARDEN_ADMIN_TOKEN="$ADMIN_TOKEN" WARDEN_REVIEWER_TOKEN="$REVIEWER_TOKEN" \
    WARDEN_BIN="$BIN" WARDEN_AUDIT_DB="$WORK/audit.sqlite" WARDEN_BROWSER_OUTPUT="$OUTPUT" \
    "$WORK/venv/bin/python" Tests/browser/review_page_test.py -v || status=$?

# The tokens were typed into the page and sent on every call: none may appear in the server's log.
if grep -q -e "$ADMIN_TOKEN" -e "$REVIEWER_TOKEN" "$WORK/serve.log"; then
    echo "review page check: a token appears in the server log" >&2
    status=1
else
    echo "review page check: no token in the server log ($(wc -l <"$WORK/serve.log") lines at debug level)"
fi
if [ "$status" -ne 0 ]; then
    echo "review page check: failed; the server log:" >&2
    tail -n 50 "$WORK/serve.log" >&2
fi
exit "$status"
