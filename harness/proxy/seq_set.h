// The set of cid/seq stamps one log stream carried, kept as sorted disjoint
// intervals (a stream mostly carries runs of consecutive seqs, so this costs
// a few bytes per stream, not per line). Plain value; thread-compatible.
#pragma once

#include <cstdint>
#include <map>
#include <utility>
#include <vector>

namespace leakbench::proxy {

class SeqSet {
 public:
  // Adds `seq` (> 0); returns false when it was already there.
  bool Insert(std::uint64_t seq);
  bool Contains(std::uint64_t seq) const;
  bool empty() const { return ranges_.empty(); }
  std::uint64_t size() const { return size_; }  // distinct seqs
  std::uint64_t min() const { return ranges_.empty() ? 0 : ranges_.begin()->first; }
  std::uint64_t max() const { return ranges_.empty() ? 0 : ranges_.rbegin()->second; }
  // [first, last] runs in ascending order.
  std::vector<std::pair<std::uint64_t, std::uint64_t>> Ranges() const;

 private:
  std::map<std::uint64_t, std::uint64_t> ranges_;  // first -> last, disjoint, not adjacent
  std::uint64_t size_ = 0;
};

}  // namespace leakbench::proxy
