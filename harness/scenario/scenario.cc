// Loads scenario files (YAML, and therefore JSON) into Scenario values:
// each mapping is walked against a table of its known keys, every value is
// converted with a message that names FILE:LINE:COL and the key path, and
// the cross-field rules (duration > warmup, inject_leak only for
// log-capturer, ...) are checked at the end. Faults and timeline actions are
// passed through to the fake daemon as JSON, converted faithfully, after the
// fake's own checks of them (so a bad one fails at load, naming the entry).
#include "harness/scenario/scenario.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <utility>

#include "common/duration.h"
#include "fakes/dockerd/actions.h"
#include "fakes/dockerd/checked_value.h"
#include "fakes/dockerd/faults.h"
#include "harness/scenario/error_pattern.h"

namespace leakbench::harness {
namespace {

using Json = nlohmann::json;
using std::chrono::nanoseconds;
using fakedocker::CutForMessage;

// Parses all of `text` as a number of type T; nullopt if anything is left.
template <typename T>
std::optional<T> ParseWhole(std::string_view text) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  T value{};
  const char* last = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), last, value);
  if (ec != std::errc() || ptr != last || text.empty()) return std::nullopt;
  return value;
}

// Only digits, signs, '.', 'e', 'E' and at least one digit: what YAML's core
// schema calls a float (from_chars alone would also take "inf" and "nan").
bool LooksNumeric(std::string_view text) {
  bool digit = false;
  for (char c : text) {
    if (c >= '0' && c <= '9') {
      digit = true;
    } else if (c != '+' && c != '-' && c != '.' && c != 'e' && c != 'E') {
      return false;
    }
  }
  return digit;
}

bool IsPlain(const YAML::Node& node) { return node.Tag() == "?"; }

// A plain scalar as YAML 1.2's core schema reads it; quoted scalars (and
// so every JSON string) stay strings.
Json ScalarToJson(const YAML::Node& node) {
  const std::string& text = node.Scalar();
  if (!IsPlain(node)) return text;
  if (text == "true" || text == "True" || text == "TRUE") return true;
  if (text == "false" || text == "False" || text == "FALSE") return false;
  if (LooksNumeric(text)) {
    if (text.find_first_of(".eE") == std::string::npos) {
      if (auto i = ParseWhole<std::int64_t>(text)) return *i;
      if (auto u = ParseWhole<std::uint64_t>(text)) return *u;
    }
    if (auto d = ParseWhole<double>(text); d && std::isfinite(*d)) return *d;
  }
  return text;
}

class Parser {
 public:
  explicit Parser(std::string file) : file_(std::move(file)) {}

  Scenario Parse(const YAML::Node& root) {
    Scenario s;
    s.file = file_;
    if (!root.IsMap()) Fail(root, "", "expected a mapping (at least `name: ...`)");
    ParseMap(root, "",
             {
                 {"name", [&](const YAML::Node& n) { s.name = Str(n, "name"); }},
                 {"description", [&](const YAML::Node& n) { s.description = n.IsNull() ? "" : Str(n, "description"); }},
                 {"tags", [&](const YAML::Node& n) { s.tags = StrList(n, "tags"); }},
                 {"duration", [&](const YAML::Node& n) { s.duration = Dur(n, "duration"); }},
                 {"warmup", [&](const YAML::Node& n) { s.warmup = Dur(n, "warmup"); }},
                 {"sample_interval", [&](const YAML::Node& n) { s.sample_interval = Dur(n, "sample_interval"); }},
                 {"expect_fail",
                  [&](const YAML::Node& n) {
                    if (!n.IsNull()) s.expect_fail = Str(n, "expect_fail");
                  }},
                 {"expect_also_fail",
                  [&](const YAML::Node& n) { s.expect_also_fail = StrList(n, "expect_also_fail"); }},
                 {"fake", [&](const YAML::Node& n) { ParseFake(n, s.fake); }},
                 {"target", [&](const YAML::Node& n) { ParseTarget(n, s.target); }},
                 {"criteria", [&](const YAML::Node& n) { ParseCriteria(n, s.criteria); }},
             });
    if (!marks_.contains("name")) Fail(root, "name", "required: the scenario's name");
    if (s.name.empty()) FailAt({"name"}, "must not be empty");
    s.criteria.max_concurrent_streams_set = marks_.contains("criteria.max_concurrent_streams");
    Validate(s);
    try {
      DeriveBounds(s);
    } catch (const ScenarioError& e) {
      FailMark(YAML::Mark::null_mark(), "", e.what());
    }
    return s;
  }

