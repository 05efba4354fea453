// A target's error-line pattern (target.error_pattern): a POSIX extended
// regular expression, compiled once, matched against each stderr line.
// Owns the compiled regex (RAII); Matches is const and thread-safe.
#pragma once

#include <regex.h>

#include <memory>
#include <stdexcept>
#include <string>

namespace leakbench::harness {

class ErrorPattern {
 public:
  // Throws std::invalid_argument with regerror's text when `pattern` is not
  // a valid extended regular expression.
  explicit ErrorPattern(const std::string& pattern);
  bool Matches(const std::string& line) const;

 private:
  struct Free {
    void operator()(regex_t* r) const;
  };
  std::unique_ptr<regex_t, Free> regex_;
};

}  // namespace leakbench::harness
