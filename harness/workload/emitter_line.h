// The stamped log line a workload container writes: exactly the fake's
// format (fakes/dockerd/model/log_entry.cc) — "cid=<12 hex> seq=<N>
// stream=<stdout|stderr> " and then padding from the same alphabet up to
// the line's length — so the harness counts a real container's lines the
// way it counts the fake's. Pure; header-only (the static emitter uses it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace leakbench::workload {

inline constexpr std::string_view kPadding = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:/+";

// Appends the line (without its newline) to *out; `bytes` below the stamp's
// own length gives just the stamp.
inline void RenderStampedLine(std::string_view cid12, std::uint64_t seq, bool stderr_stream, std::size_t bytes,
                              std::string* out) {
  const std::size_t start = out->size();
  out->append("cid=").append(cid12).append(" seq=").append(std::to_string(seq));
  out->append(stderr_stream ? " stream=stderr " : " stream=stdout ");
  const std::size_t written = out->size() - start;
  if (bytes <= written) return;
  std::size_t pad = bytes - written;
  std::size_t offset = seq % kPadding.size();
  while (pad > 0) {
    const std::size_t n = std::min(pad, kPadding.size() - offset);
    out->append(kPadding.substr(offset, n));
    pad -= n;
    offset = 0;
  }
}

}  // namespace leakbench::workload
