#include "harness/scenario/real_daemon_rules.h"

#include <set>

namespace leakbench::harness {

void CheckRealDaemon(const Scenario& s) {
  if (s.daemon != "real" && s.daemon != "fake") {
    throw ScenarioError("daemon: '" + s.daemon.substr(0, 100) + "' is not a daemon kind; give fake or real");
  }
  if (s.daemon != "real") return;
  if (!s.fake.faults.empty()) {
    throw ScenarioError("fake.faults: fault injection is played by fake-dockerd only and cannot be asked of a real "
                        "daemon; remove the faults or run with daemon: fake");
  }
  if (s.fake.stderr_lag.count() != 0) {
    throw ScenarioError("fake.stderr_lag: a lagging stderr stamp is played by fake-dockerd only (a real daemon lags "
                        "when it is starved of CPU, not on request); remove it or run with daemon: fake");
  }
  static const std::set<std::string> kPlayable = {"churn", "stop", "start", "restart", "rename"};
  for (const TimedAction& a : s.fake.timeline) {
    const std::string name = a.action.value("action", "");
    if (kPlayable.count(name) == 0) {
      throw ScenarioError("fake.timeline: the action '" + name.substr(0, 100) +
                          "' is played by fake-dockerd only; on a real daemon leakbench plays churn, stop, start, "
                          "restart and rename");
    }
  }
}

}  // namespace leakbench::harness
