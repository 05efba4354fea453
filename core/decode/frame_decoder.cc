#include "core/decode/frame_decoder.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <utility>

namespace logcap {
namespace {

constexpr std::size_t kHeaderBytes = 8;
constexpr std::string_view kErrorPrefix = "Error grabbing logs: ";

// At most `limit` bytes of `bytes`, non-printables as \xNN, for error text.
std::string Printable(std::string_view bytes, std::size_t limit = 40) {
  std::string out;
  for (const char c : bytes.substr(0, limit)) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7f && c != '\\') {
      out.push_back(c);
    } else {
      std::array<char, 8> buf{};
      std::snprintf(buf.data(), buf.size(), "\\x%02x", u);
      out.append(buf.data());
    }
  }
  if (bytes.size() > limit) out.append("...");
  return out;
}

}  // namespace

std::string_view StreamTypeName(StreamType stream) {
  switch (stream) {
    case StreamType::kStdin: return "stdin";
    case StreamType::kStdout: return "stdout";
    case StreamType::kStderr: return "stderr";
    case StreamType::kSystemError: return "system_error";
  }
  return "unknown";
}

std::string_view DecodeErrorName(DecodeError error) {
  switch (error) {
    case DecodeError::kNone: return "none";
    case DecodeError::kBadStreamType: return "bad_stream_type";
    case DecodeError::kBadPadding: return "bad_padding";
    case DecodeError::kFrameTooLarge: return "frame_too_large";
    case DecodeError::kBadTimestamp: return "bad_timestamp";
    case DecodeError::kTruncated: return "truncated";
  }
  return "unknown";
}

FrameDecoder::FrameDecoder(FrameDecoderOptions options) : options_(options) {
  // A zero bound would make no progress in raw mode; one byte is the floor.
  options_.max_frame_bytes = std::max<std::size_t>(options_.max_frame_bytes, 1);
}

void FrameDecoder::Reset() {
  failure_ = DecodeStatus{};
  offset_ = 0;
  header_fill_ = 0;
  frame_length_ = 0;
  buffer_.clear();
  raw_state_ = RawState::kPrefix;
  raw_ts_ = kNoTimestamp;
  raw_continuation_ = false;
  raw_line_start_ = true;
  piece_ended_cr_ = false;
  raw_body_bytes_ = 0;
}

DecodeStatus FrameDecoder::Fail(DecodeError error, uint64_t offset, std::string detail) {
  failure_.error = error;
  failure_.offset = offset;
  failure_.detail = std::move(detail);
  buffer_.clear();
  header_fill_ = 0;
  return failure_;
}

DecodeStatus FrameDecoder::Feed(std::string_view data, const MessageCallback& on_message) {
  if (!failure_.ok()) return failure_;
  return options_.mode == FrameMode::kMultiplexed ? FeedMultiplexed(data, on_message)
                                                  : FeedRaw(data, on_message);
}

// ---------------------------------------------------------------- multiplexed

