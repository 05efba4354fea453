// Writes Prometheus rule groups (alert_rules.h) as a rules file: `promtool check rules` and Prometheus's rule_files read it.
// Pure; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "harness/fleet/alert_rules.h"

namespace leakbench::harness {

// `header`: comment lines (without "# "), first in the file.
std::string RulesYaml(const std::vector<PromRuleGroup>& groups, const std::vector<std::string>& header);

}  // namespace leakbench::harness
