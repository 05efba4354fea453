// FixMallocThresholds: a large block freed does not raise glibc's mmap
// threshold, so the next large block is mmapped again (and unmapped when
// freed) instead of staying in an arena. Counted with mallinfo2().hblks
// (mmapped blocks in use), not with RSS.
#include "core/metrics/malloc_policy.h"

#include <gtest/gtest.h>
#include <malloc.h>

#include <cstdlib>
#include <cstring>

namespace logcap {
namespace malloc_policy_test {

// Mmapped blocks in use while a block of `bytes` is held.
std::size_t MmappedWhileHolding(std::size_t bytes) {
  void* volatile block = std::malloc(bytes);
  std::memset(block, 1, 64);
  const std::size_t mmapped = mallinfo2().hblks;
  std::free(block);
  return mmapped;
}

// Sanitizers replace malloc: glibc's thresholds and counters do not apply.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kGlibcMalloc = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
constexpr bool kGlibcMalloc = false;
#else
constexpr bool kGlibcMalloc = true;
#endif
#else
constexpr bool kGlibcMalloc = true;
#endif

TEST(MallocPolicyTest, LargeBlocksStayMmappedAfterOneIsFreed) {
  if (!kGlibcMalloc) GTEST_SKIP() << "a sanitizer's allocator replaces glibc malloc in this build";
  ASSERT_TRUE(FixMallocThresholds());
  const std::size_t base = mallinfo2().hblks;
  // 4 MiB, like a scrape's text: by default freeing the first raises the
  // threshold to 4 MiB and the second comes from the arena (hblks stays).
  EXPECT_EQ(MmappedWhileHolding(4 << 20), base + 1);
  EXPECT_EQ(MmappedWhileHolding(4 << 20), base + 1);
  // 1 MiB: by default it would now come from the arena (the threshold rose
  // to 4 MiB). Not a block of exactly kMallocThresholdBytes: mmap is only
  // tried when the arena's free top cannot hold the block, and whether a
  // 128 KiB top is free depends on what ran before in this process (it
  // failed that way once in CI).
  EXPECT_EQ(MmappedWhileHolding(1 << 20), base + 1);
  EXPECT_EQ(mallinfo2().hblks, base);
}

}  // namespace malloc_policy_test
}  // namespace logcap
