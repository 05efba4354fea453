// Incremental decoder of Docker's stdcopy multiplexing (8-byte frame headers) for the fake's clients.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>

namespace fakedocker {

// A frame header is [stream, 0, 0, 0, length as big-endian uint32]; stream is
// 0..3 (3 = an in-band error). Input may arrive split anywhere.
class FrameDecoder {
 public:
  static constexpr uint32_t kMaxFrame = 1u << 20;  // dockerd sends <= 16 KiB + timestamp

  // kStrict refuses a header dockerd never sends: a stream byte above 3,
  // nonzero padding, a length above kMaxFrame. kNone takes every header as it
  // is, for a test that must see exactly what a faulty server sent.
  enum class HeaderCheck { kStrict, kNone };

  explicit FrameDecoder(HeaderCheck check = HeaderCheck::kStrict) : check_(check) {}

  // Hands every payload piece to sink(stream, piece, first_piece_of_frame).
  // Returns false at a malformed header (error() says what).
  template <typename Sink>
  bool Feed(std::string_view in, Sink&& sink) {
    return Feed(in, std::forward<Sink>(sink), [](uint8_t) {});
  }
  // The same, and calls frame_end(stream) once a frame's last payload byte
  // (for an empty frame: its header) has gone by; a frame cut off by the end
  // of the input gets no frame_end until the rest of it arrives.
  template <typename Sink, typename FrameEnd>
  bool Feed(std::string_view in, Sink&& sink, FrameEnd&& frame_end);
  const std::string& error() const { return error_; }

 private:
  // Checks the complete header_ and starts its frame; false (error_ set) if malformed.
  bool StartFrame();

  HeaderCheck check_;
  unsigned char header_[8] = {};
  size_t have_ = 0;
  uint32_t remaining_ = 0;
  uint8_t stream_ = 0;
  bool first_ = false;
  std::string error_;
};

template <typename Sink, typename FrameEnd>
bool FrameDecoder::Feed(std::string_view in, Sink&& sink, FrameEnd&& frame_end) {
  if (!error_.empty()) return false;
  while (!in.empty()) {
    if (remaining_ > 0) {
      size_t n = std::min<size_t>(remaining_, in.size());
      sink(stream_, in.substr(0, n), std::exchange(first_, false));
      in.remove_prefix(n);
      remaining_ -= static_cast<uint32_t>(n);
      if (remaining_ == 0) frame_end(stream_);
      continue;
    }
    size_t n = std::min(sizeof header_ - have_, in.size());
    std::memcpy(header_ + have_, in.data(), n);
    have_ += n;
    in.remove_prefix(n);
    if (have_ < sizeof header_) break;
    have_ = 0;
    if (!StartFrame()) return false;
    if (remaining_ == 0) frame_end(stream_);
  }
  return true;
}

}  // namespace fakedocker
