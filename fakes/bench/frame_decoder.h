// Incremental decoder of Docker's stdcopy multiplexing (8-byte frame headers) for follow-load's streams.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>

namespace followload {

// A frame header is [stream, 0, 0, 0, length as big-endian uint32]; stream is
// 0..3 (3 = an in-band error). Input may arrive split anywhere.
class FrameDecoder {
 public:
  static constexpr uint32_t kMaxFrame = 1u << 20;  // dockerd sends <= 16 KiB + timestamp

  // Hands every payload piece to sink(stream, piece, first_piece_of_frame).
  // Returns false at a malformed header (error() says what).
  template <typename Sink>
  bool Feed(std::string_view in, Sink&& sink);
  const std::string& error() const { return error_; }

 private:
  // Checks the complete header_ and starts its frame; false (error_ set) if malformed.
  bool StartFrame();

  unsigned char header_[8] = {};
  size_t have_ = 0;
  uint32_t remaining_ = 0;
  uint8_t stream_ = 0;
  bool first_ = false;
  std::string error_;
};

template <typename Sink>
bool FrameDecoder::Feed(std::string_view in, Sink&& sink) {
  if (!error_.empty()) return false;
  while (!in.empty()) {
    if (remaining_ > 0) {
      size_t n = std::min<size_t>(remaining_, in.size());
      sink(stream_, in.substr(0, n), std::exchange(first_, false));
      in.remove_prefix(n);
      remaining_ -= static_cast<uint32_t>(n);
      continue;
    }
    size_t n = std::min(sizeof header_ - have_, in.size());
    std::memcpy(header_ + have_, in.data(), n);
    have_ += n;
    in.remove_prefix(n);
    if (have_ < sizeof header_) break;
    have_ = 0;
    if (!StartFrame()) return false;
  }
  return true;
}

}  // namespace followload
