// HTTP/1.1 request and response pieces for the fake's servers. Requests are
// parsed by Beast (robust against bad input); responses are written by hand
// so that headers, their order and the body framing match Go's net/http, as
// dockerd's do, byte for byte. Pure functions; thread-safe.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fakedocker {

struct HttpRequest {
  std::string method;
  std::string target;  // as sent: path and query
  std::string path;    // percent-decoded path, without the query
  std::multimap<std::string, std::string> query;  // decoded; repeated keys kept in order
  std::map<std::string, std::string> headers;     // keys lower-cased
  std::string body;
  bool keep_alive = true;

  // First value of a query parameter, like Go's url.Values.Get.
  std::optional<std::string> Param(const std::string& key) const;
  std::string Header(const std::string& lower_key) const;
};

// Splits "a/b?x=1&y=%20" into path and decoded query; false on bad escapes.
bool ParseTarget(std::string_view target, std::string* path,
                 std::multimap<std::string, std::string>* query);
std::string PercentDecode(std::string_view s, bool plus_is_space, bool* ok);

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct ResponseHead {
  int status = 200;
  HeaderList headers;                  // user headers; written sorted by key
  std::optional<size_t> content_length;
  bool chunked = false;
  bool close = false;                  // adds "Connection: close"
  // A Content-Type net/http sniffed because the handler set none: written
  // after Content-Length, where Go puts it.
  std::string sniffed_content_type;
};

// net/http sends a body the handler wrote in full with Content-Length when
// it is at most this long, and chunked otherwise (bufferBeforeChunkingSize).
inline constexpr size_t kGoChunkingThreshold = 2048;

const char* StatusText(int status);

// Status line and headers in net/http's order: sorted user headers, Date,
// Content-Length, Connection, Transfer-Encoding, blank line.
std::string FormatHead(const ResponseHead& head);

// One chunk of a chunked body, and the terminating chunk.
std::string Chunk(std::string_view data);
inline constexpr std::string_view kLastChunk = "0\r\n\r\n";

}  // namespace fakedocker
