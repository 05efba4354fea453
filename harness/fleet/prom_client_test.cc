// RunRangeQueries against a scripted HTTP server on 127.0.0.1: chunks
// joined, 5xx and timeouts retried with backoff (the sleep recorded, not
// waited), 4xx / sample limits / bad JSON / refused credentials end the call
// with Prometheus's text and what to do, credentials sent as configured.
#include "harness/fleet/prom_client.h"

#include <curl/curl.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "harness/fleet/testing/scripted_http_server.h"

namespace prom_client_test {

using leakbench::harness::PromClientOptions;
using leakbench::harness::PromError;
using leakbench::harness::PromQueryError;
using leakbench::harness::RangeQuery;
using leakbench::harness::RunRangeQueries;
using leakbench::harness::SplitRange;
using leakbench::harness::TimeRange;
using leakbench::harness::testing::ScriptedHttpServer;
using Reply = ScriptedHttpServer::Reply;

struct CurlGlobal : ::testing::Environment {
  void SetUp() override { curl_global_init(CURL_GLOBAL_DEFAULT); }
  void TearDown() override { curl_global_cleanup(); }
};
const auto* const kCurl = ::testing::AddGlobalTestEnvironment(new CurlGlobal);

std::string Matrix(const std::string& instance, double from, double to, double step, double value) {
  std::string values;
  for (double t = from; t <= to + 1e-9; t += step) {
    if (!values.empty()) values += ",";
    values += "[" + std::to_string(t) + ",\"" + std::to_string(value) + "\"]";
  }
  return R"({"status":"success","data":{"resultType":"matrix","result":[{"metric":{"instance":")" + instance +
         R"("},"values":[)" + values + "]}]}}";
}

struct Recorder {
  std::vector<std::chrono::nanoseconds> sleeps;
};

PromClientOptions Options(const ScriptedHttpServer& server, Recorder& rec) {
  PromClientOptions o;
  o.url = server.url() + "/";
  o.concurrency = 1;
  o.max_attempts = 3;
  o.timeout = std::chrono::seconds(5);
  o.sleep = [&rec](std::chrono::nanoseconds d) { rec.sleeps.push_back(d); };
  return o;
}

const RangeQuery kThreads{"threads", R"(sum by (instance) (log_capturer_process_threads{job="x"}))"};

TEST(SplitRangeTest, ChunksAreDisjointOnTheStepGridAndCoverTheRange) {
  const auto chunks = SplitRange({1000, 1000 + 3600 * 6, 15}, 3600);
  ASSERT_EQ(chunks.size(), 7u);  // 1441 points, 240 a chunk
  EXPECT_DOUBLE_EQ(chunks[0].start, 1000);
  EXPECT_DOUBLE_EQ(chunks[0].end, 1000 + 239 * 15);
  EXPECT_DOUBLE_EQ(chunks[1].start, 1000 + 240 * 15);
  EXPECT_DOUBLE_EQ(chunks.back().end, 1000 + 3600 * 6);
  for (std::size_t i = 1; i < chunks.size(); ++i) EXPECT_DOUBLE_EQ(chunks[i].start, chunks[i - 1].end + 15);
  // Never more than 11,000 points a series in one request.
  const auto big = SplitRange({0, 86400.0 * 30, 1}, 86400.0 * 30);
  for (const auto& c : big) EXPECT_LE((c.end - c.start) / c.step + 1, 11000.0);
  EXPECT_THROW(SplitRange({10, 0, 15}, 3600), std::invalid_argument);
}

