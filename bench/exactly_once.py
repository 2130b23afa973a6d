#!/usr/bin/env python3
"""Exactly once under load: at least 10,000 reports, a third of them sent again with the same
key after they were acknowledged, some with a first attempt that times out after 5 ms (the
server may or may not have stored it) and is retried, over two gunicorn servers sharing
PostgreSQL and Redis (a phone's retry goes to the other server).

    .venv/bin/python bench/exactly_once.py [--reports 10000] [--clients 32] [--workers 3]

Checks, and prints: stored rows = unique keys sent; every acknowledged reference is stored
under its key; every replay was answered 201 (a replay repeats the original status) with the same
reference. Exit status 1 if not.
Exits with a message if POST /api/reports does not exist yet (issue 5).
"""
import argparse
import sys

from bench import load
from bench.common import machine, report_stack


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reports", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--workers", type=int, default=3, help="per server (two servers)")
    parser.add_argument("--timeouts", type=float, default=0.05,
                        help="share of reports whose first attempt times out")
    args = parser.parse_args()
    args.reports = max(1, min(args.reports, 50_000))

    with report_stack(args.workers, servers=2) as (servers, public_key, conninfo):
        jobs = load.make_jobs(public_key, args.reports, twice=1 / 3, timeout=args.timeouts)
        last = [0]

        def progress(done):
            if done - last[0] >= 1000:
                last[0] = done
                print(f"  {done} reports done", flush=True)

        jobs, elapsed = load.run(jobs, [s.url for s in servers], args.clients, progress)
        result = load.summary(jobs, elapsed)
        problems, notes, rows = load.verify(jobs, conninfo)

    plans = {p: sum(1 for j in jobs if j["plan"] == p) for p in ("once", "twice", "timeout")}
    print(f"Machine: {machine()}")
    print(f"two gunicorn servers × {args.workers} workers, PostgreSQL + Redis, "
          f"{args.clients} clients")
    print(f"reports: {result['sent']} unique keys ({plans['twice']} sent again after their "
          f"acknowledgement, {plans['timeout']} with a first attempt timed out); "
          f"{result['acknowledged']} acknowledged in {result['elapsed']:.1f} s "
          f"({result['per_second']:.0f}/s)")
    print(f"stored rows: {rows}; unique keys: {len(jobs)}; "
          f"{'EQUAL' if rows == len(jobs) else 'DIFFERENT'}")
    print(f"responses (last attempt): {result['statuses']}")
    for note in notes:
        print(f"note: {note}")
    for problem in problems[:20]:
        print(f"PROBLEM: {problem}")
    ok = not problems and rows == len(jobs)
    print("exactly once: " + ("held" if ok else f"FAILED ({len(problems)} problems)"))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
