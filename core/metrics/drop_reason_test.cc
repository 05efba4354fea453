// DropReason's label values, pinned one by one: the soak dashboards and
// alerts match these exact strings.
#include "core/metrics/drop_reason.h"

#include <gtest/gtest.h>

#include <iterator>
#include <string_view>
#include <utility>

namespace logcap {
namespace drop_reason_test {

TEST(DropReasonTest, LabelValuesArePinned) {
  const std::pair<DropReason, std::string_view> expected[] = {
      {DropReason::kReplayed, "replayed"}, {DropReason::kTruncated, "truncated"},
      {DropReason::kSplit, "split"},       {DropReason::kMalformed, "malformed"},
      {DropReason::kOther, "other"},
  };
  ASSERT_EQ(std::size(expected), kAllDropReasons.size());
  for (std::size_t i = 0; i < kAllDropReasons.size(); ++i) {
    EXPECT_EQ(kAllDropReasons[i], expected[i].first) << i;
    EXPECT_EQ(ToString(expected[i].first), expected[i].second) << i;
  }
}

}  // namespace drop_reason_test
}  // namespace logcap