 private:
  using Handler = std::function<void(const YAML::Node&)>;
  using Handlers = std::vector<std::pair<std::string_view, Handler>>;

  std::string Where(const YAML::Mark& mark) const {
    if (mark.is_null()) return file_;
    return file_ + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
  }

  [[noreturn]] void FailMark(const YAML::Mark& mark, std::string_view key, const std::string& what) const {
    std::string msg = Where(mark) + ": ";
    if (!key.empty()) msg += std::string(key) + ": ";
    throw ScenarioError(msg + what);
  }

  [[noreturn]] void Fail(const YAML::Node& node, std::string_view key, const std::string& what) const {
    FailMark(node.Mark(), key, what);
  }

  // Fails at the first of `keys` the file spelled out (values that are
  // defaults have no place in the file: then the file itself is named).
  [[noreturn]] void FailAt(std::initializer_list<std::string_view> keys, const std::string& what) const {
    for (std::string_view key : keys) {
      if (auto it = marks_.find(std::string(key)); it != marks_.end()) FailMark(it->second, key, what);
    }
    FailMark(YAML::Mark::null_mark(), *keys.begin(), what);
  }

  static std::string Join(const std::string& prefix, std::string_view key) {
    return prefix.empty() ? std::string(key) : prefix + "." + std::string(key);
  }

  // Walks a mapping: each key must be in `handlers` (once); its value goes to
  // the handler, and its place is remembered for later checks.
  void ParseMap(const YAML::Node& map, const std::string& prefix, const Handlers& handlers) {
    if (!map.IsMap()) Fail(map, prefix, "expected a mapping");
    std::set<std::string> seen;
    for (const auto& kv : map) {
      if (!kv.first.IsScalar()) Fail(kv.first, prefix, "keys must be plain strings");
      const std::string& key = kv.first.Scalar();
      const std::string path = Join(prefix, key);
      const auto it = std::find_if(handlers.begin(), handlers.end(), [&](const auto& h) { return h.first == key; });
      if (it == handlers.end()) {
        std::string known;
        for (const auto& h : handlers) known += (known.empty() ? "" : ", ") + std::string(h.first);
        Fail(kv.first, path, "unknown key (known keys" + (prefix.empty() ? "" : " of " + prefix) + ": " + known + ")");
      }
      if (!seen.insert(key).second) Fail(kv.first, path, "duplicate key");
      marks_[path] = kv.second.IsNull() ? kv.first.Mark() : kv.second.Mark();
      it->second(kv.second);
    }
  }

  std::string Str(const YAML::Node& n, std::string_view key) const {
    if (!n.IsScalar()) Fail(n, key, "expected a string");
    return n.Scalar();
  }

  std::vector<std::string> StrList(const YAML::Node& n, std::string_view key) const {
    if (!n.IsSequence()) Fail(n, key, "expected a list of strings, e.g. [a, b]");
    std::vector<std::string> out;
    for (const auto& item : n) out.push_back(Str(item, key));
    return out;
  }

  double Num(const YAML::Node& n, std::string_view key, double min = 0) const {
    const auto value = n.IsScalar() && LooksNumeric(n.Scalar()) ? ParseWhole<double>(n.Scalar()) : std::nullopt;
    if (!value || !std::isfinite(*value)) {
      Fail(n, key, "expected a finite number, got '" + CutForMessage(n.IsScalar() ? n.Scalar() : "") + "'");
    }
    if (*value < min) {
      std::ostringstream bound;
      bound << min;
      Fail(n, key, "must be >= " + bound.str() + " (got " + CutForMessage(n.Scalar()) + ")");
    }
    return *value;
  }

  std::uint64_t Count(const YAML::Node& n, std::string_view key, std::uint64_t min) const {
    const auto value = n.IsScalar() ? ParseWhole<std::uint64_t>(n.Scalar()) : std::nullopt;
    if (!value) Fail(n, key, "expected a whole number >= " + std::to_string(min));
    if (*value < min) Fail(n, key, "must be >= " + std::to_string(min) + " (got " + CutForMessage(n.Scalar()) + ")");
    return *value;
  }

