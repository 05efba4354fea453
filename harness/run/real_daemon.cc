// The real daemon behind DaemonUnderTest: an existing dockerd
// (--docker-host) or a private one, the counting proxy in front of it (the
// target's DOCKER_HOST, the truth's control socket), the workload image
// and the scenario's containers, each labelled with the run so leakbench
// touches only its own; the timeline played through the Docker API; what
// each container wrote read back from its stored log (no follow) at the end.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <ctime>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <thread>

#include "harness/proxy/stamp_tap.h"
#include "harness/run/bounded_parallel.h"
#include "harness/run/child_process.h"
#include "harness/run/container_refs.h"
#include "harness/run/daemon_processes.h"
#include "harness/run/daemon_under_test.h"
#include "harness/run/docker_client.h"
#include "harness/run/leftovers.h"
#include "harness/run/private_dockerd.h"
#include "harness/run/process_sweep.h"
#include "harness/run/read_file.h"
#include "harness/run/run_scenario.h"
#include "harness/run/workload_image.h"
#include "harness/scenario/real_daemon_rules.h"

namespace leakbench::harness {
namespace {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;
constexpr const char* kOwnerLabel = "leakbench.owner";
constexpr const char* kRunLabel = "leakbench.run";
constexpr const char* kPidLabel = "leakbench.pid";
// Docker API calls in flight at once when creating, starting, signalling,
// reading or removing many containers.
constexpr std::size_t kApiParallelism = 8;

// "2026-12-05T22:30:01.123456789Z" -> Unix ns; 0 when it is not one.
std::int64_t ParseDockerTime(const std::string& t) {
  std::tm tm{};
  int consumed = 0;
  if (std::sscanf(t.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
                  &tm.tm_sec, &consumed) != 6 || tm.tm_year < 1971) {
    return 0;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  std::int64_t ns = static_cast<std::int64_t>(timegm(&tm)) * 1'000'000'000;
  std::size_t i = static_cast<std::size_t>(consumed);
  if (i < t.size() && t[i] == '.') {
    std::int64_t scale = 100'000'000;
    for (++i; i < t.size() && std::isdigit(static_cast<unsigned char>(t[i])); ++i, scale /= 10) ns += (t[i] - '0') * scale;
  }
  return ns;
}

std::string Fixed(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

class RealDaemon : public DaemonUnderTest {
 public:
  RealDaemon(const Scenario& s, const RunOptions& o, const std::string& dir)
      : s_(s), dir_(dir), run_id_(dir.substr(dir.rfind('.') + 1)), rng_(std::random_device{}()) {
    try {
      Start(o);
    } catch (...) {
      Stop();
      throw;
    }
  }
  ~RealDaemon() override { Stop(); }

  std::string target_socket() const override { return dir_ + "/docker.sock"; }
  std::string control_socket() const override { return dir_ + "/control.sock"; }
  DaemonInfo info() const override { return info_; }
  std::vector<DaemonProcess> processes() const override { return processes_; }
  std::string why_unsampled() const override { return why_unsampled_; }
  std::string ResolveContainer(const std::string& ref) const override { return refs_.Resolve(ref); }

  void Play(const json& a) override {
    const std::string name = a.value("action", "");
    if (name == "churn") {
      const std::size_t count = a.value("count", std::size_t{1});
      std::vector<std::size_t> running;
      for (std::size_t i = 0; i < live_.size(); ++i) {
        if (live_[i].running) running.push_back(i);
      }
      std::shuffle(running.begin(), running.end(), rng_);
      running.resize(std::min(count, running.size()));
      std::sort(running.rbegin(), running.rend());
      for (std::size_t i : running) {
        docker_->Remove(live_[i].id);
        live_.erase(live_.begin() + static_cast<std::ptrdiff_t>(i));
      }
      AddContainers(count);
      return;
    }
    if (name == "restart_daemon") {
      RestartDaemon(RestartDown(a));
      return;
    }
    const std::string target = a.value("target", "*");
    for (Live& c : live_) {
      if (target != "*" && target != c.name && c.id.rfind(target, 0) != 0) continue;
      if (name == "stop") {
        docker_->Stop(c.id, 2);
        c.running = false;
      } else if (name == "start") {
        docker_->Start(c.id);
        c.running = true;
      } else if (name == "restart") {
        docker_->Expect("POST", "/containers/" + c.id + "/restart?t=2", "", {}, std::chrono::seconds(60));
        c.running = true;
      } else if (name == "rename") {
        c.name = a.at("name").get<std::string>();
        docker_->Rename(c.id, c.name);
        refs_.Add(c.id, c.name);
      } else {
        throw std::runtime_error("timeline action '" + name + "' cannot be played on a real daemon");
      }
    }
  }

  void StopEmission() override {
    // A private dockerd's containers are signalled from here, by their
    // cgroup: a CPU-starved dockerd once let a `kill` go unanswered for
    // 60 s and the run ended without a verdict. The API is the way for a
    // daemon leakbench does not own, and for a container not found so.
    std::vector<std::size_t> through_api;
    for (std::size_t i = 0; i < live_.size(); ++i) {
      if (!live_[i].running) continue;
      bool signalled = false;
      if (private_) {
        for (pid_t pid : CgroupProcesses(private_->cgroup_parent() + "/" + live_[i].id)) {
          signalled = kill(pid, SIGUSR1) == 0 || signalled;
        }
      }
      if (!signalled) through_api.push_back(i);
    }
    const DockerClient& docker = *docker_;
    BoundedParallel(through_api.size(), kApiParallelism, [&](std::size_t k) {
      try {
        docker.Kill(live_[through_api[k]].id, "USR1");
      } catch (const DockerApiError& e) {
        if (e.status() != 409) throw;  // 409: it is not running any more
      }
    });
    std::size_t running = 0;
    for (const Live& c : live_) running += c.running ? 1 : 0;
    stop_note_ = "emission stopped by SIGUSR1 to " + std::to_string(running - through_api.size()) + " of " +
                 std::to_string(running) + " running containers from the host (their cgroups), " +
                 std::to_string(through_api.size()) + " through the API";
    // The json-file driver stores a line shortly after it is written:
    // read the logs until two readings agree (bounded).
    std::map<std::string, std::uint64_t> last;
    const auto until = Clock::now() + std::chrono::seconds(20);
    for (;;) {
      std::map<std::string, std::uint64_t> now;
      for (const FakeContainer& c : ReadContainers()) now[c.id] = c.emitted;
      if (now == last || Clock::now() > until) break;
      last = std::move(now);
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
  }

  std::vector<FakeContainer> Containers() override { return ReadContainers(); }

  void Stop() override {
    if (docker_) {
      try {
        const std::vector<std::string> ids = docker_->ListByLabel(kRunLabel, run_id_);
        const DockerClient& docker = *docker_;
        BoundedParallel(ids.size(), kApiParallelism, [&](std::size_t i) { docker.Remove(ids[i]); });
      } catch (const std::exception& e) {
        std::fprintf(stderr, "leakbench: removing the run's containers: %s\n", e.what());
      }
      docker_.reset();
    }
    if (proxy_) {
      proxy_->Stop(SIGTERM, std::chrono::seconds(3));
      proxy_.reset();
    }
    if (private_) {
      private_->Stop();
      private_.reset();
    }
  }

 private:
  struct Live {
    std::string id, name;
    bool tty = false, running = true;
  };

  // dockerd stops every container (SIGTERM, as on a host's shutdown or
  // upgrade), goes away for `down`, and comes back with them stopped
  // (docs/docker-semantics.md, section 9); leakbench then starts again the
  // ones that were running, as a restart policy would. The emitters keep
  // their seq across it (--state), so the stored logs stay 1..N.
  void RestartDaemon(std::chrono::nanoseconds down) {
    if (!private_) throw std::runtime_error("restart_daemon: leakbench restarts only a dockerd it started");
    private_->Restart(down);
    const DockerClient& docker = *docker_;
    BoundedParallel(live_.size(), kApiParallelism, [&](std::size_t i) {
      if (live_[i].running) docker.Start(live_[i].id);
    });
    // New processes: the sampler follows them from here.
    for (DaemonProcess& p : processes_) {
      p.pid = p.name == "dockerd" ? private_->pid() : ChildNamed(private_->pid(), p.name);
    }
  }

  void Start(const RunOptions& o) {
    CheckDaemonRestartsOwned(s_, o.docker_host.empty());
    if (!o.docker_host.empty()) {
      auto client = std::make_unique<DockerClient>(o.docker_host);
      if (!client->Ping()) {
        throw DaemonUnavailable("no Docker daemon answers /_ping at " + o.docker_host +
                                " (--docker-host); start it, or leave --docker-host out to let leakbench start a "
                                "private one");
      }
      docker_ = std::move(client);
      // A daemon leakbench does not stop: if leakbench dies, the watchdog
      // removes this run's containers from it.
      Watchdog::WatchContainers(docker_->socket_path(), run_id_);
      RemoveStale();
    } else {
      private_ = std::make_unique<PrivateDockerd>(dir_ + "/d", std::vector<std::string>{RunMarker(dir_)});
      docker_ = std::make_unique<DockerClient>(private_->host());
    }
    const json version = docker_->Json("/version");
    const json info = docker_->Json("/info");
    info_ = {"real", version.value("Version", "?"), version.value("ApiVersion", "?"), info.value("Driver", "?"),
             private_ != nullptr, ""};
    FindProcesses();
    image_ = EnsureWorkloadImage(*docker_, o.emitter_binary, "/bin/busybox", dir_ + "/image");
    proxy_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{o.proxy_binary, "--listen", target_socket(), "--upstream", docker_->socket_path(),
                                 "--control", control_socket()},
        dir_ + "/proxy.out", dir_ + "/proxy.err", std::vector<std::string>{RunMarker(dir_)});
    const auto deadline = Clock::now() + std::chrono::seconds(10);
    while (ReadWholeFile(dir_ + "/proxy.out").find('\n') == std::string::npos) {
      if (proxy_->Poll() || Clock::now() > deadline) {
        throw std::runtime_error("leakbench-proxy did not start: " + ReadWholeFile(dir_ + "/proxy.err").substr(0, 500));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    const auto adding = Clock::now();
    AddContainers(s_.fake.containers);
    info_.containers_start_s = std::chrono::duration<double>(Clock::now() - adding).count();
  }

  // dockerd, and the containerd it started when leakbench started it; the
  // daemon behind --docker-host by the socket's peer (its containerd is
  // not leakbench's to account for).
  void FindProcesses() {
    if (private_) {
      processes_.push_back({"dockerd", private_->pid()});
      const pid_t containerd = ChildNamed(private_->pid(), "containerd");
      if (containerd > 0) processes_.push_back({"containerd", containerd});
      return;
    }
    const pid_t pid = SocketPeerPid(docker_->socket_path(), &why_unsampled_);
    if (pid <= 0) return;
    const std::string comm = ProcComm(pid);
    processes_.push_back({comm.empty() ? "dockerd" : comm, pid});
  }

  // Containers an earlier leakbench (now dead: SIGKILL) left on a shared daemon.
  void RemoveStale() {
    const json filters = {{"label", {std::string(kOwnerLabel) + "=leakbench"}}};
    std::string q;
    for (unsigned char ch : filters.dump()) {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", ch);
      q += std::isalnum(ch) ? std::string(1, static_cast<char>(ch)) : std::string(buf);
    }
    for (const json& c : docker_->Json("/containers/json?all=1&filters=" + q)) {
      const json labels = c.value("Labels", json::object());
      const pid_t pid = static_cast<pid_t>(std::atol(labels.value(kPidLabel, "0").c_str()));
      if (pid > 0 && (kill(pid, 0) == 0 || errno != ESRCH)) continue;  // its leakbench still runs
      docker_->Remove(c.at("Id").get<std::string>());
    }
  }

  // Created and started kApiParallelism at a time (one by one, 200 took
  // minutes: each create and start waits for containerd and runc); live_
  // keeps the order they were asked for.
  void AddContainers(std::size_t count) {
    const double frac = s_.fake.tty_fraction;
    std::vector<Live> added;
    std::vector<json> configs;
    for (std::size_t k = 0; k < count; ++k) {
      ++created_;
      const bool tty = std::floor(static_cast<double>(created_) * frac) > std::floor(static_cast<double>(created_ - 1) * frac);
      const std::string name = "leakbench-" + run_id_ + "-" + std::to_string(created_);
      configs.push_back(
          {{"Image", image_},
           {"Cmd",
            {"/leakbench-emitter", "--rate", Fixed(s_.fake.rate), "--line-bytes", s_.fake.line_bytes,
             "--stderr-fraction", Fixed(s_.fake.stderr_fraction), "--burst", std::to_string(s_.fake.burst), "--state",
             "/tmp/seq"}},
           {"Tty", tty},
           {"Labels", {{kOwnerLabel, "leakbench"}, {kRunLabel, run_id_}, {kPidLabel, std::to_string(getpid())}}},
           {"HostConfig",
            {{"NetworkMode", "none"}, {"LogConfig", {{"Type", "json-file"}, {"Config", json::object()}}}}}});
      added.push_back({"", name, tty, true});
    }
    const DockerClient& docker = *docker_;
    try {
      BoundedParallel(count, kApiParallelism, [&](std::size_t k) {
        added[k].id = docker.CreateContainer(added[k].name, configs[k]);
        docker.Start(added[k].id);
      });
    } catch (...) {
      // Created but not started: still the run's (labelled), so Stop() removes them.
      for (Live& c : added) {
        if (c.id.empty()) continue;
        refs_.Add(c.id, c.name);
        live_.push_back(std::move(c));
      }
      throw;
    }
    for (Live& c : added) {
      refs_.Add(c.id, c.name);
      live_.push_back(std::move(c));
    }
  }

  // Every live container with what its stored log holds.
  std::vector<FakeContainer> ReadContainers() {
    std::vector<FakeContainer> out(live_.size());
    std::vector<std::uint64_t> holes_in(live_.size(), 0);
    const DockerClient& docker = *docker_;
    BoundedParallel(live_.size(), kApiParallelism, [&](std::size_t i) {
      const Live& c = live_[i];
      const json inspect = docker.Json("/containers/" + c.id + "/json");
      FakeContainer& f = out[i];
      f.id = c.id;
      f.cid = c.id.substr(0, 12);
      f.state = inspect.at("State").value("Status", "");
      f.tty = c.tty;
      f.started_at_ns = ParseDockerTime(inspect.at("State").value("StartedAt", ""));
      proxy::StampTap tap(c.tty ? proxy::StampTap::Encoding::kRaw : proxy::StampTap::Encoding::kMultiplexed);
      tap.Feed(docker.Logs(c.id));
      tap.Finish();
      f.emitted = tap.seqs().max();
      holes_in[i] = f.emitted - tap.seqs().size();
    });
    std::uint64_t holes = 0;
    for (std::uint64_t h : holes_in) holes += h;
    info_.notes = holes == 0 ? "every container's stored log holds seq 1..N without a hole"
                             : std::to_string(holes) + " seqs missing inside the containers' stored logs (rotated "
                                                       "away by the log driver, or never written): not the target's loss";
    if (!stop_note_.empty()) info_.notes += "; " + stop_note_;
    return out;
  }

  Scenario s_;
  std::string dir_, run_id_;
  std::unique_ptr<PrivateDockerd> private_;
  std::unique_ptr<DockerClient> docker_;
  std::unique_ptr<ChildProcess> proxy_;
  std::string image_;
  std::vector<Live> live_;
  std::size_t created_ = 0;
  std::mt19937 rng_;
  DaemonInfo info_;
  std::vector<DaemonProcess> processes_;
  std::string why_unsampled_;
  std::string stop_note_;  // how StopEmission reached the emitters
  ContainerRefs refs_;  // every container the run created, by name and id
};

}  // namespace

std::unique_ptr<DaemonUnderTest> StartRealDaemon(const Scenario& s, const RunOptions& o, const std::string& dir) {
  return std::make_unique<RealDaemon>(s, o, dir);
}

}  // namespace leakbench::harness
