#!/usr/bin/env python3
"""Runs one go-follower build against fake-dockerd and measures it.

Starts fake-dockerd on private sockets, the follower with DOCKER_HOST set,
churns containers on a timer, scrapes the follower's /metrics (go_goroutines,
process_open_fds, process_resident_memory_bytes) every --sample seconds, then
stops the fake's writing, lets the follower catch up, SIGTERMs it and counts
its stdout by cid/seq against what the fake says each container emitted.

  measure.py --fake build/dev/fakes/fake-dockerd \
             --follower build/dev/harness/followers/go/go-follower-fixed \
             --duration 90 --churn-every 10 --churn-count 2

--expect flat|growing turns it into a check (exit 1 when it does not hold):
flat = no loss, no duplicate, goroutines after the warm-up within a band;
growing = goroutines at the end well above the start.
"""
import argparse
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request


class UnixHTTP(http.client.HTTPConnection):
    def __init__(self, path, timeout=10):
        super().__init__("localhost", timeout=timeout)
        self.path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.path)


def control(sock, method, path, body=None):
    c = UnixHTTP(sock)
    try:
        c.request(method, path, body=json.dumps(body) if body is not None else None,
                  headers={"Content-Type": "application/json"})
        r = c.getresponse()
        data = r.read()
        if r.status >= 300:
            raise RuntimeError(f"{method} {path}: {r.status} {data[:200]!r}")
        return json.loads(data)
    finally:
        c.close()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


METRIC = re.compile(r"^(go_goroutines|process_open_fds|process_resident_memory_bytes|"
                    r"gofollower_rotations_total|gofollower_streams_active|gofollower_stream_errors_total) (\S+)$")


def scrape(port):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as r:
        text = r.read().decode()
    out = {}
    for line in text.splitlines():
        m = METRIC.match(line)
        if m:
            out[m.group(1)] = float(m.group(2))
    return out


def wait_for(pred, timeout, what):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            if pred():
                return
        except Exception:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"timed out waiting for {what}")


STAMP = re.compile(rb"cid=([0-9a-f]{12}) seq=(\d+)")