  bool Bool(const YAML::Node& n, std::string_view key) const {
    if (n.IsNull()) return false;
    bool value = false;
    if (!n.IsScalar() || !YAML::convert<bool>::decode(n, value)) Fail(n, key, "expected true or false (or null/off)");
    return value;
  }

  // A Go-style duration ("90s", "5m", "2.5s") or a plain number of seconds.
  // At most kMaxDuration, so that "now + d" cannot overflow a clock.
  nanoseconds Dur(const YAML::Node& n, std::string_view key) const {
    if (!n.IsScalar()) Fail(n, key, "expected a duration such as 90s, 5m or 2.5s");
    const std::string& text = n.Scalar();
    const std::string too_long = "'" + CutForMessage(text) + "' is too long (at most " + FormatDuration(kMaxDuration) + ")";
    if (LooksNumeric(text)) {
      const double seconds = Num(n, key, 0);
      if (seconds > std::chrono::duration<double>(kMaxDuration).count()) Fail(n, key, too_long);
      return std::chrono::duration_cast<nanoseconds>(std::chrono::duration<double>(seconds));
    }
    nanoseconds d{};
    try {
      d = ParseDuration(text);
    } catch (const std::exception&) {  // DurationError, or out_of_range from an absurd number
      Fail(n, key, "'" + CutForMessage(text) + "' is not a duration (expected e.g. 90s, 5m, 2.5s, 1h30m, 250ms)");
    }
    if (d > kMaxDuration) Fail(n, key, too_long);
    return d;
  }

  // A criterion bound: a non-negative number, or null/off to disable it.
  std::optional<double> Bound(const YAML::Node& n, std::string_view key) const {
    if (n.IsNull() || (n.IsScalar() && IsPlain(n) && n.Scalar() == "off")) return std::nullopt;
    if (!n.IsScalar() || !LooksNumeric(n.Scalar())) Fail(n, key, "expected a number, or null/off to disable");
    return Num(n, key, 0);
  }

  Json ToJson(const YAML::Node& n, const std::string& key) const {
    switch (n.Type()) {
      case YAML::NodeType::Null:
        return nullptr;
      case YAML::NodeType::Scalar:
        return ScalarToJson(n);
      case YAML::NodeType::Sequence: {
        Json out = Json::array();
        for (const auto& item : n) out.push_back(ToJson(item, key));
        return out;
      }
      case YAML::NodeType::Map: {
        Json out = Json::object();
        for (const auto& kv : n) {
          if (!kv.first.IsScalar()) Fail(kv.first, key, "keys must be plain strings");
          out[kv.first.Scalar()] = ToJson(kv.second, key + "." + kv.first.Scalar());
        }
        return out;
      }
      case YAML::NodeType::Undefined:
        break;
    }
    Fail(n, key, "undefined value");
  }

  // An object with a string member `field` ({kind: reset, ...}).
  Json TaggedObject(const YAML::Node& n, const std::string& key, const char* field, const char* example) const {
    if (!n.IsMap()) Fail(n, key, std::string("expected an object with a string `") + field + "`, e.g. " + example);
    Json out = ToJson(n, key);
    if (!out.contains(field) || !out[field].is_string()) {
      Fail(n, key, std::string("expected a string `") + field + "`, e.g. " + example);
    }
    return out;
  }

