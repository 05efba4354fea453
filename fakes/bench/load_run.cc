#include "fakes/bench/load_run.h"

#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <utility>

#include "common/proc/host_load.h"
#include "fakes/bench/fd_limit.h"
#include "fakes/bench/http_get.h"
#include "fakes/client/text.h"

namespace followload {

using fakedocker::Printable;

namespace {

using json = nlohmann::json;

Clock::duration ToDuration(double seconds) {
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
}

// The fake's /proc/<pid> now (common/proc/proc_sample.h: status, stat,
// schedstat, smaps_rollup, fd/).
FakeSample SampleFake(int pid) {
  FakeSample s;
  s.at = Clock::now();
  s.proc = leakbench::ReadProcSample(static_cast<pid_t>(pid));
  return s;
}

}  // namespace

LoadRun::LoadRun(boost::asio::io_context& io, Config cfg)
    : io_(io),
      cfg_(std::move(cfg)),
      ramp_timer_(io),
      sample_timer_(io),
      hold_timer_(io),
      signals_(io, SIGINT, SIGTERM) {
  rec_.clk_tck = static_cast<uint64_t>(sysconf(_SC_CLK_TCK));
}

void LoadRun::StreamGone(FollowStream::State was, const std::string& category, const std::string& detail) {
  if (was == FollowStream::State::kHead) --heads_pending_;
  if (was == FollowStream::State::kBody) --open_;
  if (category == "ended") {
    ++rec_.ended;
  } else {
    ++rec_.failed;
  }
  auto& f = rec_.failures[category];
  if (f.first++ == 0) f.second = detail;
}

void LoadRun::Abort(const std::string& why) {
  std::fprintf(stderr, "follow-load: %s\n", why.c_str());
  exit_code_ = 2;
  io_.stop();
}

void LoadRun::Start() {
  signals_.async_wait([this](boost::system::error_code ec, int) {
    if (ec) return;
    std::fprintf(stderr, "follow-load: interrupted: ending the %s phase now\n", phase_.c_str());
    rec_.interrupted = true;
    if (phase_ == "hold") {
      hold_timer_.cancel();
    } else if (phase_ == "ramp") {
      ramp_timer_.cancel();
      BeginHold();
    } else {
      io_.stop();
      exit_code_ = 2;
    }
  });
  // File descriptors: streams + a few for the control socket and /proc.
  FdBudget budget = RaiseFdLimit(cfg_.streams, cfg_.quiet);
  rec_.nofile_limit = budget.nofile_limit;
  fd_cap_ = budget.stream_cap;
  FetchPid();
}

void LoadRun::FetchPid() {
  if (cfg_.fake_pid > 0 || cfg_.control_socket.empty()) {
    rec_.fake_pid = cfg_.fake_pid;
    if (rec_.fake_pid <= 0) {
      std::fprintf(stderr, "follow-load: no --fake-pid and no control socket: not sampling the fake\n");
    }
    return ListContainers();
  }
  HttpGet(io_, cfg_.control_socket, "/ping", [this](HttpResult r) {
    if (!r.error.empty() || r.status != 200) {
      return Abort("GET /ping on the control socket " + cfg_.control_socket + " failed: " +
                   (r.error.empty() ? "HTTP " + std::to_string(r.status) : r.error) +
                   " (pass --fake-pid, or --control-socket '' to skip the fake's truth)");
    }
    auto j = json::parse(r.body, nullptr, false);
    if (j.is_discarded() || !j.contains("pid")) return Abort("GET /ping: no pid in '" + Printable(r.body) + "'");
    rec_.fake_pid = j["pid"].get<int>();
    ListContainers();
  });
}

void LoadRun::ListContainers() {
  HttpGet(io_, cfg_.socket, ApiTarget("/containers/json"), [this](HttpResult r) {
    if (!r.error.empty() || r.status != 200) {
      return Abort("GET /containers/json on " + cfg_.socket + " failed: " +
                   (r.error.empty() ? "HTTP " + std::to_string(r.status) + " " + Printable(r.body) : r.error));
    }
    auto j = json::parse(r.body, nullptr, false);
    if (j.is_discarded() || !j.is_array()) return Abort("GET /containers/json: not a JSON array");
    // dockerd lists newest first; follow them oldest first so stream i goes to container i % C.
    for (auto it = j.rbegin(); it != j.rend(); ++it) {
      if (!it->contains("Id")) continue;
      Target t;
      t.id = (*it)["Id"].get<std::string>();
      t.cid12 = t.id.substr(0, 12);
      targets_.push_back(std::move(t));
      if (cfg_.max_containers > 0 && targets_.size() >= cfg_.max_containers) break;
    }
    if (targets_.empty()) return Abort("the fake lists no running containers: nothing to follow");
    InspectNext();
  });
}

void LoadRun::InspectNext() {
  // Config.Tty decides the body's framing; inspect 16 containers at a time.
  while (inspect_in_flight_ < 16 && inspect_next_ < targets_.size()) {
    size_t i = inspect_next_++;
    ++inspect_in_flight_;
    HttpGet(io_, cfg_.socket, ApiTarget("/containers/" + targets_[i].id + "/json"), [this, i](HttpResult r) {
      --inspect_in_flight_;
      if (!r.error.empty() || r.status != 200) {
        return Abort("GET /containers/" + targets_[i].id + "/json failed: " +
                     (r.error.empty() ? "HTTP " + std::to_string(r.status) : r.error));
      }
      auto j = json::parse(r.body, nullptr, false);
      if (j.is_discarded()) return Abort("inspect: not JSON");
      targets_[i].tty = j.contains("Config") && j["Config"].value("Tty", false);
      InspectNext();
    });
  }
  if (inspect_in_flight_ == 0 && inspect_next_ == targets_.size()) BeginRamp();
}

void LoadRun::BeginRamp() {
  std::string query = "?follow=1&stdout=1&stderr=1";
  if (cfg_.timestamps) query += "&timestamps=1";
  if (!cfg_.tail.empty()) query += "&tail=" + cfg_.tail;
  for (auto& t : targets_) {
    t.request = "GET " + ApiTarget("/containers/" + t.id + "/logs") + query +
                " HTTP/1.1\r\nHost: docker\r\nUser-Agent: leakbench-follow-load\r\n\r\n";
  }
  streams_.reserve(cfg_.streams);
  for (size_t i = 0; i < cfg_.streams; ++i) {
    streams_.push_back(std::make_unique<FollowStream>(*this, i, targets_[i % targets_.size()]));
  }
  size_t tty = static_cast<size_t>(std::count_if(targets_.begin(), targets_.end(), [](const Target& t) { return t.tty; }));
  if (!cfg_.quiet) {
    std::fprintf(stderr, "follow-load: fake pid %d; %zu containers (%zu TTY); opening %zu streams, %zu per %.0f ms\n",
                 rec_.fake_pid, targets_.size(), tty, cfg_.streams, cfg_.ramp_batch, cfg_.ramp_interval_s * 1000);
  }
  phase_ = "ramp";
  ramp_start_ = Clock::now();
  last_sample_at_ = ramp_start_;
  if (rec_.fake_pid > 0) rec_.proc_ramp_start = proc_last_ = SampleFake(rec_.fake_pid);
  ScheduleSample();
  RampTick();
}

void LoadRun::LaunchOne(size_t index) {
  if (index >= fd_cap_) {
    return streams_[index]->Refuse("RLIMIT_NOFILE", "not opened: the fd limit " + std::to_string(rec_.nofile_limit) +
                                                        " leaves room for " + std::to_string(fd_cap_) + " streams");
  }
  streams_[index]->Launch();
}

void LoadRun::RampTick() {
  if (phase_ != "ramp") return;
  // Keep at most one batch waiting for response heads.
  size_t budget = cfg_.ramp_batch > heads_pending_ ? cfg_.ramp_batch - heads_pending_ : 0;
  std::deque<size_t> retry;
  retry.swap(retry_);
  while (budget > 0 && !retry.empty()) {
    LaunchOne(retry.front());
    retry.pop_front();
    --budget;
  }
  for (size_t i : retry) retry_.push_back(i);
  while (budget > 0 && next_launch_ < streams_.size()) {
    LaunchOne(next_launch_++);
    --budget;
  }
  const bool all_launched = next_launch_ == streams_.size() && retry_.empty();
  if (all_launched && heads_pending_ == 0) {
    rec_.ramp_seconds = Seconds(Clock::now() - ramp_start_);
    rec_.ramp_open = open_;
    return BeginHold();
  }
  if (Seconds(Clock::now() - ramp_start_) > cfg_.ramp_timeout_s) {
    std::fprintf(stderr, "follow-load: ramp timed out after %.0f s with %zu of %zu streams open; holding those\n",
                 cfg_.ramp_timeout_s, open_, cfg_.streams);
    rec_.ramp_timed_out = true;
    rec_.ramp_seconds = Seconds(Clock::now() - ramp_start_);
    rec_.ramp_open = open_;
    return BeginHold();
  }
  ramp_timer_.expires_after(ToDuration(cfg_.ramp_interval_s));
  ramp_timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) RampTick();
  });
}

