#include "harness/run/run_scenario.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
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
#include <unordered_map>

#include "common/duration.h"
#include "common/unique_fd.h"
#include "harness/run/http_get.h"
#include "harness/run/process_sweep.h"

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

// A free loopback TCP port for the target's /metrics.
int FreePort() {
  UniqueFd fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (!fd.valid() || bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return 0;
  socklen_t len = sizeof addr;
  getsockname(fd.get(), reinterpret_cast<sockaddr*>(&addr), &len);
  return ntohs(addr.sin_port);
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Value of an unlabelled sample in Prometheus text ("name 12").
std::optional<double> MetricValue(const std::string& text, const std::string& name) {
  const std::string key = "\n" + name + " ";
  const auto pos = ("\n" + text).find(key);
  if (pos == std::string::npos) return std::nullopt;
  const auto start = pos + key.size() - 1;
  return std::strtod(text.c_str() + start, nullptr);
}

// Every sample of metric `name` (any labels) in a Prometheus text exposition.
std::vector<double> MetricValues(const std::string& text, const std::string& name) {
  std::vector<double> values;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.size() <= name.size() || line.compare(0, name.size(), name) != 0) continue;
    std::size_t at = name.size();
    if (line[at] == '{') {
      at = line.find('}', at);
      if (at == std::string::npos) continue;
      ++at;
    }
    if (at >= line.size() || line[at] != ' ') continue;
    char* end = nullptr;
    const double v = std::strtod(line.c_str() + at + 1, &end);
    if (end != line.c_str() + at + 1) values.push_back(v);
  }
  return values;
}

std::size_t SeriesCount(const std::string& text) {
  std::size_t n = 0;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line[0] != '#') ++n;
  }
  return n;
}

// Counts "cid=<12 hex> seq=<N>" stamps in an output file (JSONL from
// log-capturer, raw text from any other follower).
struct StampCount {
  std::unordered_map<std::string, std::vector<std::uint32_t>> by_cid;  // seq -> times seen
  std::uint64_t lines = 0;
  std::uint64_t stamped = 0;
};
StampCount CountStamps(const std::vector<std::string>& paths) {
  StampCount c;
  for (const std::string& path : paths) {
    std::ifstream in(path, std::ios::binary);
    std::string line;
    while (std::getline(in, line)) {
      ++c.lines;
      const auto p = line.find("cid=");
      if (p == std::string::npos || p + 4 + 12 + 5 > line.size()) continue;
      const std::string cid = line.substr(p + 4, 12);
      if (line.compare(p + 16, 5, " seq=") != 0) continue;
      std::uint64_t seq = 0;
      std::size_t i = p + 21;
      bool digits = false;
      while (i < line.size() && std::isdigit(static_cast<unsigned char>(line[i]))) {
        seq = seq * 10 + static_cast<std::uint64_t>(line[i] - '0');
        ++i;
        digits = true;
      }
      if (!digits || seq == 0 || seq > 100'000'000) continue;
      auto& v = c.by_cid[cid];
      if (v.size() <= seq) v.resize(seq + 1, 0);
      ++v[seq];
      ++c.stamped;
    }
  }
  return c;
}

LossCount JudgeLoss(const std::vector<std::string>& outputs, const json& containers) {
  LossCount loss;
  if (std::none_of(outputs.begin(), outputs.end(), [](const std::string& p) { return fs::exists(p); })) {
    loss.why_not = "the target's output was not found";
    return loss;
  }
  const StampCount stamps = CountStamps(outputs);
  loss.output_lines = stamps.lines;
  if (stamps.stamped == 0) {
    loss.why_not = "no line of the target's output carries the fake's cid/seq stamp";
    return loss;
  }
  loss.judged = true;
  std::map<std::string, std::uint64_t> live;
  for (const auto& c : containers) live[c.at("cid").get<std::string>()] = c.at("emitted").get<std::uint64_t>();
  for (const auto& [cid, emitted] : live) {
    ++loss.containers;
    loss.emitted += emitted;
    auto it = stamps.by_cid.find(cid);
    if (it == stamps.by_cid.end()) continue;
    std::uint64_t distinct = 0;
    for (std::uint64_t s = 1; s < it->second.size() && s <= emitted; ++s) distinct += it->second[s] > 0 ? 1 : 0;
    loss.captured += distinct;
    if (distinct > 0) ++loss.containers_captured;
  }
  for (const auto& [cid, v] : stamps.by_cid) {
    std::uint64_t last = 0;
    for (std::uint64_t s = 1; s < v.size(); ++s) {
      if (v[s] > 1) loss.duplicates += v[s] - 1;
      if (v[s] > 0) last = s;
    }
    if (live.count(cid) == 0) {  // gone: a gap-free prefix 1..last
      for (std::uint64_t s = 1; s <= last; ++s) loss.gaps_in_gone += v[s] == 0 ? 1 : 0;
    }
  }
  return loss;
}