  void ParseFake(const YAML::Node& node, FakeSpec& f) {
    ParseMap(node, "fake",
             {
                 {"containers", [&](const YAML::Node& n) { f.containers = Count(n, "fake.containers", 1); }},
                 {"rate", [&](const YAML::Node& n) { f.rate = Num(n, "fake.rate", 0); }},
                 {"line_bytes", [&](const YAML::Node& n) { f.line_bytes = LineBytes(n); }},
                 {"tty_fraction", [&](const YAML::Node& n) { f.tty_fraction = Fraction(n, "fake.tty_fraction"); }},
                 {"stderr_fraction",
                  [&](const YAML::Node& n) { f.stderr_fraction = Fraction(n, "fake.stderr_fraction"); }},
                 {"burst",
                  [&](const YAML::Node& n) {
                    const auto burst = Count(n, "fake.burst", 1);
                    if (burst > 1000000) Fail(n, "fake.burst", "must be <= 1000000");
                    f.burst = static_cast<unsigned>(burst);
                  }},
                 {"retention", [&](const YAML::Node& n) { f.retention = Count(n, "fake.retention", 0); }},
                 {"faults",
                  [&](const YAML::Node& n) {
                    if (!n.IsSequence()) Fail(n, "fake.faults", "expected a list of fault objects");
                    for (std::size_t i = 0; i < n.size(); ++i) {
                      const std::string key = "fake.faults[" + std::to_string(i) + "]";
                      f.faults.push_back(TaggedObject(n[i], key, "kind", "{kind: reset, probability: 0.2}"));
                      // The fake's own check, now rather than when the fake refuses it mid-run.
                      try {
                        fakedocker::FaultSpec::FromJson(f.faults.back());
                      } catch (const std::exception& e) {
                        Fail(n[i], key, e.what());
                      }
                    }
                  }},
                 {"timeline",
                  [&](const YAML::Node& n) {
                    if (!n.IsSequence()) Fail(n, "fake.timeline", "expected a list of {at, every, action}");
                    for (std::size_t i = 0; i < n.size(); ++i) {
                      f.timeline.push_back(ParseTimedAction(n[i], "fake.timeline[" + std::to_string(i) + "]"));
                    }
                  }},
             });
  }

  TimedAction ParseTimedAction(const YAML::Node& node, const std::string& prefix) {
    TimedAction a;
    bool has_action = false;
    ParseMap(node, prefix,
             {
                 {"at", [&](const YAML::Node& n) { a.at = Dur(n, prefix + ".at"); }},
                 {"every", [&](const YAML::Node& n) { a.every = Dur(n, prefix + ".every"); }},
                 {"action",
                  [&](const YAML::Node& n) {
                    a.action = TaggedObject(n, prefix + ".action", "action", "{action: churn, count: 5}");
                    has_action = true;
                  }},
             });
    if (!has_action) Fail(node, prefix, "`action` is required, e.g. action: {action: churn, count: 5}");
    if (a.every.count() > 0 && a.every < std::chrono::milliseconds(1)) {
      FailMark(marks_.at(prefix + ".every"), prefix + ".every", "must be at least 1ms (or 0: once)");
    }
    // The fake's own check (POST /actions), now rather than when the fake
    // refuses it mid-run.
    try {
      fakedocker::ValidateAction(a.action);
    } catch (const std::exception& e) {
      FailMark(marks_.at(prefix + ".action"), prefix + ".action", e.what());
    }
    return a;
  }

  std::string LineBytes(const YAML::Node& n) const {
    const std::string text = Str(n, "fake.line_bytes");
    const std::size_t dash = text.find('-');
    const auto lo = ParseWhole<std::uint64_t>(std::string_view(text).substr(0, dash));
    const auto hi = dash == std::string::npos ? lo : ParseWhole<std::uint64_t>(std::string_view(text).substr(dash + 1));
    if (!lo || !hi || *lo < 1 || *hi < *lo) {
      Fail(n, "fake.line_bytes", "expected N or MIN-MAX with 1 <= MIN <= MAX (got '" + text + "')");
    }
    return text;
  }

  double Fraction(const YAML::Node& n, std::string_view key) const {
    const double value = Num(n, key, 0);
    if (value > 1) Fail(n, key, "must be between 0 and 1");
    return value;
  }

