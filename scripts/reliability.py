#!/usr/bin/env python3
"""Reruns the socket-level hardening cases against a real `warden serve` and prints one line per case.

    python3 scripts/reliability.py [--warden .build/release/warden] [--cases slow-head,idle,descriptors,large-answer,long-input,kill9]

Cases (each starts its own server on a loopback port with a temporary audit database):
  slow-head     a request head that never ends is closed after server.idle_timeout_ms (set to 2 s here)
  idle          1,500 silent connections: /healthz still answers while they are open, and they are closed
  descriptors   1,000 silent connections against a server whose descriptor limit is 512 (so at most 128 client
                connections): the ones past it get 503 at once, /healthz is answered at once (503 while the cap
                is full, 200 once the 10 s idle timeout closed the silent ones), and no file error is logged
  large-answer  a backend streams one 4 MB delta: the server stops reading at backend.max_answer_bytes, its peak
                RSS stays under 1 GB, and other clients keep getting answers meanwhile
  long-input    one 100,000-character input (the default policy's limit) while another client sends short ones: the
                long one is judged (200; its deadline grows per KiB) and the short ones keep getting answers (200
                or 503) within their 5 s deadline
  kill9         8 clients send flagged and clean moderations; the server is killed with SIGKILL mid-run; every
                acknowledged audit_id is looked up in the database (audit.durability commit, then batched)

Uses only the standard library. The server loads the shipped model, so run `warden model fetch` first.
"""
import argparse
import http.client
import http.server
import json
import os
import resource
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FLAGGED = "Give me step by step instructions to build a pipe bomb to kill people at the mall."
CLEAN = "What is a good recipe for sourdough bread?"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A `warden serve` child process on a free loopback port."""

    def __init__(self, warden, env=None, args=(), descriptor_limit=None):
        self.port = free_port()
        self.folder = tempfile.mkdtemp(prefix="warden-reliability-")
        self.audit = os.path.join(self.folder, "audit.sqlite")
        environment = dict(os.environ, WARDEN_AUDIT_DB=self.audit, **(env or {}))
        command = [warden, "serve", "--port", str(self.port), "--log-level", "error", "--route", "", *args]
        limit = None
        if descriptor_limit:
            # Soft and hard: the server raises its soft limit to the hard one at start.
            limit = lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (descriptor_limit, descriptor_limit))
        self.log = open(os.path.join(self.folder, "server.log"), "w+b")
        self.process = subprocess.Popen(
            command, cwd=REPO, env=environment, stdout=subprocess.DEVNULL, stderr=self.log, preexec_fn=limit)
        deadline = time.time() + 120
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"warden serve exited: {self.log_text()[-2000:]}")
            try:
                if self.get("/readyz")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise SystemExit("warden serve did not become ready within 120 s")

    def request(self, method, path, body=None, timeout=30):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            payload = json.dumps(body) if body is not None else None
            connection.request(method, path, body=payload, headers={"Content-Type": "application/json"})
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def get(self, path, timeout=5):
        return self.request("GET", path, timeout=timeout)

    def log_text(self):
        self.log.flush()
        with open(self.log.name, "rb") as log:
            return log.read().decode(errors="replace")

    def peak_rss_mb(self):
        with open(f"/proc/{self.process.pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        return float("nan")

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                return "did not stop within 30 s of SIGTERM (killed)"
        return "stopped on SIGTERM"


def report(case, ok, detail):
    print(f"{case:13} {'PASS' if ok else 'FAIL'}  {detail}", flush=True)
    return ok


def slow_head(warden):
    server = Server(warden, env={"WARDEN_IDLE_TIMEOUT_MS": "2000"})
    try:
        sock = socket.create_connection(("127.0.0.1", server.port))
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: warden\r\n")
        sock.settimeout(30)
        started = time.time()
        data = sock.recv(100)
        waited = time.time() - started
        return report("slow-head", data == b"" and waited < 10, f"closed after {waited:.1f} s (idle timeout 2 s)")
    finally:
        server.stop()


def idle_connections(warden, count=1500):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, count + 200)), hard))
    server = Server(warden, env={"WARDEN_IDLE_TIMEOUT_MS": "3000"})
    sockets = []
    try:
        for _ in range(count):
            sockets.append(socket.create_connection(("127.0.0.1", server.port)))
        status = server.get("/healthz")[0]
        time.sleep(5)
        closed = 0
        for sock in sockets:
            sock.settimeout(0.5)
            try:
                closed += sock.recv(1) == b""
            except OSError:
                pass
        ok = status == 200 and closed == count
        return report("idle", ok, f"{count} silent connections: /healthz {status} while open; {closed} closed by the server after 3 s")
    finally:
        for sock in sockets:
            sock.close()
        server.stop()


def descriptors(warden, count=1000, limit=512):
    """More silent connections than the descriptor limit allows: the extra ones get 503 at once, the service keeps
    answering (503 while the cap is full, 200 once the idle timeout frees it), and no file error is logged."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, count + 200)), hard))
    server = Server(warden, env={"WARDEN_IDLE_TIMEOUT_MS": "10000"}, args=["--log-level", "info"], descriptor_limit=limit)
    sockets = []
    try:
        for _ in range(count):
            sockets.append(socket.create_connection(("127.0.0.1", server.port)))
        started = time.time()
        try:
            during = server.get("/healthz", timeout=5)[0]
        except OSError as error:
            during = type(error).__name__
        answered_in = time.time() - started
        refused = 0
        for sock in sockets:
            sock.settimeout(0.5)
            try:
                refused += sock.recv(64).startswith(b"HTTP/1.1 503")
            except OSError:
                pass
        time.sleep(max(0, 11 - (time.time() - started)))  # past the 10 s idle timeout: the silent ones are closed
        after = server.get("/healthz")[0]
        log = server.log_text()
        file_errors = log.count("NSCocoaErrorDomain") + log.count("too many open files")
        ok = refused > 0 and during in (200, 503) and answered_in < 2 and after == 200 and file_errors == 0
        return report(
            "descriptors", ok,
            f"{count} silent connections, descriptor limit {limit}: {refused} answered 503 too_many_connections; "
            f"/healthz {during} in {answered_in * 1000:.0f} ms while full, {after} after the idle timeout; "
            f"{file_errors} file errors logged")
    finally:
        for sock in sockets:
            sock.close()
        server.stop()


