// Scenario files the daemon plays by itself: optional daemon settings and a
// timeline of actions (the same JSON objects as POST /actions) at offsets
// from start, optionally repeated. YAML or JSON. Loading validates every
// entry and reports "file:line:column: key.path: what is wrong". The player runs on the
// daemon's io_context thread; not thread-safe.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "fakes/dockerd/control/actions.h"

namespace fakedocker {

class ScenarioError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct TimelineEntry {
  std::chrono::nanoseconds at{0};
  std::chrono::nanoseconds every{0};  // 0 = once
  uint64_t times = 0;                 // with every: how many runs; 0 = until `until` or forever
  std::chrono::nanoseconds until{0};  // with every: last offset; 0 = none
  nlohmann::json action;
  int line = 0;
};

struct Scenario {
  std::string path;
  nlohmann::json daemon = nlohmann::json::object();  // settings named like the flags
  std::vector<TimelineEntry> timeline;
};

// Throws ScenarioError with the file, line and reason.
Scenario LoadScenario(const std::string& path);
Scenario ParseScenario(const std::string& text, const std::string& name);

class ScenarioPlayer {
 public:
  ScenarioPlayer(boost::asio::io_context& io, Actions& actions, Scenario scenario)
      : io_(io), actions_(actions), scenario_(std::move(scenario)) {}
  void Start();
  size_t performed() const { return performed_; }
  size_t failed() const { return failed_; }

 private:
  void Schedule(size_t index, uint64_t run, std::chrono::steady_clock::time_point when);

  boost::asio::io_context& io_;
  Actions& actions_;
  Scenario scenario_;
  std::chrono::steady_clock::time_point start_;
  std::vector<std::unique_ptr<boost::asio::steady_timer>> timers_;
  size_t performed_ = 0;
  size_t failed_ = 0;
};

}  // namespace fakedocker