TEST(PromClientTest, JoinsChunksOfOneSeriesAndPostsTheQuery) {
  ScriptedHttpServer server({{200, Matrix("a:1", 0, 40, 10, 7)}, {200, Matrix("a:1", 50, 90, 10, 8)}});
  Recorder rec;
  PromClientOptions o = Options(server, rec);
  o.chunk_s = 50;
  leakbench::harness::PromQueryStats stats;
  const auto result = RunRangeQueries(o, {kThreads}, {0, 90, 10}, &stats);
  ASSERT_EQ(result.size(), 1u);
  ASSERT_EQ(result[0].size(), 1u);
  EXPECT_EQ(result[0][0].labels.at("instance"), "a:1");
  ASSERT_EQ(result[0][0].points.size(), 10u);
  EXPECT_DOUBLE_EQ(result[0][0].points[4].y, 7);
  EXPECT_DOUBLE_EQ(result[0][0].points[5].t, 50);
  EXPECT_DOUBLE_EQ(result[0][0].points[5].y, 8);
  EXPECT_EQ(stats.requests, 2u);
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_NE(requests[0].head.find("POST /api/v1/query_range "), std::string::npos) << requests[0].head;
  EXPECT_NE(requests[0].body.find("query=sum%20by%20%28instance%29"), std::string::npos) << requests[0].body;
  EXPECT_NE(requests[0].body.find("start=0.000&end=40.000&step=10.000"), std::string::npos) << requests[0].body;
  EXPECT_NE(requests[1].body.find("start=50.000&end=90.000"), std::string::npos) << requests[1].body;
}

TEST(PromClientTest, RetriesA5xxWithBackoffThenSucceeds) {
  ScriptedHttpServer server({{503, "upstream busy"}, {500, R"({"status":"error","errorType":"internal","error":"boom"})"},
                             {200, Matrix("a:1", 0, 20, 10, 1)}});
  Recorder rec;
  const auto result = RunRangeQueries(Options(server, rec), {kThreads}, {0, 20, 10});
  ASSERT_EQ(result[0].size(), 1u);
  EXPECT_EQ(result[0][0].points.size(), 3u);
  EXPECT_EQ(server.requests().size(), 3u);
  ASSERT_EQ(rec.sleeps.size(), 2u);  // one backoff before each retry
  for (auto d : rec.sleeps) {
    EXPECT_GE(d, std::chrono::milliseconds(100));
    EXPECT_LE(d, std::chrono::seconds(10));
  }
}

TEST(PromClientTest, GivesUpAfterTheLastAttemptAndSaysWhere) {
  ScriptedHttpServer server({{503, R"({"status":"error","errorType":"unavailable","error":"overloaded"})"}});
  Recorder rec;
  try {
    RunRangeQueries(Options(server, rec), {kThreads}, {0, 20, 10});
    FAIL() << "no error";
  } catch (const PromQueryError& e) {
    EXPECT_EQ(e.error().kind, PromError::Kind::kServer);
    const std::string what = e.what();
    EXPECT_NE(what.find("overloaded"), std::string::npos) << what;
    EXPECT_NE(what.find("3 attempts"), std::string::npos) << what;
    EXPECT_NE(what.find("threads"), std::string::npos) << what;
  }
  EXPECT_EQ(server.requests().size(), 3u);
  EXPECT_EQ(rec.sleeps.size(), 2u);
}

TEST(PromClientTest, RetriesATimeout) {
  ScriptedHttpServer server({{200, "", true}, {200, Matrix("a:1", 0, 20, 10, 1)}});
  Recorder rec;
  PromClientOptions o = Options(server, rec);
  o.timeout = std::chrono::milliseconds(300);
  const auto result = RunRangeQueries(o, {kThreads}, {0, 20, 10});
  EXPECT_EQ(result[0].size(), 1u);
  EXPECT_EQ(server.requests().size(), 2u);
  EXPECT_EQ(rec.sleeps.size(), 1u);
}

TEST(PromClientTest, A4xxIsNotRetriedAndShowsPrometheusErrorText) {
  ScriptedHttpServer server(
      {{400, R"({"status":"error","errorType":"bad_data","error":"1:30: parse error: unexpected character: '!'"})"}});
  Recorder rec;
  try {
    RunRangeQueries(Options(server, rec), {kThreads}, {0, 20, 10});
    FAIL() << "no error";
  } catch (const PromQueryError& e) {
    EXPECT_EQ(e.error().kind, PromError::Kind::kBadQuery);
    const std::string what = e.what();
    EXPECT_NE(what.find("parse error: unexpected character: '!'"), std::string::npos) << what;
    EXPECT_NE(what.find("HTTP 400"), std::string::npos) << what;
    EXPECT_NE(what.find("--selector"), std::string::npos) << what;
  }
  EXPECT_EQ(server.requests().size(), 1u);
  EXPECT_TRUE(rec.sleeps.empty());
}