DecodeStatus FrameDecoder::FeedMultiplexed(std::string_view data,
                                           const MessageCallback& on_message) {
  while (!data.empty()) {
    if (header_fill_ < kHeaderBytes) {
      if (header_fill_ == 0) frame_offset_ = offset_;
      const std::size_t take = std::min(kHeaderBytes - header_fill_, data.size());
      std::copy_n(data.data(), take, header_ + header_fill_);
      header_fill_ += take;
      data.remove_prefix(take);
      offset_ += take;
      if (header_fill_ < kHeaderBytes) break;

      // Validate the whole header before a single payload byte is buffered.
      if (header_[0] > 3) {
        return Fail(DecodeError::kBadStreamType, frame_offset_,
                    "frame header has stream type " + std::to_string(header_[0]) +
                        " (expected 0..3), header " +
                        Printable({reinterpret_cast<const char*>(header_), kHeaderBytes}));
      }
      if (header_[1] != 0 || header_[2] != 0 || header_[3] != 0) {
        return Fail(DecodeError::kBadPadding, frame_offset_,
                    "frame header padding is not zero, header " +
                        Printable({reinterpret_cast<const char*>(header_), kHeaderBytes}));
      }
      const uint32_t length = (uint32_t{header_[4]} << 24) | (uint32_t{header_[5]} << 16) |
                              (uint32_t{header_[6]} << 8) | uint32_t{header_[7]};
      if (length > options_.max_frame_bytes) {
        return Fail(DecodeError::kFrameTooLarge, frame_offset_,
                    "frame length " + std::to_string(length) + " exceeds the maximum of " +
                        std::to_string(options_.max_frame_bytes) + " bytes");
      }
      frame_stream_ = static_cast<StreamType>(header_[0]);
      frame_length_ = length;
      buffer_.clear();
    }

    // Payload. Zero-copy when the whole frame is in this slice.
    if (buffer_.empty() && data.size() >= frame_length_) {
      const std::string_view payload = data.substr(0, frame_length_);
      data.remove_prefix(frame_length_);
      offset_ += frame_length_;
      header_fill_ = 0;
      DecodeStatus status = DeliverFrame(payload, on_message);
      if (!status.ok()) return status;
      continue;
    }
    const std::size_t take = std::min(frame_length_ - buffer_.size(), data.size());
    buffer_.append(data.data(), take);
    data.remove_prefix(take);
    offset_ += take;
    if (buffer_.size() == frame_length_) {
      header_fill_ = 0;
      DecodeStatus status = DeliverFrame(buffer_, on_message);
      buffer_.clear();
      if (!status.ok()) return status;
    }
  }
  return DecodeStatus{};
}

DecodeStatus FrameDecoder::DeliverFrame(std::string_view payload,
                                        const MessageCallback& on_message) {
  Message message;
  message.stream = frame_stream_;
  std::string_view body = payload;
  if (options_.timestamps) {
    int64_t ts = kNoTimestamp;
    const std::optional<std::size_t> skip = ParseTimestampPrefix(body, &ts);
    if (skip) {
      message.ts_ns = ts;
      const std::string_view text = body.substr(0, *skip - 1);
      if (IsCanonicalTimestamp(text)) message.ts_text = text;
      body.remove_prefix(*skip);
    } else if (frame_stream_ != StreamType::kSystemError) {
      // dockerd stamps every record except its own type-3 errors.
      return Fail(DecodeError::kBadTimestamp, frame_offset_,
                  "frame payload does not start with an RFC3339Nano timestamp: \"" +
                      Printable(payload) + "\"");
    }
  }
  message.partial = body.empty() || body.back() != '\n';
  if (!message.partial) body.remove_suffix(1);
  message.bytes = body;
  ++messages_;
  on_message(message);
  return DecodeStatus{};
}

// ------------------------------------------------------------------------ raw