def count_lines(path):
    seen = {}
    with open(path, "rb") as f:
        for line in f:
            m = STAMP.search(line)
            if m:
                seen.setdefault(m.group(1).decode(), []).append(int(m.group(2)))
    return seen


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--fake", required=True)
    ap.add_argument("--follower", required=True)
    ap.add_argument("--mode", help="pass -mode to the follower (default: the binary's own)")
    ap.add_argument("--rotation", default="5s")
    ap.add_argument("--containers", type=int, default=20)
    ap.add_argument("--rate", type=float, default=5)
    ap.add_argument("--tty-fraction", type=float, default=0.3)
    ap.add_argument("--duration", type=float, default=90)
    ap.add_argument("--sample", type=float, default=5)
    ap.add_argument("--warmup", type=float, default=10)
    ap.add_argument("--churn-every", type=float, default=10)
    ap.add_argument("--churn-count", type=int, default=2)
    ap.add_argument("--restart-daemon-at", type=float, help="restart_daemon (down 1s) at this second")
    ap.add_argument("--fake-arg", action="append", default=[], help="one more fake-dockerd argument (repeatable)")
    ap.add_argument("--expect", choices=["flat", "growing"])
    ap.add_argument("--keep", help="copy the follower's stdout/stderr here")
    a = ap.parse_args()

    tmp = tempfile.mkdtemp(prefix="go-follower-measure.")
    procs = []
    try:
        dsock, csock = os.path.join(tmp, "docker.sock"), os.path.join(tmp, "control.sock")
        fake = subprocess.Popen([a.fake, "--socket", dsock, "--control-socket", csock,
                                 "--containers", str(a.containers), "--rate", str(a.rate),
                                 "--tty-fraction", str(a.tty_fraction)] + a.fake_arg,
                                stdout=subprocess.PIPE, stderr=open(os.path.join(tmp, "fake.err"), "wb"),
                                start_new_session=True)
        procs.append(fake)
        ready = fake.stdout.readline()
        if b'"ready":true' not in ready:
            raise RuntimeError(f"fake-dockerd did not start: {ready!r}")

        port = free_port()
        cmd = [a.follower, "-listen", f"127.0.0.1:{port}", "-rotation", a.rotation]
        if a.mode:
            cmd += ["-mode", a.mode]
        out_path, err_path = os.path.join(tmp, "stdout"), os.path.join(tmp, "stderr")
        env = dict(os.environ, DOCKER_HOST=f"unix://{dsock}")
        fol = subprocess.Popen(cmd, env=env, stdout=open(out_path, "wb"), stderr=open(err_path, "wb"),
                               start_new_session=True)
        procs.append(fol)
        t0 = time.monotonic()
        wait_for(lambda: scrape(port), 10, "the follower's /metrics")

        samples = []
        next_sample, next_churn = 0.0, a.churn_every if a.churn_every > 0 else float("inf")
        restarted = a.restart_daemon_at is None
        print(f"# {os.path.basename(a.follower)} {' '.join(cmd[1:])}; {a.containers} containers, "
              f"rate {a.rate}/s, tty {a.tty_fraction}, churn {a.churn_count} every {a.churn_every}s")
        print(f"{'t_s':>5} {'goroutines':>10} {'fds':>5} {'rss_MiB':>8} {'rotations':>9} {'errors':>6} "
              f"{'fake_follow_open':>16} {'live':>4} {'tty_live':>8}")
        while True:
            t = time.monotonic() - t0
            if fol.poll() is not None:
                raise RuntimeError(f"the follower exited early ({fol.returncode})")
            if t >= next_churn and t < a.duration:
                control(csock, "POST", "/actions", {"action": "churn", "count": a.churn_count})
                next_churn += a.churn_every
            if not restarted and t >= a.restart_daemon_at:
                control(csock, "POST", "/actions", {"action": "restart_daemon", "down": "1s"})
                restarted = True
            if t >= next_sample:
                m = scrape(port)
                truth = control(csock, "GET", "/truth")
                live = control(csock, "GET", "/containers")
                row = dict(t=round(t, 1), goroutines=int(m["go_goroutines"]), fds=int(m["process_open_fds"]),
                           rss_mib=round(m["process_resident_memory_bytes"] / 2**20, 1),
                           rotations=int(m.get("gofollower_rotations_total", 0)),
                           errors=int(m.get("gofollower_stream_errors_total", 0)),
                           fake_follow_open=truth["follow_streams_open"], live=len(live),
                           tty_live=sum(1 for c in live if c.get("tty")))
                samples.append(row)
                print(f"{row['t']:>5} {row['goroutines']:>10} {row['fds']:>5} {row['rss_mib']:>8} "
                      f"{row['rotations']:>9} {row['errors']:>6} {row['fake_follow_open']:>16} "
                      f"{row['live']:>4} {row['tty_live']:>8}", flush=True)
                next_sample += a.sample
                if t >= a.duration:
                    break
            time.sleep(0.05)

        # Stop writing, let the follower catch up, stop it.
        control(csock, "POST", "/actions", {"action": "set", "target": "*", "rate": 0})
        time.sleep(max(3.0, 1.0))
        live = control(csock, "GET", "/containers")
        fol.send_signal(signal.SIGTERM)
        t_term = time.monotonic()
        try:
            rc = fol.wait(15)
        except subprocess.TimeoutExpired:
            fol.kill()
            rc = fol.wait()
        stop_s = time.monotonic() - t_term

        seen = count_lines(out_path)
        lost = dup = emitted = 0
        for c in live:
            seqs = seen.get(c["cid"], [])
            want = set(range(c["first_seq_held"], c["last_seq"] + 1)) if c["last_seq"] else set()
            emitted += c["emitted"]
            lost += len(want - set(seqs))
            dup += len(seqs) - len(set(seqs))
        live_ids = {c["cid"] for c in live}
        gone_gaps = gone_dup = 0
        for cid, seqs in seen.items():
            if cid in live_ids:
                continue
            u = set(seqs)
            gone_dup += len(seqs) - len(u)
            gone_gaps += (max(u) - len(u)) if u else 0  # a gap-free prefix 1..max has none
        with open(err_path, "rb") as f:
            err_lines = f.read().decode(errors="replace").splitlines()
        errors = [l for l in err_lines if "level=error" in l]
        after = [s["goroutines"] for s in samples if s["t"] >= a.warmup]
        summary = dict(follower=os.path.basename(a.follower), mode=a.mode, exit_code=rc,
                       sigterm_to_exit_s=round(stop_s, 2),
                       goroutines_first=samples[0]["goroutines"], goroutines_last=samples[-1]["goroutines"],
                       goroutines_after_warmup_min=min(after) if after else None,
                       goroutines_after_warmup_max=max(after) if after else None,
                       fds_first=samples[0]["fds"], fds_last=samples[-1]["fds"],
                       live_containers=len(live), live_emitted=emitted, live_lost=lost, live_duplicated=dup,
                       gone_containers_seen=len(set(seen) - live_ids), gone_gaps=gone_gaps,
                       gone_duplicated=gone_dup, stderr_lines=len(err_lines), stderr_error_lines=len(errors),
                       first_error=errors[0][:200] if errors else None)
        print(json.dumps(summary))
        if a.keep:
            os.makedirs(a.keep, exist_ok=True)
            for n in ("stdout", "stderr"):
                shutil.copy(os.path.join(tmp, n), os.path.join(a.keep, n))

        ok = True
        if a.expect == "flat":
            band = max(10, 0.2 * (summary["goroutines_after_warmup_min"] or 0))
            ok = (lost == 0 and dup == 0 and rc == 0 and
                  summary["goroutines_after_warmup_max"] - summary["goroutines_after_warmup_min"] <= band)
        elif a.expect == "growing":
            ok = summary["goroutines_last"] >= summary["goroutines_first"] + 20
        if a.expect:
            print(f"expect {a.expect}: {'ok' if ok else 'FAILED'}")
        return 0 if ok else 1
    finally:
        for p in reversed(procs):
            if p.poll() is None:
                try:
                    os.killpg(p.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
                try:
                    p.wait(5)
                except subprocess.TimeoutExpired:
                    os.killpg(p.pid, signal.SIGKILL)
                    p.wait()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