void LoadRun::ScheduleSample() {
  sample_timer_.expires_after(ToDuration(cfg_.sample_interval_s));
  sample_timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) SampleTick();
  });
}

void LoadRun::SampleTick() {
  if (phase_ != "ramp" && phase_ != "hold") return;
  auto now = Clock::now();
  double dt = Seconds(now - last_sample_at_);
  if (rec_.fake_pid > 0) {
    const FakeSample s = SampleFake(rec_.fake_pid);
    if (s.proc.ok) {
      double cpu = proc_last_.proc.ok ? 100.0 * static_cast<double>(s.proc.cpu_ticks - proc_last_.proc.cpu_ticks) /
                                            static_cast<double>(rec_.clk_tck) / Seconds(s.at - proc_last_.at)
                                      : 0;
      if (phase_ == "hold") rec_.cpu_peak_pct = std::max(rec_.cpu_peak_pct, cpu);
      rec_.threads_max = std::max(rec_.threads_max, s.proc.threads);
      rec_.rss_peak_kib = std::max(rec_.rss_peak_kib, s.proc.rss_bytes / 1024);
      rec_.fds_peak = std::max(rec_.fds_peak, s.proc.fds.total());
      if (!cfg_.quiet) {
        std::fprintf(stderr,
                     "[%6.1fs %-4s] open %zu/%zu  %8.0f lines/s  %7.2f MB/s | fake: cpu %5.1f%%  rss %6.1f MiB  fds %zu  "
                     "threads %zu  truth.follow_open %s\n",
                     Seconds(now - ramp_start_), phase_.c_str(), open_, cfg_.streams,
                     static_cast<double>(totals_.lines - totals_last_.lines) / dt,
                     static_cast<double>(totals_.wire_bytes - totals_last_.wire_bytes) / dt / 1e6, cpu,
                     static_cast<double>(s.proc.rss_bytes / 1024) / 1024.0, s.proc.fds.total(), s.proc.threads,
                     truth_follow_open_last_ ? std::to_string(*truth_follow_open_last_).c_str() : "-");
      }
      proc_last_ = s;
    }
  }
  totals_last_ = totals_;
  last_sample_at_ = now;
  if (!cfg_.control_socket.empty()) {
    HttpGet(io_, cfg_.control_socket, "/truth", [this](HttpResult r) {
      if (!r.error.empty() || r.status != 200) return;
      auto j = json::parse(r.body, nullptr, false);
      if (!j.is_discarded() && j.contains("follow_streams_open")) {
        truth_follow_open_last_ = j["follow_streams_open"].get<uint64_t>();
      }
    }, std::chrono::seconds(10));
  }
  ScheduleSample();
}