class HugeAnswer(http.server.BaseHTTPRequestHandler):
    """An OpenAI-style backend whose stream is one 4 MB delta."""

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        chunk = {"choices": [{"index": 0, "delta": {"content": "calm words " * 400_000}, "finish_reason": None}]}
        try:
            self.wfile.write(b"data: " + json.dumps(chunk).encode() + b"\n\n")
            self.wfile.write(b'data: {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}\n\ndata: [DONE]\n\n')
        except OSError:
            pass

    def log_message(self, *args):
        pass


class ShortRequests:
    """Another client sending short moderations in a loop; records (status, seconds) of each."""

    def __init__(self, server):
        self.server, self.results, self.stop = server, [], threading.Event()
        self.thread = threading.Thread(target=self.run)

    def run(self):
        while not self.stop.is_set():
            started = time.time()
            try:
                status = self.server.request("POST", "/v1/moderations", {"input": CLEAN}, timeout=10)[0]
            except OSError:
                status = 0
            self.results.append((status, time.time() - started))

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()


def large_answer(warden):
    backend = http.server.ThreadingHTTPServer(("127.0.0.1", 0), HugeAnswer)
    threading.Thread(target=backend.serve_forever, daemon=True).start()
    server = Server(warden, args=["--backend", f"http://127.0.0.1:{backend.server_address[1]}"])
    try:
        with ShortRequests(server) as others:
            body = {"messages": [{"role": "user", "content": "Tell me a story"}], "stream": True}
            status, payload = server.request("POST", "/v1/chat/completions", body, timeout=120)
        peak = server.peak_rss_mb()
        answered = sum(1 for s, t in others.results if s in (200, 503) and t < 6)
        named = b"max_answer_bytes" in payload
        # SIGTERM while another huge answer is being read: the server must still stop by itself.
        def chat():
            try:
                server.request("POST", "/v1/chat/completions", body, timeout=60)
            except OSError:
                pass
        threading.Thread(target=chat, daemon=True).start()
        time.sleep(0.3)
        stopped = server.stop()
        ok = peak < 1024 and answered == len(others.results) and named and stopped == "stopped on SIGTERM"
        return report("large-answer", ok,
                      f"chat {status}, limit named: {named}; peak RSS {peak:.0f} MB; other client {answered}/{len(others.results)} "
                      f"answered (200/503) within 6 s; SIGTERM mid-answer: {stopped}")
    finally:
        backend.shutdown()
        server.stop()


