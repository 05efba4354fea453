#include "fakes/dockerd/http/http_message.h"

#include <algorithm>
#include <cstdio>

#include "fakes/dockerd/model/timestamp.h"

namespace fakedocker {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::optional<std::string> HttpRequest::Param(const std::string& key) const {
  auto it = query.find(key);
  if (it == query.end()) return std::nullopt;
  return it->second;
}

std::string HttpRequest::Header(const std::string& lower_key) const {
  auto it = headers.find(lower_key);
  return it == headers.end() ? std::string() : it->second;
}

std::string PercentDecode(std::string_view s, bool plus_is_space, bool* ok) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '%') {
      int hi = i + 1 < s.size() ? HexValue(s[i + 1]) : -1;
      int lo = i + 2 < s.size() ? HexValue(s[i + 2]) : -1;
      if (hi < 0 || lo < 0) {
        *ok = false;
        return out;
      }
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

bool ParseTarget(std::string_view target, std::string* path, std::multimap<std::string, std::string>* query) {
  bool ok = true;
  size_t q = target.find('?');
  *path = PercentDecode(target.substr(0, q), false, &ok);
  if (!ok) return false;
  if (q == std::string_view::npos) return true;
  std::string_view rest = target.substr(q + 1);
  while (!rest.empty()) {
    size_t amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::string key = PercentDecode(pair.substr(0, eq), true, &ok);
    std::string value = eq == std::string_view::npos ? std::string() : PercentDecode(pair.substr(eq + 1), true, &ok);
    if (!ok) return false;
    query->emplace(std::move(key), std::move(value));
  }
  return true;
}

const char* StatusText(int status) {
  switch (status) {
    case 101: return "Switching Protocols";
    case 200: return "OK";
    case 301: return "Moved Permanently";
    case 201: return "Created";
    case 204: return "No Content";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 413: return "Request Entity Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    default: return "Unknown";
  }
}

std::string FormatHead(const ResponseHead& head) {
  std::string out = "HTTP/1.1 " + std::to_string(head.status) + " " + StatusText(head.status) + "\r\n";
  HeaderList sorted = head.headers;
  std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [k, v] : sorted) out += k + ": " + v + "\r\n";
  out += "Date: " + FormatHttpDate(NowNanos()) + "\r\n";
  if (head.content_length) out += "Content-Length: " + std::to_string(*head.content_length) + "\r\n";
  if (!head.sniffed_content_type.empty()) out += "Content-Type: " + head.sniffed_content_type + "\r\n";
  if (head.close) out += "Connection: close\r\n";
  if (head.chunked) out += "Transfer-Encoding: chunked\r\n";
  out += "\r\n";
  return out;
}

std::string Chunk(std::string_view data) {
  char len[24];
  int n = std::snprintf(len, sizeof len, "%zx\r\n", data.size());
  std::string out;
  out.reserve(static_cast<size_t>(n) + data.size() + 2);
  out.append(len, static_cast<size_t>(n));
  out.append(data);
  out.append("\r\n");
  return out;
}

}  // namespace fakedocker
