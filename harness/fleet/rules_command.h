// The `leakbench rules` subcommand: writes Prometheus recording and alert rules approximating the run's criteria from a bounds file (alert_rules.h), to a file or stdout.
// Call from the main thread.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

namespace leakbench::harness {

class RulesCommand {
 public:
  // Adds `rules` and its flags to `app`.
  explicit RulesCommand(CLI::App& app);

  bool chosen() const { return command_->parsed(); }

  // 0 written, 2 error (printed on stderr with what to do). Throws
  // CLI::ValidationError for a bad flag value.
  int Run();

 private:
  CLI::App* command_ = nullptr;
  std::string bounds_file_, output_, selector_ = "{job=\"log-capturer\"}", by_ = "job, instance", window_ = "30m";
};

}  // namespace leakbench::harness
