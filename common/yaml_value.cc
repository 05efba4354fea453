#include "common/yaml_value.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <sstream>

#include "common/digits.h"
#include "common/duration.h"
#include "common/echo_value.h"
#include "common/seconds_or_duration.h"

namespace leakbench {
namespace {

bool IsPlain(const YAML::Node& node) { return node.Tag() == "?"; }

std::string_view WithoutSign(std::string_view text) {
  if (!text.empty() && (text.front() == '+' || text.front() == '-')) text.remove_prefix(1);
  return text;
}

bool IsIntegerText(std::string_view text) { return IsAllDigits(WithoutSign(text)); }

// [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? or [-+]?.inf / .nan.
bool IsNumberText(std::string_view text) {
  text = WithoutSign(text);
  for (std::string_view special : {".inf", ".Inf", ".INF", ".nan", ".NaN", ".NAN"}) {
    if (text == special) return true;
  }
  const std::size_t e = text.find_first_of("eE");
  const std::string_view mantissa = text.substr(0, e);
  if (e != std::string_view::npos && !IsAllDigits(WithoutSign(text.substr(e + 1)))) return false;
  const std::size_t dot = mantissa.find('.');
  if (dot == std::string_view::npos) return IsAllDigits(mantissa);
  const std::string_view whole = mantissa.substr(0, dot);
  const std::string_view fraction = mantissa.substr(dot + 1);
  return (whole.empty() || IsAllDigits(whole)) && (fraction.empty() || IsAllDigits(fraction)) &&
         !(whole.empty() && fraction.empty());
}

std::string NumberText(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

std::string JoinPath(const std::string& prefix, std::string_view key) {
  return prefix.empty() ? std::string(key) : prefix + "." + std::string(key);
}

std::string JoinChoices(std::initializer_list<std::string_view> choices) {
  std::string out;
  std::size_t i = 0;
  for (std::string_view c : choices) {
    if (i > 0) out += i + 1 == choices.size() ? " or " : ", ";
    out += c;
    ++i;
  }
  return out;
}

// A whole number of type T parsed from `text`, or why not.
template <typename T>
T ParseInteger(const YamlValue& v, std::string_view expected, T min, T max) {
  if (!v.node().IsScalar() || ScalarTypeOf(v.node()) != YamlScalarType::kInteger) {
    v.Fail("expected " + std::string(expected) + ", got " + v.Describe());
  }
  std::string_view text = v.node().Scalar();
  if (text.front() == '+') text.remove_prefix(1);
  T value{};
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec == std::errc::result_out_of_range || (ec == std::errc() && ptr != text.data() + text.size()) ||
      ec == std::errc::invalid_argument) {
    // Only a negative number can fail to parse into an unsigned type.
    if (text.front() == '-') v.Fail("must be >= " + std::to_string(min) + " (got " + CutValue(v.node().Scalar()) + ")");
    v.Fail(QuoteValue(v.node().Scalar()) + " is too large (at most " + std::to_string(max) + ")");
  }
  if (value < min || value > max) {
    const std::string range = max == std::numeric_limits<T>::max()
                                  ? "must be >= " + std::to_string(min)
                                  : "must be from " + std::to_string(min) + " to " + std::to_string(max);
    v.Fail(range + " (got " + CutValue(v.node().Scalar()) + ")");
  }
  return value;
}

template <typename T>
std::string IntegerExpected(T min, T max) {
  if (max == std::numeric_limits<T>::max()) {
    return min == 0 ? "a whole number >= 0" : "a whole number >= " + std::to_string(min);
  }
  return "a whole number from " + std::to_string(min) + " to " + std::to_string(max);
}

}  // namespace

YamlScalarType ScalarTypeOf(const YAML::Node& node) {
  if (node.IsNull()) return YamlScalarType::kNull;
  if (!node.IsScalar() || !IsPlain(node)) return YamlScalarType::kString;
  const std::string& text = node.Scalar();
  for (std::string_view b : {"true", "True", "TRUE", "false", "False", "FALSE"}) {
    if (text == b) return YamlScalarType::kBool;
  }
  if (IsIntegerText(text)) return YamlScalarType::kInteger;
  if (IsNumberText(text)) return YamlScalarType::kNumber;
  return YamlScalarType::kString;
}

// --- YamlValue ----------------------------------------------------------------

bool YamlValue::IsWord(std::string_view word) const {
  return node_.IsScalar() && IsPlain(node_) && node_.Scalar() == word;
}

std::string YamlValue::Describe() const {
  if (node_.IsNull() || !node_.IsDefined()) return "nothing";
  if (node_.IsSequence()) return "a list";
  if (node_.IsMap()) return "a map";
  if (ScalarTypeOf(node_) == YamlScalarType::kBool) return "the boolean " + node_.Scalar();
  return QuoteValue(node_.Scalar());
}

void YamlValue::Fail(const std::string& what) const { document_->Fail(mark_, path_, what); }

void YamlValue::Expected(std::string_view what) const {
  Fail("expected " + std::string(what) + ", got " + Describe());
}

bool YamlValue::Bool() const {
  if (ScalarTypeOf(node_) == YamlScalarType::kBool) {
    return node_.Scalar() == "true" || node_.Scalar() == "True" || node_.Scalar() == "TRUE";
  }
  if (node_.IsScalar() && IsPlain(node_)) {
    std::string lower = node_.Scalar();
    for (char& c : lower) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    for (std::string_view word : {"yes", "no", "on", "off", "y", "n"}) {
      if (lower == word) {
        Fail("expected true or false, got " + Describe() + " (yes/no/on/off are not booleans: write true or false)");
      }
    }
  }
  if (node_.IsScalar() && !IsPlain(node_)) Fail("expected true or false, got the string " + Describe());
  Expected("true or false");
}

std::int64_t YamlValue::Integer(std::int64_t min, std::int64_t max) const {
  return ParseInteger<std::int64_t>(*this, IntegerExpected(min, max), min, max);
}

std::uint64_t YamlValue::Unsigned(std::uint64_t min, std::uint64_t max) const {
  return ParseInteger<std::uint64_t>(*this, IntegerExpected(min, max), min, max);
}

double YamlValue::Number(double min, double max) const {
  const YamlScalarType type = ScalarTypeOf(node_);
  double value = std::numeric_limits<double>::quiet_NaN();
  if (type == YamlScalarType::kInteger || type == YamlScalarType::kNumber) {
    std::string_view text = node_.Scalar();
    if (text.front() == '+') text.remove_prefix(1);
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || ptr != text.data() + text.size()) value = std::numeric_limits<double>::quiet_NaN();
  }
  if (!std::isfinite(value)) Expected("a finite number");
  if (value < min || value > max) {
    std::string range = "must be between " + NumberText(min) + " and " + NumberText(max);
    if (max == std::numeric_limits<double>::infinity()) range = "must be >= " + NumberText(min);
    if (min == -std::numeric_limits<double>::infinity()) range = "must be <= " + NumberText(max);
    Fail(range + " (got " + CutValue(node_.Scalar()) + ")");
  }
  return value;
}

