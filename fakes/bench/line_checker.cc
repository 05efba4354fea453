#include "fakes/bench/line_checker.h"

#include <algorithm>
#include <charconv>
#include <cstring>

namespace followload {

void LineChecker::Feed(std::string_view text, Totals& totals) {
  while (!text.empty()) {
    const void* nl = std::memchr(text.data(), '\n', text.size());
    size_t piece = nl == nullptr ? text.size() : static_cast<size_t>(static_cast<const char*>(nl) - text.data());
    size_t keep = std::min(piece, kPrefix - prefix_len_);
    std::memcpy(prefix_ + prefix_len_, text.data(), keep);
    prefix_len_ = static_cast<uint8_t>(prefix_len_ + keep);
    if (nl == nullptr) return;
    OnLine(totals);
    prefix_len_ = 0;
    text.remove_prefix(piece + 1);
  }
}

void LineChecker::OnLine(Totals& totals) {
  ++totals.lines;
  ++lines_;
  std::string_view line(prefix_, prefix_len_);
  size_t c = line.find("cid=");
  size_t s = line.find(" seq=");
  uint64_t seq = 0;
  if (c == std::string_view::npos || s == std::string_view::npos ||
      std::from_chars(line.data() + s + 5, line.data() + line.size(), seq).ec != std::errc()) {
    ++totals.unparsable;
    return;
  }
  if (line.substr(c + 4, 12) != cid12_) ++totals.foreign;
  if (lines_ == 1) {
    first_seq_ = seq;
  } else if (seq == last_seq_ + 1) {
    // in order
  } else if (seq > last_seq_) {
    ++totals.gaps;
    totals.missing += seq - last_seq_ - 1;
  } else {
    ++totals.dups;
  }
  last_seq_ = std::max(last_seq_, seq);
}

}  // namespace followload
