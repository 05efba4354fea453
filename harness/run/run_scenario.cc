#include "harness/run/run_scenario.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "common/duration.h"
#include "common/free_port.h"
#include "harness/run/http_get.h"
#include "harness/run/keep_run_dir.h"
#include "harness/run/loki_output.h"
#include "harness/run/private_dockerd.h"
#include "harness/run/process_sweep.h"
#include "harness/run/progress_line.h"
#include "harness/run/read_file.h"
#include "harness/proc/process_table.h"
#include "harness/proc/process_tree.h"
#include "harness/run/prom_text.h"
#include "harness/scenario/error_pattern.h"

namespace leakbench::harness {
namespace {

using Clock = std::chrono::steady_clock;
using json = nlohmann::json;
namespace fs = std::filesystem;

double Seconds(std::chrono::nanoseconds d) { return std::chrono::duration<double>(d).count(); }

std::string NowRfc3339() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// The median of `v` (sorted in place); nullopt when empty.
std::optional<double> Median(std::vector<double>& v) {
  if (v.empty()) return std::nullopt;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

void Progress(const RunOptions& o, const Scenario& s, const Sample& x, std::uint64_t closed_so_far, bool tty,
              double* last_plain) {
  if (o.quiet) return;
  const std::string line = ProgressLine(s.name, Seconds(s.duration), x, closed_so_far);
  if (tty) {
    std::fprintf(stderr, "\r\033[K%s", line.c_str());
  } else if (x.t - *last_plain >= 10) {
    *last_plain = x.t;
    std::fprintf(stderr, "%s\n", line.c_str());
  }
}

// How far the target's gauge may trail the fake's record: the daemon ends
// a stream (container stopped) before the target reads the EOF, and the
// target counts a stream it opens before the request reaches the daemon.
// The scrape window is widened by this on both sides; on loopback the
// skew is milliseconds (one sample in 44 was 1 stream behind without it).
constexpr std::int64_t kGaugeSkewNs = 500'000'000;

// The fake keeps this many closed stream records; read them all.
constexpr std::size_t kStreamsRead = 250000;

std::string FillIn(std::string text, const std::string& key, const std::string& value) {
  for (auto at = text.find(key); at != std::string::npos; at = text.find(key, at + value.size())) {
    text.replace(at, key.size(), value);
  }
  return text;
}

std::string FillPort(std::string text, int port) { return FillIn(std::move(text), "{port}", std::to_string(port)); }

// The target's error lines in its stderr: log-capturer's own error and
// critical levels; for a command, every line matching target.error_pattern,
// or without one every line that is not a captured log line (the docker
// CLI writes a container's stderr lines to its stderr: those carry a stamp).
void CountErrorLines(const Scenario& s, const std::string& err_text, RunData& run) {
  std::istringstream err(err_text);
  std::string line;
  const bool command = s.target.kind == "command";
  std::optional<ErrorPattern> pattern;
  if (command && !s.target.error_pattern.empty()) pattern.emplace(s.target.error_pattern);
  run.error_rule = !command ? "log-capturer lines at level error or critical"
                   : pattern ? "stderr lines matching /" + s.target.error_pattern + "/"
                             : "stderr lines that are not captured log lines (no cid/seq stamp)";
  while (std::getline(err, line)) {
    bool error = false;
    if (!command) {
      std::string lower = line;
      std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char ch) { return std::tolower(ch); });
      error = lower.find(" error ") != std::string::npos || lower.find(" critical ") != std::string::npos ||
              lower.rfind("error", 0) == 0;
    } else if (pattern) {
      error = pattern->Matches(line);
    } else {
      error = !line.empty() && !HasStamp(line);
    }
    if (!error) continue;
    ++run.error_lines;
    if (run.error_examples.size() < 5) run.error_examples.push_back(line.substr(0, 300));
  }
}


// Containers started at or before this fake time are judged for capture
// and delivery: those there when the target started, and those started at
// least the grace (rotation + tolerance) before emission stopped.
std::int64_t JudgedCutoff(const RunData& run, std::int64_t emission_end_ns) {
  const std::int64_t target_start = run.samples.empty() ? 0 : run.samples.front().fake_ns;
  return std::max(target_start, emission_end_ns - run.capture_grace_ns);
}

}  // namespace