std::string YamlValue::Scalar(std::string_view expected) const {
  const YamlScalarType type = ScalarTypeOf(node_);
  if (!node_.IsScalar() || type == YamlScalarType::kNull) Expected(expected);
  if (type == YamlScalarType::kBool) {
    Fail("expected " + std::string(expected) + ", got " + Describe() + " (quote it if you mean the text: \"" +
         node_.Scalar() + "\")");
  }
  return node_.Scalar();
}

std::string YamlValue::String() const { return Scalar("a string"); }

std::chrono::nanoseconds YamlValue::Duration(std::chrono::nanoseconds min, std::chrono::nanoseconds max) const {
  const std::string text = Scalar("a duration such as 90s, 5m or 2.5s");
  const auto d = ParseSecondsOrDuration(text);
  if (!d) {
    Fail(QuoteValue(text) +
         " is not a duration (expected e.g. 90s, 5m, 2.5s, 1h30m, 250ms, or a number of seconds such as 90 or 2.5)");
  }
  if (*d > max) Fail(QuoteValue(text) + " is too long (at most " + FormatDuration(max) + ")");
  if (*d < min) Fail(QuoteValue(text) + " is too short (at least " + FormatDuration(min) + ")");
  return *d;
}

std::string YamlValue::Choice(std::initializer_list<std::string_view> choices) const {
  const std::string expected = JoinChoices(choices);
  const std::string text = Scalar(expected);
  for (std::string_view c : choices) {
    if (c == text) return text;
  }
  Expected(expected);
}

