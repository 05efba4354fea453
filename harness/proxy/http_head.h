// Parses the head (start line and header fields) of one HTTP/1.x request or
// response, as far as the counting proxy needs it: what was asked, what was
// answered and where the message's body ends. Pure; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace leakbench::proxy {

// Heads larger than this are refused (dockerd's own limit is 1 MiB; a
// Docker client sends a few hundred bytes).
inline constexpr std::size_t kMaxHeadBytes = 1 << 20;

struct HttpHead {
  std::string method;  // requests
  std::string target;  // requests: the request target as sent
  int status = 0;      // responses
  int minor_version = 1;  // HTTP/1.<minor>
  std::optional<std::uint64_t> content_length;
  bool chunked = false;           // Transfer-Encoding ends in chunked
  bool connection_close = false;  // Connection: close (or HTTP/1.0 without keep-alive)
  bool upgrade = false;           // Connection: upgrade and an Upgrade field
  std::string content_type;
};

enum class HeadStatus { kNeedMore, kDone, kError };

struct HeadResult {
  HeadStatus status = HeadStatus::kNeedMore;
  std::size_t length = 0;  // kDone: bytes of the head, final CRLF CRLF included
  std::string error;       // kError: what was wrong
};

// Looks for a complete head at the start of `buffer` and parses it into *head.
HeadResult ParseRequestHead(std::string_view buffer, HttpHead* head);
HeadResult ParseResponseHead(std::string_view buffer, HttpHead* head);

}  // namespace leakbench::proxy
