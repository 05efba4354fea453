// The operations a driver performs on the fake — add, start, stop, restart,
// kill, remove, rename, emit, set, fault, clear_faults, restart_daemon,
// churn, reset_peaks — as JSON objects, shared by the control API
// (POST /actions) and the scenario player so both mean exactly the same.
// Lives on the daemon's io_context thread; not thread-safe.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "fakes/dockerd/api/daemon.h"

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

// Whether an action's field is a boolean (tty, start, force, same_timestamp):
// true or false, nothing else.
bool IsBooleanField(std::string_view key);

// Parses "100" or "80-120" into a byte range; throws std::invalid_argument.
void ParseLineBytes(const std::string& text, uint32_t* min_bytes, uint32_t* max_bytes);

class Actions {
 public:
  using RestartHook = std::function<void(std::chrono::nanoseconds down)>;
  // What an action did, or why it was refused (then `result` is null).
  using Done = std::function<void(nlohmann::json result, std::optional<ActionError> error)>;

  // Containers an `add` or `churn` handles per turn of the event loop.
  static constexpr size_t kSliceContainers = 500;

  Actions(Daemon& daemon, RestartHook restart_api)
      : daemon_(daemon), restart_api_(std::move(restart_api)), rng_(daemon.config().seed ^ 0xc4u) {}

  // Performs one action and returns what it did; throws ActionError. An
  // add or churn of many containers runs to the end before it returns.
  nlohmann::json Perform(const nlohmann::json& action);
  // The same, but an add or churn of more than kSliceContainers runs in
  // slices posted back to the event loop, so signals and other clients are
  // served meanwhile; `done` then runs on a later turn. Other actions call
  // `done` before returning.
  void PerformAsync(const nlohmann::json& action, Done done);
  // A JSON array of actions, one after the other: `done` gets the array of
  // results, or the first error (the actions before it stay done).
  void PerformAllAsync(nlohmann::json actions, Done done);

 private:
  struct BulkJob;  // an add or churn in progress

  std::vector<std::shared_ptr<Container>> Targets(const nlohmann::json& action);
  std::shared_ptr<BulkJob> NewBulkJob(const nlohmann::json& action);
  // Up to `budget` containers of the job; true when it is complete.
  bool Step(BulkJob& job, size_t budget);
  static nlohmann::json Result(const BulkJob& job);
  void RunSliced(std::shared_ptr<BulkJob> job, Done done);
  void PerformNext(std::shared_ptr<nlohmann::json> actions, size_t index, std::shared_ptr<nlohmann::json> results,
                   Done done);

  Daemon& daemon_;
  RestartHook restart_api_;
  std::mt19937_64 rng_;
};

}  // namespace fakedocker
