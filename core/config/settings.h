// The table of settings a YAML file can change, by key ("docker.max_streams"):
// the shape of each value and how text becomes that value. config_file.cc
// and command_line.cc both go through it, so a flag and its key accept the
// same spellings. Only syntax is checked here; ranges and rules between
// settings live in ValidateConfig(). Immutable; thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/config/config.h"

namespace logcap {

enum class SettingShape { kScalar, kList, kMap };

struct Setting {
  std::string_view key;  // "docker.max_streams"
  SettingShape shape = SettingShape::kScalar;
  // What a value looks like, for error messages and --help: "a count".
  std::string_view expected;
  // The setter matching `shape` (the others are null). A scalar setter
  // throws std::invalid_argument ("expected ..., got '...'") for bad text.
  void (*set_scalar)(Config&, std::string_view) = nullptr;
  void (*set_list)(Config&, std::vector<std::string>) = nullptr;
  void (*set_map)(Config&, std::map<std::string, std::string>) = nullptr;
};

// Every setting, grouped by section in config.h's order.
std::span<const Setting> AllSettings();
// nullptr for an unknown key.
const Setting* FindSetting(std::string_view key);
// The sections ("docker", "sink", ...) in table order.
std::vector<std::string_view> SettingSections();
// The keys of one section without its prefix ("host", "rotation_interval").
std::vector<std::string_view> SettingNamesIn(std::string_view section);

// A duration: "300s", "5m", "2.5s", "1h30m"; a plain number ("90", "2.5")
// means seconds (common/seconds_or_duration.h, as in scenario files).
std::chrono::nanoseconds ParseDurationValue(std::string_view text);
// A non-negative decimal integer (no sign, no suffix).
std::uint64_t ParseCountValue(std::string_view text);
// A non-negative decimal number: digits with an optional fraction ("100",
// "0.5"); no sign, exponent, inf or nan. Ranges are ValidateConfig()'s.
double ParseNumberValue(std::string_view text);

}  // namespace logcap