// `now_ns` is the fake's clock when `streams` was taken and `now_t` the
// same moment in seconds since the target started.
StreamAges AgesOf(const json& streams, std::int64_t now_ns, double now_t) {
  StreamAges a;
  std::vector<double> closed;
  std::vector<StreamAges::Rotation> rotations;
  for (const auto& s : streams) {
    if (s.value("endpoint", "") != "logs" || !s.value("follow", false)) continue;
    const std::int64_t opened = s.at("opened_at_ns").get<std::int64_t>();
    const bool open = s.value("open", false);
    const std::int64_t closed_at = open ? now_ns : s.at("closed_at_ns").get<std::int64_t>();
    const double age = static_cast<double>(closed_at - opened) / 1e9;
    if (open || s.value("close_reason", "") == "client_closed") {
      a.max_age_s = std::max(a.max_age_s, age);
      if (!open) {
        closed.push_back(age);
        rotations.push_back({now_t - static_cast<double>(now_ns - closed_at) / 1e9, age});
      }
    }
  }
  a.rotated = closed.size();
  if (!closed.empty()) {
    std::sort(closed.begin(), closed.end());
    a.median_age_s = closed[closed.size() / 2];
    a.p95_age_s = closed[std::min(closed.size() - 1, closed.size() * 95 / 100)];
  }
  std::sort(rotations.begin(), rotations.end(), [](const auto& x, const auto& y) { return x.t < y.t; });
  if (rotations.size() <= kMaxRotationRecords) {
    a.rotations = std::move(rotations);
  } else {
    for (std::size_t i = 0; i < kMaxRotationRecords; ++i) {
      a.rotations.push_back(rotations[i * (rotations.size() - 1) / (kMaxRotationRecords - 1)]);
    }
  }
  return a;
}

// The median of `v` (sorted in place); nullopt when empty.
std::optional<double> Median(std::vector<double>& v) {
  if (v.empty()) return std::nullopt;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

void Progress(const RunOptions& o, const Scenario& s, const Sample& x, bool tty, double* last_plain) {
  if (o.quiet) return;
  const double total = Seconds(s.duration);
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "%s %5.0f/%.0fs  threads %zu  fds %zu  rss %.1f MiB  streams %llu  closed streams %llu",
                s.name.c_str(), x.t, total, x.proc.threads, x.proc.fds.total(),
                static_cast<double>(x.proc.rss_bytes) / (1 << 20), static_cast<unsigned long long>(x.streams_open),
                static_cast<unsigned long long>(x.streams_closed));
  if (tty) {
    std::fprintf(stderr, "\r\033[K%s", buf);
  } else if (x.t - *last_plain >= 10) {
    *last_plain = x.t;
    std::fprintf(stderr, "%s\n", buf);
  }
}

std::string LineBytesFlag(const std::string& s) { return s; }

