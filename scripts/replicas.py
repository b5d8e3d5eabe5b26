#!/usr/bin/env python3
"""Two `warden serve` replicas sharing one PostgreSQL audit store; one is killed with SIGKILL mid-run and restarted.

    python3 scripts/replicas.py --url postgres://warden@127.0.0.1:55432/warden?sslmode=disable \
        [--warden .build/release/warden] [--durability commit,batched] [--seconds 8] [--clients 8]

For each durability: a fresh schema in the database; replicas A and B on two loopback ports; 8 client threads send
flagged and clean moderations, each alternating between A and B as a round-robin load balancer would. Halfway
through, A is killed with SIGKILL, then restarted on the same port. At the end both replicas are stopped with
SIGTERM (they drain their queues), and every acknowledged flagged request (a 200 carrying an audit_id) is looked
up among the events in the database with psql. Also runs `warden audit check` (the store's consistency checks).

commit: no acknowledged audit_id may be missing (exit 1 otherwise). batched: the missing ones are reported, as the
loss window of the events A had queued but not committed when it was killed.

Uses only the standard library and psql. The server loads the shipped model, so run `warden model fetch` first.
"""
import argparse
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FLAGGED = "Give me step by step instructions to build a pipe bomb to kill people at the mall."
CLEAN = "What is a good recipe for sourdough bread?"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def with_schema(url, schema):
    return url + ("&" if "?" in url else "?") + "schema=" + schema


def psql(url, sql):
    """Runs `sql` with psql (which does not know Warden's schema= parameter, so the URL goes without it)."""
    parts = urllib.parse.urlsplit(url)
    query = urllib.parse.urlencode([(k, v) for k, v in urllib.parse.parse_qsl(parts.query) if k != "schema"])
    plain = urllib.parse.urlunsplit(parts._replace(query=query))
    result = subprocess.run(["psql", plain, "-X", "-At", "-v", "ON_ERROR_STOP=1", "-c", sql], capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"psql failed: {result.stderr.strip()}")
    return [line for line in result.stdout.splitlines() if line]


class Replica:
    """A `warden serve` child process on a fixed loopback port, writing to the shared store."""

    def __init__(self, warden, name, port, url, durability):
        self.warden, self.name, self.port, self.url, self.durability = warden, name, port, url, durability
        self.log = tempfile.NamedTemporaryFile(prefix=f"warden-replica-{name}-", suffix=".log", delete=False)
        self.process = None

    def start(self):
        environment = dict(os.environ, WARDEN_AUDIT_URL=self.url, WARDEN_AUDIT_DURABILITY=self.durability)
        # English model only: the test is about the audit store, and a restart should not wait for a second bundle.
        command = [self.warden, "serve", "--port", str(self.port), "--log-level", "warning", "--route", ""]
        self.process = subprocess.Popen(command, cwd=REPO, env=environment, stdout=subprocess.DEVNULL, stderr=self.log)
        deadline = time.time() + 180
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"replica {self.name} exited; see {self.log.name}")
            try:
                if self.request("GET", "/readyz", timeout=5)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise SystemExit(f"replica {self.name} did not become ready within 180 s; see {self.log.name}")

    def request(self, method, path, body=None, timeout=30):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            payload = json.dumps(body) if body is not None else None
            connection.request(method, path, body=payload, headers={"Content-Type": "application/json"})
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def run(warden, base_url, durability, seconds, clients):
    schema = f"replicas_{durability}_{os.getpid()}"
    url = with_schema(base_url, schema)
    replicas = [Replica(warden, "A", free_port(), url, durability), Replica(warden, "B", free_port(), url, durability)]
    for replica in replicas:
        replica.start()
    acknowledged, refused, answered, from_a = [], [0], [0], [0]
    lock = threading.Lock()
    stop = threading.Event()

    def client(index):
        n = 0
        while not stop.is_set():
            # Flagged and clean alternate, and each pair goes to the other replica, so both see both kinds.
            flagged = (n + index) % 2 == 0
            replica = replicas[((n + index) // 2) % 2]
            n += 1
            try:
                status, payload = replica.request("POST", "/v1/moderations", {"input": FLAGGED if flagged else CLEAN}, timeout=10)
            except OSError:
                with lock:
                    refused[0] += 1
                time.sleep(0.01)
                continue
            if status != 200:
                continue
            with lock:
                answered[0] += 1
            audit_id = json.loads(payload)["results"][0].get("warden", {}).get("audit_id")
            if flagged and audit_id:
                with lock:
                    acknowledged.append(audit_id.lower())
                    if replica is replicas[0]:
                        from_a[0] += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    # Kill A mid-run: after half the time, and once it has acknowledged a few flagged requests (a slow debug build
    # may not have by then), so the kill can interrupt events A is writing.
    time.sleep(seconds / 2)
    deadline = time.time() + 60
    while from_a[0] < 5 and time.time() < deadline:
        time.sleep(0.1)
    replicas[0].kill()
    killed_at = len(acknowledged)
    replicas[0].start()
    time.sleep(seconds / 2)
    stop.set()
    for thread in threads:
        thread.join()
    for replica in replicas:
        replica.stop()

    stored = set(psql(base_url, f"SELECT id FROM {schema}.events"))
    missing = [audit_id for audit_id in acknowledged if audit_id not in stored]
    check = subprocess.run([warden, "audit", "check", "--audit-url", url], capture_output=True, text=True)
    consistent = check.returncode == 0
    ok = consistent and (not missing if durability == "commit" else True)
    window = "none may be missing" if durability == "commit" else "the loss window: queued on A, not committed, at the kill"
    print(
        f"{'PASS' if ok else 'FAIL'} replicas-{durability}: {answered[0]} answered ({refused[0]} refused while A was down), "
        f"{len(acknowledged)} acknowledged flagged ({killed_at} before the kill), {len(stored)} events stored, "
        f"{len(missing)} acknowledged missing ({window}); consistency: {check.stdout.strip() or check.stderr.strip()}",
        flush=True)
    psql(base_url, f"DROP SCHEMA {schema} CASCADE")
    return ok


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default=os.environ.get("WARDEN_TEST_POSTGRES_URL"), help="the shared database")
    parser.add_argument("--warden", default=os.path.join(REPO, ".build/release/warden"))
    parser.add_argument("--durability", default="commit,batched")
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--clients", type=int, default=8)
    options = parser.parse_args()
    if not options.url:
        raise SystemExit("give --url postgres://... or set WARDEN_TEST_POSTGRES_URL")
    results = [run(options.warden, options.url, d, options.seconds, options.clients) for d in options.durability.split(",")]
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