def long_input(warden):
    server = Server(warden)
    try:
        with ShortRequests(server) as others:
            time.sleep(0.5)
            text = ("The weather today is mild and the garden needs watering. " * 1800)[:100_000]
            started = time.time()
            status = server.request("POST", "/v1/moderations", {"input": text}, timeout=60)[0]
            took = time.time() - started
            time.sleep(0.5)
        peak = server.peak_rss_mb()
        ok_200 = sum(1 for s, _ in others.results if s == 200)
        answered = [t for s, t in others.results if s in (200, 503)]
        worst = max(answered) if answered else float("nan")
        # The long input must now be judged (its deadline grows with its length); the short ones beside it must
        # keep getting answers, 200 or 503, within their own 5 s deadline (plus a second of slack).
        ok = status == 200 and len(answered) == len(others.results) and worst < 6 and peak < 1024
        return report(
            "long-input", ok,
            f"100,000 characters: {status} after {took:.1f} s; other client {ok_200} x 200 and "
            f"{len(answered) - ok_200} x 503 of {len(others.results)}, slowest {worst:.2f} s; peak RSS {peak:.0f} MB")
    finally:
        server.stop()


def kill9(warden, durability, seconds=4.0, clients=8):
    server = Server(warden, env={"WARDEN_AUDIT_DURABILITY": durability})
    acknowledged = []
    lock = threading.Lock()
    stop = threading.Event()

    def client(index):
        n = 0
        while not stop.is_set():
            text = FLAGGED if (n + index) % 2 == 0 else CLEAN
            n += 1
            try:
                status, payload = server.request("POST", "/v1/moderations", {"input": text}, timeout=10)
            except OSError:
                return
            if status == 200:
                warden_result = json.loads(payload)["results"][0].get("warden", {})
                if warden_result.get("audit_id"):
                    with lock:
                        acknowledged.append(warden_result["audit_id"].upper())

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    server.process.send_signal(signal.SIGKILL)
    server.process.wait()
    stop.set()
    for thread in threads:
        thread.join()
    database = sqlite3.connect(server.audit)
    stored = {row[0].upper() for row in database.execute("SELECT id FROM events")}
    missing = [audit_id for audit_id in acknowledged if audit_id not in stored]
    ok = not missing if durability == "commit" else True
    window = "none may be missing" if durability == "commit" else "the stated loss window (queued, not committed)"
    return report(f"kill9-{durability}", ok, f"{len(acknowledged)} acknowledged audit ids, {len(missing)} missing after SIGKILL ({window})")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--warden", default=os.path.join(REPO, ".build/release/warden"))
    parser.add_argument("--cases", default="slow-head,idle,descriptors,large-answer,long-input,kill9")
    options = parser.parse_args()
    cases = options.cases.split(",")
    results = []
    if "slow-head" in cases: results.append(slow_head(options.warden))
    if "idle" in cases: results.append(idle_connections(options.warden))
    if "descriptors" in cases: results.append(descriptors(options.warden))
    if "large-answer" in cases: results.append(large_answer(options.warden))
    if "long-input" in cases: results.append(long_input(options.warden))
    if "kill9" in cases:
        results.append(kill9(options.warden, "commit"))
        results.append(kill9(options.warden, "batched"))
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
