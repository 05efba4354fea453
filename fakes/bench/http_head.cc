#include "fakes/bench/http_head.h"

#include <charconv>

#include "fakes/client/text.h"

namespace followload {

using fakedocker::Lower;
using fakedocker::Printable;

HttpHead ParseHead(std::string_view head) {
  HttpHead h;
  size_t eol = head.find("\r\n");
  std::string_view line = head.substr(0, eol);
  if (!line.starts_with("HTTP/1.") || line.size() < 12 || line[8] != ' ') {
    h.error = "bad status line '" + Printable(line) + "'";
    return h;
  }
  auto r = std::from_chars(line.data() + 9, line.data() + 12, h.status);
  if (r.ec != std::errc() || r.ptr != line.data() + 12) {
    h.error = "bad status code in '" + Printable(line) + "'";
    return h;
  }
  while (eol != std::string_view::npos) {
    head.remove_prefix(eol + 2);
    eol = head.find("\r\n");
    std::string_view field = head.substr(0, eol);
    if (field.empty()) continue;
    size_t colon = field.find(':');
    if (colon == std::string_view::npos) {
      h.error = "header line without ':' '" + Printable(field) + "'";
      return h;
    }
    std::string_view value = field.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    h.headers[Lower(field.substr(0, colon))] = std::string(value);
  }
  return h;
}

bool IsChunked(const std::map<std::string, std::string>& headers) {
  auto te = headers.find("transfer-encoding");
  return te != headers.end() && Lower(te->second).find("chunked") != std::string::npos;
}

}  // namespace followload
