// What a scenario may ask of a real Docker daemon (`daemon: real`): the
// containers, rates, line sizes, stderr and TTY shares and bursts are
// played by real containers, and the timeline actions churn, stop, start,
// restart and rename through the Docker API, restart_daemon on a dockerd
// leakbench started; faults and the other actions exist only in
// fake-dockerd and are refused, saying so. Pure.
#pragma once

#include <chrono>

#include <nlohmann/json.hpp>

#include "harness/scenario/scenario.h"

namespace leakbench::harness {

// Throws ScenarioError naming the first thing a real daemon cannot play.
void CheckRealDaemon(const Scenario& s);

// How long a restart_daemon action keeps the daemon down: its "down"
// ("1s", or seconds as a number; 1 s when absent; at most 60 s). Throws
// ScenarioError for anything else, or another key.
std::chrono::nanoseconds RestartDown(const nlohmann::json& action);

// Throws ScenarioError when the timeline restarts the daemon and
// leakbench does not own it (--docker-host): it restarts only a dockerd it
// started.
void CheckDaemonRestartsOwned(const Scenario& s, bool daemon_owned);

}  // namespace leakbench::harness