void LoadRun::FetchEmitted(bool start, std::function<void()> then) {
  if (cfg_.control_socket.empty()) return then();
  HttpGet(io_, cfg_.control_socket, "/containers", [this, start, then](HttpResult r) {
    if (r.error.empty() && r.status == 200) {
      auto j = json::parse(r.body, nullptr, false);
      if (j.is_array()) {
        std::map<std::string, const json*> by_id;
        for (const auto& c : j) {
          if (c.contains("id")) by_id[c["id"].get<std::string>()] = &c;
        }
        for (auto& t : targets_) {
          auto it = by_id.find(t.id);
          if (it == by_id.end()) continue;
          uint64_t emitted = it->second->value("emitted", uint64_t{0});
          if (start) {
            t.emitted_start = emitted;
            t.have_start = true;
          } else {
            t.emitted_end = emitted;
            t.last_seq_end = it->second->value("last_seq", uint64_t{0});
            t.have_end = true;
          }
        }
      }
    }
    then();
  }, std::chrono::seconds(20));
}

HoldEdge LoadRun::TakeEdge() const {
  HoldEdge e;
  e.at = Clock::now();
  e.totals = totals_;
  e.self_cpu = leakbench::SelfCpuSeconds();
  e.self_delay = leakbench::ReadRunDelayNs("/proc/self");
  e.loadavg = leakbench::LoadAverage();
  if (rec_.fake_pid > 0) e.fake = SampleFake(rec_.fake_pid);
  return e;
}

