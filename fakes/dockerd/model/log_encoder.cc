#include "fakes/dockerd/model/log_encoder.h"

namespace fakedocker {
namespace {

size_t WireLength(const LogEntry& entry, bool tty) { return entry.bytes + (tty ? 2 : 1); }

}  // namespace

size_t MessageCount(const LogEntry& entry, bool tty) {
  return (WireLength(entry, tty) + kMaxMessageBytes - 1) / kMaxMessageBytes;
}

void AppendFrameHeader(uint8_t stream, uint32_t length, std::string* out) {
  char header[8] = {static_cast<char>(stream), 0, 0, 0,
                    static_cast<char>((length >> 24) & 0xff), static_cast<char>((length >> 16) & 0xff),
                    static_cast<char>((length >> 8) & 0xff), static_cast<char>(length & 0xff)};
  out->append(header, sizeof header);
}

void AppendFrame(uint8_t stream, std::string_view payload, std::string* out) {
  AppendFrameHeader(stream, static_cast<uint32_t>(payload.size()), out);
  out->append(payload);
}

void EncodeEntry(std::string_view cid12, const LogEntry& entry, const EncodeOptions& options,
                 size_t first_message, std::string* out) {
  // Render the whole line once; long lines are rare enough that the copy is
  // cheaper than teaching RenderLine to produce slices.
  thread_local std::string line;
  line.clear();
  RenderLine(cid12, entry, &line);
  line.append(options.tty ? "\r\n" : "\n");
  const std::string stamp = options.timestamps ? FormatLogTimestamp(entry.ts) + " " : std::string();
  const size_t count = MessageCount(entry, options.tty);
  for (size_t m = first_message; m < count; ++m) {
    std::string_view piece = std::string_view(line).substr(m * kMaxMessageBytes, kMaxMessageBytes);
    if (!options.tty) {
      AppendFrameHeader(static_cast<uint8_t>(entry.stream),
                        static_cast<uint32_t>(stamp.size() + piece.size()), out);
    }
    out->append(stamp);
    out->append(piece);
  }
}

}  // namespace fakedocker