RunData RunScenario(const Scenario& s, const RunOptions& o) {
  RunData run;
  run.scenario = s;
  run.started_at = NowRfc3339();
  const auto wall_start = Clock::now();
  char tmpl[] = "/tmp/leakbench-run.XXXXXX";
  if (mkdtemp(tmpl) == nullptr) {
    run.failure = "cannot create a run directory under /tmp";
    return run;
  }
  const std::string dir = tmpl;
  Watchdog::WatchDirectory(dir);
  // Destroyed after the children below are stopped: then whatever they
  // left (a `setsid` grandchild of a command target) is killed by its
  // environment marker, and the run directory copied and removed.
  struct DirGuard {
    std::string dir, keep;
    ~DirGuard() {
      KillMarked(RunMarker(dir), std::chrono::seconds(2));
      if (!keep.empty()) {
        // The private dockerd (real_daemon.cc puts it in "d") has stopped
        // and unmounted by now; its layer store is a copy of the workload
        // image per container, gigabytes at scale, and no record of the run.
        const KeptRunDir kept =
            KeepRunDir(dir, keep, {{"d/data/vfs", "the private dockerd's layer store (the image, once per container)"}});
        std::fputs(DescribeKeptRunDir(kept, keep).c_str(), stderr);
      }
      std::error_code ec;
      fs::remove_all(dir, ec);
    }
  } guard{dir, o.keep_dir};

  try {
    // --- the daemon: fake-dockerd, or a real one behind the counting proxy
    const std::string marker = RunMarker(dir);  // inherited by everything the run starts
    std::unique_ptr<DaemonUnderTest> daemon =
        s.daemon == "real" ? StartRealDaemon(s, o, dir) : StartFakeDaemon(s, o, dir);
    run.daemon = daemon->info();
    run.daemon_processes = daemon->processes();
    run.daemon_unsampled = daemon->why_unsampled();
    const std::string sock = daemon->target_socket();
    const std::string control = daemon->control_socket();

    // --- the target ------------------------------------------------------
    std::vector<std::string> argv;
    // The run marker (everything the run starts) and the target's own
    // marker: sampling finds the target's descendants that left its tree
    // (reparented to init) by it, and never the fake.
    const std::string target_marker = "LEAKBENCH_TARGET_OF=" + dir;
    std::vector<std::string> env = {"DOCKER_HOST=unix://" + sock, marker, target_marker,
                                    "LEAKBENCH_FOLLOWERS=" + o.followers_dir,
                                    "LEAKBENCH_GO_FOLLOWERS=" + o.go_followers_dir};
    // Where the captured lines end up: a follower's stdout and stderr (the
    // docker CLI writes a container's stderr lines to its own stderr), a
    // file it writes (target.output), or log-capturer's sink file.
    std::vector<std::string> outputs;
    const bool command = s.target.kind == "command";
    std::string metrics_url, pprof_url;
    // Lives until the output is audited, after the target stopped (a
    // follower may push what it holds when told to stop).
    std::unique_ptr<LokiOutput> loki;
    if (s.target.output == "loki") {
      loki = std::make_unique<LokiOutput>(dir + "/loki-pushed.log");
      env.push_back("LEAKBENCH_LOKI_URL=" + loki->url());
    }
    if (command) {
      std::string cmd = s.target.command;
      if (loki) cmd = FillIn(cmd, "{loki}", loki->url());
      if (!s.target.metrics_url.empty() || !s.target.pprof_url.empty() || cmd.find("{port}") != std::string::npos) {
        run.metrics_port = FreeLoopbackPort();
        cmd = FillPort(cmd, run.metrics_port);
        metrics_url = FillPort(s.target.metrics_url, run.metrics_port);
        pprof_url = FillPort(s.target.pprof_url, run.metrics_port);
      }
      argv = {"/bin/sh", "-c", cmd};
      outputs = {dir + "/target.out", dir + "/target.err"};
      // Whatever a foreign follower leaves in its TMPDIR goes with the run
      // directory, even when it is killed before it cleans up.
      const std::string tmp = dir + "/tmp";
      std::error_code tmp_error;
      if (!fs::create_directory(tmp, tmp_error)) {
        throw std::runtime_error("cannot create " + tmp + ": " + tmp_error.message());
      }
      env.push_back("TMPDIR=" + tmp);
    } else {
      run.metrics_port = FreeLoopbackPort();
      metrics_url = "http://127.0.0.1:" + std::to_string(run.metrics_port) + "/metrics";
      const std::string output = dir + "/sink.jsonl";
      outputs = {output};
      argv = {o.capturer_binary,
              "--docker-host", "unix://" + sock,
              "--sink", loki ? "loki:" + loki->url() : "file:" + output,
              "--rotation-interval", FormatDuration(s.target.rotation_interval),
              "--max-streams", std::to_string(s.target.max_streams),
              "--metrics-listen", "127.0.0.1:" + std::to_string(run.metrics_port),
              "--log-level", "info"};
      if (!s.target.inject_leak.empty()) {
        argv.push_back("--inject-leak");
        argv.push_back(s.target.inject_leak);
        argv.push_back("--inject-leak-every");
        argv.push_back(std::to_string(s.target.inject_leak_every));
      }
      for (const std::string& fault : s.target.inject_faults) {
        argv.push_back("--inject-fault");
        argv.push_back(fault);
      }
      argv.insert(argv.end(), s.target.extra_args.begin(), s.target.extra_args.end());
    }
    if (loki) {
      if (!command) outputs.clear();  // no sink file: everything went to Loki
      outputs.push_back(loki->path());
    } else if (!s.target.output.empty()) {
      outputs.push_back(s.target.output);
    }
    ChildProcess target(argv, dir + "/target.out", dir + "/target.err", env);
    const auto t0 = Clock::now();

    // --- play and sample ---------------------------------------------------
    ProcessTable processes;
    std::vector<std::pair<Clock::time_point, std::size_t>> due;
    for (std::size_t i = 0; i < s.fake.timeline.size(); ++i) due.emplace_back(t0 + s.fake.timeline[i].at, i);
    const bool tty = isatty(STDERR_FILENO) != 0;
    double last_plain = -10;
    auto next_sample = t0;
    const auto end = t0 + s.duration;
    while (Clock::now() < end) {
      if (o.interrupted != nullptr && o.interrupted->load()) {
        run.interrupted = true;
        run.failure = "interrupted";
        break;
      }
      if (target.Poll()) {
        run.target_died_early = true;
        run.target_exit = target.Poll();
        run.failure = "the target exited during the run (" + run.target_exit->ToString() + "): " +
                      ReadWholeFile(dir + "/target.err").substr(0, 2000);
        break;
      }
      const auto now = Clock::now();
      for (auto& [when, index] : due) {
        if (when <= now) {
          const TimedAction& a = s.fake.timeline[index];
          daemon->Play(a.action);
          // A restarted real daemon's processes are new ones: sample those,
          // and fit the daemon's growth from then on (judge_series.cc).
          std::vector<DaemonProcess> now_processes = daemon->processes();
          bool moved = now_processes.size() != run.daemon_processes.size();
          for (std::size_t i = 0; !moved && i < now_processes.size(); ++i) {
            moved = now_processes[i].pid != run.daemon_processes[i].pid;
          }
          if (moved) {
            run.daemon_processes = std::move(now_processes);
            run.daemon_restarts_s.push_back(Seconds(Clock::now() - t0));
          }
          when = a.every.count() > 0 ? when + a.every : Clock::time_point::max();
        }
      }
      if (now >= next_sample) {
        const auto cost_start = Clock::now();
        Sample x;
        x.t = Seconds(now - t0);
        if (command) {
          const ProcessTreeSample tree = SampleProcessTree(target.pid(), target_marker);
          x.proc = tree.total;
          if (!tree.ok) x.proc.error = tree.error;
          const ProcessPeak peak = processes.Add(x.t, tree);
          x.processes = peak.processes;
          x.threads_max_per_process = peak.threads_max;
          x.fds_max_per_process = peak.fds_max;
        } else {
          x.proc = ReadProcSample(target.pid());
        }
        for (const DaemonProcess& p : run.daemon_processes) x.daemon.push_back(ReadProcSample(p.pid));
        x.daemon_generation = run.daemon_restarts_s.size();
        const FakeTruth truth = ParseTruth(FakeControl(control, "GET", "/truth"));
        x.fake_ns = truth.now_ns;
        x.streams_open = truth.follow_streams_open;
        run.follow_streams_peak = std::max(run.follow_streams_peak, truth.follow_streams_peak);
        if (!metrics_url.empty()) {
          x.scrape_from_ns = truth.now_ns;
          const HttpResult m = HttpCall("GET", metrics_url, "", "", std::chrono::seconds(2));
          x.scrape_to_ns = ParseTruth(FakeControl(control, "GET", "/truth")).now_ns;
          if (m.ok()) {
            x.metric_streams_active = MetricValue(m.body, "log_capturer_container_streams_active");
            x.metric_rotations = MetricValue(m.body, "log_capturer_container_stream_rotations_total");
            x.metric_series = SeriesCount(m.body);
            x.metric_containers_waiting = MetricValue(m.body, "log_capturer_containers_waiting");
            std::vector<double> lag = MetricValues(m.body, "log_capturer_capture_lag_seconds");
            if (!lag.empty()) x.capture_lag_max_s = *std::max_element(lag.begin(), lag.end());
            x.capture_lag_median_s = Median(lag);
            x.goroutines = MetricValue(m.body, "go_goroutines");
            x.target_open_fds = MetricValue(m.body, "process_open_fds");
            x.target_rss_bytes = MetricValue(m.body, "process_resident_memory_bytes");
          } else {
            ++run.metrics_scrapes_failed;
          }
        }
        if (!pprof_url.empty()) {
          const HttpResult g = HttpCall("GET", pprof_url + "?debug=1", "", "", std::chrono::seconds(2));
          if (g.ok()) {
            if (auto total = PprofGoroutineTotal(g.body)) x.goroutines = total;
          }
        }
        x.sample_cost_ms = std::chrono::duration<double, std::milli>(Clock::now() - cost_start).count();
        run.samples.push_back(x);
        Progress(o, s, x, truth.streams_closed_total, tty, &last_plain);
        next_sample += s.sample_interval;
        if (next_sample < Clock::now()) next_sample = Clock::now() + s.sample_interval;
      }
      std::this_thread::sleep_until(std::min(next_sample, end));
    }
    if (tty && !o.quiet) std::fprintf(stderr, "\n");

    // --- stop, catch up, collect --------------------------------------------
    const bool ran = run.failure.empty();
    daemon->StopEmission();
    const std::int64_t emission_end_ns = ParseTruth(FakeControl(control, "GET", "/truth")).now_ns;
    const std::vector<FakeContainer> containers = daemon->Containers();
    const double rotation_s = Seconds(s.target.rotation_interval);
    run.capture_grace_ns = static_cast<std::int64_t>((rotation_s + s.criteria.rotation_tolerance_s.value_or(10)) * 1e9);
    // Each stream keyed by the full id of its container, whatever the
    // follower named it by (the proxy records the request's reference).
    auto read_streams = [&] {
      std::vector<FollowStream> all =
          ParseFollowStreams(FakeControl(control, "GET", "/streams?state=all&limit=" + std::to_string(kStreamsRead)));
      for (FollowStream& f : all) f.container_id = daemon->ResolveContainer(f.container_id);
      return all;
    };
    if (ran) {
      // Let the target catch up with what was written: until its output
      // holds every line, or (an output without stamps) until the daemon has
      // sent every line. A target that is behind but still gaining lines is
      // slow, not lossy, so the wait ends 30 s after the last progress (at
      // most kCatchUpMax): a starved dockerd once left log-capturer 50 s
      // behind, and a fixed 30 s counted the lines still on their way as lost.
      constexpr auto kNoProgress = std::chrono::seconds(30);
      constexpr auto kCatchUpMax = std::chrono::seconds(180);
      const auto catch_up_start = Clock::now();
      auto last_progress = catch_up_start;
      std::uint64_t best = 0;
      while (Clock::now() < last_progress + kNoProgress && Clock::now() < catch_up_start + kCatchUpMax &&
             !(o.interrupted != nullptr && o.interrupted->load())) {
        std::uint64_t got = 0;
        const LossCount now_loss = JudgeLoss(outputs, containers);
        if (now_loss.judged) {
          if (now_loss.captured >= now_loss.emitted) break;
          got = now_loss.captured;
        } else {
          const FakeTruth t = ParseTruth(FakeControl(control, "GET", "/truth"));
          const Delivery d = JudgeDelivery(read_streams(), containers, JudgedCutoff(run, emission_end_ns));
          if (d.lines_delivered >= d.lines_emitted) break;
          if (t.follow_streams_open == 0 && Clock::now() > catch_up_start + std::chrono::seconds(3)) break;
          got = d.lines_delivered;
        }
        if (got > best) {
          best = got;
          last_progress = Clock::now();
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
      }
      run.catch_up_s = Seconds(Clock::now() - catch_up_start);
    }
    // The fake counts a line as sent when its write completes, which can
    // come after the target already read it (a busy fake at 10,000
    // containers: seconds). So the record is read again while it still
    // gains lines, bounded, before it is judged.
    std::vector<FollowStream> streams = read_streams();
    run.delivery = JudgeDelivery(streams, containers, JudgedCutoff(run, emission_end_ns));
    for (int settle = 0; ran && settle < 20 && run.delivery.lost_at_source > 0; ++settle) {
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
      std::vector<FollowStream> again = read_streams();
      Delivery d = JudgeDelivery(again, containers, JudgedCutoff(run, emission_end_ns));
      if (d.lost_at_source >= run.delivery.lost_at_source) break;  // no progress: that is the record
      streams = std::move(again);
      run.delivery = std::move(d);
    }
    run.truth_end = ParseTruth(FakeControl(control, "GET", "/truth"));
    run.follow_streams_peak = std::max(run.follow_streams_peak, run.truth_end.follow_streams_peak);
    run.ages = AgesOf(streams, run.truth_end.now_ns, Seconds(Clock::now() - t0));
    const StreamTimeline timeline(streams);
    for (Sample& x : run.samples) {
      x.streams_closed = timeline.ClosedByClientAt(x.fake_ns);
      x.streams_opened = timeline.OpenedAt(x.fake_ns);
      if (x.scrape_to_ns != 0) {
        const auto range = timeline.OpenDuring(x.scrape_from_ns - kGaugeSkewNs, x.scrape_to_ns + kGaugeSkewNs);
        x.streams_open_min = range.min;
        x.streams_open_max = range.max;
      }
    }
    if (!pprof_url.empty() && ran) {
      const HttpResult dump = HttpCall("GET", pprof_url + "?debug=2", "", "", std::chrono::seconds(5));
      if (dump.ok()) run.goroutine_dump = dump.body.substr(0, 64u << 20);
    }
    run.target_exit = target.Stop(SIGTERM, std::chrono::seconds(5), &run.stop_took);
    daemon->Stop();
    run.daemon = daemon->info();
    if (loki) run.loki = loki->stats();
    run.loss = JudgeLoss(outputs, containers);
    run.processes = processes.records();
    run.processes_untracked = processes.untracked();
    CountErrorLines(s, ReadWholeFile(dir + "/target.err"), run);
    if (run.loki && run.loki->rejected > 0) {
      // Pushes a Loki would refuse (or leakbench's JSON-only endpoint
      // cannot read) are the target's errors: their lines are lost.
      run.error_lines += run.loki->rejected;
      run.error_rule += "; pushes refused by leakbench's Loki endpoint";
      run.error_examples.insert(run.error_examples.begin(),
                                "Loki push refused (" + std::to_string(run.loki->rejected) +
                                    "x): " + run.loki->last_rejection);
      if (run.error_examples.size() > 5) run.error_examples.resize(5);
    }
    run.completed = ran;
  } catch (const DaemonUnavailable& e) {
    run.failure = std::string(kNoDaemon) + e.what();
  } catch (const std::exception& e) {
    run.failure = e.what();
  }
  run.wall_seconds = Seconds(Clock::now() - wall_start);
  return run;
}

}  // namespace leakbench::harness
