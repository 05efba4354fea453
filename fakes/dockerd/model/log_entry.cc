#include "fakes/dockerd/model/log_entry.h"

#include <charconv>

namespace fakedocker {
namespace {

constexpr std::string_view kPadding =
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:/+";

std::string_view StreamName(StreamId s) { return s == StreamId::kStderr ? "stderr" : "stdout"; }

size_t Digits(uint64_t v) {
  size_t n = 1;
  while (v >= 10) {
    v /= 10;
    ++n;
  }
  return n;
}

}  // namespace

size_t MinimumLineBytes(uint64_t seq, StreamId stream) {
  // "cid=" 12 " seq=" digits " stream=" name " "
  return 4 + 12 + 5 + Digits(seq) + 8 + StreamName(stream).size() + 1;
}

void RenderLine(std::string_view cid12, const LogEntry& entry, std::string* out) {
  size_t start = out->size();
  out->append("cid=");
  out->append(cid12);
  out->append(" seq=");
  char num[24];
  auto [end, ec] = std::to_chars(num, num + sizeof num, entry.seq);
  (void)ec;
  out->append(num, end);
  out->append(" stream=");
  out->append(StreamName(entry.stream));
  out->push_back(' ');
  size_t written = out->size() - start;
  if (entry.bytes > written) {
    size_t pad = entry.bytes - written;
    size_t offset = entry.seq % kPadding.size();
    out->reserve(out->size() + pad);
    while (pad > 0) {
      size_t n = std::min(pad, kPadding.size() - offset);
      out->append(kPadding.substr(offset, n));
      pad -= n;
      offset = 0;
    }
  }
}

}  // namespace fakedocker