TEST(PromClientTest, ASampleLimitSaysHowToAskForLess) {
  ScriptedHttpServer server({{422, R"({"status":"error","errorType":"execution","error":"query processing would load too many samples into memory in query execution"})"}});
  Recorder rec;
  try {
    RunRangeQueries(Options(server, rec), {kThreads}, {0, 20, 10});
    FAIL() << "no error";
  } catch (const PromQueryError& e) {
    EXPECT_EQ(e.error().kind, PromError::Kind::kSampleLimit);
    const std::string what = e.what();
    EXPECT_NE(what.find("too many samples"), std::string::npos) << what;
    EXPECT_NE(what.find("--chunk"), std::string::npos) << what;
  }
  EXPECT_EQ(server.requests().size(), 1u);
}

TEST(PromClientTest, BadJsonIsAClearErrorNotACrash) {
  for (const std::string& body :
       {std::string("<html>not prometheus</html>"),
        std::string(R"({"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"2"])"),
        std::string(R"({"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,{}]]}]}})"),
        std::string(R"({"status":"success","data":{"resultType":"vector","result":[]}})"),
        std::string(R"({"status":"success","data":{"resultType":"matrix","result":[{"metric":{"a":1},"values":[]}]}})")}) {
    ScriptedHttpServer server({{200, body}});
    Recorder rec;
    try {
      RunRangeQueries(Options(server, rec), {kThreads}, {0, 20, 10});
      FAIL() << "no error for " << body;
    } catch (const PromQueryError& e) {
      EXPECT_EQ(e.error().kind, PromError::Kind::kBadAnswer) << e.what();
      EXPECT_NE(std::string(e.what()).find("Prometheus HTTP API"), std::string::npos) << e.what();
    }
    EXPECT_EQ(server.requests().size(), 1u) << body;
  }
}

TEST(PromClientTest, RefusedCredentialsSayHowToGiveThem) {
  ScriptedHttpServer server({{401, "Unauthorized"}});
  Recorder rec;
  try {
    RunRangeQueries(Options(server, rec), {kThreads}, {0, 20, 10});
    FAIL() << "no error";
  } catch (const PromQueryError& e) {
    EXPECT_EQ(e.error().kind, PromError::Kind::kUnauthorized);
    EXPECT_NE(std::string(e.what()).find("--bearer-token-file"), std::string::npos) << e.what();
  }
}

TEST(PromClientTest, SendsBearerAndBasicCredentials) {
  {
    ScriptedHttpServer server({{200, Matrix("a:1", 0, 0, 10, 1)}});
    Recorder rec;
    PromClientOptions o = Options(server, rec);
    o.auth = {leakbench::harness::PromAuth::Kind::kBearer, "s3cret", "test"};
    RunRangeQueries(o, {kThreads}, {0, 0, 10});
    EXPECT_NE(server.requests().at(0).head.find("Authorization: Bearer s3cret"), std::string::npos);
  }
  {
    ScriptedHttpServer server({{200, Matrix("a:1", 0, 0, 10, 1)}});
    Recorder rec;
    PromClientOptions o = Options(server, rec);
    o.auth = {leakbench::harness::PromAuth::Kind::kBasic, "user:pw", "test"};
    RunRangeQueries(o, {kThreads}, {0, 0, 10});
    EXPECT_NE(server.requests().at(0).head.find("Authorization: Basic dXNlcjpwdw=="), std::string::npos);
  }
}

TEST(PromClientTest, ManyChunksWithConcurrencyAllArrive) {
  ScriptedHttpServer server({{200, Matrix("a:1", 0, 0, 10, 1)}});
  Recorder rec;
  PromClientOptions o = Options(server, rec);
  o.concurrency = 4;
  o.chunk_s = 10;  // one point a chunk: 20 chunks a query
  leakbench::harness::PromQueryStats stats;
  const auto result = RunRangeQueries(o, {kThreads, {"fds", "up"}}, {0, 190, 10}, &stats);
  ASSERT_EQ(result.size(), 2u);
  EXPECT_EQ(stats.chunks, 20u);
  EXPECT_EQ(stats.requests, 40u);
  EXPECT_EQ(server.requests().size(), 40u);
  EXPECT_EQ(result[1][0].points.size(), 20u);  // the stub answers t=0 each time; joined all the same
}

}  // namespace prom_client_test
