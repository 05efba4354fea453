// The operations a driver performs on the fake — add, start, stop, restart,
// kill, remove, rename, emit, set, fault, clear_faults, restart_daemon,
// churn, reset_peaks — as JSON objects, shared by the control API
// (POST /actions) and the scenario player so both mean exactly the same.
// Lives on the daemon's io_context thread; not thread-safe.
#pragma once

#include <chrono>
#include <functional>
#include <random>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "fakes/dockerd/daemon.h"

namespace fakedocker {

// A rejected action: the HTTP status the control API answers with, and why.
class ActionError : public std::runtime_error {
 public:
  ActionError(int status, const std::string& what) : std::runtime_error(what), status_(status) {}
  int status() const { return status_; }

 private:
  int status_;
};

// Checks an action's name and fields without performing it (for scenario
// files, so a bad file fails at load, not minutes into a run).
void ValidateAction(const nlohmann::json& action);

// Parses "100" or "80-120" into a byte range; throws std::invalid_argument.
void ParseLineBytes(const std::string& text, uint32_t* min_bytes, uint32_t* max_bytes);

class Actions {
 public:
  using RestartHook = std::function<void(std::chrono::nanoseconds down)>;

  Actions(Daemon& daemon, RestartHook restart_api)
      : daemon_(daemon), restart_api_(std::move(restart_api)), rng_(daemon.config().seed ^ 0xc4u) {}

  // Performs one action and returns what it did; throws ActionError.
  nlohmann::json Perform(const nlohmann::json& action);

 private:
  std::vector<std::shared_ptr<Container>> Targets(const nlohmann::json& action);
  nlohmann::json Add(const nlohmann::json& action);
  nlohmann::json Churn(const nlohmann::json& action);

  Daemon& daemon_;
  RestartHook restart_api_;
  std::mt19937_64 rng_;
};

}  // namespace fakedocker
