// Incremental decoder for the body of GET /containers/{id}/logs. It is fed
// the body in arbitrary slices (any split, down to one byte) and calls back
// once per daemon record ("message"): one multiplexed frame, or one TTY line
// piece. Two modes, chosen by the caller from Config.Tty:
//   kMultiplexed (Tty=false): 8-byte header [stream,0,0,0,len32 BE] + payload;
//     stream 0/1/2 = stdin/stdout/stderr, 3 = in-band system error
//     ("Error grabbing logs: ..."), delivered with stream kSystemError and
//     the stream goes on. Any other stream byte, nonzero padding, or a length
//     above max_frame_bytes is a protocol error, detected from the header
//     alone, before anything is allocated for the payload.
//   kRaw (Tty=true): no headers; records end in '\n', a trailing '\r' is
//     stripped. With timestamps, dockerd puts "<ts> " before every record,
//     and splits a line longer than 16 KiB into records of raw_piece_bytes
//     content bytes, each with its own (equal) prefix; the decoder emits one
//     message per record, like multiplexed mode, so that counting messages
//     counts the records a `since=` replay returns. A record without a valid
//     prefix keeps its bytes as content (ts kNoTimestamp, or the line's ts
//     for the continuation of a cut record); an unstamped line starting
//     "Error grabbing logs: " is dockerd's in-band error (kSystemError).
// Ownership: the decoder owns a buffer of at most max_frame_bytes (plus a
// header); Message::bytes points into it or into the caller's slice and is
// valid only during the callback. Not thread-safe: one decoder per stream,
// used by one thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "core/decode/log_timestamp.h"

namespace logcap {

enum class StreamType : uint8_t { kStdin = 0, kStdout = 1, kStderr = 2, kSystemError = 3 };

// "stdin", "stdout", "stderr", "system_error".
std::string_view StreamTypeName(StreamType stream);

enum class FrameMode { kMultiplexed, kRaw };

struct FrameDecoderOptions {
  FrameMode mode = FrameMode::kMultiplexed;
  // The request had timestamps=1: every record (except type-3 errors) starts
  // with an RFC3339Nano timestamp and one space.
  bool timestamps = true;
  // Multiplexed: the largest payload accepted (timestamp included); larger
  // is a protocol error. Raw: the most bytes buffered for one record before
  // it is delivered as a partial message. dockerd never sends more than
  // 16 KiB + a timestamp, so the default leaves a wide margin.
  std::size_t max_frame_bytes = 1 << 20;
  // Raw with timestamps: after this many content bytes without '\n' dockerd
  // starts a new record (with a new "<ts> " prefix). 0 = never.
  std::size_t raw_piece_bytes = 16 * 1024;
};

// One daemon record.
struct Message {
  StreamType stream = StreamType::kStdout;
  int64_t ts_ns = kNoTimestamp;  // kNoTimestamp without timestamps or for type 3
  std::string_view bytes;        // content without the '\n' (and, raw, '\r')
  bool partial = false;          // the record did not end in '\n'
  // Raw only: this record is just the '\n' of a line whose previous piece
  // ended in the TTY's '\r' (a line of 16383 bytes + "\r\n"); that '\r' is
  // line ending, not content, and the assembler removes it.
  bool drop_trailing_cr = false;
  // The timestamp as the daemon spelled it when that is the canonical
  // spelling of ts_ns (IsCanonicalTimestamp), else empty. Multiplexed only.
  std::string_view ts_text = {};
};

enum class DecodeError {
  kNone,
  kBadStreamType,   // header stream byte > 3
  kBadPadding,      // header bytes 1..3 not zero
  kFrameTooLarge,   // header length > max_frame_bytes
  kBadTimestamp,    // timestamps=1 but a frame has no valid "<ts> " prefix
  kTruncated,       // Finish() inside a frame
};

std::string_view DecodeErrorName(DecodeError error);

// Result of Feed()/Finish(). On an error the decoder stays failed (later
// calls return the same status and deliver nothing) until Reset(): the
// caller closes the stream and resumes from its position.
struct [[nodiscard]] DecodeStatus {
  DecodeError error = DecodeError::kNone;
  uint64_t offset = 0;  // body offset of the bad header / timestamp
  std::string detail;   // human-readable context for logs and metrics

  bool ok() const { return error == DecodeError::kNone; }
};

using MessageCallback = std::function<void(const Message&)>;

class FrameDecoder {
 public:
  explicit FrameDecoder(FrameDecoderOptions options = {});

  // Decodes `data`, calling `on_message` for each complete record. Records
  // cut by the end of `data` are kept and completed by the next call.
  DecodeStatus Feed(std::string_view data, const MessageCallback& on_message);

  // The daemon ended the body (terminal chunk). Multiplexed: a frame cut in
  // the middle is kTruncated (nothing of it is delivered, so a resume gets
  // it whole). Raw: buffered bytes are delivered as a partial record (a last
  // line without '\n'). Do NOT call it when the engine itself closes the
  // stream (rotation): call Reset() and let the replay deliver it whole.
  DecodeStatus Finish(const MessageCallback& on_message);

  // Forgets buffered bytes and any error; the next byte starts a new body.
  void Reset();

  const FrameDecoderOptions& options() const { return options_; }
  uint64_t bytes_consumed() const { return offset_; }
  uint64_t messages_delivered() const { return messages_; }
  // Bytes of an unfinished record held in the decoder.
  std::size_t buffered_bytes() const { return header_fill_ + buffer_.size(); }

 private:
  DecodeStatus FeedMultiplexed(std::string_view data, const MessageCallback& on_message);
  DecodeStatus FeedRaw(std::string_view data, const MessageCallback& on_message);
  DecodeStatus DeliverFrame(std::string_view payload, const MessageCallback& on_message);
  void DeliverRawRecord(bool newline, const MessageCallback& on_message);
  DecodeStatus Fail(DecodeError error, uint64_t offset, std::string detail);

  enum class RawState { kPrefix, kBody };

  FrameDecoderOptions options_;
  DecodeStatus failure_;
  uint64_t offset_ = 0;  // body bytes consumed so far
  uint64_t messages_ = 0;

  // Multiplexed state.
  unsigned char header_[8] = {};
  std::size_t header_fill_ = 0;
  StreamType frame_stream_ = StreamType::kStdout;
  std::size_t frame_length_ = 0;
  uint64_t frame_offset_ = 0;
  std::string buffer_;  // payload (multiplexed) or record (raw) so far

  // Raw state.
  RawState raw_state_ = RawState::kPrefix;
  int64_t raw_ts_ = kNoTimestamp;
  bool raw_continuation_ = false;  // the previous record was cut without '\n'
  bool raw_line_start_ = true;     // this record starts a new line
  bool piece_ended_cr_ = false;    // the previous piece was cut right after '\r'
  std::size_t raw_body_bytes_ = 0; // content bytes of the current record
};

}  // namespace logcap
