// The Docker daemon a run plays its scenario on, fake or real, behind one
// interface: the socket the target is given as DOCKER_HOST, the control
// socket that answers the truth questions (/truth, /streams: the fake's
// own control API, or the counting proxy's in front of a real daemon), the
// timeline's actions, the end of emission, and what every live container
// emitted. Main thread only.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/run/fake_truth.h"
#include "harness/scenario/scenario.h"

namespace leakbench::harness {

struct RunOptions;

// Which daemon ran, for result.json and the reports.
struct DaemonInfo {
  std::string kind;             // "fake" or "real"
  std::string version;          // the daemon's Server version
  std::string api_version;
  std::string storage_driver;
  bool owned = false;           // leakbench started it (and removed it)
  std::string notes;            // e.g. what the daemon's own record lacked
  double containers_start_s = 0;  // how long creating and starting the scenario's containers took (real)
};

// A process of the daemon that leakbench samples like the target
// (dockerd, the containerd it started, fake-dockerd).
struct DaemonProcess {
  std::string name;
  pid_t pid = -1;
};

class DaemonUnderTest {
 public:
  virtual ~DaemonUnderTest() = default;
  virtual std::string target_socket() const = 0;   // give the target DOCKER_HOST=unix://<this>
  virtual std::string control_socket() const = 0;  // GET /truth and /streams in the fake's shapes
  // One timeline action (e.g. {"action":"churn","count":5}).
  virtual void Play(const nlohmann::json& action) = 0;
  // The run is over: no more lines are written; streams stay open.
  virtual void StopEmission() = 0;
  // Every live container and how many lines it wrote (by its own record).
  virtual std::vector<FakeContainer> Containers() = 0;
  // Stops everything it started and removes everything it created.
  virtual void Stop() = 0;
  virtual DaemonInfo info() const = 0;
  // The daemon's processes to sample; empty when none is visible from
  // here (then `why_unsampled` says why). Always the same names in the
  // same order; a restarted real daemon's are new pids.
  virtual std::vector<DaemonProcess> processes() const = 0;
  virtual std::string why_unsampled() const { return ""; }
  // The full id of the container a follower named `ref` in its request
  // (a name, an id prefix); `ref` when it names none. The fake records
  // full ids itself.
  virtual std::string ResolveContainer(const std::string& ref) const { return ref; }
};

// fake-dockerd on private sockets in `dir`. Throws std::runtime_error.
std::unique_ptr<DaemonUnderTest> StartFakeDaemon(const Scenario& s, const RunOptions& o, const std::string& dir);
// A real daemon: o.docker_host, or a private dockerd in `dir`; the
// counting proxy in front of it; the scenario's containers. Throws
// DaemonUnavailable (private_dockerd.h) when no daemon can be had.
std::unique_ptr<DaemonUnderTest> StartRealDaemon(const Scenario& s, const RunOptions& o, const std::string& dir);

}  // namespace leakbench::harness
