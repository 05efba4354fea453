#include "fakes/client/frame_decoder.h"

#include "fakes/client/text.h"

namespace fakedocker {

bool FrameDecoder::StartFrame() {
  if (check_ == HeaderCheck::kStrict &&
      (header_[0] > 3 || header_[1] != 0 || header_[2] != 0 || header_[3] != 0)) {
    error_ = "bad multiplexing header " +
             Printable(std::string_view(reinterpret_cast<const char*>(header_), sizeof header_));
    return false;
  }
  stream_ = header_[0];
  remaining_ = (uint32_t{header_[4]} << 24) | (uint32_t{header_[5]} << 16) | (uint32_t{header_[6]} << 8) |
               uint32_t{header_[7]};
  if (check_ == HeaderCheck::kStrict && remaining_ > kMaxFrame) {
    error_ = "frame length " + std::to_string(remaining_) + " exceeds 1 MiB";
    return false;
  }
  first_ = true;
  return true;
}

}  // namespace fakedocker
