#include "core/config/env_lookup.h"

#include <cstdlib>

namespace logcap {

std::optional<std::string> GetProcessEnv(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

}  // namespace logcap
