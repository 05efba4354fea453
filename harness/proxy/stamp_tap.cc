#include "harness/proxy/stamp_tap.h"

#include <cctype>

namespace leakbench::proxy {
namespace {

bool IsHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

}  // namespace

bool FindStamp(std::string_view text, std::string* cid, std::uint64_t* seq) {
  for (std::size_t at = text.find("cid="); at != std::string_view::npos; at = text.find("cid=", at + 1)) {
    const std::string_view rest = text.substr(at + 4);
    if (rest.size() < 12 + 6) continue;
    bool hex = true;
    for (std::size_t i = 0; i < 12; ++i) hex = hex && IsHex(rest[i]);
    if (!hex || rest.substr(12, 5) != " seq=") continue;
    std::uint64_t n = 0;
    std::size_t digits = 0;
    for (std::size_t i = 17; i < rest.size() && digits < 19 && std::isdigit(static_cast<unsigned char>(rest[i])); ++i) {
      n = n * 10 + static_cast<std::uint64_t>(rest[i] - '0');
      ++digits;
    }
    if (digits == 0 || n == 0) continue;
    *cid = std::string(rest.substr(0, 12));
    *seq = n;
    return true;
  }
  return false;
}

StampTap::Encoding StampTap::EncodingOf(std::string_view content_type) {
  if (content_type.find("multiplexed-stream") != std::string_view::npos) return Encoding::kMultiplexed;
  if (content_type.find("raw-stream") != std::string_view::npos) return Encoding::kRaw;
  return Encoding::kSniff;
}

void StampTap::Feed(std::string_view body) {
  if (body.empty() || !error_.empty()) return;
  if (encoding_ == Encoding::kSniff) {
    encoding_ = static_cast<unsigned char>(body.front()) <= 3 ? Encoding::kMultiplexed : Encoding::kRaw;
  }
  if (encoding_ == Encoding::kRaw) {
    FeedLines(heads_[1], body);
    return;
  }
  const bool ok = frames_.Feed(body, [this](std::uint8_t stream, std::string_view piece, bool) {
    if (stream == 3) {  // an in-band error: the daemon ends the stream after it
      if (error_.empty()) error_ = "the daemon sent an error frame: ";
      error_.append(piece.substr(0, 200));
      return;
    }
    FeedLines(heads_[stream & 3], piece);
  });
  if (!ok) error_ = "not a multiplexed log stream: " + frames_.error();
}

void StampTap::Finish() {
  for (LineHead& head : heads_) {
    if (!head.parsed && !head.text.empty()) EndOfLineHead(head);
  }
}

void StampTap::FeedLines(LineHead& head, std::string_view text) {
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    const std::string_view part = text.substr(0, nl);
    if (!head.parsed) {
      head.text.append(part.substr(0, kHeadBytes - std::min(kHeadBytes, head.text.size())));
      if (head.text.size() >= kHeadBytes) EndOfLineHead(head);
    }
    if (nl == std::string_view::npos) return;
    if (!head.parsed) EndOfLineHead(head);
    head = LineHead{};
    text.remove_prefix(nl + 1);
  }
}

void StampTap::EndOfLineHead(LineHead& head) {
  head.parsed = true;
  ++lines_;
  std::string cid;
  std::uint64_t seq = 0;
  if (!FindStamp(head.text, &cid, &seq)) return;
  ++stamped_;
  if (cid_.empty()) cid_ = cid;
  if (cid != cid_) {
    ++foreign_;
    return;
  }
  if (!seqs_.Insert(seq)) ++repeated_;
}

}  // namespace leakbench::proxy