DecodeStatus FrameDecoder::FeedRaw(std::string_view data, const MessageCallback& on_message) {
  const std::size_t limit =
      options_.timestamps && options_.raw_piece_bytes > 0
          ? std::min(options_.raw_piece_bytes, options_.max_frame_bytes)
          : options_.max_frame_bytes;
  // Enters the body of a record whose prefix (if any) has been handled;
  // `buffer_` already holds any content bytes read while looking for it.
  auto enter_body = [this](bool has_ts, int64_t ts) {
    if (has_ts) {
      raw_ts_ = ts;
    } else if (!raw_continuation_) {
      raw_ts_ = kNoTimestamp;
    }  // else: an unstamped continuation keeps the line's timestamp
    raw_body_bytes_ = buffer_.size();
    raw_state_ = RawState::kBody;
  };

  while (!data.empty()) {
    if (raw_state_ == RawState::kPrefix) {
      if (!options_.timestamps) {
        enter_body(false, kNoTimestamp);
        continue;
      }
      const std::size_t room = kMaxTimestampPrefix - buffer_.size();
      const std::string_view avail = data.substr(0, room);
      const std::size_t stop = avail.find_first_of(" \n");
      if (stop == std::string_view::npos) {
        buffer_.append(avail);
        data.remove_prefix(avail.size());
        offset_ += avail.size();
        if (buffer_.size() >= kMaxTimestampPrefix) enter_body(false, kNoTimestamp);
        continue;
      }
      if (avail[stop] == ' ') {
        buffer_.append(avail.substr(0, stop));
        data.remove_prefix(stop + 1);
        offset_ += stop + 1;
        const std::optional<int64_t> ts = ParseRfc3339Nano(buffer_);
        if (ts) {
          buffer_.clear();
          enter_body(true, *ts);
        } else {
          buffer_.push_back(' ');  // not a timestamp: the bytes are content
          enter_body(false, kNoTimestamp);
        }
        continue;
      }
      // '\n' before any space: an unstamped line; the body loop takes the '\n'.
      buffer_.append(avail.substr(0, stop));
      data.remove_prefix(stop);
      offset_ += stop;
      enter_body(false, kNoTimestamp);
      continue;
    }

    if (raw_body_bytes_ >= limit) {
      DeliverRawRecord(false, on_message);
      continue;
    }
    const std::string_view avail = data.substr(0, limit - raw_body_bytes_);
    const std::size_t newline = avail.find('\n');
    if (newline != std::string_view::npos) {
      buffer_.append(avail.substr(0, newline));
      data.remove_prefix(newline + 1);
      offset_ += newline + 1;
      DeliverRawRecord(true, on_message);
      continue;
    }
    buffer_.append(avail);
    data.remove_prefix(avail.size());
    offset_ += avail.size();
    raw_body_bytes_ += avail.size();
    if (raw_body_bytes_ >= limit) DeliverRawRecord(false, on_message);
  }
  return DecodeStatus{};
}

void FrameDecoder::DeliverRawRecord(bool newline,
                                    const MessageCallback& on_message) {
  std::string_view content = buffer_;
  Message message;
  // A piece cut right after '\r' followed by a piece that is only "\n": the
  // '\r' was the TTY's line ending. The bytes of each message stay exact
  // (one message per record); the assembler drops the '\r'.
  message.drop_trailing_cr = newline && content.empty() && piece_ended_cr_;
  const bool ends_cr = !content.empty() && content.back() == '\r';
  if (newline && ends_cr) content.remove_suffix(1);
  message.stream = StreamType::kStdout;  // a TTY merges stderr into stdout
  message.ts_ns = raw_ts_;
  message.bytes = content;
  message.partial = !newline;
  // dockerd writes in-band errors unframed and unstamped on a TTY stream.
  if (options_.timestamps && raw_ts_ == kNoTimestamp && raw_line_start_ &&
      content.starts_with(kErrorPrefix)) {
    message.stream = StreamType::kSystemError;
  }
  ++messages_;
  on_message(message);

  raw_line_start_ = newline;
  raw_continuation_ = !newline;
  piece_ended_cr_ = !newline && ends_cr;
  buffer_.clear();
  raw_body_bytes_ = 0;
  raw_state_ = RawState::kPrefix;
}

DecodeStatus FrameDecoder::Finish(const MessageCallback& on_message) {
  if (!failure_.ok()) return failure_;
  if (options_.mode == FrameMode::kMultiplexed) {
    if (header_fill_ == 0) return DecodeStatus{};
    const uint64_t at = frame_offset_;
    const std::string what =
        header_fill_ < kHeaderBytes
            ? "body ended inside a frame header (" + std::to_string(header_fill_) + " of 8 bytes)"
            : "body ended inside a frame (" + std::to_string(buffer_.size()) + " of " +
                  std::to_string(frame_length_) + " payload bytes)";
    return Fail(DecodeError::kTruncated, at, what);
  }
  if (raw_state_ == RawState::kPrefix && buffer_.empty()) return DecodeStatus{};
  if (raw_state_ == RawState::kPrefix && !raw_continuation_) {
    raw_ts_ = kNoTimestamp;  // what was read looking for a timestamp is content
  }
  DeliverRawRecord(false, on_message);
  return DecodeStatus{};
}

}  // namespace logcap
