// The rules between a scenario's settings, checked once the whole file is read (internal to harness/scenario).
// The warm-up is shorter than the run, the target's settings fit its kind,
// criterion ids are known; each failure points at the key in the file.
// DeriveBounds (scenario.h) is the part that runs again after overrides.
#pragma once

#include "common/yaml_value.h"
#include "harness/scenario/scenario.h"

namespace leakbench::harness {

// Throws YamlError at the first key of `reader`'s file that breaks a rule.
void CheckScenarioRules(const YamlDocument& reader, const Scenario& s);

}  // namespace leakbench::harness
