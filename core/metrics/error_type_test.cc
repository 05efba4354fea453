// ErrorType's label values, pinned one by one: the soak dashboards and
// alerts match these exact strings.
#include "core/metrics/error_type.h"

#include <gtest/gtest.h>

#include <iterator>
#include <string_view>
#include <utility>

namespace logcap {
namespace {

TEST(ErrorTypeTest, LabelValuesArePinned) {
  const std::pair<ErrorType, std::string_view> expected[] = {
      {ErrorType::kHttp5xx, "http_5xx"},   {ErrorType::kHttp4xx, "http_4xx"},
      {ErrorType::kConnect, "connect"},    {ErrorType::kReset, "reset"},
      {ErrorType::kTimeout, "timeout"},    {ErrorType::kDecode, "decode"},
      {ErrorType::kStall, "stall"},        {ErrorType::kNotFound, "not_found"},
      {ErrorType::kConflict, "conflict"},  {ErrorType::kEvents, "events"},
      {ErrorType::kSink, "sink"},          {ErrorType::kInspect, "inspect"},
      {ErrorType::kDaemonError, "daemon_error"}, {ErrorType::kStateFile, "state_file"},
      {ErrorType::kOther, "other"},
  };
  ASSERT_EQ(std::size(expected), kAllErrorTypes.size());
  for (std::size_t i = 0; i < kAllErrorTypes.size(); ++i) {
    EXPECT_EQ(kAllErrorTypes[i], expected[i].first) << i;
    EXPECT_EQ(ToString(expected[i].first), expected[i].second) << i;
  }
}

}  // namespace
}  // namespace logcap
