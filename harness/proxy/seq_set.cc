#include "harness/proxy/seq_set.h"

#include <iterator>

namespace leakbench::proxy {

bool SeqSet::Insert(std::uint64_t seq) {
  auto next = ranges_.upper_bound(seq);  // first range starting after seq
  if (next != ranges_.begin()) {
    auto prev = std::prev(next);
    if (seq <= prev->second) return false;  // inside prev
    if (seq == prev->second + 1) {
      prev->second = seq;
      if (next != ranges_.end() && next->first == seq + 1) {  // bridges prev and next
        prev->second = next->second;
        ranges_.erase(next);
      }
      ++size_;
      return true;
    }
  }
  if (next != ranges_.end() && next->first == seq + 1) {
    const std::uint64_t last = next->second;
    ranges_.erase(next);
    ranges_.emplace(seq, last);
  } else {
    ranges_.emplace(seq, seq);
  }
  ++size_;
  return true;
}

bool SeqSet::Contains(std::uint64_t seq) const {
  auto next = ranges_.upper_bound(seq);
  if (next == ranges_.begin()) return false;
  return seq <= std::prev(next)->second;
}

std::vector<std::pair<std::uint64_t, std::uint64_t>> SeqSet::Ranges() const {
  return {ranges_.begin(), ranges_.end()};
}

}  // namespace leakbench::proxy
