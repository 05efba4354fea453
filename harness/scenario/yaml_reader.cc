#include "harness/scenario/yaml_reader.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <sstream>

#include "common/duration.h"
#include "fakes/dockerd/checked_value.h"
#include "harness/scenario/scenario.h"

namespace leakbench::harness {
namespace {

using fakedocker::CutForMessage;

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
nlohmann::json ScalarToJson(const YAML::Node& node) {
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

std::string JoinKey(const std::string& prefix, std::string_view key) {
  return prefix.empty() ? std::string(key) : prefix + "." + std::string(key);
}

}  // namespace

std::string YamlReader::Where(const YAML::Mark& mark) const {
  if (mark.is_null()) return file_;
  return file_ + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

void YamlReader::FailMark(const YAML::Mark& mark, std::string_view key, const std::string& what) const {
  std::string msg = Where(mark) + ": ";
  if (!key.empty()) msg += std::string(key) + ": ";
  throw ScenarioError(msg + what);
}

void YamlReader::Fail(const YAML::Node& node, std::string_view key, const std::string& what) const {
  FailMark(node.Mark(), key, what);
}

void YamlReader::FailAt(std::initializer_list<std::string_view> keys, const std::string& what) const {
  for (std::string_view key : keys) {
    if (auto it = marks_.find(std::string(key)); it != marks_.end()) FailMark(it->second, key, what);
  }
  FailMark(YAML::Mark::null_mark(), *keys.begin(), what);
}

void YamlReader::ParseMap(const YAML::Node& map, const std::string& prefix, const Handlers& handlers) {
  if (!map.IsMap()) Fail(map, prefix, "expected a mapping");
  std::set<std::string> seen;
  for (const auto& kv : map) {
    if (!kv.first.IsScalar()) Fail(kv.first, prefix, "keys must be plain strings");
    const std::string& key = kv.first.Scalar();
    const std::string path = JoinKey(prefix, key);
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

std::string YamlReader::Str(const YAML::Node& n, std::string_view key) const {
  if (!n.IsScalar()) Fail(n, key, "expected a string");
  return n.Scalar();
}

std::vector<std::string> YamlReader::StrList(const YAML::Node& n, std::string_view key) const {
  if (!n.IsSequence()) Fail(n, key, "expected a list of strings, e.g. [a, b]");
  std::vector<std::string> out;
  for (const auto& item : n) out.push_back(Str(item, key));
  return out;
}

double YamlReader::Num(const YAML::Node& n, std::string_view key, double min) const {
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

std::uint64_t YamlReader::Count(const YAML::Node& n, std::string_view key, std::uint64_t min) const {
  const auto value = n.IsScalar() ? ParseWhole<std::uint64_t>(n.Scalar()) : std::nullopt;
  if (!value) Fail(n, key, "expected a whole number >= " + std::to_string(min));
  if (*value < min) Fail(n, key, "must be >= " + std::to_string(min) + " (got " + CutForMessage(n.Scalar()) + ")");
  return *value;
}

bool YamlReader::Bool(const YAML::Node& n, std::string_view key) const {
  if (n.IsNull()) return false;
  bool value = false;
  if (!n.IsScalar() || !YAML::convert<bool>::decode(n, value)) Fail(n, key, "expected true or false (or null/off)");
  return value;
}

std::chrono::nanoseconds YamlReader::Dur(const YAML::Node& n, std::string_view key) const {
  if (!n.IsScalar()) Fail(n, key, "expected a duration such as 90s, 5m or 2.5s");
  const std::string& text = n.Scalar();
  const std::string too_long = "'" + CutForMessage(text) + "' is too long (at most " + FormatDuration(kMaxDuration) + ")";
  if (LooksNumeric(text)) {
    const double seconds = Num(n, key, 0);
    if (seconds > std::chrono::duration<double>(kMaxDuration).count()) Fail(n, key, too_long);
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::duration<double>(seconds));
  }
  std::chrono::nanoseconds d{};
  try {
    d = ParseDuration(text);
  } catch (const std::exception&) {  // DurationError, or out_of_range from an absurd number
    Fail(n, key, "'" + CutForMessage(text) + "' is not a duration (expected e.g. 90s, 5m, 2.5s, 1h30m, 250ms)");
  }
  if (d > kMaxDuration) Fail(n, key, too_long);
  return d;
}

std::optional<double> YamlReader::Bound(const YAML::Node& n, std::string_view key) const {
  if (n.IsNull() || (n.IsScalar() && IsPlain(n) && n.Scalar() == "off")) return std::nullopt;
  if (!n.IsScalar() || !LooksNumeric(n.Scalar())) Fail(n, key, "expected a number, or null/off to disable");
  return Num(n, key, 0);
}

nlohmann::json YamlReader::ToJson(const YAML::Node& n, const std::string& key) const {
  switch (n.Type()) {
    case YAML::NodeType::Null:
      return nullptr;
    case YAML::NodeType::Scalar:
      return ScalarToJson(n);
    case YAML::NodeType::Sequence: {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& item : n) out.push_back(ToJson(item, key));
      return out;
    }
    case YAML::NodeType::Map: {
      nlohmann::json out = nlohmann::json::object();
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

nlohmann::json YamlReader::TaggedObject(const YAML::Node& n, const std::string& key, const char* field,
                                        const char* example) const {
  if (!n.IsMap()) Fail(n, key, std::string("expected an object with a string `") + field + "`, e.g. " + example);
  nlohmann::json out = ToJson(n, key);
  if (!out.contains(field) || !out[field].is_string()) {
    Fail(n, key, std::string("expected a string `") + field + "`, e.g. " + example);
  }
  return out;
}

}  // namespace leakbench::harness
