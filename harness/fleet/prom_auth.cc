#include "harness/fleet/prom_auth.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <vector>

namespace leakbench::harness {
namespace prom_auth {

std::string FirstLine(std::string text) {
  const auto nl = text.find('\n');
  if (nl != std::string::npos) text.resize(nl);
  while (!text.empty() && (text.back() == '\r' || text.back() == ' ' || text.back() == '\t')) text.pop_back();
  return text;
}

std::string ReadSecretFile(const std::string& path, const std::string& flag) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw PromAuthError(flag + " " + path + ": cannot open it: " + std::strerror(errno) +
                        " (give a readable file holding the secret on its first line)");
  }
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return FirstLine(std::move(text));
}

void CheckSecret(const PromAuth& auth) {
  if (auth.secret.empty()) {
    throw PromAuthError(auth.from + ": empty (it must hold the " +
                        (auth.kind == PromAuth::Kind::kBasic ? std::string("user:password") : "bearer token") +
                        " on its first line)");
  }
  if (auth.kind == PromAuth::Kind::kBasic && auth.secret.find(':') == std::string::npos) {
    throw PromAuthError(auth.from + ": basic auth must be user:password (no ':' found)");
  }
}

}  // namespace prom_auth

EnvLookup ProcessEnv() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

PromAuth LoadPromAuth(const std::string& bearer_token_file, const std::string& basic_auth_file, const EnvLookup& env) {
  std::vector<PromAuth> found;
  if (!bearer_token_file.empty()) {
    found.push_back({PromAuth::Kind::kBearer, prom_auth::ReadSecretFile(bearer_token_file, "--bearer-token-file"),
                     "--bearer-token-file " + bearer_token_file});
  }
  if (!basic_auth_file.empty()) {
    found.push_back({PromAuth::Kind::kBasic, prom_auth::ReadSecretFile(basic_auth_file, "--basic-auth-file"),
                     "--basic-auth-file " + basic_auth_file});
  }
  if (auto v = env(kBearerTokenEnv); v && !v->empty()) {
    found.push_back({PromAuth::Kind::kBearer, prom_auth::FirstLine(*v), std::string("$") + kBearerTokenEnv});
  }
  if (auto v = env(kBasicAuthEnv); v && !v->empty()) {
    found.push_back({PromAuth::Kind::kBasic, prom_auth::FirstLine(*v), std::string("$") + kBasicAuthEnv});
  }
  if (found.empty()) return {};
  if (found.size() > 1) {
    throw PromAuthError("credentials given twice (" + found[0].from + " and " + found[1].from +
                        "): keep exactly one of --bearer-token-file, --basic-auth-file, $" + kBearerTokenEnv + ", $" +
                        kBasicAuthEnv);
  }
  prom_auth::CheckSecret(found[0]);
  return found[0];
}

}  // namespace leakbench::harness
