// StreamReader's hot path allocates nothing per line once the stream is
// warm: its queue is a ring of slots whose texts keep their buffers, so a
// read of many whole lines is decoded, queued and popped without a call to
// operator new. Counted by replacing the global operator new in this test
// binary (a thread-local count, so other threads do not disturb it); not
// under the sanitizers, whose allocators must not be replaced.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <new>
#include <string>
#include <string_view>

#include "common/rfc3339_nano.h"
#include "core/engine/stream_reader.h"
#include "core/position/position.h"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define LOGCAP_COUNT_ALLOCATIONS 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define LOGCAP_COUNT_ALLOCATIONS 0
#else
#define LOGCAP_COUNT_ALLOCATIONS 1
#endif
#else
#define LOGCAP_COUNT_ALLOCATIONS 1
#endif

#if LOGCAP_COUNT_ALLOCATIONS
namespace {
thread_local std::uint64_t g_allocations = 0;
void* CountedAlloc(std::size_t n) {
  ++g_allocations;
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
}  // namespace
void* operator new(std::size_t n) { return CountedAlloc(n); }
void* operator new[](std::size_t n) { return CountedAlloc(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  ++g_allocations;
  return std::malloc(n == 0 ? 1 : n);
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
  ++g_allocations;
  return std::malloc(n == 0 ? 1 : n);
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
#endif

namespace logcap::stream_reader_alloc_test {

// `n` whole stdout/stderr lines of `bytes` bytes as multiplexed frames.
std::string Body(std::int64_t first_ts, int n, std::size_t bytes) {
  std::string body;
  for (int i = 0; i < n; ++i) {
    const std::string payload =
        leakbench::FormatRfc3339Nano(first_ts + i) + " " + std::string(bytes, 'a' + i % 26) + "\n";
    const auto len = static_cast<std::uint32_t>(payload.size());
    const char header[8] = {static_cast<char>(i % 5 == 0 ? 2 : 1), 0, 0, 0,
                            static_cast<char>(len >> 24), static_cast<char>(len >> 16),
                            static_cast<char>(len >> 8), static_cast<char>(len)};
    body.append(header, sizeof header);
    body += payload;
  }
  return body;
}

TEST(StreamReaderAllocTest, AWarmReaderAllocatesNothingPerLine) {
#if !LOGCAP_COUNT_ALLOCATIONS
  GTEST_SKIP() << "allocations are not counted under a sanitizer";
#else
  constexpr std::int64_t kTs = 1'795'878'188'776'043'549;
  constexpr int kLines = 200;
  StreamReader reader(StreamReaderOptions{}, Position{});
  std::uint64_t bytes = 0;
  const auto read_all = [&](const std::string& body) {
    ASSERT_TRUE(reader.Feed(body).ok());
    ASSERT_EQ(reader.ReadyCount(), static_cast<std::size_t>(kLines));
    while (reader.HasReady()) {
      bytes += reader.Front().text.size();
      reader.PopFront();
    }
  };
  // Two reads warm it up (the ring and its texts grow to size).
  read_all(Body(kTs, kLines, 100));
  read_all(Body(kTs + kLines, kLines, 100));
  const std::string body = Body(kTs + 2 * kLines, kLines, 100);
  const std::uint64_t before = g_allocations;
  read_all(body);
  EXPECT_EQ(g_allocations - before, 0u) << "allocations for " << kLines << " lines";
  EXPECT_EQ(bytes, 3u * kLines * 100);
#endif
}

}  // namespace logcap::stream_reader_alloc_test
