#include "fakes/dockerd/api/filters.h"

#include <nlohmann/json.hpp>

namespace fakedocker {

std::optional<Filters> Filters::Parse(std::string_view json, const std::set<std::string>* allowed,
                                      std::string* error, int* status) {
  Filters f;
  if (json.empty()) return f;
  nlohmann::json doc = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    *status = 500;  // dockerd passes json.Unmarshal's error through as a 500
    *error = "invalid character in filters: " + std::string(json);
    return std::nullopt;
  }
  for (auto& [key, value] : doc.items()) {
    std::vector<std::string> values;
    if (value.is_array()) {
      for (auto& v : value) {
        if (!v.is_string()) {
          *status = 500;
          *error = "json: cannot unmarshal " + std::string(v.type_name()) + " into Go value of type string";
          return std::nullopt;
        }
        values.push_back(v.get<std::string>());
      }
    } else if (value.is_object()) {  // legacy {"k":{"v":true}}: what the docker CLI sends
      for (auto& [v, on] : value.items()) {
        if (on.is_boolean() && on.get<bool>()) values.push_back(v);
      }
    } else {
      *status = 500;
      *error = "json: cannot unmarshal " + std::string(value.type_name()) + " into Go value of type map[string]bool";
      return std::nullopt;
    }
    if (allowed != nullptr && !allowed->count(key)) {
      *status = 400;
      *error = "Invalid filter '" + key + "'";
      return std::nullopt;
    }
    f.values_[key] = std::move(values);
  }
  return f;
}

const std::vector<std::string>& Filters::get(const std::string& key) const {
  static const std::vector<std::string> kNone;
  auto it = values_.find(key);
  return it == values_.end() ? kNone : it->second;
}

bool Filters::MatchLabels(const std::map<std::string, std::string>& labels) const {
  auto it = values_.find("label");
  if (it == values_.end()) return true;
  for (const auto& want : it->second) {
    size_t eq = want.find('=');
    auto have = labels.find(want.substr(0, eq));
    if (have == labels.end()) return false;
    if (eq != std::string::npos && have->second != want.substr(eq + 1)) return false;
  }
  return true;
}

}  // namespace fakedocker
