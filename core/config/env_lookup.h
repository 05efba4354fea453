// How the engine's settings read environment variables: through an injected
// lookup, so tests need no setenv(), and GetProcessEnv for the real process.
// Thread-safe as long as nothing calls setenv() meanwhile.
#pragma once

#include <functional>
#include <optional>
#include <string>

namespace logcap {

// Returns the value of an environment variable, or nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

// EnvLookup over the process environment (std::getenv).
std::optional<std::string> GetProcessEnv(const std::string& name);

}  // namespace logcap
