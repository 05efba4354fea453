// Runs a program to its end for a test (promtool, leakbench) and hands back its exit and output; finds programs on PATH.
// Use from the thread that calls it (the child dies with that thread).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "harness/run/child_process.h"

namespace leakbench::harness::testing {

// The whole text of a file ("" when it cannot be read).
std::string ReadFile(const std::string& path);

// The full path of `name` on $PATH, or nullopt.
std::optional<std::string> OnPath(const std::string& name);

struct CommandResult {
  ChildExit exit;
  std::string out;  // stdout
  std::string err;  // stderr
};

// Runs argv (argv[0] a path) with stdout and stderr in files under `dir`;
// kills it and throws std::runtime_error when it takes longer than `limit`.
CommandResult RunCommand(const std::vector<std::string>& argv, const std::string& dir, std::chrono::seconds limit);

}  // namespace leakbench::harness::testing
