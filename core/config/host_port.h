// Parses "HOST:PORT" endpoints: the metrics listen address and the host part
// of tcp:// Docker hosts. IPv6 hosts are written in brackets ("[::1]:9464").
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace logcap {

struct HostPort {
  std::string host;  // without brackets
  std::uint16_t port = 0;

  // Back to text, with brackets around IPv6 hosts.
  std::string ToString() const;
};

// Accepts "host:port" and "[v6-host]:port" with a decimal port in 0..65535.
// Throws std::invalid_argument saying what is wrong with `text`.
HostPort ParseHostPort(std::string_view text);

// The metrics endpoint's address (--metrics-listen, metrics.listen):
// ParseHostPort, but an IPv6 host ("[::1]:9464") is refused, because the
// endpoint's HTTP server (prometheus-cpp over civetweb, as Debian builds
// it) cannot listen on IPv6. Throws std::invalid_argument saying so and
// what to use instead.
HostPort ParseMetricsListen(std::string_view text);

}  // namespace logcap
