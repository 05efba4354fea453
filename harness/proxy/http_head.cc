#include "harness/proxy/http_head.h"

#include <cctype>

namespace leakbench::proxy {
namespace {

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Calls f(token) for each comma-separated token of a field value.
template <typename F>
void ForEachToken(std::string_view value, F&& f) {
  while (!value.empty()) {
    const std::size_t comma = value.find(',');
    f(Trim(value.substr(0, comma)));
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
}

std::string Printable(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, 80)) out += std::isprint(static_cast<unsigned char>(c)) ? c : '?';
  return out;
}

// "HTTP/1.x" -> x, or -1.
int MinorVersion(std::string_view v) {
  if (v.size() != 8 || v.substr(0, 7) != "HTTP/1." || !std::isdigit(static_cast<unsigned char>(v[7]))) return -1;
  return v[7] - '0';
}

// Finds the head's end; kNeedMore / kError (too large) or kDone with length.
HeadResult FindEnd(std::string_view buffer) {
  HeadResult r;
  const std::size_t end = buffer.find("\r\n\r\n");
  if (end == std::string_view::npos) {
    if (buffer.size() > kMaxHeadBytes) {
      r.status = HeadStatus::kError;
      r.error = "HTTP head larger than " + std::to_string(kMaxHeadBytes) + " bytes";
    }
    return r;
  }
  r.status = HeadStatus::kDone;
  r.length = end + 4;
  return r;
}

HeadResult Fail(std::string why) {
  HeadResult r;
  r.status = HeadStatus::kError;
  r.error = std::move(why);
  return r;
}

// Parses the header fields (the lines after the start line).
HeadResult ParseFields(std::string_view fields, HttpHead* head, HeadResult done) {
  bool keep_alive = false, upgrade_field = false, connection_upgrade = false, close = false;
  while (!fields.empty()) {
    const std::size_t eol = fields.find("\r\n");
    const std::string_view line = fields.substr(0, eol);
    fields.remove_prefix(eol == std::string_view::npos ? fields.size() : eol + 2);
    if (line.empty()) continue;
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return Fail("malformed header field '" + Printable(line) + "'");
    const std::string_view name = line.substr(0, colon);
    const std::string_view value = Trim(line.substr(colon + 1));
    if (IEquals(name, "Content-Length")) {
      if (value.empty() || value.size() > 18) return Fail("bad Content-Length '" + Printable(value) + "'");
      std::uint64_t n = 0;
      for (char c : value) {
        if (!std::isdigit(static_cast<unsigned char>(c))) return Fail("bad Content-Length '" + Printable(value) + "'");
        n = n * 10 + static_cast<std::uint64_t>(c - '0');
      }
      if (head->content_length && *head->content_length != n) return Fail("two different Content-Length fields");
      head->content_length = n;
    } else if (IEquals(name, "Transfer-Encoding")) {
      bool last_chunked = false;
      ForEachToken(value, [&](std::string_view t) { last_chunked = IEquals(t, "chunked"); });
      head->chunked = last_chunked;
    } else if (IEquals(name, "Connection")) {
      ForEachToken(value, [&](std::string_view t) {
        if (IEquals(t, "close")) close = true;
        if (IEquals(t, "keep-alive")) keep_alive = true;
        if (IEquals(t, "upgrade")) connection_upgrade = true;
      });
    } else if (IEquals(name, "Upgrade")) {
      upgrade_field = true;
    } else if (IEquals(name, "Content-Type")) {
      head->content_type = std::string(value);
    }
  }
  head->connection_close = close || (head->minor_version == 0 && !keep_alive);
  head->upgrade = connection_upgrade && upgrade_field;
  return done;
}

}  // namespace

HeadResult ParseRequestHead(std::string_view buffer, HttpHead* head) {
  HeadResult done = FindEnd(buffer);
  if (done.status != HeadStatus::kDone) return done;
  *head = HttpHead{};
  std::string_view text = buffer.substr(0, done.length - 2);
  // A client may send empty lines before a request (RFC 9112, 2.2).
  while (text.substr(0, 2) == "\r\n") text.remove_prefix(2);
  const std::size_t eol = text.find("\r\n");
  const std::string_view line = text.substr(0, eol);
  const std::size_t sp1 = line.find(' ');
  const std::size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || sp1 == 0 || sp2 == sp1 + 1) {
    return Fail("malformed request line '" + Printable(line) + "'");
  }
  head->method = std::string(line.substr(0, sp1));
  head->target = std::string(line.substr(sp1 + 1, sp2 - sp1 - 1));
  head->minor_version = MinorVersion(line.substr(sp2 + 1));
  if (head->minor_version < 0) return Fail("not an HTTP/1.x request: '" + Printable(line) + "'");
  return ParseFields(text.substr(eol + 2), head, done);
}

HeadResult ParseResponseHead(std::string_view buffer, HttpHead* head) {
  HeadResult done = FindEnd(buffer);
  if (done.status != HeadStatus::kDone) return done;
  *head = HttpHead{};
  const std::string_view text = buffer.substr(0, done.length - 2);
  const std::size_t eol = text.find("\r\n");
  const std::string_view line = text.substr(0, eol);
  if (line.size() < 12 || line[8] != ' ' || !std::isdigit(static_cast<unsigned char>(line[9])) ||
      !std::isdigit(static_cast<unsigned char>(line[10])) || !std::isdigit(static_cast<unsigned char>(line[11]))) {
    return Fail("malformed status line '" + Printable(line) + "'");
  }
  head->minor_version = MinorVersion(line.substr(0, 8));
  if (head->minor_version < 0) return Fail("not an HTTP/1.x response: '" + Printable(line) + "'");
  head->status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
  return ParseFields(text.substr(eol + 2), head, done);
}

}  // namespace leakbench::proxy
