// Loss and duplicates in what the target wrote: counts the fake's
// "cid=<12 hex> seq=<N>" stamp in every line of the target's output files
// (log-capturer's JSONL sink, a follower's stdout and stderr, a file it
// writes) against what the fake says each live container emitted. Pure
// apart from reading the files; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "harness/run/fake_truth.h"

namespace leakbench::harness {

struct LossCount {
  bool judged = false;
  std::string why_not;            // when not judged
  std::uint64_t emitted = 0;      // live containers' lines
  std::uint64_t captured = 0;     // distinct of those
  std::uint64_t duplicates = 0;   // all containers
  std::uint64_t gaps_in_gone = 0; // missing lines inside what gone containers delivered
  std::size_t containers = 0;     // live at the end
  std::size_t containers_captured = 0;
  std::uint64_t output_lines = 0;
  std::uint64_t stamped_lines = 0;
};

LossCount JudgeLoss(const std::vector<std::string>& outputs, const std::vector<FakeContainer>& containers);

// True when `line` carries a cid/seq stamp.
bool HasStamp(const std::string& line);

}  // namespace leakbench::harness
