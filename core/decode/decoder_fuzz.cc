// libFuzzer target for FrameDecoder + LineAssembler. Input layout:
//   byte 0: option bits (timestamps, small bounds, split policy)
//   byte 1: seed for the slice sizes
//   rest:   the /logs body
// For both modes the body is decoded once in one slice and once in slices
// chosen from the seed; invariants: no crash, no sanitizer report, the same
// messages and status whatever the split, every message and buffer within
// its configured bound, every assembled line within max_line_bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "core/decode/frame_decoder.h"
#include "core/decode/line_assembler.h"

namespace {

void Check(bool condition) {
  if (!condition) std::abort();
}

struct Outcome {
  std::vector<std::string> messages;
  logcap::DecodeError error = logcap::DecodeError::kNone;
  uint64_t offset = 0;
};

Outcome Decode(const logcap::FrameDecoderOptions& options,
               const logcap::LineAssemblerOptions& line_options, std::string_view body,
               uint32_t seed) {
  logcap::FrameDecoder decoder(options);
  logcap::LineAssembler assembler(line_options);
  Outcome outcome;
  const logcap::LineCallback on_line = [&](const logcap::Line& line) {
    Check(line.text.size() <= line_options.max_line_bytes ||
          line.stream == logcap::StreamType::kSystemError);
  };
  const logcap::MessageCallback on_message = [&](const logcap::Message& m) {
    Check(m.bytes.size() <= options.max_frame_bytes + logcap::kMaxTimestampPrefix);
    std::string flat;
    flat.push_back(static_cast<char>(m.stream));
    flat.append(std::to_string(m.ts_ns));
    flat.push_back(m.partial ? 'p' : 'c');
    flat.push_back(m.drop_trailing_cr ? 'd' : '-');
    flat.append(m.bytes);
    outcome.messages.push_back(std::move(flat));
    assembler.Add(m, on_line);
  };
  std::size_t pos = 0;
  uint32_t state = seed * 2654435761u + 1;
  while (pos < body.size()) {
    std::size_t n = body.size() - pos;
    if (seed != 0) {
      state = state * 1103515245u + 12345u;
      n = std::min<std::size_t>(n, 1 + (state >> 16) % 64);
    }
    const logcap::DecodeStatus status = decoder.Feed(body.substr(pos, n), on_message);
    Check(decoder.buffered_bytes() <= options.max_frame_bytes + 8 + logcap::kMaxTimestampPrefix);
    if (!status.ok()) {
      Check(!status.detail.empty());
      outcome.error = status.error;
      outcome.offset = status.offset;
      return outcome;
    }
    pos += n;
  }
  const logcap::DecodeStatus status = decoder.Finish(on_message);
  outcome.error = status.error;
  outcome.offset = status.offset;
  assembler.Flush(on_line);
  Check(assembler.PendingFrames() == 0);
  return outcome;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const uint8_t flags = data[0];
  const uint32_t seed = data[1] | 1u;  // nonzero: a real split
  const std::string_view body(reinterpret_cast<const char*>(data) + 2, size - 2);

  logcap::LineAssemblerOptions line_options;
  line_options.max_line_bytes = (flags & 4) ? 7 : 1 << 16;
  line_options.overlong =
      (flags & 8) ? logcap::OverlongPolicy::kTruncate : logcap::OverlongPolicy::kSplit;
  for (const logcap::FrameMode mode : {logcap::FrameMode::kMultiplexed, logcap::FrameMode::kRaw}) {
    logcap::FrameDecoderOptions options;
    options.mode = mode;
    options.timestamps = (flags & 1) != 0;
    options.max_frame_bytes = (flags & 2) ? 40 : 1 << 16;
    options.raw_piece_bytes = (flags & 16) ? 5 : 16 * 1024;
    const Outcome whole = Decode(options, line_options, body, 0);
    const Outcome split = Decode(options, line_options, body, seed);
    Check(whole.error == split.error);
    Check(whole.offset == split.offset);
    Check(whole.messages == split.messages);
  }
  return 0;
}
