// Turns stored log entries into the bytes dockerd sends on /logs: split into
// messages of at most 16 KiB that share the line's timestamp, each message
// optionally prefixed by its timestamp, then either wrapped in an 8-byte
// multiplexing header (non-TTY) or sent raw with "\r\n" endings (TTY).
// Written independently of core/'s decoder. Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fakes/dockerd/model/log_entry.h"

namespace fakedocker {

// dockerd's log copier cuts lines into messages of at most this many bytes.
inline constexpr size_t kMaxMessageBytes = 16 * 1024;

struct EncodeOptions {
  bool tty = false;         // raw stream, "\r\n" line endings, no headers
  bool timestamps = false;  // "<RFC3339NanoFixed> " before every message
};

// How many messages (frames) the entry becomes on the wire.
size_t MessageCount(const LogEntry& entry, bool tty);

// Appends messages [first_message, MessageCount) of the entry to *out.
void EncodeEntry(std::string_view cid12, const LogEntry& entry, const EncodeOptions& options,
                 size_t first_message, std::string* out);

// The 8-byte header: [stream, 0, 0, 0, length as big-endian uint32].
void AppendFrameHeader(uint8_t stream, uint32_t length, std::string* out);

// A complete frame of the given stream type (e.g. 3 for an in-band error).
void AppendFrame(uint8_t stream, std::string_view payload, std::string* out);

}  // namespace fakedocker
