// Reads one scenario file's YAML nodes into values, each error naming FILE:LINE:COL and the key.
// Internal to harness/scenario (the loader and its cross-field rules). It
// remembers where each key's value was, so a later check can point at it.
// One reader per file being loaded; not thread-safe.
#pragma once

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <chrono>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace leakbench::harness {

// Parses all of `text` (a leading '+' allowed) as a number of type T;
// nullopt if anything is left.
template <typename T>
std::optional<T> ParseWhole(std::string_view text) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  T value{};
  const char* last = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), last, value);
  if (ec != std::errc() || ptr != last || text.empty()) return std::nullopt;
  return value;
}

class YamlReader {
 public:
  using Handler = std::function<void(const YAML::Node&)>;
  using Handlers = std::vector<std::pair<std::string_view, Handler>>;

  explicit YamlReader(std::string file) : file_(std::move(file)) {}

  const std::string& file() const { return file_; }

  // Walks a mapping: each key must be in `handlers` (once); its value goes to
  // the handler, and its place is remembered (Has, MarkOf, FailAt).
  void ParseMap(const YAML::Node& map, const std::string& prefix, const Handlers& handlers);

  // True when the file spelled out the key path (e.g. "criteria.max_concurrent_streams").
  bool Has(const std::string& path) const { return marks_.contains(path); }
  // Where the file spelled out `path`'s value; the path must be there (Has).
  const YAML::Mark& MarkOf(const std::string& path) const { return marks_.at(path); }

  // Throw ScenarioError("FILE:LINE:COL: key: what").
  [[noreturn]] void FailMark(const YAML::Mark& mark, std::string_view key, const std::string& what) const;
  [[noreturn]] void Fail(const YAML::Node& node, std::string_view key, const std::string& what) const;
  // Fails at the first of `keys` the file spelled out (values that are
  // defaults have no place in the file: then the file itself is named).
  [[noreturn]] void FailAt(std::initializer_list<std::string_view> keys, const std::string& what) const;

  std::string Str(const YAML::Node& n, std::string_view key) const;
  std::vector<std::string> StrList(const YAML::Node& n, std::string_view key) const;
  // A finite number >= min.
  double Num(const YAML::Node& n, std::string_view key, double min = 0) const;
  // A whole number >= min.
  std::uint64_t Count(const YAML::Node& n, std::string_view key, std::uint64_t min) const;
  // true or false; null is false.
  bool Bool(const YAML::Node& n, std::string_view key) const;
  // A Go-style duration ("90s", "5m", "2.5s") or a plain number of seconds,
  // at most kMaxDuration, so that "now + d" cannot overflow a clock.
  std::chrono::nanoseconds Dur(const YAML::Node& n, std::string_view key) const;
  // A criterion bound: a non-negative number, or null/off (nullopt) to disable it.
  std::optional<double> Bound(const YAML::Node& n, std::string_view key) const;
  // An object with a string member `field` ({kind: reset, ...}), converted
  // faithfully to JSON (plain scalars as YAML 1.2's core schema reads them).
  nlohmann::json TaggedObject(const YAML::Node& n, const std::string& key, const char* field,
                              const char* example) const;

 private:
  std::string Where(const YAML::Mark& mark) const;
  nlohmann::json ToJson(const YAML::Node& n, const std::string& key) const;

  std::string file_;
  std::map<std::string, YAML::Mark> marks_;  // key path -> where its value is
};

}  // namespace leakbench::harness
