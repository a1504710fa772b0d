#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes a synthetic Afterwork recording (docs/protocol.md, version 1) for the dashboard's
screenshots and load measurements: a mix of named tasks in the three timing modes, retries,
failures with a few error types, request lines, heartbeats, and optionally a shutdown that
cancels, waits for shielded tasks and abandons one at the deadline.

    make_recording.py OUT.ndjson [--tasks N] [--seconds S] [--seed N] [--no-shutdown]

Lines are those a real EventPublisher writes (same field order); ids and seq are contiguous.
"""
import argparse
import json
import random
import uuid

NAMES = [
    ("send_welcome_email", "after_response", "sync", 0.08, 40_000),
    ("resize_avatar", "immediate", "sync", 0.03, 120_000),
    ("reindex_search", "immediate", "async", 0.02, 900_000),
    ("charge_card", "after_route", "sync", 0.06, 250_000),
    ("sync_crm", "after_response", "async", 0.12, 300_000),
    ("audit_log", "after_response", "sync", 0.0, 5_000),
    ("notify_slack", "immediate", "async", 0.04, 60_000),
    ("generatePdf", "after_route", "sync", 0.05, 1_500_000),
]
ERRORS = {
    "send_welcome_email": [("SmtpError", "421 try again later"), ("std::runtime_error", "mailbox unavailable")],
    "resize_avatar": [("std::bad_alloc", "std::bad_alloc")],
    "reindex_search": [("afterwork::TaskTimeoutError", "attempt timed out after 500 ms")],
    "charge_card": [("PaymentDeclined", "card declined: insufficient funds"), ("std::runtime_error", "gateway 503")],
    "sync_crm": [("QNetworkReply::TimeoutError", "crm.example.org did not answer in 5 s"),
                 ("QNetworkReply::ConnectionRefusedError", "connection refused")],
    "notify_slack": [("std::runtime_error", "webhook returned 404")],
    "generatePdf": [("std::runtime_error", "font not found: DejaVu Sans")],
}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--tasks", type=int, default=3000)
    parser.add_argument("--seconds", type=float, default=180)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-shutdown", action="store_true")
    args = parser.parse_args()
    rng = random.Random(args.seed)

    t0 = 1_718_000_000_000_000
    events = []  # (ts_us, order, kind, fields)
    order = 0

    def add(ts, kind, fields):
        nonlocal order
        order += 1
        events.append((ts, order, kind, fields))

    span = int(args.seconds * 1e6)
    shutdown_at = t0 + span - 6_000_000 if not args.no_shutdown else None
    deadline = shutdown_at + 4_000_000 if shutdown_at else None
    request_id = 0
    counts = {k: 0 for k in ["scheduled", "started", "retrying", "succeeded", "failed", "cancelled", "abandoned", "dropped"]}
    # Ids grow with scheduling time, as the engine hands them out.
    last_arrival = (shutdown_at - 50_000) if shutdown_at else t0 + span - 2_000_000
    times = sorted(t0 + int(rng.random() ** 0.9 * (last_arrival - t0)) for _ in range(args.tasks))
    pending_at_shutdown = 0
    for task_id, scheduled in enumerate(times, start=1):
        name, mode, work, fail_rate, mean_run = rng.choice(NAMES)
        if name == "generatePdf":
            name = f"generatePdf#{task_id}"  # an unnamed task: the engine's generated name
        base = name.split("#")[0]
        shielded = base in ("charge_card", "audit_log")
        req = 0
        if mode != "immediate":
            request_id += 1
            req = request_id
            add(scheduled - 300, "request", {"request": req, "method": "POST", "path": "/" + base.replace("_", "-"),
                                             "stage": "response_written", "status": 200 if rng.random() > 0.03 else 500})
        common = {"id": task_id, "name": name, "shielded": shielded, "mode": mode, "work": work}
        if req:
            common["request"] = req
        if base == "generatePdf":
            common["function"] = "generatePdf"

        def line(ts, phase, attempt, started=0, **extra):
            fields = dict(common)
            fields["phase"] = phase
            fields["attempt"] = attempt
            fields["scheduled_us"] = scheduled
            if started:
                fields["started_us"] = started
            fields.update(extra)
            add(ts, "task", fields)

        if shutdown_at and task_id > args.tasks - 4:
            # The last few tasks run long, so that the shutdown has something to wait for (and to
            # abandon: the last one outlives the deadline).
            base, name, mode, work, fail_rate = "export_report", "export_report", "immediate", "sync", 0.0
            shielded = task_id % 2 == 0
            mean_run = 9_000_000 if task_id == args.tasks else 2_500_000
            common.update({"name": name, "shielded": shielded, "mode": mode, "work": work})
        line(scheduled, "scheduled", 1)
        counts["scheduled"] += 1
        wait = int(rng.expovariate(1 / 3000)) + 50
        start = scheduled + wait
        attempt = 1
        first_start = start
        end = None
        while True:
            run = int(rng.lognormvariate(0, 0.7) * mean_run) if base != "export_report" else mean_run
            if shutdown_at and start >= shutdown_at:
                # Never started before the shutdown: cancelled (queued) or dropped.
                line(shutdown_at + 1000 + task_id % 500, "cancelled", attempt, wait_us=shutdown_at - scheduled)
                counts["cancelled"] += 1
                end = "cancelled"
                break
            line(start, "started", attempt, start)
            if attempt == 1:
                counts["started"] += 1
            end_ts = start + run
            if shutdown_at and end_ts >= shutdown_at:
                if shielded or work == "sync":
                    pending_at_shutdown += 1
                    line(shutdown_at + 200, "shutdown_pending", attempt, start)
                    if end_ts > deadline:
                        line(deadline, "abandoned", attempt, start, wait_us=first_start - scheduled, run_us=deadline - first_start)
                        counts["abandoned"] += 1
                        end = "abandoned"
                    else:
                        line(end_ts, "succeeded", attempt, start, wait_us=first_start - scheduled, run_us=end_ts - first_start)
                        counts["succeeded"] += 1
                        end = "succeeded"
                else:
                    line(shutdown_at + 500, "cancelled", attempt, start, wait_us=first_start - scheduled, run_us=shutdown_at + 500 - first_start)
                    counts["cancelled"] += 1
                    end = "cancelled"
                break
            if rng.random() < fail_rate:
                etype, message = rng.choice(ERRORS.get(base, [("std::runtime_error", "failed")]))
                if attempt < 3 and base in ("sync_crm", "charge_card") and rng.random() < 0.6:
                    line(end_ts, "retrying", attempt + 1, start, error={"type": etype, "message": message})
                    counts["retrying"] += 1
                    attempt += 1
                    start = end_ts + 100_000 * attempt
                    continue
                line(end_ts, "failed", attempt, start, error={"type": etype, "message": message},
                     wait_us=first_start - scheduled, run_us=end_ts - first_start)
                counts["failed"] += 1
                end = "failed"
                break
            line(end_ts, "succeeded", attempt, start, wait_us=first_start - scheduled, run_us=end_ts - first_start)
            counts["succeeded"] += 1
            end = "succeeded"
            break

    if shutdown_at:
        add(shutdown_at, "shutdown", {"stage": "started", "deadline_us": deadline, "pending": pending_at_shutdown, "cancelled": 0,
                                      "finished": 0, "abandoned": 0})
    events.sort(key=lambda e: (e[0], e[1]))
    last_ts = events[-1][0] if events else t0
    # Heartbeats once a second (counts here are approximate: the dashboard keeps its own).
    beats = []
    for second in range(int((last_ts - t0) / 1e6) + 1):
        beats.append((t0 + second * 1_000_000 + 999_999, 0, "heartbeat", {"counters": counts, "live": 0, "pool": {"busy": 2, "max": 4},
                                                                        "events_dropped": 0, "subscribers": 1}))
    events = sorted(events + beats, key=lambda e: (e[0], e[1]))

    instance = str(uuid.UUID(int=rng.getrandbits(128)))
    seq = 0
    with open(args.out, "w", encoding="utf-8") as out:
        def write(ts, kind, fields):
            nonlocal seq
            head = {"v": 1, "seq": seq, "ts_us": ts, "kind": kind}
            head.update(fields)
            out.write(json.dumps(head, separators=(",", ":"), ensure_ascii=False) + "\n")
            seq += 1
        write(t0, "hello", {"source": {"app": "shop-backend", "pid": 4242, "host": "build-7", "instance": instance, "started_us": t0 - 5_000_000}})
        write(t0 + 10, "snapshot", {"tasks": []})
        progress = {"pending": pending_at_shutdown, "cancelled": 0, "finished": 0, "abandoned": 0}
        draining = False
        for ts, _, kind, fields in events:
            write(ts, kind, fields)
            if kind == "shutdown":
                draining = True
            elif draining and kind == "task" and fields["phase"] in ("succeeded", "failed", "cancelled", "abandoned"):
                # The engine reports the drain's progress as each task ends.
                key = {"succeeded": "finished", "failed": "finished"}.get(fields["phase"], fields["phase"])
                progress[key] += 1
                if fields["phase"] != "cancelled" or "started_us" in fields:
                    progress["pending"] = max(progress["pending"] - (0 if fields["phase"] == "cancelled" else 1), 0)
                write(ts + 1, "shutdown", dict({"stage": "progress", "deadline_us": deadline}, **progress))
        if shutdown_at:
            write(deadline + 1000, "shutdown", {"stage": "finished", "deadline_us": deadline, "pending": 0, "cancelled": progress["cancelled"],
                                               "finished": progress["finished"], "abandoned": progress["abandoned"], "dropped": 0,
                                               "deadline_reached": progress["abandoned"] > 0, "elapsed_ms": (deadline + 1000 - shutdown_at) // 1000})
        write(max(last_ts, deadline or 0) + 2000, "bye", {})
    print(f"{args.out}: {seq} lines, {args.tasks} tasks")


if __name__ == "__main__":
    main()
