#include "fakes/dockerd/control/scenario.h"

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string_view>
#include <vector>

#include "common/yaml_to_json.h"
#include "common/yaml_value.h"
#include "fakes/dockerd/model/checked_value.h"
#include "fakes/dockerd/model/container.h"

namespace fakedocker {
namespace {

using json = nlohmann::json;
using leakbench::YamlDocument;
using leakbench::YamlField;
using leakbench::YamlValue;

// A daemon setting gets the checks of its command-line flag (options.cc), so
// a value from the file cannot bypass them.
std::vector<YamlField> DaemonSettings() {
  const auto count = [](std::string_view name, uint64_t lo, uint64_t hi) {
    return YamlField{name, [lo, hi](const YamlValue& v) { v.Unsigned(lo, hi); }};
  };
  const auto real = [](std::string_view name, double lo, double hi) {
    return YamlField{name, [lo, hi](const YamlValue& v) { v.Number(lo, hi); }};
  };
  return {
      count("containers", 0, 1'000'000),
      real("rate", 0, 1e6),
      {"line_bytes",
       [](const YamlValue& v) {
         uint32_t lo = 0, hi = 0;
         try {
           ParseLineBytes(v.Scalar("N or MIN-MAX"), &lo, &hi);
         } catch (const std::invalid_argument& e) {
           v.Fail(e.what());
         }
       }},
      real("tty_fraction", 0, 1),
      real("stderr_fraction", 0, 1),
      count("retention", 1, 100'000'000),
      count("seed", 0, UINT64_MAX),
      count("burst", 1, 1'000'000),
      {"stderr_lag", [](const YamlValue& v) { v.Duration(std::chrono::nanoseconds{0}, kMaxStderrLag); }},
  };
}

// Where an empty timeline entry ("  -" and nothing) is: its dash. yaml-cpp
// places an empty node at the next token (the next entry, or the end), and
// YamlValue::Items at the list itself, both lines away from the entry. Walks
// back from the node over blank and comment lines to the line that starts
// with the dash; `fallback` when there is none (in a flow list, "[1, ~]",
// the node's own place is right).
YAML::Mark EmptyEntryMark(const std::string& text, const YAML::Mark& node, const YAML::Mark& fallback) {
  if (node.is_null() || node.pos < 0 || static_cast<size_t>(node.pos) > text.size()) return fallback;
  size_t end = static_cast<size_t>(node.pos);
  while (true) {
    size_t start = 0;
    if (end > 0) {
      const size_t newline = text.rfind('\n', end - 1);
      start = newline == std::string::npos ? 0 : newline + 1;
    }
    const size_t first = text.find_first_not_of(" \t", start);
    if (first < end && text[first] == '-' && (first + 1 == end || text[first + 1] == ' ' || text[first + 1] == '\t' ||
                                              text[first + 1] == '\n' || text[first + 1] == '\r')) {
      YAML::Mark mark;
      mark.pos = static_cast<int>(first);
      mark.line = static_cast<int>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(start), '\n'));
      mark.column = static_cast<int>(first - start);
      return mark;
    }
    const bool blank = first >= end || text[first] == '#' || text[first] == '\r';
    if (!blank || start == 0) return fallback;
    end = start - 1;  // the newline ending the line above
  }
}

// The action fields the player reads as booleans (actions.cc): checked here
// so that "tty: yes" is refused at load, with its place and the hint, rather
// than failing when the entry is played.
// One timeline entry: its timing keys, and the rest an action.
TimelineEntry ReadEntry(const YamlDocument& doc, const std::string& text, const YamlValue& item) {
  if (item.IsNull()) {
    const YAML::Mark& own = item.node().Mark();
    const YamlValue here(doc, item.node(), item.path(), EmptyEntryMark(text, own, own.is_null() ? item.mark() : own));
    here.Fail("a timeline entry must be a mapping (at: 10s, action: ...), got " + item.Describe());
  }
  if (!item.IsMap()) item.Fail("a timeline entry must be a mapping (at: 10s, action: ...), got " + item.Describe());
  json entry = leakbench::YamlToJson(item);  // refuses keys that are not strings, and duplicates
  TimelineEntry t;
  t.line = item.mark().line + 1;
  for (const auto& kv : item.node()) {
    const std::string& key = kv.first.Scalar();
    const YamlValue v(doc, kv.second, item.path() + "." + key, kv.second.IsNull() ? kv.first.Mark() : kv.second.Mark());
    if (key == "at") {
      t.at = v.Duration(std::chrono::nanoseconds{0}, kMaxDelay);
    } else if (key == "every") {
      // Below 1ms a repeated action would keep the event loop busy for good.
      t.every = v.Duration(std::chrono::milliseconds(1), kMaxDelay);
    } else if (key == "times") {
      t.times = v.Unsigned(1, UINT64_MAX);
    } else if (key == "until") {
      t.until = v.Duration(std::chrono::nanoseconds{0}, kMaxDelay);
    } else if (IsBooleanField(key)) {
      v.Bool();
    }
  }
  if (!entry.contains("at")) item.Fail("a timeline entry needs \"at\" (e.g. at: 10s)");
  if ((entry.contains("times") || entry.contains("until")) && t.every.count() == 0) {
    item.Fail("\"times\" and \"until\" need \"every\"");
  }
  for (const char* k : {"at", "every", "times", "until"}) entry.erase(k);
  try {
    ValidateAction(entry);
  } catch (const ActionError& e) {
    item.Fail(e.what());
  }
  t.action = std::move(entry);
  return t;
}

}  // namespace

Scenario ParseScenario(const std::string& text, const std::string& name) {
  try {
    YamlDocument doc(name);
    const YamlValue root = doc.Load(text);
    if (!root.IsMap()) root.Fail("the top level must be a mapping with a \"timeline\" list, got " + root.Describe());
    Scenario sc;
    sc.path = name;
    doc.ReadMap(root, {
                          {"name", [](const YamlValue& v) { if (!v.IsNull()) v.String(); }},
                          {"description", [](const YamlValue& v) { if (!v.IsNull()) v.String(); }},
                          {"daemon",
                           [&](const YamlValue& v) {
                             doc.ReadMap(v, DaemonSettings(), "a mapping of daemon settings");
                             sc.daemon = leakbench::YamlToJson(v);
                           }},
                          {"timeline",
                           [&](const YamlValue& v) {
                             for (const YamlValue& item : v.Items("a list of actions")) {
                               sc.timeline.push_back(ReadEntry(doc, text, item));
                             }
                           }},
                      });
    if (!doc.Has("timeline")) root.Fail("\"timeline\" must be a list of actions");
    return sc;
  } catch (const leakbench::YamlError& e) {
    throw ScenarioError(e.what());
  }
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
