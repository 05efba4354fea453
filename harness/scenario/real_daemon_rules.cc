#include "harness/scenario/real_daemon_rules.h"

#include <set>

#include "fakes/dockerd/model/checked_value.h"

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
  static const std::set<std::string> kPlayable = {"churn", "stop", "start", "restart", "rename", "restart_daemon"};
  for (const TimedAction& a : s.fake.timeline) {
    const std::string name = a.action.value("action", "");
    if (kPlayable.count(name) == 0) {
      throw ScenarioError("fake.timeline: the action '" + name.substr(0, 100) +
                          "' is played by fake-dockerd only; on a real daemon leakbench plays churn, stop, start, "
                          "restart, rename and restart_daemon");
    }
    if (name == "restart_daemon") RestartDown(a.action);
  }
}

std::chrono::nanoseconds RestartDown(const nlohmann::json& action) {
  for (const auto& [key, value] : action.items()) {
    if (key != "action" && key != "down") {
      throw ScenarioError("fake.timeline: restart_daemon takes only \"down\" on a real daemon, not \"" +
                          key.substr(0, 100) + "\"");
    }
  }
  if (!action.contains("down")) return std::chrono::seconds(1);
  try {  // the fake's own check of a duration, with a real daemon's bound
    return fakedocker::CheckedDuration("down", action["down"], std::chrono::nanoseconds(0), std::chrono::seconds(60));
  } catch (const fakedocker::ValueError&) {
    throw ScenarioError("fake.timeline: restart_daemon's down: " + action["down"].dump().substr(0, 100) +
                        " is not a duration between 0 and 60 s (e.g. 1s)");
  }
}

void CheckDaemonRestartsOwned(const Scenario& s, bool daemon_owned) {
  if (s.daemon != "real" || daemon_owned) return;
  for (const TimedAction& a : s.fake.timeline) {
    if (a.action.value("action", "") == "restart_daemon") {
      throw ScenarioError("fake.timeline: restart_daemon restarts only a dockerd leakbench started, and --docker-host "
                          "names one it did not; leave --docker-host out, or remove the action");
    }
  }
}

}  // namespace leakbench::harness
