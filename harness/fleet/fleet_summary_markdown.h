// The Markdown summary of a fleet verdict (fleet.json): the verdict, instances judged, the failing ones worst first with the figure and fitted slope, the inconclusive ones with why, and the restarts (reported, never judged as leaks); never more than a byte budget.
// Pure; thread-safe.
#pragma once

#include <cstddef>
#include <string>

#include <nlohmann/json.hpp>

namespace leakbench::harness {

std::string FleetSummaryMarkdown(const nlohmann::json& fleet, std::size_t max_bytes = 1024 * 1024);

}  // namespace leakbench::harness
