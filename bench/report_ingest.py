#!/usr/bin/env python3
"""Report ingestion on PostgreSQL: reports per second and p50/p99 latency of POST /api/reports
with concurrent clients, through gunicorn (production configuration, Redis for limits).

    .venv/bin/python bench/report_ingest.py [--reports 2000] [--clients 16] [--workers N]
                                            [--side all|public]

--side public runs the public side (APP_SIDE=public, only the public key on disk), which
stores what it receives without opening it. Server CPU per report is the gunicorn master's
and workers' user + system time over the measured run, divided by the reports acknowledged.

Every report is a different phone (own address, session, CSRF token, idempotency key) with a
sealed body built before the clock starts; the rate counts acknowledged reports over the
whole run (token fetches included), the latencies are of each report's first POST.
Exits with a message if POST /api/reports does not exist yet (issue 5).
"""
import argparse
import sys

from bench import load
from bench.common import machine, report_stack


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reports", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=5)
    parser.add_argument("--side", choices=("all", "public"), default="all")
    args = parser.parse_args()
    args.reports = max(1, min(args.reports, 50_000))

    with report_stack(args.workers, side=args.side) as (servers, public_key, conninfo):
        urls = [s.url for s in servers]
        warm_up = load.make_jobs(public_key, 50, seed=3)
        load.run(warm_up, urls, args.clients)  # connections, pools, caches
        jobs = load.make_jobs(public_key, args.reports, seed=11)
        cpu_before = sum(s.cpu_seconds() for s in servers)
        jobs, elapsed = load.run(jobs, urls, args.clients)
        cpu = sum(s.cpu_seconds() for s in servers) - cpu_before
        result = load.summary(jobs, elapsed)
        problems, notes, rows = load.verify(warm_up + jobs, conninfo)

    print(f"Machine: {machine()}")
    print(f"gunicorn ({args.side} side): {args.workers} sync workers on PostgreSQL + Redis; "
          f"{args.clients} concurrent clients on the same machine; loopback")
    print(f"reports: {result['sent']} sent, {result['acknowledged']} acknowledged in "
          f"{result['elapsed']:.1f} s, {result['retried']} needed a retry")
    print(f"throughput: {result['per_second']:.0f} reports/s")
    print(f"server CPU: {cpu:.1f} s in all, {1000 * cpu / max(1, result['acknowledged']):.1f} "
          "ms per report")
    print(f"latency of POST /api/reports: p50 {result['p50']:.1f} ms, p99 {result['p99']:.1f} ms")
    print(f"responses: {result['statuses']}; rows stored: {rows - 50} (+50 warm-up)")
    for note in notes:
        print(f"note: {note}")
    for problem in problems:
        print(f"PROBLEM: {problem}")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
