// Credentials for a Prometheus HTTP API (basic or bearer), read from a file or the environment only, never from a command-line value.
// A file holds the secret on its first line (a bearer token, or
// "user:password" for basic auth); trailing whitespace is dropped.
// Environment: LEAKBENCH_PROMETHEUS_BEARER_TOKEN or
// LEAKBENCH_PROMETHEUS_BASIC_AUTH ("user:password"). Pure apart from
// reading the files and the environment given; thread-safe.
#pragma once

#include <functional>
#include <optional>
#include <stdexcept>
#include <string>

namespace leakbench::harness {

class PromAuthError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct PromAuth {
  enum class Kind { kNone, kBasic, kBearer };
  Kind kind = Kind::kNone;
  std::string secret;  // the token, or "user:password"
  std::string from;    // where it was read (a file path or an environment variable), for messages
};

inline constexpr const char* kBearerTokenEnv = "LEAKBENCH_PROMETHEUS_BEARER_TOKEN";
inline constexpr const char* kBasicAuthEnv = "LEAKBENCH_PROMETHEUS_BASIC_AUTH";

// Reads an environment variable (nullopt: unset). Injected for tests.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;
EnvLookup ProcessEnv();

// At most one source: --bearer-token-file, --basic-auth-file, or one of the
// two environment variables. Throws PromAuthError naming the file or
// variable and what is wrong (unreadable, empty, no ':' in basic auth, two
// sources at once).
PromAuth LoadPromAuth(const std::string& bearer_token_file, const std::string& basic_auth_file, const EnvLookup& env);

}  // namespace leakbench::harness
