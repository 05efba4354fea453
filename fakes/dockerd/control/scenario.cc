#include "fakes/dockerd/scenario.h"

#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include "fakes/dockerd/checked_value.h"

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
    // "nan", "inf" and hex floats stay text: the checks then name them as written.
    if (used == s.size() && std::isfinite(d) && s.find_first_not_of("0123456789.eE+-") == std::string::npos) return d;
  } catch (const std::exception&) {
  }
  return s;
}

// An offset or period of the timeline, in [lo, kMaxDelay].
std::chrono::nanoseconds Duration(const json& j, const std::string& key, const std::string& where,
                                  std::chrono::nanoseconds lo = std::chrono::nanoseconds{0}) {
  try {
    return CheckedDuration("\"" + key + "\"", j, lo, kMaxDelay);
  } catch (const ValueError& e) {
    throw ScenarioError(where + ": " + e.what());
  }
}

// A daemon setting gets the checks of its command-line flag (options.cc), so
// a value from the file cannot bypass them.
void CheckDaemonSetting(const std::string& key, const json& v, const std::string& where) {
  const std::string name = "\"" + key + "\"";
  try {
    if (key == "line_bytes") {
      uint32_t lo = 0, hi = 0;
      try {
        ParseLineBytes(v.is_string() ? v.get<std::string>() : v.dump(), &lo, &hi);
      } catch (const std::invalid_argument& e) {
        throw ValueError(name + ": " + e.what());
      }
    } else if (key == "containers") {
      CheckedCount(name, v, 0, 1'000'000);
    } else if (key == "rate") {
      CheckedReal(name, v, 0, 1e6);
    } else if (key == "tty_fraction" || key == "stderr_fraction") {
      CheckedReal(name, v, 0, 1);
    } else if (key == "retention") {
      CheckedCount(name, v, 1, 100'000'000);
    } else if (key == "seed") {
      CheckedCount(name, v, 0, UINT64_MAX);
    } else if (key == "burst") {
      CheckedCount(name, v, 1, 1'000'000);
    } else {
      throw ValueError("unknown daemon setting " + name +
                       " (containers, rate, line_bytes, tty_fraction, stderr_fraction, retention, seed, burst)");
    }
  } catch (const ValueError& e) {
    throw ScenarioError(where + ": " + e.what());
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
      // Below 1ms a repeated action would keep the event loop busy for good.
      t.every = Duration(entry["every"], "every", where, std::chrono::milliseconds(1));
    }
    if (entry.contains("times")) {
      try {
        t.times = CheckedCount("\"times\"", entry["times"], 1, UINT64_MAX);
      } catch (const ValueError& e) {
        throw ScenarioError(where + ": " + e.what());
      }
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
    actions_.PerformAsync(t.action, [this, index](json result, std::optional<ActionError> error) {
      const TimelineEntry& done = scenario_.timeline[index];
      if (error) {
        ++failed_;
        std::fprintf(stderr, "fake-dockerd: scenario %s:%d: %s failed: %s\n", scenario_.path.c_str(), done.line,
                     done.action.dump().c_str(), error->what());
        return;
      }
      ++performed_;
      std::fprintf(stderr, "fake-dockerd: scenario %s:%d: %s -> %s\n", scenario_.path.c_str(), done.line,
                   done.action.dump().c_str(), CutForMessage(result.dump()).c_str());
    });
    if (t.every.count() == 0) return;
    uint64_t next_run = run + 1;
    auto next = when + t.every;
    if (t.times != 0 && next_run >= t.times) return;
    if (t.until.count() != 0 && next - start_ > t.until) return;
    Schedule(index, next_run, next);
  });
}

}  // namespace fakedocker
