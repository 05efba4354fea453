// Spellings of the deliberate faults (--inject-fault KIND[:N], repeatable):
// drop-line:N, duplicate-on-reopen, skip-container:N, error-lines:N,
// threads-at-start:N, late-since:S. What each does: core/engine/
// fault_injector.h. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/config/config.h"

namespace logcap {

enum class FaultKind {
  kDropLine,           // :N, 1..1000000000
  kDuplicateOnReopen,  // no value
  kSkipContainer,      // :N, 1..1000000000
  kErrorLines,         // :N, 1..1000000000
  kThreadsAtStart,     // :N, 1..10000
  kLateSince,          // :S seconds, 1..86400
};

struct FaultSpec {
  FaultKind kind = FaultKind::kDropLine;
  std::uint32_t value = 0;  // 0 for duplicate-on-reopen
  friend bool operator==(const FaultSpec&, const FaultSpec&) = default;
};

// "drop-line:N, duplicate-on-reopen, skip-container:N, error-lines:N,
// threads-at-start:N or late-since:S", for messages and --help.
std::string FaultSyntax();

// Parses one spec ("drop-line:10"). Throws std::invalid_argument saying what
// is accepted: an unknown kind lists every kind, a bad or missing value
// gives the kind's range.
FaultSpec ParseFaultSpec(std::string_view text);

// Parses every --inject-fault value into the faults to inject. Throws
// std::invalid_argument for a bad spec, a kind given twice, or
// duplicate-on-reopen with late-since (both decide the reopen's since).
FaultConfig ParseFaultSpecs(std::span<const std::string> specs);

// The active faults, in FaultKind order, and as text ("drop-line:10,
// late-since:3"; "" when none).
std::vector<FaultSpec> ActiveFaults(const FaultConfig& faults);
std::string FaultSpecText(const FaultSpec& spec);
std::string DescribeFaults(const FaultConfig& faults);

}  // namespace logcap
