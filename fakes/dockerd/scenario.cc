#include "fakes/dockerd/scenario.h"

#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include "common/duration.h"

namespace fakedocker {
namespace {

using json = nlohmann::json;

json ToJson(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return nullptr;
    case YAML::NodeType::Sequence: {
      json out = json::array();
      for (const auto& item : n) out.push_back(ToJson(item));
      return out;
    }
    case YAML::NodeType::Map: {
      json out = json::object();
      for (const auto& kv : n) out[kv.first.as<std::string>()] = ToJson(kv.second);
      return out;
    }
    case YAML::NodeType::Scalar:
      break;
  }
  const std::string s = n.Scalar();
  if (n.Tag() == "!") return s;  // quoted: always a string
  if (s == "true" || s == "false") return s == "true";
  if (s == "null" || s == "~") return nullptr;
  try {
    size_t used = 0;
    long long i = std::stoll(s, &used);
    if (used == s.size()) return i;
    double d = std::stod(s, &used);
    if (used == s.size()) return d;
  } catch (const std::exception&) {
  }
  return s;
}

std::chrono::nanoseconds Duration(const json& j, const std::string& key, const std::string& where) {
  if (!j.is_string()) throw ScenarioError(where + ": \"" + key + "\" must be a duration like \"5s\"");
  try {
    return leakbench::ParseDuration(j.get<std::string>());
  } catch (const leakbench::DurationError& e) {
    throw ScenarioError(where + ": \"" + key + "\": " + e.what());
  }
}

}  // namespace

Scenario ParseScenario(const std::string& text, const std::string& name) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw ScenarioError(name + ":" + std::to_string(e.mark.line + 1) + ": not valid YAML/JSON: " + e.msg);
  }
  if (!root.IsMap()) throw ScenarioError(name + ": the top level must be a mapping with a \"timeline\" list");
  Scenario sc;
  sc.path = name;
  static const std::set<std::string> kTop = {"timeline", "daemon", "description", "name"};
  for (const auto& kv : root) {
    std::string key = kv.first.as<std::string>();
    if (!kTop.count(key)) {
      throw ScenarioError(name + ":" + std::to_string(kv.first.Mark().line + 1) + ": unknown key \"" + key +
                          "\" (expected name, description, daemon, timeline)");
    }
  }
  if (root["daemon"]) {
    sc.daemon = ToJson(root["daemon"]);
    static const std::set<std::string> kDaemon = {"containers", "rate", "line_bytes", "tty_fraction",
                                                  "stderr_fraction", "retention", "seed", "burst"};
    if (!sc.daemon.is_object()) throw ScenarioError(name + ": \"daemon\" must be a mapping");
    for (auto& [k, v] : sc.daemon.items()) {
      (void)v;
      if (!kDaemon.count(k)) {
        throw ScenarioError(name + ":" + std::to_string(root["daemon"].Mark().line + 1) + ": unknown daemon setting \"" +
                            k + "\" (containers, rate, line_bytes, tty_fraction, stderr_fraction, retention, seed, burst)");
      }
    }
  }
  YAML::Node timeline = root["timeline"];
  if (!timeline || !timeline.IsSequence()) throw ScenarioError(name + ": \"timeline\" must be a list of actions");
  for (const auto& node : timeline) {
    const std::string where = name + ":" + std::to_string(node.Mark().line + 1);
    json entry = ToJson(node);
    if (!entry.is_object()) throw ScenarioError(where + ": a timeline entry must be a mapping");
    TimelineEntry t;
    t.line = node.Mark().line + 1;
    if (!entry.contains("at")) throw ScenarioError(where + ": a timeline entry needs \"at\" (e.g. at: 10s)");
    t.at = Duration(entry["at"], "at", where);
    if (entry.contains("every")) {
      t.every = Duration(entry["every"], "every", where);
      if (t.every.count() <= 0) throw ScenarioError(where + ": \"every\" must be positive");
    }
    if (entry.contains("times")) {
      if (!entry["times"].is_number_integer() || entry["times"].get<int64_t>() < 1) {
        throw ScenarioError(where + ": \"times\" must be a positive integer");
      }
      t.times = entry["times"].get<uint64_t>();
    }
    if (entry.contains("until")) t.until = Duration(entry["until"], "until", where);
    if ((entry.contains("times") || entry.contains("until")) && t.every.count() == 0) {
      throw ScenarioError(where + ": \"times\" and \"until\" need \"every\"");
    }
    for (const char* k : {"at", "every", "times", "until"}) entry.erase(k);
    try {
      ValidateAction(entry);
    } catch (const ActionError& e) {
      throw ScenarioError(where + ": " + e.what());
    }
    t.action = std::move(entry);
    sc.timeline.push_back(std::move(t));
  }
  return sc;
}

Scenario LoadScenario(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ScenarioError("cannot read scenario file " + path + ": " + std::strerror(errno));
  std::stringstream ss;
  ss << in.rdbuf();
  return ParseScenario(ss.str(), path);
}

void ScenarioPlayer::Start() {
  start_ = std::chrono::steady_clock::now();
  for (size_t i = 0; i < scenario_.timeline.size(); ++i) {
    timers_.push_back(std::make_unique<boost::asio::steady_timer>(io_));
    Schedule(i, 0, start_ + scenario_.timeline[i].at);
  }
}

void ScenarioPlayer::Schedule(size_t index, uint64_t run, std::chrono::steady_clock::time_point when) {
  auto& timer = *timers_[index];
  timer.expires_at(when);
  timer.async_wait([this, index, run, when](boost::system::error_code ec) {
    if (ec) return;
    const TimelineEntry& t = scenario_.timeline[index];
    try {
      json result = actions_.Perform(t.action);
      ++performed_;
      std::fprintf(stderr, "fake-dockerd: scenario %s:%d: %s -> %s\n", scenario_.path.c_str(), t.line,
                   t.action.dump().c_str(), result.dump().c_str());
    } catch (const std::exception& e) {
      ++failed_;
      std::fprintf(stderr, "fake-dockerd: scenario %s:%d: %s failed: %s\n", scenario_.path.c_str(), t.line,
                   t.action.dump().c_str(), e.what());
    }
    if (t.every.count() == 0) return;
    uint64_t next_run = run + 1;
    auto next = when + t.every;
    if (t.times != 0 && next_run >= t.times) return;
    if (t.until.count() != 0 && next - start_ > t.until) return;
    Schedule(index, next_run, next);
  });
}

}  // namespace fakedocker
