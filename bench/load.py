"""Many devices sending reports at once, for report_ingest.py, exactly_once.py and faults.py.

Each job is one phone with one report: its own address (X-Forwarded-For, counted with
PROXY_FIX=1), its own session and CSRF token, a sealed body built before the clock starts,
and an idempotency key. A job's plan says how it behaves:

- "once": send until acknowledged.
- "twice": then send the very same request again, as a phone does when it never saw the
  first answer; the server must answer 200 with the same reference.
- "timeout": the first attempt gives up after a few milliseconds (the server may still
  store it), then retries as usual.
"""
import ipaddress
import queue
import random
import threading
import time

from bench.common import percentile
from bench.report_client import Device, RouteMissing, new_key, report_body, sample_answers


def make_jobs(public_key, count, twice=0.0, timeout=0.0, seed=7):
    rng = random.Random(seed)
    jobs = []
    for i in range(count):
        draw = rng.random()
        plan = "twice" if draw < twice else "timeout" if draw < twice + timeout else "once"
        jobs.append({"i": i, "key": new_key(), "plan": plan,
                     "address": str(ipaddress.IPv4Address(0x0A000000 + i + 1)),
                     "body": report_body(public_key, sample_answers(i))})
    return jobs


def run(jobs, urls, concurrency, progress=None, deadline=600.0):
    """Run the jobs on `concurrency` threads, spread over `urls` (round robin). Returns the
    jobs with their outcome and the elapsed time. progress(done) is called as jobs finish."""
    work = queue.Queue()
    for job in jobs:
        work.put(job)
    done = [0]
    lock = threading.Lock()
    missing = []
    stop = time.monotonic() + deadline

    def worker():
        while time.monotonic() < stop:
            try:
                job = work.get_nowait()
            except queue.Empty:
                return
            url = urls[job["i"] % len(urls)]
            device = Device(url, address=job["address"])
            try:
                first_timeout = 0.005 if job["plan"] == "timeout" else None
                status, ref, attempts, latency = device.deliver(
                    job["key"], job["body"], first_timeout=first_timeout,
                    deadline=max(1.0, stop - time.monotonic()))
                job.update(status=status, reference=ref, attempts=attempts, latency=latency)
                if job["plan"] == "twice" and ref:
                    device.host, device.port = _host_port(urls[(job["i"] + 1) % len(urls)])
                    again = device.deliver(job["key"], job["body"])
                    job.update(replay_status=again[0], replay_reference=again[1])
            except RouteMissing as err:
                missing.append(str(err))
                return
            with lock:
                done[0] += 1
                if progress:
                    progress(done[0])

    started = time.monotonic()
    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if missing:
        raise SystemExit(missing[0])
    return jobs, time.monotonic() - started


def _host_port(url):
    host, port = url.split("//")[1].split(":")
    return host, int(port)


def summary(jobs, elapsed):
    acked = [j for j in jobs if j.get("reference")]
    latencies = [j["latency"] * 1000 for j in jobs if j.get("latency") is not None]
    statuses = {}
    for j in jobs:
        statuses[j.get("status")] = statuses.get(j.get("status"), 0) + 1
    return {
        "sent": len(jobs), "acknowledged": len(acked), "elapsed": elapsed,
        "per_second": len(acked) / elapsed if elapsed else 0.0,
        "p50": percentile(latencies, 50), "p99": percentile(latencies, 99),
        "retried": sum(1 for j in jobs if j.get("attempts", 0) > 1),
        "statuses": statuses,
    }


def verify(jobs, conninfo):
    """Exactly once: one stored row per key that was sent and acknowledged, each with the
    reference the device was given, and replays answered with that same reference.
    Returns (problems, notes, stored row count); no problems means exactly once held."""
    import psycopg

    with psycopg.connect(conninfo) as conn:
        rows = conn.execute("SELECT idempotency_key, reference FROM reports").fetchall()
    stored = {}
    problems = []
    for key, reference in rows:
        if key in stored:
            problems.append(f"key {key} stored twice")
        stored[key] = reference
    sent_keys = {j["key"] for j in jobs}
    for j in jobs:
        if j.get("reference"):
            if stored.get(j["key"]) != j["reference"]:
                problems.append(f"acknowledged {j['reference']} (key {j['key']}) is not stored "
                                f"as acknowledged (stored: {stored.get(j['key'])})")
        if j["plan"] == "twice" and j.get("reference"):
            if (j.get("replay_status"), j.get("replay_reference")) != (201, j["reference"]):
                problems.append(f"replay of {j['key']} answered {j.get('replay_status')} "
                                f"{j.get('replay_reference')}, not 201 {j['reference']}")
    strangers = set(stored) - sent_keys
    if strangers:
        problems.append(f"{len(strangers)} stored rows have keys no device sent")
    acked_keys = {j["key"] for j in jobs if j.get("reference")}
    notes = []
    unacked = sent_keys - acked_keys
    if unacked:
        # Not wrong in itself (the phone keeps the report and retries later, getting the same
        # reference), but the run should say so.
        notes.append(f"{len(unacked)} reports were not acknowledged before the deadline "
                     f"({len(unacked & set(stored))} of them are stored)")
    return problems, notes, len(rows)
