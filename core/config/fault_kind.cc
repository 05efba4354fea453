#include "core/config/fault_kind.h"

#include <algorithm>
#include <charconv>
#include <optional>
#include <stdexcept>
#include <utility>

#include "common/echo_value.h"

namespace logcap {
namespace {

struct FaultKindInfo {
  FaultKind kind;
  std::string_view name;
  std::string_view value_name;  // "N", "S", or "" for a kind without a value
  std::uint32_t max_value;
  std::string_view meaning;  // of the value, for messages
};

constexpr FaultKindInfo kFaultKinds[] = {
    {FaultKind::kDropLine, "drop-line", "N", 1'000'000'000, "one line in N is not written"},
    {FaultKind::kDuplicateOnReopen, "duplicate-on-reopen", "", 0, ""},
    {FaultKind::kSkipContainer, "skip-container", "N", 1'000'000'000, "one container in N is never followed"},
    {FaultKind::kErrorLines, "error-lines", "N", 1'000'000'000, "one error line every N rotations"},
    {FaultKind::kThreadsAtStart, "threads-at-start", "N", 10'000, "N idle threads"},
    {FaultKind::kLateSince, "late-since", "S", 86'400, "seconds skipped at each reopen"},
};

const FaultKindInfo& InfoOf(FaultKind kind) {
  for (const FaultKindInfo& info : kFaultKinds) {
    if (info.kind == kind) return info;
  }
  return kFaultKinds[0];
}

// "drop-line:N with N from 1 to 1000000000 (one line in N is not written)".
std::string RangeText(const FaultKindInfo& info) {
  return std::string(info.name) + ":" + std::string(info.value_name) + " with " + std::string(info.value_name) +
         " from 1 to " + std::to_string(info.max_value) + " (" + std::string(info.meaning) + ")";
}

// "N from 1 to 1000000000 (drop-line, skip-container, error-lines); N from
// 1 to 10000 (threads-at-start); S from 1 to 86400 (late-since)": kinds with
// the same range grouped, in table order.
std::string RangesText() {
  std::vector<std::pair<std::string, std::string>> groups;  // range, kinds
  for (const FaultKindInfo& info : kFaultKinds) {
    if (info.value_name.empty()) continue;
    const std::string range = std::string(info.value_name) + " from 1 to " + std::to_string(info.max_value);
    auto it = std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return g.first == range; });
    if (it == groups.end()) {
      groups.emplace_back(range, std::string(info.name));
    } else {
      it->second += ", " + std::string(info.name);
    }
  }
  std::string out;
  for (const auto& [range, kinds] : groups) {
    if (!out.empty()) out += "; ";
    out += range + " (" + kinds + ")";
  }
  return out;
}

std::optional<std::uint32_t> ParseValue(std::string_view text, std::uint32_t max_value) {
  std::uint64_t v = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, v);
  if (text.empty() || ec != std::errc() || ptr != end || v < 1 || v > max_value) return std::nullopt;
  return static_cast<std::uint32_t>(v);
}

// FaultConfig or const FaultConfig: the number a kind with a value sets.
template <typename Faults>
auto& FieldOf(Faults& faults, FaultKind kind) {
  switch (kind) {
    case FaultKind::kDropLine:
      return faults.drop_line_every;
    case FaultKind::kSkipContainer:
      return faults.skip_container_every;
    case FaultKind::kErrorLines:
      return faults.error_lines_every;
    case FaultKind::kThreadsAtStart:
      return faults.threads_at_start;
    case FaultKind::kLateSince:
    case FaultKind::kDuplicateOnReopen:  // not a number; never asked for
      break;
  }
  return faults.late_since_seconds;
}

}  // namespace

std::string FaultSyntax() {
  std::string out;
  for (std::size_t i = 0; i < std::size(kFaultKinds); ++i) {
    const FaultKindInfo& info = kFaultKinds[i];
    if (i > 0) out += i + 1 == std::size(kFaultKinds) ? " or " : ", ";
    out += info.name;
    if (!info.value_name.empty()) out += ":" + std::string(info.value_name);
  }
  return out;
}

FaultSpec ParseFaultSpec(std::string_view text) {
  const std::size_t colon = text.find(':');
  const std::string_view name = text.substr(0, colon);
  for (const FaultKindInfo& info : kFaultKinds) {
    if (info.name != name) continue;
    if (info.value_name.empty()) {
      if (colon != std::string_view::npos) {
        throw std::invalid_argument(std::string(info.name) + " takes no value, got " + leakbench::QuoteValue(text));
      }
      return FaultSpec{info.kind, 0};
    }
    if (colon == std::string_view::npos) {
      throw std::invalid_argument(std::string(info.name) + " needs a value: expected " + RangeText(info) + ", got " +
                                  leakbench::QuoteValue(text));
    }
    const std::optional<std::uint32_t> value = ParseValue(text.substr(colon + 1), info.max_value);
    if (!value) throw std::invalid_argument("expected " + RangeText(info) + ", got " + leakbench::QuoteValue(text));
    return FaultSpec{info.kind, *value};
  }
  throw std::invalid_argument("expected " + FaultSyntax() + "; " + RangesText() + "; got " + leakbench::QuoteValue(text));
}

FaultConfig ParseFaultSpecs(std::span<const std::string> specs) {
  FaultConfig faults;
  std::vector<std::string_view> given(std::size(kFaultKinds));
  for (const std::string& text : specs) {
    const FaultSpec spec = ParseFaultSpec(text);
    std::string_view& before = given[static_cast<std::size_t>(spec.kind)];
    if (!before.empty()) {
      throw std::invalid_argument(std::string(InfoOf(spec.kind).name) + " given twice (" + leakbench::QuoteValue(before) +
                                  " and " + leakbench::QuoteValue(text) + "); give each kind once");
    }
    before = text;
    if (spec.kind == FaultKind::kDuplicateOnReopen) {
      faults.duplicate_on_reopen = true;
    } else {
      FieldOf(faults, spec.kind) = spec.value;
    }
  }
  if (faults.duplicate_on_reopen && faults.late_since_seconds != 0) {
    throw std::invalid_argument("duplicate-on-reopen and late-since cannot be combined: both set the since of "
                                "every reopen; give one of them");
  }
  return faults;
}

std::vector<FaultSpec> ActiveFaults(const FaultConfig& faults) {
  std::vector<FaultSpec> out;
  for (const FaultKindInfo& info : kFaultKinds) {
    if (info.kind == FaultKind::kDuplicateOnReopen) {
      if (faults.duplicate_on_reopen) out.push_back({info.kind, 0});
      continue;
    }
    const std::uint32_t value = FieldOf(faults, info.kind);
    if (value != 0) out.push_back({info.kind, value});
  }
  return out;
}

std::string FaultSpecText(const FaultSpec& spec) {
  const FaultKindInfo& info = InfoOf(spec.kind);
  if (info.value_name.empty()) return std::string(info.name);
  return std::string(info.name) + ":" + std::to_string(spec.value);
}

std::string DescribeFaults(const FaultConfig& faults) {
  std::string out;
  for (const FaultSpec& spec : ActiveFaults(faults)) {
    if (!out.empty()) out += ", ";
    out += FaultSpecText(spec);
  }
  return out;
}

}  // namespace logcap
