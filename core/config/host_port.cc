#include "core/config/host_port.h"

#include <stdexcept>

#include "common/echo_value.h"

namespace logcap {
namespace {

[[noreturn]] void HostPortFail(std::string_view text, std::string_view why) {
  throw std::invalid_argument(leakbench::QuoteValue(text) + " is not HOST:PORT (" +
                              std::string(why) + ")");
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

std::string HostPort::ToString() const {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

HostPort ParseHostPort(std::string_view text) {
  const std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) HostPortFail(text, "missing ':PORT'");
  std::string_view host = text.substr(0, colon);
  const std::string_view port = text.substr(colon + 1);

  if (!host.empty() && host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') HostPortFail(text, "unbalanced '[' around the host");
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    HostPortFail(text, "an IPv6 host needs brackets, e.g. [::1]:9464");
  }
  if (host.empty()) HostPortFail(text, "empty host");
  for (const char c : host) {
    if (c == '/' || c == '[' || c == ']' || c == ' ' || c == '\t' || c == '@') {
      HostPortFail(text, "bad character in the host");
    }
  }

  if (port.empty()) HostPortFail(text, "empty port");
  if (port.size() > 5) HostPortFail(text, "port out of range 0..65535");
  unsigned value = 0;
  for (const char c : port) {
    if (!IsDigit(c)) HostPortFail(text, "port is not a number");
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  if (value > 65535) HostPortFail(text, "port out of range 0..65535");
  return HostPort{std::string(host), static_cast<std::uint16_t>(value)};
}

HostPort ParseMetricsListen(std::string_view text) {
  HostPort address = ParseHostPort(text);
  if (address.host.find(':') != std::string::npos) {
    throw std::invalid_argument(
        leakbench::QuoteValue(text) +
        ": the metrics endpoint cannot listen on IPv6 (its HTTP server, civetweb, is built "
        "without IPv6 support); use 127.0.0.1:PORT for loopback or 0.0.0.0:PORT for every "
        "IPv4 address");
  }
  return address;
}

}  // namespace logcap