std::vector<YamlValue> YamlValue::Items(std::string_view expected) const {
  if (!node_.IsSequence()) Expected(expected);
  std::vector<YamlValue> out;
  std::size_t i = 0;
  for (const YAML::Node& item : node_) {
    out.emplace_back(*document_, item, path_ + "[" + std::to_string(i++) + "]",
                     item.IsNull() ? mark_ : item.Mark());
  }
  return out;
}

std::vector<std::string> YamlValue::StringList() const {
  std::vector<std::string> out;
  for (const YamlValue& item : Items("a list of strings")) out.push_back(item.String());
  return out;
}

std::map<std::string, std::string> YamlValue::StringMap() const {
  if (!node_.IsMap()) Expected("a map of strings to strings");
  std::map<std::string, std::string> out;
  std::map<std::string, YAML::Mark> seen;
  for (const auto& kv : node_) {
    const YamlValue key(*document_, kv.first, path_, kv.first.Mark());
    const std::string name = key.Scalar("a key name");
    const std::string path = JoinPath(path_, name);
    if (const auto it = seen.find(name); it != seen.end()) {
      document_->Fail(kv.first.Mark(), path, "duplicate key (first at line " + std::to_string(it->second.line + 1) + ")");
    }
    seen.emplace(name, kv.first.Mark());
    out[name] = YamlValue(*document_, kv.second, path, kv.second.IsNull() ? kv.first.Mark() : kv.second.Mark()).String();
  }
  return out;
}

// --- YamlDocument ---------------------------------------------------------------

YamlValue YamlDocument::Load(const std::string& text) const {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    Fail(e.mark, "", "not valid YAML: " + e.msg);
  }
  return YamlValue(*this, root, "", root.IsNull() ? YAML::Mark() : root.Mark());
}

std::string YamlDocument::Where(const YAML::Mark& mark) const {
  if (mark.is_null() || mark.line < 0) return CutValue(name_);
  return CutValue(name_) + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

void YamlDocument::Fail(const YAML::Mark& mark, std::string_view path, const std::string& what) const {
  std::string message = Where(mark) + ": ";
  if (!path.empty()) message += CutValue(path) + ": ";
  throw YamlError(message + what);
}

void YamlDocument::FailAt(std::initializer_list<std::string_view> paths, const std::string& what) const {
  for (std::string_view path : paths) {
    if (const auto it = marks_.find(std::string(path)); it != marks_.end()) Fail(it->second, path, what);
  }
  Fail(YAML::Mark::null_mark(), paths.size() > 0 ? *paths.begin() : std::string_view(), what);
}

void YamlDocument::ReadMap(const YamlValue& map, const std::vector<YamlField>& fields, std::string_view what) {
  if (!map.IsMap()) map.Fail("expected " + std::string(what) + ", got " + map.Describe());
  const std::string& prefix = map.path();
  std::map<std::string, YAML::Mark> seen;
  for (const auto& kv : map.node()) {
    const YamlValue key(*this, kv.first, prefix, kv.first.Mark());
    const std::string name = key.Scalar("a key name");
    const std::string path = JoinPath(prefix, name);
    const YamlField* field = nullptr;
    for (const YamlField& f : fields) {
      if (f.name == name) field = &f;
    }
    if (field == nullptr) {
      std::string known;
      for (const YamlField& f : fields) known += (known.empty() ? "" : ", ") + std::string(f.name);
      Fail(kv.first.Mark(), path,
           "unknown key (known keys" + (prefix.empty() ? "" : " of " + prefix) + ": " + known + ")");
    }
    if (const auto it = seen.find(name); it != seen.end()) {
      Fail(kv.first.Mark(), path, "duplicate key (first at line " + std::to_string(it->second.line + 1) + ")");
    }
    seen.emplace(name, kv.first.Mark());
    const YAML::Mark mark = kv.second.IsNull() ? kv.first.Mark() : kv.second.Mark();
    marks_[path] = mark;
    field->read(YamlValue(*this, kv.second, path, mark));
  }
}

}  // namespace leakbench
