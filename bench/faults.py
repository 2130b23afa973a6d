#!/usr/bin/env python3
"""Faults in the middle of the load: `kill -9` of a gunicorn worker, then (with
--restart-postgres) a PostgreSQL restart. Afterwards: every report that got a success
response is stored, and the clients' retries delivered the rest (each report is retried
until acknowledged, with back-off, as the outbox does).

    .venv/bin/python bench/faults.py [--reports 3000] [--clients 16] [--workers 3]
                                     [--restart-postgres]

--restart-postgres runs `pg_ctlcluster --skip-systemctl-redirect <version> main restart`
(version from /etc/postgresql; `--pg-cluster 15/other` for another cluster): that restarts
the machine's PostgreSQL for everyone using it, so it is opt-in; run it only when nobody
else is using that server, or on a cluster of your own (bench/README.md).
Exits with a message if POST /api/reports does not exist yet (issue 5).
"""
import argparse
import os
import signal
import subprocess
import sys
import threading
import time

from bench import load
from bench.common import machine, report_stack


def default_cluster():
    versions = sorted(os.listdir("/etc/postgresql"), key=lambda v: int(v) if v.isdigit() else 0)
    return f"{versions[-1]}/main"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reports", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--restart-postgres", action="store_true")
    parser.add_argument("--pg-cluster", default=None,
                        help="VERSION/NAME of the cluster to restart (default: newest/main)")
    args = parser.parse_args()
    args.reports = max(100, min(args.reports, 50_000))
    events = []

    with report_stack(args.workers) as (servers, public_key, conninfo):
        server = servers[0]
        jobs = load.make_jobs(public_key, args.reports, twice=0.1)
        kill_at, restart_at = args.reports // 4, args.reports // 2
        fired = set()

        def progress(done):
            if done >= kill_at and "kill" not in fired:
                fired.add("kill")
                victim = server.worker_pids()[0]
                os.kill(victim, signal.SIGKILL)
                events.append(f"after {done} reports: kill -9 gunicorn worker {victim}")
            if args.restart_postgres and done >= restart_at and "restart" not in fired:
                fired.add("restart")
                threading.Thread(target=restart, args=(done,)).start()

        def restart(done):
            started = time.monotonic()
            version, name = (args.pg_cluster or default_cluster()).split("/")
            result = subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect",
                                     version, name, "restart"],
                                    capture_output=True, text=True)
            events.append(f"after {done} reports: PostgreSQL restart "
                          f"({'ok' if result.returncode == 0 else result.stderr.strip()}, "
                          f"{time.monotonic() - started:.1f} s)")

        jobs, elapsed = load.run(jobs, [server.url], args.clients, progress)
        while args.restart_postgres and len(events) < 2:
            time.sleep(0.2)  # let the restart finish before checking the database
        result = load.summary(jobs, elapsed)
        problems, notes, rows = load.verify(jobs, conninfo)

    print(f"Machine: {machine()}")
    print(f"gunicorn × {args.workers} workers, PostgreSQL + Redis, {args.clients} clients")
    for event in events:
        print(f"fault: {event}")
    if not args.restart_postgres:
        print("fault: PostgreSQL restart skipped (add --restart-postgres; it restarts the "
              "shared server)")
    print(f"reports: {result['sent']} sent; {result['acknowledged']} acknowledged; "
          f"{result['retried']} needed retries; {result['elapsed']:.1f} s")
    print(f"stored rows: {rows}; responses (last attempt): {result['statuses']}")
    for note in notes:
        print(f"note: {note}")
    for problem in problems[:20]:
        print(f"PROBLEM: {problem}")
    ok = not problems and result["acknowledged"] == result["sent"] == rows
    print("every acknowledged report stored, retries completed the rest: "
          + ("yes" if ok else "NO"))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
