// Checks what the daemon sent before it becomes part of a request URL: the
// form of a container id, and percent-encoding of one path segment. Pure
// functions; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace logcap {

// Shortest and longest container id the engine accepts: a full id is 64
// lowercase hex digits; a daemon may give a unique prefix of 12 or more.
inline constexpr std::size_t kMinContainerIdLength = 12;
inline constexpr std::size_t kMaxContainerIdLength = 64;

// True when `id` is 12..64 lowercase hex digits, the form dockerd gives ids.
bool IsContainerId(std::string_view id);

// `segment` with every byte outside RFC 3986's unreserved set (ALPHA DIGIT
// '-' '.' '_' '~') written as %XX, so it stays one path segment: '/', '?',
// '#', '%', CR, LF and any other byte cannot change the request. "." and
// ".." (dot segments a URL parser would resolve) are written as %2E.
std::string EncodePathSegment(std::string_view segment);

}  // namespace logcap
