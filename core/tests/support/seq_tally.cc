#include "core/tests/support/seq_tally.h"

#include <nlohmann/json.hpp>

#include "core/tests/support/memory_sink.h"

namespace logcap::testing {

std::uint64_t Duplicates(const SeqCounts& seqs) {
  std::uint64_t n = 0;
  for (const auto& [seq, count] : seqs) n += count - 1;
  return n;
}

std::uint64_t HolesBelowMax(const SeqCounts& seqs) {
  return seqs.empty() ? 0 : seqs.rbegin()->first - seqs.size();
}

std::uint64_t MissingUpTo(const SeqCounts* seqs, std::uint64_t emitted, std::uint64_t* first_missing) {
  std::uint64_t missing = 0;
  for (std::uint64_t seq = 1; seq <= emitted; ++seq) {
    if (seqs == nullptr || seqs->count(seq) == 0) {
      if (missing++ == 0) *first_missing = seq;
    }
  }
  return missing;
}

void SeqTally::AddLine(std::string_view text) {
  std::string cid;
  std::uint64_t seq = 0;
  if (!ParseFakeStamp(text, &cid, &seq)) {
    ++unstamped;
    return;
  }
  ++records;
  ++seqs[cid][seq];
}

void SeqTally::AddJsonl(std::string_view text, bool allow_torn_tail) {
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos && allow_torn_tail) break;
    const std::string_view line = text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    start = end == std::string_view::npos ? text.size() : end + 1;
    const nlohmann::json o = nlohmann::json::parse(line, nullptr, false);
    if (o.is_discarded() || !o.is_object() || !o.contains("line") || !o["line"].is_string()) {
      ++invalid_json;
      continue;
    }
    AddLine(o["line"].get<std::string>());
  }
}

std::uint64_t SeqTally::distinct() const {
  std::uint64_t n = 0;
  for (const auto& [cid, m] : seqs) n += m.size();
  return n;
}

std::uint64_t SeqTally::duplicates() const {
  std::uint64_t n = 0;
  for (const auto& [cid, m] : seqs) n += Duplicates(m);
  return n;
}

std::uint64_t SeqTally::Missing(const std::map<std::string, std::uint64_t>& emitted, std::string* detail) const {
  std::uint64_t missing = 0;
  for (const auto& [cid, n] : emitted) {
    const auto it = seqs.find(cid);
    std::uint64_t first_gap = 0;
    const std::uint64_t gaps = MissingUpTo(it == seqs.end() ? nullptr : &it->second, n, &first_gap);
    if (gaps > 0) *detail += " " + cid + ": " + std::to_string(gaps) + " missing from seq " + std::to_string(first_gap);
    missing += gaps;
  }
  return missing;
}

}  // namespace logcap::testing
