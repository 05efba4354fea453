// Splits the /events body into its newline-terminated JSON objects, however
// the bytes are sliced, keeping at most kMaxLine bytes of an unfinished one.
// One per events stream, on the loop thread; not thread-safe.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace logcap {

class EventLines {
 public:
  static constexpr std::size_t kMaxLine = 1 << 20;

  // Calls on_line for each complete line (without '\n', empty lines
  // skipped). Returns false when a line exceeds kMaxLine, however it was
  // sliced (the stream is not an event stream; the caller reconnects).
  bool Feed(std::string_view data, const std::function<void(std::string_view)>& on_line);
  void Reset() { partial_.clear(); }
  std::size_t buffered() const { return partial_.size(); }

 private:
  std::string partial_;
};

}  // namespace logcap
