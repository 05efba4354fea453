#include "core/engine/container_filter.h"

#include <algorithm>

namespace logcap {

bool GlobMatch(std::string_view pattern, std::string_view text) {
  // Iterative matcher with one backtrack point: linear in practice, no
  // recursion whatever the pattern.
  std::size_t p = 0, t = 0;
  std::size_t star = std::string_view::npos, retry = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      retry = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++retry;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

ContainerFilter::ContainerFilter(std::vector<std::string> include_names, std::vector<std::string> exclude_names,
                                 std::vector<std::string> include_labels, std::vector<std::string> exclude_labels)
    : include_names_(std::move(include_names)),
      exclude_names_(std::move(exclude_names)),
      include_labels_(std::move(include_labels)),
      exclude_labels_(std::move(exclude_labels)) {}

bool ContainerFilter::LabelMatches(std::string_view rule, const std::map<std::string, std::string>& labels) {
  const auto eq = rule.find('=');
  if (eq == std::string_view::npos) return labels.count(std::string(rule)) != 0;
  auto it = labels.find(std::string(rule.substr(0, eq)));
  return it != labels.end() && it->second == rule.substr(eq + 1);
}

bool ContainerFilter::Accepts(std::string_view name, const std::map<std::string, std::string>& labels) const {
  auto name_matches = [name](const std::string& glob) { return GlobMatch(glob, name); };
  auto label_matches = [&labels](const std::string& rule) { return LabelMatches(rule, labels); };
  if (std::any_of(exclude_names_.begin(), exclude_names_.end(), name_matches)) return false;
  if (std::any_of(exclude_labels_.begin(), exclude_labels_.end(), label_matches)) return false;
  if (!include_names_.empty() && std::none_of(include_names_.begin(), include_names_.end(), name_matches)) {
    return false;
  }
  if (!include_labels_.empty() && std::none_of(include_labels_.begin(), include_labels_.end(), label_matches)) {
    return false;
  }
  return true;
}

}  // namespace logcap