  void ParseTarget(const YAML::Node& node, TargetSpec& t) {
    ParseMap(node, "target",
             {
                 {"kind", [&](const YAML::Node& n) { t.kind = Str(n, "target.kind"); }},
                 {"command", [&](const YAML::Node& n) { t.command = Str(n, "target.command"); }},
                 {"rotation_interval",
                  [&](const YAML::Node& n) { t.rotation_interval = Dur(n, "target.rotation_interval"); }},
                 {"max_streams", [&](const YAML::Node& n) { t.max_streams = Count(n, "target.max_streams", 1); }},
                 {"inject_leak",
                  [&](const YAML::Node& n) { t.inject_leak = n.IsNull() ? "" : Str(n, "target.inject_leak"); }},
                 {"inject_leak_every",
                  [&](const YAML::Node& n) { t.inject_leak_every = Count(n, "target.inject_leak_every", 1); }},
                 {"extra_args", [&](const YAML::Node& n) { t.extra_args = StrList(n, "target.extra_args"); }},
                 {"inject_fault",
                  [&](const YAML::Node& n) {
                    t.inject_faults = n.IsScalar() ? std::vector<std::string>{Str(n, "target.inject_fault")}
                                                   : StrList(n, "target.inject_fault");
                  }},
                 {"metrics_url", [&](const YAML::Node& n) { t.metrics_url = Str(n, "target.metrics_url"); }},
                 {"pprof_url", [&](const YAML::Node& n) { t.pprof_url = Str(n, "target.pprof_url"); }},
                 {"error_pattern", [&](const YAML::Node& n) { t.error_pattern = Str(n, "target.error_pattern"); }},
                 {"output", [&](const YAML::Node& n) { t.output = Str(n, "target.output"); }},
             });
  }

  void ParseCriteria(const YAML::Node& node, CriteriaSpec& c) {
    auto bound = [&](std::string_view key, std::optional<double>& out) -> std::pair<std::string_view, Handler> {
      return {key, [this, key, &out](const YAML::Node& n) { out = Bound(n, "criteria." + std::string(key)); }};
    };
    auto flag = [&](std::string_view key, bool& out) -> std::pair<std::string_view, Handler> {
      return {key, [this, key, &out](const YAML::Node& n) { out = Bool(n, "criteria." + std::string(key)); }};
    };
    ParseMap(node, "criteria",
             {
                 bound("threads_max", c.threads_max),
                 bound("thread_growth_per_min", c.thread_growth_per_min),
                 bound("fd_growth_per_min", c.fd_growth_per_min),
                 bound("rss_growth_mib_per_min", c.rss_growth_mib_per_min),
                 bound("thread_growth_per_1000_rotations", c.thread_growth_per_1000_rotations),
                 bound("fd_growth_per_1000_rotations", c.fd_growth_per_1000_rotations),
                 bound("rss_growth_mib_per_1000_rotations", c.rss_growth_mib_per_1000_rotations),
                 flag("no_continuous_trend", c.no_continuous_trend),
                 bound("rotation_tolerance_s", c.rotation_tolerance_s),
                 bound("max_concurrent_streams", c.max_concurrent_streams),
                 flag("no_loss", c.no_loss),
                 flag("capture_all", c.capture_all),
                 bound("max_error_lines", c.max_error_lines),
                 flag("metrics_consistent", c.metrics_consistent),
                 flag("no_loss_at_source", c.no_loss_at_source),
                 bound("goroutines_max", c.goroutines_max),
                 bound("goroutine_growth_per_min", c.goroutine_growth_per_min),
                 bound("goroutine_growth_per_1000_rotations", c.goroutine_growth_per_1000_rotations),
             });
  }

