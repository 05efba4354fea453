#include "harness/proxy/docker_path.h"

#include <cctype>

namespace leakbench::proxy {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string PercentDecode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && HexValue(s[i + 1]) >= 0 && HexValue(s[i + 2]) >= 0) {
      out += static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// "/v1.41/..." -> "/..."; anything else unchanged.
std::string_view StripVersion(std::string_view path) {
  if (path.size() < 3 || path[0] != '/' || path[1] != 'v' || !std::isdigit(static_cast<unsigned char>(path[2]))) {
    return path;
  }
  const std::size_t slash = path.find('/', 1);
  if (slash == std::string_view::npos) return path;
  for (char c : path.substr(2, slash - 2)) {
    if (!std::isdigit(static_cast<unsigned char>(c)) && c != '.') return path;
  }
  return path.substr(slash);
}

// The value of `key` in a query string; `found` says whether it was there.
std::string QueryValue(std::string_view query, std::string_view key, bool* found) {
  *found = false;
  std::string value;
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const std::size_t eq = pair.find('=');
    if (PercentDecode(pair.substr(0, eq)) == key) {
      *found = true;  // the first one counts, as in Go's url.Values.Get
      value = eq == std::string_view::npos ? "" : PercentDecode(pair.substr(eq + 1));
      return value;
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return value;
}

}  // namespace

bool DockerBool(std::string_view value) {
  return !(value.empty() || value == "0" || value == "false" || value == "no" || value == "none");
}

DockerRequest ClassifyTarget(std::string_view target) {
  DockerRequest r;
  const std::size_t q = target.find('?');
  const std::string_view query = q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
  r.path = std::string(StripVersion(target.substr(0, q)));
  const std::size_t last = r.path.rfind('/');
  r.endpoint = last == std::string::npos ? r.path : r.path.substr(last + 1);
  constexpr std::string_view kContainers = "/containers/";
  if (r.path.rfind(kContainers, 0) == 0) {
    const std::string_view rest = std::string_view(r.path).substr(kContainers.size());
    const std::size_t slash = rest.find('/');
    if (slash != std::string_view::npos && slash > 0) r.container = PercentDecode(rest.substr(0, slash));
    if (slash == std::string_view::npos || rest.substr(slash + 1) != "logs") {
      if (r.endpoint == "logs") r.endpoint = "logs-path";  // e.g. /containers/logs/json: not a log stream
    }
  } else if (r.endpoint == "logs") {
    r.endpoint = "logs-path";
  }
  if (r.path == "/events") r.endpoint = "events";
  bool found = false;
  r.follow = DockerBool(QueryValue(query, "follow", &found));
  r.timestamps = DockerBool(QueryValue(query, "timestamps", &found));
  return r;
}

}  // namespace leakbench::proxy
