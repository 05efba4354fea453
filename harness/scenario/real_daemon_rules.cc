#include "harness/scenario/real_daemon_rules.h"

#include <set>

#include "common/seconds_or_duration.h"

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
  const nlohmann::json& down = action["down"];
  std::optional<std::chrono::nanoseconds> d;
  if (down.is_string()) {
    d = ParseSecondsOrDuration(down.get<std::string>());
  } else if (down.is_number() && down.get<double>() >= 0 && down.get<double>() <= 60) {
    d = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::duration<double>(down.get<double>()));
  }
  if (!d || *d > std::chrono::seconds(60)) {
    throw ScenarioError("fake.timeline: restart_daemon's down: " + down.dump().substr(0, 100) +
                        " is not a duration between 0 and 60 s (e.g. 1s)");
  }
  return *d;
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