void LoadRun::BeginHold() {
  if (phase_ == "hold" || phase_ == "done") return;
  if (rec_.ramp_seconds == 0) {
    rec_.ramp_seconds = Seconds(Clock::now() - ramp_start_);
    rec_.ramp_open = open_;
  }
  ramp_timer_.cancel();
  phase_ = "hold";
  if (!cfg_.quiet) {
    std::fprintf(stderr, "follow-load: %zu streams open after %.1f s; holding for %.0f s\n", open_,
                 rec_.ramp_seconds, cfg_.duration_s);
  }
  // The window starts when the fake has told us what it had generated.
  FetchEmitted(true, [this] {
    rec_.hold_start = TakeEdge();
    if (rec_.interrupted) return EndHold();
    hold_timer_.expires_after(ToDuration(cfg_.duration_s));
    hold_timer_.async_wait([this](boost::system::error_code) { EndHold(); });
  });
}

void LoadRun::EndHold() {
  if (phase_ != "hold") return;
  phase_ = "end";
  sample_timer_.cancel();
  end_fetches_pending_ = 2;
  // Like the start, the window ends when the fake has told us what it had
  // generated, so both ends have the same lines in flight.
  FetchEmitted(false, [this] {
    rec_.hold_end = TakeEdge();
    const leakbench::ProcSample& fake = rec_.hold_end.fake.proc;
    if (fake.ok) {
      rec_.threads_max = std::max(rec_.threads_max, fake.threads);
      rec_.rss_peak_kib = std::max(rec_.rss_peak_kib, fake.rss_bytes / 1024);
      rec_.fds_peak = std::max(rec_.fds_peak, fake.fds.total());
    }
    rec_.open_at_end = open_;
    --end_fetches_pending_;
    MaybeReport();
  });
  if (cfg_.control_socket.empty()) {
    --end_fetches_pending_;
    return MaybeReport();
  }
  HttpGet(io_, cfg_.control_socket, "/truth", [this](HttpResult r) {
    if (r.error.empty() && r.status == 200) {
      auto j = json::parse(r.body, nullptr, false);
      if (!j.is_discarded()) {
        rec_.truth_follow_open_end = j.value("follow_streams_open", uint64_t{0});
        rec_.truth_connections_open_end = j.value("connections_open", uint64_t{0});
      }
    }
    --end_fetches_pending_;
    MaybeReport();
  }, std::chrono::seconds(20));
}

void LoadRun::MaybeReport() {
  if (end_fetches_pending_ > 0 || reported_) return;
  reported_ = true;
  std::vector<OpenStream> open_streams;
  for (const auto& s : streams_) {
    if (s->state() == FollowStream::State::kBody) open_streams.push_back({&s->target(), s->last_seq()});
  }
  exit_code_ = PrintReport(cfg_, rec_, totals_, targets_, open_streams) ? 0 : 1;
  for (auto& s : streams_) s->Close();
  signals_.cancel();
  io_.stop();
}

}  // namespace followload
