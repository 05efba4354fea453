#include "harness/scenario/error_pattern.h"

namespace leakbench::harness {

void ErrorPattern::Free::operator()(regex_t* r) const {
  regfree(r);
  std::default_delete<regex_t>()(r);
}

ErrorPattern::ErrorPattern(const std::string& pattern) {
  auto compiled = std::make_unique<regex_t>();
  const int rc = regcomp(compiled.get(), pattern.c_str(), REG_EXTENDED | REG_NOSUB);
  if (rc != 0) {
    char message[256];
    regerror(rc, compiled.get(), message, sizeof message);
    throw std::invalid_argument(message);
  }
  regex_.reset(compiled.release());
}

bool ErrorPattern::Matches(const std::string& line) const {
  return regexec(regex_.get(), line.c_str(), 0, nullptr, 0) == 0;
}

}  // namespace leakbench::harness
