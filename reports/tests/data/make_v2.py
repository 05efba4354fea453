#!/usr/bin/python3
"""Writes the schema-version-2 fixtures in v2/ from the real version-1 results in gate-v2/.

    /usr/bin/python3 reports/tests/data/make_v2.py      # rewrites reports/tests/data/v2/*.json

Every fixture starts from a real result; what this script changes is the version-2 part
(schema_version 2, criteria[].status, exit_code, and per fixture the fields listed in
data/README.md). Measured samples, fits and rotations are kept as leakbench wrote them, except in
go-multiprocess.json, whose goroutine/process columns and figures are made up here (leakbench
had no Go target when these were written).
"""

import copy
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
EXIT = {"pass": 0, "fail": 1, "error": 2, "inconclusive": 3}
NOT_GO = "the target is not a Go program: no goroutines to count"


def load(name):
    with open(os.path.join(HERE, "gate-v2", name), encoding="utf-8") as f:
        return json.load(f)


def save(doc, name):
    os.makedirs(os.path.join(HERE, "v2"), exist_ok=True)
    with open(os.path.join(HERE, "v2", name), "w", encoding="utf-8") as f:
        f.write(json.dumps(doc, indent=1, sort_keys=True) + "\n")


def criterion(doc, cid):
    return next(c for c in doc["criteria"] if c["id"] == cid)


def set_status(c, status, detail=None, measured=...):
    """status and the version-1 booleans that follow from it."""
    c["status"] = status
    c["judged"] = status in ("pass", "fail")
    c["pass"] = status == "pass"
    if detail is not None:
        c["detail"] = detail
    if measured is not ...:
        c["measured"] = measured


def add(doc, cid, description, unit, status, detail, measured=None, bound=None):
    c = {"id": cid, "description": description, "unit": unit, "detail": detail, "measured": measured,
         "bound": bound}
    set_status(c, status)
    doc["criteria"].append(c)


def goroutines_off(doc, why=NOT_GO):
    add(doc, "goroutines_baseline", "goroutines after the warm-up", "goroutines", "off", why)
    add(doc, "goroutine_growth", "goroutine growth after the warm-up (Theil-Sen slope), per minute and per "
        "1,000 rotations", "goroutines/min", "off", why)


def delivery_figures(doc):
    f = doc["figures"]
    containers = int(doc["scenario"]["containers"])
    return {"lines_emitted": f["lines_emitted"], "lines_delivered": f["lines_captured"],
            "lost_at_source": max(0, f["lines_emitted"] - f["lines_captured"]),
            "delivered_twice": f["duplicates"], "containers": containers, "containers_delivered": containers,
            "containers_too_young": 0, "containers_gone": 0}


def add_delivery(doc, status="pass"):
    d = doc["figures"]["delivery"] = delivery_figures(doc)
    add(doc, "delivery", "every line the target received is delivered to the sink exactly once", "lines", status,
        f"{d['lines_delivered']} of {d['lines_emitted']} delivered, {d['lost_at_source']} lost at the source, "
        f"{d['delivered_twice']} delivered twice; {d['containers_delivered']} of {d['containers']} containers",
        measured=float(d["lost_at_source"] + d["delivered_twice"]), bound=0.0)


def finish(doc):
    """schema_version 2: a status for every criterion (from judged/pass where not set yet), exit_code."""
    doc["schema_version"] = 2
    for c in doc["criteria"]:
        if "status" not in c:
            if not c["judged"]:
                raise ValueError(f"{doc['scenario']['name']}: {c['id']} not judged: give it a status")
            set_status(c, "pass" if c["pass"] else "fail")
    if "expectation" in doc and doc["verdict"] not in ("error", "inconclusive"):
        doc["exit_code"] = 0 if doc["expectation"]["met"] else 1
    else:
        doc["exit_code"] = EXIT[doc["verdict"]]
    return doc