// A command target is a shell and the followers it starts: sum every
// process of its process group (ChildProcess makes the group).
ProcSample SampleGroup(pid_t pgid) {
  ProcSample total;
  total.ok = false;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/proc", ec)) {
    const std::string name = e.path().filename().string();
    if (name.empty() || !std::isdigit(static_cast<unsigned char>(name[0]))) continue;
    const std::string stat = ReadAll("/proc/" + name + "/stat");
    const auto close = stat.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream fields(stat.substr(close + 2));
    std::string state;
    long ppid = 0, pgrp = 0;
    fields >> state >> ppid >> pgrp;
    if (pgrp != pgid) continue;
    const ProcSample one = ReadProcSample(static_cast<pid_t>(std::stol(name)));
    if (!one.ok) continue;
    total.ok = true;
    total.threads += one.threads;
    total.fds.socket += one.fds.socket;
    total.fds.pipe += one.fds.pipe;
    total.fds.file += one.fds.file;
    total.fds.other += one.fds.other;
    total.rss_bytes += one.rss_bytes;
    if (one.pss_bytes) total.pss_bytes = total.pss_bytes.value_or(0) + *one.pss_bytes;
    total.cpu_seconds += one.cpu_seconds;
  }
  if (!total.ok) total.error = "no process left in the target's process group";
  return total;
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
      std::error_code ec;
      if (!keep.empty()) {
        fs::create_directories(keep, ec);
        fs::copy(dir, keep, fs::copy_options::recursive | fs::copy_options::overwrite_existing, ec);
      }
      fs::remove_all(dir, ec);
    }
  } guard{dir, o.keep_dir};

  const std::string sock = dir + "/docker.sock";
  const std::string control = dir + "/control.sock";
  try {
    // --- the fake --------------------------------------------------------
    std::vector<std::string> fake_args = {o.fake_binary,
                                          "--socket", sock,
                                          "--control-socket", control,
                                          "--containers", std::to_string(s.fake.containers),
                                          "--rate", std::to_string(s.fake.rate),
                                          "--line-bytes", LineBytesFlag(s.fake.line_bytes),
                                          "--tty-fraction", std::to_string(s.fake.tty_fraction),
                                          "--stderr-fraction", std::to_string(s.fake.stderr_fraction),
                                          "--burst", std::to_string(s.fake.burst),
                                          "--retention", std::to_string(s.fake.retention)};
    const std::string marker = RunMarker(dir);  // inherited by everything the run starts
    ChildProcess fake(fake_args, dir + "/fake.out", dir + "/fake.err", {marker});
    const auto fake_deadline = Clock::now() + std::chrono::seconds(15);
    while (ReadAll(dir + "/fake.out").find('\n') == std::string::npos) {
      if (fake.Poll() || Clock::now() > fake_deadline) {
        run.failure = "fake-dockerd did not start: " + ReadAll(dir + "/fake.err");
        return run;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    for (const auto& f : s.fake.faults) FakeControl(control, "POST", "/faults", f);

    // --- the target ------------------------------------------------------
    std::vector<std::string> argv;
    std::vector<std::string> env = {"DOCKER_HOST=unix://" + sock, marker};
    // Where the captured lines end up: a follower's stdout and stderr (the
    // docker CLI writes a container's stderr lines to its own stderr), or
    // log-capturer's sink file.
    std::vector<std::string> outputs;
    std::string output;
    if (s.target.kind == "command") {
      argv = {"/bin/sh", "-c", s.target.command};
      outputs = {dir + "/target.out", dir + "/target.err"};
    } else {
      run.metrics_port = FreePort();
      output = dir + "/sink.jsonl";
      outputs = {output};
      argv = {o.capturer_binary,
              "--docker-host", "unix://" + sock,
              "--sink", "file:" + output,
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
      argv.insert(argv.end(), s.target.extra_args.begin(), s.target.extra_args.end());
    }
    ChildProcess target(argv, dir + "/target.out", dir + "/target.err", env);
    const auto t0 = Clock::now();

    // --- play and sample ---------------------------------------------------
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
                      ReadAll(dir + "/target.err").substr(0, 2000);
        break;
      }
      const auto now = Clock::now();
      for (auto& [when, index] : due) {
        if (when <= now) {
          const TimedAction& a = s.fake.timeline[index];
          FakeControl(control, "POST", "/actions", a.action);
          when = a.every.count() > 0 ? when + a.every : Clock::time_point::max();
        }
      }
      if (now >= next_sample) {
        const auto cost_start = Clock::now();
        Sample x;
        x.t = Seconds(now - t0);
        x.proc = s.target.kind == "command" ? SampleGroup(target.pid()) : ReadProcSample(target.pid());
        const json truth = FakeControl(control, "GET", "/truth");
        x.streams_open = truth.value("follow_streams_open", 0u);
        x.streams_closed = truth.value("streams_closed_total", 0u);
        run.follow_streams_peak = std::max<std::uint64_t>(run.follow_streams_peak,
                                                          truth.value("follow_streams_peak", 0u));
        if (run.metrics_port != 0) {
          const HttpResult m = HttpCall("GET", "http://127.0.0.1:" + std::to_string(run.metrics_port) + "/metrics",
                                        "", "", std::chrono::seconds(2));
          if (m.ok()) {
            x.metric_streams_active = MetricValue(m.body, "log_capturer_container_streams_active");
            x.metric_rotations = MetricValue(m.body, "log_capturer_container_stream_rotations_total");
            x.metric_series = SeriesCount(m.body);
            x.metric_containers_waiting = MetricValue(m.body, "log_capturer_containers_waiting");
            std::vector<double> lag = MetricValues(m.body, "log_capturer_capture_lag_seconds");
            if (!lag.empty()) x.capture_lag_max_s = *std::max_element(lag.begin(), lag.end());
            x.capture_lag_median_s = Median(lag);
          }
        }
        x.sample_cost_ms = std::chrono::duration<double, std::milli>(Clock::now() - cost_start).count();
        run.samples.push_back(x);
        Progress(o, s, x, tty, &last_plain);
        next_sample += s.sample_interval;
        if (next_sample < Clock::now()) next_sample = Clock::now() + s.sample_interval;
      }
      std::this_thread::sleep_until(std::min(next_sample, end));
    }
    if (tty && !o.quiet) std::fprintf(stderr, "\n");

    // --- stop, catch up, collect --------------------------------------------
    const bool ran = run.failure.empty();
    FakeControl(control, "POST", "/actions", json{{"action", "set"}, {"target", "*"}, {"rate", 0}});
    FakeControl(control, "DELETE", "/faults");
    json containers = FakeControl(control, "GET", "/containers");
    if (ran) {
      // Let the target catch up with what was written (bounded); a target
      // whose output carries no stamp at all is not waited for.
      const auto catch_up_start = Clock::now();
      while (Clock::now() < catch_up_start + std::chrono::seconds(30) &&
             !(o.interrupted != nullptr && o.interrupted->load())) {
        const LossCount now_loss = JudgeLoss(outputs, containers);
        if (now_loss.judged && now_loss.captured >= now_loss.emitted) break;
        if (!now_loss.judged && Clock::now() > catch_up_start + std::chrono::seconds(3)) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
      }
    }
    const json truth_end = FakeControl(control, "GET", "/truth");
    run.follow_streams_peak =
        std::max<std::uint64_t>(run.follow_streams_peak, truth_end.value("follow_streams_peak", 0u));
    const json streams = FakeControl(control, "GET", "/streams?state=all&limit=200000");
    run.ages = AgesOf(streams, truth_end.value("now_ns", std::int64_t{0}), Seconds(Clock::now() - t0));
    run.target_exit = target.Stop(SIGTERM, std::chrono::seconds(5), &run.stop_took);
    fake.Stop(SIGTERM, std::chrono::seconds(5));
    run.loss = JudgeLoss(outputs, containers);

    // The target's own log: lines at error level.
    std::istringstream err(ReadAll(dir + "/target.err"));
    std::string line;
    while (std::getline(err, line)) {
      std::string lower = line;
      std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char ch) { return std::tolower(ch); });
      if (lower.find(" error ") != std::string::npos || lower.find(" critical ") != std::string::npos ||
          lower.rfind("error", 0) == 0) {
        ++run.error_lines;
        if (run.error_examples.size() < 5) run.error_examples.push_back(line.substr(0, 300));
      }
    }
    run.completed = ran;
  } catch (const std::exception& e) {
    run.failure = e.what();
  }
  run.wall_seconds = Seconds(Clock::now() - wall_start);
  return run;
}

}  // namespace leakbench::harness
