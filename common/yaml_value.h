// Reads YAML settings files into typed values under one rule, each error naming FILE:LINE:COL and the key path.
//
// The rule (YAML 1.2 core schema, for plain, i.e. unquoted, scalars):
//   - booleans are exactly true, True, TRUE, false, False, FALSE. yes, no, on,
//     off, y, n (YAML 1.1) are NOT booleans: they are strings, and Bool()
//     refuses them ("write true or false"). A quoted "true" is a string.
//   - null is null, Null, NULL, ~ or nothing at all.
//   - integers are [-+]?[0-9]+ (decimal only: 0x10 and 0o17 stay strings);
//     numbers are integers and [-+]?(.5|5|5.|5.5)([eE][-+]?[0-9]+)?, plus
//     .inf and .nan, which Number() refuses as not finite.
//   - everything else, and every quoted scalar, is a string.
// A getter takes only its own type: Bool() a boolean, Integer()/Unsigned()
// an integer, Number() an integer or a number, never a quoted one; nothing
// is converted silently. String() takes any scalar but null and a boolean
// (a plain number is kept as written: `listen: 9464` reads "9464").
// Duration() takes a Go-style duration ("90s", "5m", "2.5s", "1h30m",
// "250ms") or a bare number of seconds written as digits with an optional
// fraction ("90", "2.5"), quoted or not (ParseSecondsOrDuration).
//
// Errors are YamlError, what() = "FILE:LINE:COL: KEY.PATH: what was expected,
// got what" (the key path is "fake.timeline[0].at"; values and keys are cut
// to 200 bytes). A YamlDocument is one file being read; it remembers where
// each key it walked was (Has, MarkOf, FailAt). Not thread-safe; a
// YamlValue refers to its document, which must outlive it.
#pragma once

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace leakbench {

// Thrown for every problem in a file; what() is the whole message.
class YamlError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The default bound of Duration(): "now + d" cannot overflow a clock.
inline constexpr std::chrono::nanoseconds kMaxYamlDuration = std::chrono::hours(24 * 365);

// What a scalar is under the rule above.
enum class YamlScalarType { kNull, kBool, kInteger, kNumber, kString };

// The type of a scalar or null node (a sequence or map is kString's caller's
// business: check IsScalar first).
YamlScalarType ScalarTypeOf(const YAML::Node& node);

class YamlDocument;

// One value of a document: its node, its key path and where it is (for a
// null value, where its key is).
class YamlValue {
 public:
  YamlValue(const YamlDocument& document, YAML::Node node, std::string path, YAML::Mark mark)
      : document_(&document), node_(std::move(node)), path_(std::move(path)), mark_(mark) {}

  const YAML::Node& node() const { return node_; }
  const std::string& path() const { return path_; }
  const YAML::Mark& mark() const { return mark_; }
  const YamlDocument& document() const { return *document_; }

  bool IsNull() const { return node_.IsNull(); }
  bool IsMap() const { return node_.IsMap(); }
  bool IsSequence() const { return node_.IsSequence(); }
  // A plain (unquoted) scalar spelled exactly `word` ("off").
  bool IsWord(std::string_view word) const;

  bool Bool() const;
  std::int64_t Integer(std::int64_t min, std::int64_t max) const;
  std::uint64_t Unsigned(std::uint64_t min, std::uint64_t max) const;
  // A finite number in [min, max].
  double Number(double min, double max) const;
  std::string String() const;
  // The text of any scalar but null and a boolean, for a caller that parses
  // it itself; errors say "expected <expected>, got ...".
  std::string Scalar(std::string_view expected) const;
  std::chrono::nanoseconds Duration(std::chrono::nanoseconds min = std::chrono::nanoseconds::zero(),
                                    std::chrono::nanoseconds max = kMaxYamlDuration) const;
  // One of `choices` (a string), returned as written.
  std::string Choice(std::initializer_list<std::string_view> choices) const;
  std::vector<std::string> StringList() const;
  // A map of strings to strings (duplicate keys refused).
  std::map<std::string, std::string> StringMap() const;
  // The items of a sequence, paths "KEY[0]", "KEY[1]"...; `expected` names
  // what the list holds for the error when this is not a sequence.
  std::vector<YamlValue> Items(std::string_view expected) const;

  // Throws YamlError "FILE:LINE:COL: PATH: what".
  [[noreturn]] void Fail(const std::string& what) const;
  // "nothing", "a list", "a map", "the boolean true", "'text'".
  std::string Describe() const;

 private:
  [[noreturn]] void Expected(std::string_view what) const;

  const YamlDocument* document_;
  YAML::Node node_;
  std::string path_;
  YAML::Mark mark_;
};

// One key a map may have, and what to do with its value.
struct YamlField {
  std::string_view name;
  std::function<void(const YamlValue&)> read;
};

class YamlDocument {
 public:
  // `name` stands for the file in every message.
  explicit YamlDocument(std::string name) : name_(std::move(name)) {}

  const std::string& name() const { return name_; }

  // Parses `text` (YAML, and so JSON) and returns its root; throws YamlError
  // "FILE:LINE:COL: not valid YAML: ..." for bad syntax.
  YamlValue Load(const std::string& text) const;

  // Walks a map: every key must be one of `fields` and appear once, else
  // "PATH: unknown key (known keys of SECTION: a, b)" or "PATH: duplicate
  // key (first at line N)"; each value goes to its field's reader, and its
  // place is remembered for Has, MarkOf and FailAt. `what` names the map in
  // the error when `map` is not one ("expected a map of ..., got ...").
  void ReadMap(const YamlValue& map, const std::vector<YamlField>& fields, std::string_view what = "a map");

  // True when the file spelled out the key path (walked by ReadMap).
  bool Has(const std::string& path) const { return marks_.contains(path); }
  // Where the file spelled out `path`'s value; the path must be there (Has).
  const YAML::Mark& MarkOf(const std::string& path) const { return marks_.at(path); }

  // "FILE:LINE:COL" ("FILE" for a null mark).
  std::string Where(const YAML::Mark& mark) const;
  // Throws YamlError "FILE:LINE:COL: PATH: what" ("FILE:LINE:COL: what"
  // for an empty path).
  [[noreturn]] void Fail(const YAML::Mark& mark, std::string_view path, const std::string& what) const;
  // Fails at the first of `paths` the file spelled out (values that are
  // defaults have no place in the file: then the file itself is named).
  [[noreturn]] void FailAt(std::initializer_list<std::string_view> paths, const std::string& what) const;

 private:
  std::string name_;
  std::map<std::string, YAML::Mark> marks_;  // key path -> where its value is
};

}  // namespace leakbench
