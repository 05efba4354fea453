// Checks the log lines of one follow stream: each "cid=" is the followed container's, each "seq=" the last + 1.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fakes/bench/load_types.h"

namespace followload {

// Text may arrive split anywhere; a line is whatever ends in "\n", and only
// its first kPrefix bytes are kept (enough for "<stamp> cid=<12> seq=<N> ").
// seq counts per container across stdout and stderr.
class LineChecker {
 public:
  static constexpr size_t kPrefix = 96;

  explicit LineChecker(std::string_view cid12) : cid12_(cid12) {}

  // Checks every line that `text` completes and counts it into `totals`
  // (lines, unparsable, foreign, gaps and missing lines, duplicates).
  void Feed(std::string_view text, Totals& totals);

  uint64_t lines() const { return lines_; }
  uint64_t first_seq() const { return first_seq_; }
  uint64_t last_seq() const { return last_seq_; }  // the highest seq seen

 private:
  void OnLine(Totals& totals);

  std::string_view cid12_;
  char prefix_[kPrefix] = {};
  uint8_t prefix_len_ = 0;
  uint64_t lines_ = 0;
  uint64_t first_seq_ = 0;
  uint64_t last_seq_ = 0;
};

}  // namespace followload
