#include "core/engine/event_lines.h"

namespace logcap {

bool EventLines::Feed(std::string_view data, const std::function<void(std::string_view)>& on_line) {
  while (!data.empty()) {
    const auto nl = data.find('\n');
    if (nl == std::string_view::npos) {
      if (partial_.size() + data.size() > kMaxLine) {
        partial_.clear();
        return false;
      }
      partial_.append(data);
      return true;
    }
    std::string_view line = data.substr(0, nl);
    data.remove_prefix(nl + 1);
    if (!partial_.empty()) {
      partial_.append(line);
      if (partial_.size() > kMaxLine) {
        partial_.clear();
        return false;
      }
      if (!partial_.empty()) on_line(partial_);
      partial_.clear();
    } else if (line.size() > kMaxLine) {
      // Same answer as when the line arrives in several slices.
      return false;
    } else if (!line.empty()) {
      on_line(line);
    }
  }
  return true;
}

}  // namespace logcap
