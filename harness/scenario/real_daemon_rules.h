// What a scenario may ask of a real Docker daemon (`daemon: real`): the
// containers, rates, line sizes, stderr and TTY shares and bursts are
// played by real containers, and the timeline actions churn, stop, start,
// restart and rename through the Docker API; faults and the other actions
// exist only in fake-dockerd and are refused, saying so. Pure.
#pragma once

#include "harness/scenario/scenario.h"

namespace leakbench::harness {

// Throws ScenarioError naming the first thing a real daemon cannot play.
void CheckRealDaemon(const Scenario& s);

}  // namespace leakbench::harness