  void Validate(const Scenario& s) const {
    if (s.duration <= s.warmup) {
      FailAt({"warmup", "duration"}, "the warm-up (" + FormatDuration(s.warmup) +
                                         ") must be shorter than the duration (" + FormatDuration(s.duration) + ")");
    }
    if (s.sample_interval < kMinSampleInterval || s.sample_interval > s.duration) {
      FailAt({"sample_interval", "duration"}, "must be at least " + FormatDuration(kMinSampleInterval) +
                                                  " and at most the duration (" + FormatDuration(s.duration) +
                                                  "), not " + FormatDuration(s.sample_interval));
    }
    const TargetSpec& t = s.target;
    if (t.kind != "log-capturer" && t.kind != "command") FailAt({"target.kind"}, "expected log-capturer or command");
    if (t.rotation_interval <= nanoseconds::zero()) FailAt({"target.rotation_interval"}, "must be > 0");
    if (t.kind == "command") {
      if (t.command.empty()) FailAt({"target.command", "target.kind"}, "kind: command requires a non-empty `command`");
      if (!t.inject_leak.empty()) {
        FailAt({"target.inject_leak"}, "only for kind: log-capturer (a command is a black box)");
      }
      if (!t.extra_args.empty()) FailAt({"target.extra_args"}, "only for kind: log-capturer (put them in `command`)");
      if (!t.inject_faults.empty()) {
        FailAt({"target.inject_fault"}, "only for kind: log-capturer (a command is a black box)");
      }
    } else if (!t.command.empty()) {
      FailAt({"target.command"}, "only for kind: command");
    }
    if (!t.inject_leak.empty() &&
        std::find(kInjectLeakKinds.begin(), kInjectLeakKinds.end(), t.inject_leak) == kInjectLeakKinds.end()) {
      FailAt({"target.inject_leak"}, "unknown leak '" + t.inject_leak + "' (known: " + JoinIds(kInjectLeakKinds) + ")");
    }
    for (const auto& [key, url] : {std::pair{"target.metrics_url", &t.metrics_url}, {"target.pprof_url", &t.pprof_url}}) {
      if (!url->empty() && !url->starts_with("http://")) {
        FailAt({key}, "expected an http:// URL, e.g. http://127.0.0.1:{port}/metrics, not '" + CutForMessage(*url) + "'");
      }
    }
    if (!t.error_pattern.empty()) {
      try {
        ErrorPattern check(t.error_pattern);
      } catch (const std::invalid_argument& e) {
        FailAt({"target.error_pattern"}, "not a valid POSIX extended regular expression: " + std::string(e.what()));
      }
    }
    for (const std::string& id : s.expect_also_fail) {
      if (!IsCriterionId(id)) {
        FailAt({"expect_also_fail"}, "unknown criterion '" + id + "' (known: " + JoinIds(kCriterionIds) + ")");
      }
      if (!s.expect_fail) FailAt({"expect_also_fail"}, "only with expect_fail");
    }
    if (s.expect_fail && !IsCriterionId(*s.expect_fail)) {
      FailAt({"expect_fail"},
             "unknown criterion '" + *s.expect_fail + "' (known: " + JoinIds(kCriterionIds) + ")");
    }
  }

  template <std::size_t N>
  static std::string JoinIds(const std::array<std::string_view, N>& ids) {
    std::string out;
    for (std::string_view id : ids) out += (out.empty() ? "" : ", ") + std::string(id);
    return out;
  }

  std::string file_;
  std::map<std::string, YAML::Mark> marks_;  // key path -> where its value is
};

}  // namespace

Scenario ParseScenario(const std::string& text, const std::string& name_for_errors) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    const std::string where = e.mark.is_null() ? name_for_errors
                                               : name_for_errors + ":" + std::to_string(e.mark.line + 1) + ":" +
                                                     std::to_string(e.mark.column + 1);
    throw ScenarioError(where + ": not valid YAML/JSON: " + e.msg);
  }
  return Parser(name_for_errors).Parse(root);
}

void DeriveBounds(Scenario& s) {
  if (s.duration <= s.warmup) {
    throw ScenarioError("the warm-up (" + FormatDuration(s.warmup) + ") must be shorter than the run (" +
                        FormatDuration(s.duration) + ")");
  }
  if (s.target.kind == "command" && s.target.command.empty()) {
    throw ScenarioError("a command target needs a command (--target-cmd or target.command)");
  }
  if (!s.criteria.max_concurrent_streams_set) {
    s.criteria.max_concurrent_streams = static_cast<double>(s.target.max_streams);
  }
  s.not_applicable.clear();
  const bool capturer = s.target.kind != "command";
  if (!capturer && s.criteria.metrics_consistent) {
    s.not_applicable["metrics"] =
        "the target is a command: it exports no log_capturer_* metrics to compare with the daemon";
  }
  const bool goroutine_source = !s.target.metrics_url.empty() || !s.target.pprof_url.empty();
  if (!goroutine_source) {
    const std::string why = capturer ? "log-capturer has no goroutines (give target.metrics_url or target.pprof_url "
                                       "for a Go target)"
                                     : "no goroutine source: give --target-metrics URL (go_goroutines) or "
                                       "--target-pprof URL for a Go target";
    s.not_applicable["goroutines_baseline"] = why;
    s.not_applicable["goroutine_growth"] = why;
  }
}

Scenario LoadScenario(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ScenarioError(path + ": cannot open: " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw ScenarioError(path + ": cannot read: " + std::strerror(errno));
  return ParseScenario(text.str(), path);
}

}  // namespace leakbench::harness