def theil_sen(t, y, warmup, rotations_per_minute):
    """A growth object like the judge's: Theil-Sen slope, Sen's 95% CI (ties ignored), intercept."""
    pts = [(a, b) for a, b in zip(t, y) if a >= warmup and b is not None]
    slopes = sorted((pts[j][1] - pts[i][1]) / (pts[j][0] - pts[i][0])
                    for i in range(len(pts)) for j in range(i + 1, len(pts)) if pts[j][0] > pts[i][0])
    median = lambda xs: (xs[len(xs) // 2] if len(xs) % 2 else (xs[len(xs) // 2 - 1] + xs[len(xs) // 2]) / 2)
    slope = median(slopes)
    intercept = median(sorted(b - slope * a for a, b in pts))
    n, m = len(pts), len(slopes)
    c = 1.96 * (n * (n - 1) * (2 * n + 5) / 18.0) ** 0.5
    lo, hi = slopes[max(0, int((m - c) / 2))], slopes[min(m - 1, int((m + c) / 2) + 1)]
    per_minute = slope * 60.0
    return {"per_minute": per_minute, "per_minute_ci": [lo * 60.0, hi * 60.0],
            "per_1000_rotations": per_minute * 1000.0 / rotations_per_minute, "trend_p_value": 1.0 if slope == 0 else 0.5,
            "trend_direction": 0, "points": len(pts), "intercept": intercept}


def gate_steady():
    """pass; delivery judged; goroutine criteria off (not a Go target)."""
    doc = load("gate-steady.json")
    add_delivery(doc)
    goroutines_off(doc)
    return finish(doc)


def gate_churn_inconclusive():
    """inconclusive: log_loss and capture could not be judged (the history of some containers was cut)."""
    doc = load("gate-churn.json")
    doc["verdict"] = "inconclusive"
    why = ("cannot count: docker logs cut the history of 12 of 60 containers (log rotated by the daemon before "
           "the target read it); the lines of those containers are unknown, none of the others was lost")
    set_status(criterion(doc, "log_loss"), "inconclusive", why, measured=None)
    set_status(criterion(doc, "capture"), "inconclusive", "48 of 60 live containers captured; 12 with a cut history "
               "cannot be judged", measured=None)
    goroutines_off(doc)
    return finish(doc)


def negative_never_rotates():
    """a negative control that failed as expected; log_loss, capture, metrics and goroutines off."""
    doc = load("negative-never-rotates.json")
    off = "switched off by the scenario: the target sends the logs to /dev/null"
    set_status(criterion(doc, "log_loss"), "off", off)
    set_status(criterion(doc, "capture"), "off", off)
    set_status(criterion(doc, "metrics"), "off", "not applicable: the target is not log-capturer (no /metrics)")
    goroutines_off(doc)
    return finish(doc)


def negative_leak_thread():
    """a negative control that failed on thread_growth as expected (outcome PASS, exit 0)."""
    doc = load("negative-leak-thread.json")
    goroutines_off(doc)
    return finish(doc)


def leak_fd_fail():
    """a plain failure: negative-leak-fd's run without its expectation (fd_growth and fd_trend fail)."""
    doc = load("negative-leak-fd.json")
    doc.pop("expectation")
    doc["scenario"].update(name="leak-fd", tags=["gate"],
                           description="gate-steady with an fd leaked every 200 rotations, as a plain scenario")
    goroutines_off(doc)
    return finish(doc)


def negative_leak_memory_inconclusive():
    """a negative control whose expected failure could not be judged: inconclusive, not FAIL."""
    doc = load("negative-leak-memory.json")
    doc["verdict"] = "inconclusive"
    doc["expectation"]["met"] = False
    set_status(criterion(doc, "memory_growth"), "inconclusive",
               "2 samples after the warm-up (the sampler lost the target at 14 s): too few for a slope", measured=None)
    goroutines_off(doc)
    return finish(doc)


def go_multiprocess():
    """a Go target of two processes: figures.goroutines/delivery/processes, samples goroutines,
    streams_open_min/max and processes; metrics off (not log-capturer)."""
    doc = load("gate-oversubscribed.json")
    sc, s, f = doc["scenario"], doc["samples"], doc["figures"]
    sc.update(name="go-multiprocess", target="./bin/go-capturer --max-streams 50 --workers 1",
              description="a Go log shipper with one worker process: 200 containers, 50 streams, 3 s rotation",
              tags=["go"])
    n = len(s["t"])
    s["goroutines"] = [None if i == 0 else 14 + 2 * o for i, o in enumerate(s["streams_open"])]
    s["streams_open_min"] = [max(0, o - 2) if i else 0 for i, o in enumerate(s["streams_open"])]
    s["streams_open_max"] = list(s["streams_open"])
    s["processes"] = [1] + [2] * (n - 1)
    closed = s["streams_closed"]
    after = [i for i, t in enumerate(s["t"]) if t >= sc["warmup_s"]]
    rate = (closed[after[-1]] - closed[after[0]]) / (s["t"][after[-1]] - s["t"][after[0]]) * 60.0
    f["goroutines"] = theil_sen(s["t"], s["goroutines"], sc["warmup_s"], rate)
    f["processes"] = [
        {"pid": 31337, "comm": "go-capturer", "threads_max": max(s["threads"]), "fds_max": max(s["fds"]) - 4,
         "rss_max_bytes": max(s["rss_bytes"]) - 3 * 1048576},
        {"pid": 31342, "comm": "go-capturer-wk", "threads_max": 5, "fds_max": 4, "rss_max_bytes": 3 * 1048576},
    ]
    add_delivery(doc)
    g = f["goroutines"]
    peak = max(v for v in s["goroutines"] if v is not None)
    add(doc, "goroutines_baseline", "goroutines after the warm-up", "goroutines", "pass",
        f"max {peak} (bound < 1000)", measured=float(peak), bound=1000.0)
    add(doc, "goroutine_growth", "goroutine growth after the warm-up (Theil-Sen slope), per minute and per "
        "1,000 rotations", "goroutines/min", "pass",
        f"{g['per_minute']:.2f} goroutines/min (95% CI {g['per_minute_ci'][0]:.2f} .. {g['per_minute_ci'][1]:.2f}, "
        f"bound 20.00)", measured=g["per_minute"], bound=20.0)
    set_status(criterion(doc, "metrics"), "off", "not applicable: the target is not log-capturer", measured=None)
    return finish(doc)


def repeat_erratic():
    """the pooled result of `leakbench --repeat 5`: thread_growth failed in run 2 only (erratic);
    capture inconclusive in run 4. Shaped like harness/run/repeat.cc's PoolResults: the shown run's
    result with the pooled verdict, exit_code and `repeat` (with `errors`, `shown_run` and a per-run
    exit_code beside what the reports need)."""
    doc = load("gate-steady.json")
    goroutines_off(doc)
    doc["verdict"] = "fail"
    verdicts = ["pass", "fail", "pass", "inconclusive", "pass"]
    per_run = []
    for i, verdict in enumerate(verdicts, 1):
        crit = {}
        for c in doc["criteria"]:
            status = "off" if c["id"].startswith("goroutine") else "pass"
            measured = c["measured"]
            if c["id"] == "thread_growth":
                measured = {2: 2.61, 3: 0.4}.get(i, 0.0)
                status = "fail" if i == 2 else "pass"
            if c["id"] == "capture" and i == 4:
                status, measured = "inconclusive", None
            crit[c["id"]] = {"status": status, "measured": measured}
        per_run.append({"verdict": verdict, "criteria": crit})
    # The pooled result is the run to show (the failing one, run 2) with the pooled verdict.
    set_status(criterion(doc, "thread_growth"), "fail", "2.61 threads/min (95% CI 1.10 .. 3.75, bound 2.00); "
               "1.52 threads per 1,000 rotations (bound 2.00)", measured=2.61)
    for run in per_run:
        run["exit_code"] = EXIT[run["verdict"]]
    doc["repeat"] = {"runs": 5, "passed": 3, "failed": 1, "inconclusive": 1, "errors": 0,
                     "erratic": ["thread_growth"], "shown_run": 2, "per_run": per_run}
    return finish(doc)


FIXTURES = {
    "gate-steady.json": gate_steady,
    "gate-churn-inconclusive.json": gate_churn_inconclusive,
    "negative-never-rotates.json": negative_never_rotates,
    "negative-leak-thread.json": negative_leak_thread,
    "leak-fd-fail.json": leak_fd_fail,
    "negative-leak-memory-inconclusive.json": negative_leak_memory_inconclusive,
    "go-multiprocess.json": go_multiprocess,
    "repeat-erratic.json": repeat_erratic,
}

if __name__ == "__main__":
    for name, make in FIXTURES.items():
        save(make(), name)
        print("wrote", os.path.join("v2", name))
