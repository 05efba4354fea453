// Docker's `filters` query parameter: URL-decoded JSON mapping a key to a
// list of values, {"label":["a=b"],"status":["running"]}, or the legacy form
// {"label":{"a=b":true}}. Parsing validates keys like dockerd does.
// Plain data; thread-compatible.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace fakedocker {

class Filters {
 public:
  // Returns nullopt and sets *error and *status as dockerd does: 500 for
  // malformed JSON or a value of the wrong type, 400 "Invalid filter 'k'" for
  // a key outside `allowed` (nullptr: every key is accepted).
  static std::optional<Filters> Parse(std::string_view json, const std::set<std::string>* allowed,
                                      std::string* error, int* status);

  bool empty() const { return values_.empty(); }
  bool has(const std::string& key) const { return values_.count(key) != 0; }
  const std::vector<std::string>& get(const std::string& key) const;

  // True when the key is absent or any of its values satisfies pred.
  template <typename Pred>
  bool AnyOrAbsent(const std::string& key, Pred pred) const {
    auto it = values_.find(key);
    if (it == values_.end()) return true;
    for (const auto& v : it->second) {
      if (pred(v)) return true;
    }
    return false;
  }

  // Docker's label filter: every "k" or "k=v" value must match the labels.
  bool MatchLabels(const std::map<std::string, std::string>& labels) const;

 private:
  std::map<std::string, std::vector<std::string>> values_;
};

}  // namespace fakedocker
