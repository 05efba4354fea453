#include "harness/run/stamp_count.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <unordered_map>

namespace leakbench::harness {
namespace {

struct Stamp {
  std::string cid;
  std::uint64_t seq = 0;
};

std::optional<Stamp> FindStamp(const std::string& line) {
  const auto p = line.find("cid=");
  if (p == std::string::npos || p + 4 + 12 + 5 > line.size()) return std::nullopt;
  if (line.compare(p + 16, 5, " seq=") != 0) return std::nullopt;
  std::uint64_t seq = 0;
  std::size_t i = p + 21;
  bool digits = false;
  while (i < line.size() && std::isdigit(static_cast<unsigned char>(line[i])) && seq <= 100'000'000) {
    seq = seq * 10 + static_cast<std::uint64_t>(line[i] - '0');
    ++i;
    digits = true;
  }
  if (!digits || seq == 0 || seq > 100'000'000) return std::nullopt;
  return Stamp{line.substr(p + 4, 12), seq};
}

struct StampCount {
  std::unordered_map<std::string, std::vector<std::uint32_t>> by_cid;  // seq -> times seen
  std::uint64_t lines = 0;
  std::uint64_t stamped = 0;
};

StampCount CountStamps(const std::vector<std::string>& paths) {
  StampCount c;
  for (const std::string& path : paths) {
    std::ifstream in(path, std::ios::binary);
    std::string line;
    while (std::getline(in, line)) {
      ++c.lines;
      const auto stamp = FindStamp(line);
      if (!stamp) continue;
      auto& v = c.by_cid[stamp->cid];
      if (v.size() <= stamp->seq) v.resize(stamp->seq + 1, 0);
      ++v[stamp->seq];
      ++c.stamped;
    }
  }
  return c;
}

}  // namespace

bool HasStamp(const std::string& line) { return FindStamp(line).has_value(); }

LossCount JudgeLoss(const std::vector<std::string>& outputs, const std::vector<FakeContainer>& containers) {
  LossCount loss;
  if (std::none_of(outputs.begin(), outputs.end(), [](const std::string& p) { return std::filesystem::exists(p); })) {
    loss.why_not = "the target's output was not found";
    return loss;
  }
  const StampCount stamps = CountStamps(outputs);
  loss.output_lines = stamps.lines;
  loss.stamped_lines = stamps.stamped;
  if (stamps.stamped == 0) {
    loss.why_not = "no line of the target's output carries the fake's cid/seq stamp (" +
                   std::to_string(stamps.lines) + " lines read)";
    return loss;
  }
  loss.judged = true;
  std::map<std::string, std::uint64_t> live;
  for (const FakeContainer& c : containers) live[c.cid] = c.emitted;
  for (const auto& [cid, emitted] : live) {
    ++loss.containers;
    loss.emitted += emitted;
    auto it = stamps.by_cid.find(cid);
    if (it == stamps.by_cid.end()) continue;
    std::uint64_t distinct = 0;
    for (std::uint64_t s = 1; s < it->second.size() && s <= emitted; ++s) distinct += it->second[s] > 0 ? 1 : 0;
    loss.captured += distinct;
    if (distinct > 0) ++loss.containers_captured;
  }
  for (const auto& [cid, v] : stamps.by_cid) {
    std::uint64_t last = 0;
    for (std::uint64_t s = 1; s < v.size(); ++s) {
      if (v[s] > 1) loss.duplicates += v[s] - 1;
      if (v[s] > 0) last = s;
    }
    if (live.count(cid) == 0) {  // gone: a gap-free prefix 1..last
      for (std::uint64_t s = 1; s <= last; ++s) loss.gaps_in_gone += v[s] == 0 ? 1 : 0;
    }
  }
  return loss;
}

}  // namespace leakbench::harness
