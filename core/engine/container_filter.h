// Which containers the engine follows: include/exclude by name (glob with
// '*' and '?') and by label ("key" = present, "key=value"). A container is
// followed when it matches some include rule of each kind that has any
// (no include rules = everything) and no exclude rule. Exclusion wins.
// Immutable after construction; thread-safe.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace logcap {

// Shell-style glob: '*' any run (also empty), '?' one byte.
bool GlobMatch(std::string_view pattern, std::string_view text);

class ContainerFilter {
 public:
  ContainerFilter(std::vector<std::string> include_names, std::vector<std::string> exclude_names,
                  std::vector<std::string> include_labels, std::vector<std::string> exclude_labels);

  bool Accepts(std::string_view name, const std::map<std::string, std::string>& labels) const;
  // True when only names are needed (no label rules).
  bool NeedsLabels() const { return !include_labels_.empty() || !exclude_labels_.empty(); }

 private:
  static bool LabelMatches(std::string_view rule, const std::map<std::string, std::string>& labels);

  std::vector<std::string> include_names_;
  std::vector<std::string> exclude_names_;
  std::vector<std::string> include_labels_;
  std::vector<std::string> exclude_labels_;
};

}  // namespace logcap
