// ParseMatrixAnswer: a matrix into series; NaN/Inf values dropped;
// Prometheus's error answers classified; anything else an error value.
#include "harness/fleet/prom_matrix.h"

#include <gtest/gtest.h>

#include <variant>

namespace prom_matrix_test {

using leakbench::harness::ParseMatrixAnswer;
using leakbench::harness::PromError;
using leakbench::harness::RangeSeries;

TEST(PromMatrixTest, ReadsSeriesAndDropsNonFiniteValues) {
  const auto r = ParseMatrixAnswer(
      200, R"({"status":"success","data":{"resultType":"matrix","result":[
        {"metric":{"instance":"h1:9464","job":"lc"},"values":[[10,"1"],[25,"NaN"],[40,"+Inf"],[55,"4.5e1"]]},
        {"metric":{"instance":"h2:9464"},"values":[[10,"2"]]}]}})");
  const auto& series = std::get<std::vector<RangeSeries>>(r);
  ASSERT_EQ(series.size(), 2u);
  EXPECT_EQ(series[0].labels.at("job"), "lc");
  ASSERT_EQ(series[0].points.size(), 2u);
  EXPECT_DOUBLE_EQ(series[0].points[1].t, 55);
  EXPECT_DOUBLE_EQ(series[0].points[1].y, 45);
  EXPECT_EQ(leakbench::harness::LabelsText(series[0].labels), R"({instance="h1:9464", job="lc"})");
}

TEST(PromMatrixTest, ClassifiesErrors) {
  auto kind = [](long status, const std::string& body) { return std::get<PromError>(ParseMatrixAnswer(status, body)).kind; };
  EXPECT_EQ(kind(400, R"({"status":"error","errorType":"bad_data","error":"invalid parameter \"query\""})"),
            PromError::Kind::kBadQuery);
  EXPECT_EQ(kind(422, R"({"status":"error","errorType":"execution","error":"query processing would load too many samples into memory in query execution"})"),
            PromError::Kind::kSampleLimit);
  EXPECT_EQ(kind(400, R"js({"status":"error","errorType":"bad_data","error":"exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)"})js"),
            PromError::Kind::kSampleLimit);
  EXPECT_EQ(kind(503, R"({"status":"error","errorType":"timeout","error":"query timed out"})"), PromError::Kind::kServer);
  EXPECT_EQ(kind(502, "<html>Bad Gateway</html>"), PromError::Kind::kServer);
  EXPECT_EQ(kind(429, "slow down"), PromError::Kind::kServer);
  EXPECT_EQ(kind(403, "forbidden"), PromError::Kind::kUnauthorized);
  EXPECT_EQ(kind(200, ""), PromError::Kind::kBadAnswer);
  EXPECT_EQ(kind(200, "[1,2]"), PromError::Kind::kBadAnswer);
  EXPECT_EQ(kind(200, R"({"status":"success"})"), PromError::Kind::kBadAnswer);
  EXPECT_EQ(kind(200, R"({"status":"success","data":{"resultType":"matrix","result":[{"values":[[1,"x"]]}]}})"),
            PromError::Kind::kBadAnswer);
  EXPECT_EQ(kind(200, R"({"status":"success","data":{"resultType":"matrix","result":[{"values":[["1","2"]]}]}})"),
            PromError::Kind::kBadAnswer);
  const PromError e = std::get<PromError>(
      ParseMatrixAnswer(400, R"({"status":"error","errorType":"bad_data","error":"unknown function \"foo\""})"));
  EXPECT_EQ(e.message, "bad_data: unknown function \"foo\"");
  EXPECT_EQ(e.status, 400);
}

}  // namespace prom_matrix_test
