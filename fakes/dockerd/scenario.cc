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
  if (j.is_number_integer() && j.get<int64_t>() == 0) return std::chrono::nanoseconds{0};  // "at: 0"
  if (!j.is_string()) throw ScenarioError(where + ": \"" + key + "\" must be a duration like \"5s\"");
  try {
    return leakbench::ParseDuration(j.get<std::string>());
  } catch (const leakbench::DurationError& e) {
    throw ScenarioError(where + ": \"" + key + "\": " + e.what());
  }
}

// A daemon setting gets the checks of its command-line flag (options.cc), so
// a value from the file cannot bypass them.
void CheckDaemonSetting(const std::string& key, const json& v, const std::string& where) {
  struct Limit {
    const char* key;
    bool integer;
    double lo, hi;
    const char* range;
  };
  static constexpr Limit kLimits[] = {
      {"containers", true, 0, 1e6, "an integer from 0 to 1000000"},
      {"rate", false, 0, 1e6, "a number from 0 to 1000000"},
      {"tty_fraction", false, 0, 1, "a number from 0 to 1"},
      {"stderr_fraction", false, 0, 1, "a number from 0 to 1"},
      {"retention", true, 1, 1e8, "an integer from 1 to 100000000"},
      {"seed", true, 0, 1.8e19, "a non-negative integer"},
      {"burst", true, 1, 1e6, "an integer from 1 to 1000000"},
  };
  if (key == "line_bytes") {
    uint32_t lo = 0, hi = 0;
    try {
      ParseLineBytes(v.is_string() ? v.get<std::string>() : v.dump(), &lo, &hi);
    } catch (const std::invalid_argument& e) {
      throw ScenarioError(where + ": \"line_bytes\": " + e.what());
    }
    return;
  }
  for (const Limit& l : kLimits) {
    if (key != l.key) continue;
    bool ok = l.integer ? v.is_number_integer() : v.is_number();
    if (ok) {
      const double d = v.get<double>();
      ok = d >= l.lo && d <= l.hi;
    }
    if (!ok) throw ScenarioError(where + ": \"" + key + "\" must be " + l.range + ", not " + v.dump());
    return;
  }
  throw ScenarioError(where + ": unknown daemon setting \"" + key +
                      "\" (containers, rate, line_bytes, tty_fraction, stderr_fraction, retention, seed, burst)");
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
    const std::string where = name + ":" + std::to_string(kv.first.Mark().line + 1);
    if (!kTop.count(key)) {
      throw ScenarioError(where + ": unknown key \"" + key + "\" (expected name, description, daemon, timeline)");
    }
    if (key != "daemon") continue;
    if (!kv.second.IsMap()) throw ScenarioError(where + ": \"daemon\" must be a mapping");
    sc.daemon = ToJson(kv.second);
    for (const auto& setting : kv.second) {
      CheckDaemonSetting(setting.first.as<std::string>(), ToJson(setting.second),
                         name + ":" + std::to_string(setting.first.Mark().line + 1));
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
