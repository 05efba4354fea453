// IsContainerId accepts only what dockerd gives as ids; EncodePathSegment
// keeps any daemon text inside one path segment of a request URL.
#include "core/docker/request_path.h"

#include <gtest/gtest.h>

#include <string>

namespace logcap {
namespace {

constexpr char kFullId[] = "b27885755ff655d96053da963c1ac5d1599bd11e24cd784f5e215f898430f6a6";

TEST(RequestPathTest, ContainerIdsOfDockersForm) {
  EXPECT_TRUE(IsContainerId(kFullId));
  EXPECT_TRUE(IsContainerId("b27885755ff6"));  // a 12-digit prefix
  EXPECT_TRUE(IsContainerId(std::string(kFullId).substr(0, 40)));
}

TEST(RequestPathTest, AnythingElseIsNotAContainerId) {
  for (const std::string& id :
       {std::string(""), std::string("b27885755ff"), std::string(kFullId) + "0", std::string("B27885755FF6"),
        std::string("b27885755ff6/../../x"), std::string("../../../../etc"), std::string("b27885755ff6?all=1"),
        std::string("b27885755ff6#x"), std::string("b27885755ff6\r\nX-Evil: 1"), std::string("b27885755ff6 "),
        std::string("b27885755ff6%2F"), std::string("g27885755ff6"), std::string("b27885755ff6\0", 13)}) {
    SCOPED_TRACE(id);
    EXPECT_FALSE(IsContainerId(id));
  }
}

TEST(RequestPathTest, EncodePathSegmentKeepsOneSegment) {
  EXPECT_EQ(EncodePathSegment(kFullId), kFullId);
  EXPECT_EQ(EncodePathSegment("a-b.c_d~e"), "a-b.c_d~e");
  EXPECT_EQ(EncodePathSegment("../x"), "..%2Fx");
  EXPECT_EQ(EncodePathSegment(".."), "%2E%2E");
  EXPECT_EQ(EncodePathSegment("."), "%2E");
  EXPECT_EQ(EncodePathSegment("a?b#c%d"), "a%3Fb%23c%25d");
  EXPECT_EQ(EncodePathSegment("x\r\nHost: evil"), "x%0D%0AHost%3A%20evil");
  EXPECT_EQ(EncodePathSegment(std::string("\0\xff", 2)), "%00%FF");
  EXPECT_EQ(EncodePathSegment("1795878342.000000001"), "1795878342.000000001");
  EXPECT_EQ(EncodePathSegment(""), "");
}

TEST(RequestPathTest, EncodedSegmentsHoldOnlyUrlSafeCharacters) {
  std::string all;
  for (int c = 0; c < 256; ++c) all.push_back(static_cast<char>(c));
  for (char c : EncodePathSegment(all)) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                    c == '.' || c == '_' || c == '~' || c == '%';
    EXPECT_TRUE(ok) << static_cast<int>(static_cast<unsigned char>(c));
  }
}

}  // namespace
}  // namespace logcap
