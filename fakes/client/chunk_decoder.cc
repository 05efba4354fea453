#include "fakes/client/chunk_decoder.h"

#include <utility>

#include "fakes/client/text.h"

namespace fakedocker {

ChunkDecoder::Status ChunkDecoder::Fail(std::string why) {
  state_ = State::kError;
  error_ = std::move(why);
  return Status::kError;
}

ChunkDecoder::Status ChunkDecoder::Step(char c) {
  switch (state_) {
    case State::kSize: {
      int d = HexDigit(c);
      if (d >= 0) {
        if (++digits_ > 15) return Fail("chunk size with more than 15 hex digits");
        size_ = size_ * 16 + static_cast<uint64_t>(d);
      } else if (digits_ == 0) {
        return Fail("expected a chunk size, got '" + Printable(std::string_view(&c, 1)) + "'");
      } else if (c == ';' || c == ' ' || c == '\t') {
        state_ = State::kExtension;
      } else if (c == '\r') {
        state_ = State::kSizeLf;
      } else {
        return Fail("bad character '" + Printable(std::string_view(&c, 1)) + "' in a chunk size");
      }
      break;
    }
    case State::kExtension:
      if (c == '\r') state_ = State::kSizeLf;
      break;
    case State::kSizeLf:
      if (c != '\n') return Fail("chunk size line ends in CR without LF");
      if (size_ == 0) {
        state_ = State::kTrailer;
        trailer_line_ = 0;
      } else {
        remaining_ = size_;
        state_ = State::kData;
      }
      size_ = 0;
      digits_ = 0;
      break;
    case State::kDataCr:
      if (c != '\r') return Fail("chunk data is longer than its announced size (no CRLF after it)");
      state_ = State::kDataLf;
      break;
    case State::kDataLf:
      if (c != '\n') return Fail("chunk data ends in CR without LF");
      state_ = State::kSize;
      break;
    case State::kTrailer:
      if (c == '\r') {
        state_ = State::kTrailerLf;
      } else {
        ++trailer_line_;
      }
      break;
    case State::kTrailerLf:
      if (c != '\n') return Fail("trailer line ends in CR without LF");
      if (trailer_line_ == 0) {
        state_ = State::kDone;
        return Status::kDone;
      }
      trailer_line_ = 0;
      state_ = State::kTrailer;
      break;
    case State::kData:
    case State::kDone:
    case State::kError:
      break;  // handled by Feed
  }
  return Status::kMore;
}

}  // namespace fakedocker
