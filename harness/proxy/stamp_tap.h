// Reads, on the side, which "cid=<12 hex> seq=<N>" stamps a /logs response
// body carried: multiplexed frames (8-byte headers, stdout and stderr as
// separate line streams) or a TTY container's raw bytes. Only the first
// bytes of each line are looked at, so a split long line (16 KiB pieces) is
// one line. It never changes the bytes; a body it cannot decode is reported
// (error()), not guessed at. Not thread-safe; one per stream.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fakes/client/frame_decoder.h"
#include "harness/proxy/seq_set.h"

namespace leakbench::proxy {

class StampTap {
 public:
  enum class Encoding { kSniff, kMultiplexed, kRaw };

  // From the response's Content-Type (API >= 1.42 names the encoding);
  // kSniff otherwise: a body starting with a byte below 4 is multiplexed
  // (a frame header), anything else raw text.
  static Encoding EncodingOf(std::string_view content_type);

  explicit StampTap(Encoding encoding) : encoding_(encoding) {}

  void Feed(std::string_view body);
  // The body ended: a last line without its newline still counts.
  void Finish();

  const SeqSet& seqs() const { return seqs_; }
  std::uint64_t lines() const { return lines_; }            // lines seen (stamped or not)
  std::uint64_t stamped() const { return stamped_; }        // lines with a stamp
  std::uint64_t repeated() const { return repeated_; }      // stamps seen twice in this stream
  const std::string& cid() const { return cid_; }           // the first stamp's cid
  std::uint64_t foreign() const { return foreign_; }        // stamps of another cid
  Encoding encoding() const { return encoding_; }
  const std::string& error() const { return error_; }       // undecodable body, or an in-band error frame

 private:
  // The first bytes of a line; parsed at its end or once kHeadBytes are in.
  struct LineHead {
    std::string text;
    bool parsed = false;
  };
  static constexpr std::size_t kHeadBytes = 128;

  void FeedLines(LineHead& head, std::string_view text);
  void EndOfLineHead(LineHead& head);

  Encoding encoding_;
  fakedocker::FrameDecoder frames_;
  std::array<LineHead, 4> heads_;  // per stream id (raw: index 1)
  SeqSet seqs_;
  std::uint64_t lines_ = 0, stamped_ = 0, repeated_ = 0, foreign_ = 0;
  std::string cid_;
  std::string error_;
};

// Finds "cid=<12 hex> seq=<digits>" in `text`; false when there is none.
bool FindStamp(std::string_view text, std::string* cid, std::uint64_t* seq);

}  // namespace leakbench::proxy
