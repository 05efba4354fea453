// The error every config reader throws (LoadConfigFile, ValidateConfig): a
// one-line what() that says where the bad value came from (file:line:column
// or a key) and what was expected. A plain value type; thread-safe as any.
#pragma once

#include <stdexcept>

namespace logcap {

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace logcap
