// Parses an HTTP/1.1 response head (status line and header fields) for follow-load.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace followload {

struct HttpHead {
  std::string error;  // empty when the head parsed
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-cased keys, values without surrounding blanks
};

// Parses "HTTP/1.1 200 OK\r\nK: V\r\n..." (without the blank line that ends it).
HttpHead ParseHead(std::string_view head);

// Whether the headers announce Transfer-Encoding: chunked.
bool IsChunked(const std::map<std::string, std::string>& headers);

}  // namespace followload
