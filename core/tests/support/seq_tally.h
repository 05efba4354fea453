// Tallies delivered log lines by the fake's `cid=... seq=...` stamp, for tests that count what was lost or duplicated.
// SeqCounts is one container's seq -> times delivered (MemorySink keeps the
// same map per container); SeqTally collects them from raw lines or a JSON
// Lines sink output. Plain values; not thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace logcap::testing {

using SeqCounts = std::map<std::uint64_t, std::uint32_t>;  // seq -> times delivered

// Deliveries beyond the first of each seq.
std::uint64_t Duplicates(const SeqCounts& seqs);

// Seqs missing below the highest one delivered: lines a later line overtook.
std::uint64_t HolesBelowMax(const SeqCounts& seqs);

// Seqs 1..emitted not delivered (`seqs` null: none was); *first_missing is
// the lowest of them (left alone when none is missing).
std::uint64_t MissingUpTo(const SeqCounts* seqs, std::uint64_t emitted, std::uint64_t* first_missing);

// What arrived downstream, by cid and seq.
struct SeqTally {
  std::map<std::string, SeqCounts> seqs;  // by cid
  std::uint64_t records = 0;              // stamped lines
  std::uint64_t invalid_json = 0;         // JSON Lines lines that do not parse (or have no string "line")
  std::uint64_t unstamped = 0;            // lines without the fake's stamp

  void AddLine(std::string_view text);
  // JSON Lines as the sinks write them ({"line": ...} per line); a trailing
  // piece without '\n' is skipped when `allow_torn_tail` (a pipe whose
  // writer was killed), else parsed like any other line.
  void AddJsonl(std::string_view text, bool allow_torn_tail);

  std::uint64_t distinct() const;    // distinct (cid, seq) pairs
  std::uint64_t duplicates() const;  // Duplicates() over every cid
  // MissingUpTo() over `emitted` (cid -> lines it wrote); adds
  // " CID: N missing from seq S" per container with a gap to *detail.
  std::uint64_t Missing(const std::map<std::string, std::uint64_t>& emitted, std::string* detail) const;
};

}  // namespace logcap::testing
