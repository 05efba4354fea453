// Reads the engine's YAML config file (--config FILE). Keys, by section:
//   docker:  host, rotation_interval, rotation_jitter, max_streams,
//            oversubscribed_lease, include_names, exclude_names,
//            include_labels, exclude_labels, max_line_bytes,
//            long_lines (split|truncate), backoff_base, backoff_cap,
//            request_timeout, stall_timeout, max_opens_per_second
//   sink:    type (stdout|file|loki), path, url, buffer_bytes, batch_bytes,
//            batch_wait, labels {name: value}
//   metrics: listen        state: file, flush_interval        log: level
// Durations are "300s", "5m", "2.5s" or a plain number of seconds ("90",
// "2.5"). Scalars are typed as common/yaml_value.h says (YAML 1.2: only
// true/false are booleans, so `level: off` is the text "off"); a boolean or
// null where a value belongs is an error, never read as text. A key the
// file does not name keeps its value from `base`. Unknown and duplicate keys
// are errors, so a typo is never silently ignored. Pure functions apart
// from reading the file; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "core/config/config.h"
#include "core/config/config_error.h"

namespace logcap {

// Throws ConfigError "PATH:LINE:COLUMN: KEY: what was expected" for a file
// that cannot be read, bad YAML, an unknown key, a value of the wrong kind or
// one ValidateConfig() refuses (only problems that involve a key the file
// sets; `base` is the caller's to judge).
Config LoadConfigFile(const std::string& path, Config base);

// The same on text already in memory; `name` stands for the path in errors.
Config ParseConfigText(std::string_view text, const std::string& name, Config base);

}  // namespace logcap
