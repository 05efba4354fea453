// fake-dockerd's command line (CLI11), merged with a scenario file's daemon
// settings: a flag given on the command line wins over the file.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "fakes/dockerd/api/daemon.h"
#include "fakes/dockerd/control/scenario.h"

namespace fakedocker {

struct Options {
  std::string socket;
  std::string control_socket;
  DaemonConfig daemon;
  std::optional<Scenario> scenario;
};

// Parses argv. On --help prints help and returns exit code 0 in *exit_code;
// on a bad flag or scenario prints the reason and returns 2; otherwise
// returns the options and leaves *exit_code untouched.
std::optional<Options> ParseOptions(int argc, char** argv, int* exit_code);

}  // namespace fakedocker
