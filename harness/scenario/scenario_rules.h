// The rules between a scenario's settings, checked once the whole file is read (internal to harness/scenario).
// The warm-up is shorter than the run, the target's settings fit its kind,
// criterion ids are known; each failure points at the key in the file.
// DeriveBounds (scenario.h) is the part that runs again after overrides.
#pragma once

#include "harness/scenario/scenario.h"
#include "harness/scenario/yaml_reader.h"

namespace leakbench::harness {

// Throws ScenarioError at the first key of `reader`'s file that breaks a rule.
void CheckScenarioRules(const YamlReader& reader, const Scenario& s);

}  // namespace leakbench::harness
