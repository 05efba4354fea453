#include "core/sink/loki_sink.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <curl/curl.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <ctime>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "common/unique_fd.h"
#include "core/sink/loki_response.h"
#include "core/sink/sink_test_util.h"

namespace logcap {
namespace {

using leakbench::UniqueFd;
using std::chrono::milliseconds;
using testing_util::Record;
using testing_util::WaitUntil;

// curl_global_init once for the whole binary (main does it in the daemon).
struct CurlGlobal {
  CurlGlobal() { curl_global_init(CURL_GLOBAL_DEFAULT); }
  ~CurlGlobal() { curl_global_cleanup(); }
  CurlGlobal(const CurlGlobal&) = delete;
  CurlGlobal& operator=(const CurlGlobal&) = delete;
};
const CurlGlobal kCurlGlobal;

struct Request {
  std::string head;  // request line and headers
  std::string body;
  int status = 0;    // what the fake answered
  std::chrono::steady_clock::time_point arrived;  // when the body was read
};

// What the fake answers the n-th request (0-based): an HTTP status, or 0 to
// never answer (the connection hangs until the fake stops).
using Responder = std::function<int(int index)>;
// Extra response header lines for the n-th request ("Retry-After: 1\r\n").
using HeaderFn = std::function<std::string(int index)>;

// A minimal Loki on 127.0.0.1 (ephemeral port): one thread accepts one
// connection at a time, reads one request (Content-Length body), records it
// and answers with `Connection: close`. Stopped and joined by the destructor.
class FakeLoki {
 public:
  explicit FakeLoki(Responder responder, HeaderFn headers = nullptr)
      : responder_(std::move(responder)), headers_(std::move(headers)) {
    listen_.Reset(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in addr = {};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    EXPECT_EQ(::bind(listen_.get(), reinterpret_cast<sockaddr*>(&addr), len), 0);
    EXPECT_EQ(::listen(listen_.get(), 16), 0);
    EXPECT_EQ(::getsockname(listen_.get(), reinterpret_cast<sockaddr*>(&addr), &len), 0);
    port_ = ntohs(addr.sin_port);
    stop_.Reset(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    thread_ = std::thread([this] { Serve(); });
  }
  ~FakeLoki() {
    const std::uint64_t one = 1;
    [[maybe_unused]] const ssize_t n = ::write(stop_.get(), &one, sizeof one);
    thread_.join();
  }
  FakeLoki(const FakeLoki&) = delete;
  FakeLoki& operator=(const FakeLoki&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  bool WaitForRequests(std::size_t n, milliseconds timeout = milliseconds(5000)) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return requests_.size() >= n; });
  }
  std::vector<Request> requests() {
    std::lock_guard lock(mu_);
    return requests_;
  }

 private:
  // Waits for `fd` to be readable; false when stopping.
  bool WaitReadable(int fd) {
    pollfd fds[2] = {{fd, POLLIN, 0}, {stop_.get(), POLLIN, 0}};
    return ::poll(fds, 2, -1) > 0 && fds[1].revents == 0;
  }

  void Serve() {
    while (WaitReadable(listen_.get())) {
      UniqueFd conn(::accept4(listen_.get(), nullptr, nullptr, SOCK_CLOEXEC));
      if (!conn.valid()) continue;
      Request request;
      if (!ReadRequest(conn.get(), &request)) continue;
      request.arrived = std::chrono::steady_clock::now();
      int index = 0;
      {
        std::lock_guard lock(mu_);
        index = static_cast<int>(requests_.size());
      }
      request.status = responder_(index);
      {
        std::lock_guard lock(mu_);
        requests_.push_back(request);
        cv_.notify_all();
      }
      if (request.status == 0) {
        WaitReadable(stop_.get());  // hang until stopped
        return;
      }
      const std::string reply_body = request.status >= 300 ? "fake loki says no" : "";
      const std::string reply = "HTTP/1.1 " + std::to_string(request.status) + " X\r\n" +
                                (headers_ ? headers_(index) : std::string()) +
                                "Content-Length: " + std::to_string(reply_body.size()) +
                                "\r\nConnection: close\r\n\r\n" + reply_body;
      [[maybe_unused]] const ssize_t n = ::send(conn.get(), reply.data(), reply.size(), MSG_NOSIGNAL);
    }
  }

  bool ReadRequest(int fd, Request* request) {
    std::string data;
    std::size_t body_at = std::string::npos, length = 0;
    char buf[65536];
    while (body_at == std::string::npos || data.size() < body_at + length) {
      if (!WaitReadable(fd)) return false;
      const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) return false;
      data.append(buf, static_cast<std::size_t>(n));
      const std::size_t end = data.find("\r\n\r\n");
      if (body_at == std::string::npos && end != std::string::npos) {
        body_at = end + 4;
        request->head = data.substr(0, end);
        std::string lower = request->head;
        for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        const std::size_t at = lower.find("content-length:");
        if (at != std::string::npos) length = std::stoul(lower.substr(at + 15));
      }
    }
    request->body = data.substr(body_at, length);
    return true;
  }

  const Responder responder_;
  const HeaderFn headers_;
  UniqueFd listen_;
  UniqueFd stop_;
  int port_ = 0;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Request> requests_;
  std::thread thread_;
};

// Routes spdlog's default logger into a string while alive (the sink logs
// through it from its writer thread).
class LogCapture {
 public:
  LogCapture() : previous_(spdlog::default_logger()) {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(stream_);
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("capture", std::move(sink)));
  }
  ~LogCapture() { spdlog::set_default_logger(previous_); }
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;

  std::string text() {
    spdlog::default_logger()->flush();
    return stream_.str();
  }

 private:
  std::ostringstream stream_;
  std::shared_ptr<spdlog::logger> previous_;
};

LokiOptions FastRetries() {
  LokiOptions options;
  options.retry_base = milliseconds(1);
  options.retry_cap = milliseconds(5);
  options.jitter_seed = 1;
  return options;
}

SinkConfig LokiConfig(const std::string& url) {
  SinkConfig config;
  config.kind = SinkKind::kLoki;
  config.url = url;
  config.batch_wait = std::chrono::seconds(10);  // tests flush with Close unless they say so
  return config;
}

// The lines of every value of every stream, in body order, as
// "container_name/stream:line".
std::vector<std::string> Values(const std::string& body) {
  std::vector<std::string> out;
  const nlohmann::json parsed = nlohmann::json::parse(body);
  for (const auto& stream : parsed["streams"]) {
    const std::string prefix = stream["stream"]["container_name"].get<std::string>() + "/" +
                               stream["stream"]["stream"].get<std::string>() + ":";
    for (const auto& value : stream["values"]) out.push_back(prefix + value[1].get<std::string>());
  }
  return out;
}

std::vector<std::string> AcceptedValues(const std::vector<Request>& requests) {
  std::vector<std::string> out;
  for (const Request& r : requests) {
    if (r.status / 100 != 2) continue;
    for (std::string& v : Values(r.body)) out.push_back(std::move(v));
  }
  return out;
}

TEST(LokiSinkTest, SeveralRecordsMakeOnePush) {
  FakeLoki loki([](int) { return 204; });
  SinkConfig config = LokiConfig(loki.url() + "/");
  auto sink = MakeLokiSink(config, FastRetries());
  EXPECT_EQ(sink->description(), "loki:" + loki.url() + "/");
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(sink->TryWrite(Record("web", "line " + std::to_string(i), 1000 + i)));
  EXPECT_TRUE(sink->Close(milliseconds(5000)));
  const std::vector<Request> requests = loki.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_TRUE(requests[0].head.starts_with("POST /loki/api/v1/push HTTP/1.1\r\n")) << requests[0].head;
  EXPECT_NE(requests[0].head.find("Content-Type: application/json"), std::string::npos);
  const nlohmann::json body = nlohmann::json::parse(requests[0].body);
  ASSERT_EQ(body["streams"].size(), 1u);
  EXPECT_EQ(body["streams"][0]["stream"],
            (nlohmann::json{{"job", "log-capturer"}, {"container_name", "web"}, {"stream", "stdout"}}));
  const auto& values = body["streams"][0]["values"];
  ASSERT_EQ(values.size(), 5u);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(values[i], (nlohmann::json{std::to_string(1000 + i), "line " + std::to_string(i)}));
  }
  const SinkStats stats = sink->stats();
  EXPECT_EQ(stats.records_written, 5u);
  EXPECT_EQ(stats.bytes_written, requests[0].body.size());
  EXPECT_EQ(stats.write_errors, 0u);
}

TEST(LokiSinkTest, GroupsByContainerAndStreamWithTheConfiguredLabels) {
  FakeLoki loki([](int) { return 204; });
  SinkConfig config = LokiConfig(loki.url());
  config.loki_labels = {{"job", "test"}, {"env", "ci \"quoted\""}, {"stream", "ignored"}};
  auto sink = MakeLokiSink(config, FastRetries());
  ASSERT_TRUE(sink->TryWrite(Record("a", "1", 1)));
  ASSERT_TRUE(sink->TryWrite(Record("b", "2", 2)));
  ASSERT_TRUE(sink->TryWrite(Record("a", "3", 3, RecordStream::kStderr)));
  ASSERT_TRUE(sink->TryWrite(Record("a", "4", 4)));
  ASSERT_TRUE(sink->TryWrite(Record("b", "5", 5)));
  ASSERT_TRUE(sink->Close(milliseconds(5000)));
  ASSERT_EQ(loki.requests().size(), 1u);
  const nlohmann::json body = nlohmann::json::parse(loki.requests()[0].body);
  ASSERT_EQ(body["streams"].size(), 3u);
  const auto labels = [](const char* name, const char* stream) {
    return nlohmann::json{{"job", "test"}, {"env", "ci \"quoted\""}, {"container_name", name}, {"stream", stream}};
  };
  EXPECT_EQ(body["streams"][0]["stream"], labels("a", "stdout"));
  EXPECT_EQ(body["streams"][1]["stream"], labels("b", "stdout"));
  EXPECT_EQ(body["streams"][2]["stream"], labels("a", "stderr"));
  EXPECT_EQ(body["streams"][0]["values"], nlohmann::json::parse(R"([["1","1"],["4","4"]])"));
  EXPECT_EQ(body["streams"][1]["values"], nlohmann::json::parse(R"([["2","2"],["5","5"]])"));
  EXPECT_EQ(body["streams"][2]["values"], nlohmann::json::parse(R"([["3","3"]])"));
}

TEST(LokiSinkTest, BatchWaitSendsWithoutClose) {
  FakeLoki loki([](int) { return 204; });
  SinkConfig config = LokiConfig(loki.url());
  config.batch_wait = milliseconds(30);
  auto sink = MakeLokiSink(config, FastRetries());
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(sink->TryWrite(Record("a", "x")));
  ASSERT_TRUE(loki.WaitForRequests(1));
  EXPECT_GE(std::chrono::steady_clock::now() - start, milliseconds(30));
  ASSERT_TRUE(WaitUntil([&] { return sink->stats().records_written == 3; }));
  EXPECT_EQ(Values(loki.requests()[0].body).size(), 3u);
}

TEST(LokiSinkTest, BatchBytesSplitsPushes) {
  FakeLoki loki([](int) { return 204; });
  SinkConfig config = LokiConfig(loki.url());
  config.batch_bytes = 400;
  auto sink = MakeLokiSink(config, FastRetries());
  std::vector<std::string> expected;
  for (int i = 0; i < 20; ++i) {
    const std::string line = std::string(80, 'a') + std::to_string(i);
    expected.push_back("c/stdout:" + line);
    ASSERT_TRUE(sink->TryWrite(Record("c", line, i)));
  }
  ASSERT_TRUE(sink->Close(milliseconds(5000)));
  const std::vector<Request> requests = loki.requests();
  EXPECT_GE(requests.size(), 5u);
  for (const Request& r : requests) EXPECT_LE(Values(r.body).size(), 4u);
  EXPECT_EQ(AcceptedValues(requests), expected);
}

TEST(LokiSinkTest, RetriesAfterServerErrorsWithoutLossOrDuplicates) {
  FakeLoki loki([](int index) { return index == 0 ? 500 : index == 1 ? 429 : index == 2 ? 503 : 204; });
  auto sink = MakeLokiSink(LokiConfig(loki.url()), FastRetries());
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(sink->TryWrite(Record("a", std::to_string(i), i)));
  EXPECT_TRUE(sink->Close(milliseconds(5000)));
  const std::vector<Request> requests = loki.requests();
  ASSERT_EQ(requests.size(), 4u);
  for (const Request& r : requests) EXPECT_EQ(r.body, requests[0].body);
  EXPECT_EQ(AcceptedValues(requests), (std::vector<std::string>{"a/stdout:0", "a/stdout:1", "a/stdout:2"}));
  const SinkStats stats = sink->stats();
  EXPECT_EQ(stats.write_errors, 3u);
  EXPECT_EQ(stats.records_written, 3u);
  EXPECT_EQ(stats.records_dropped, 0u);
}

TEST(LokiSinkTest, ABadRequestDropsTheBatchAndCountsIt) {
  FakeLoki loki([](int index) { return index == 0 ? 400 : 204; });
  SinkConfig config = LokiConfig(loki.url());
  config.batch_wait = milliseconds(200);  // both records go in the first batch
  config.on_reject = SinkRejectPolicy::kDrop;
  LogCapture log;
  auto sink = MakeLokiSink(config, FastRetries());
  ASSERT_TRUE(sink->TryWrite(Record("a", "rejected", 1'000'000'000)));
  ASSERT_TRUE(sink->TryWrite(Record("b", "rejected too", 2'500'000'000)));
  ASSERT_TRUE(WaitUntil([&] { return sink->stats().records_dropped == 2; }));
  EXPECT_EQ(sink->acknowledged(), 2u);  // settled: given up by the policy
  const std::string logged = log.text();
  EXPECT_NE(logged.find("a batch of 2 lines with HTTP 400; DROPPED them (sink.on_reject: drop), "
                        "first container a at 1970-01-01T00:00:01.000000000Z, last container b "
                        "at 1970-01-01T00:00:02.500000000Z"),
            std::string::npos)
      << logged;
  EXPECT_NE(logged.find("Loki said: fake loki says no"), std::string::npos) << logged;
  ASSERT_TRUE(sink->TryWrite(Record("a", "accepted")));
  EXPECT_FALSE(sink->Close(milliseconds(5000)));  // records were lost
  const SinkStats stats = sink->stats();
  EXPECT_EQ(stats.records_dropped, 2u);
  EXPECT_EQ(stats.records_written, 1u);
  EXPECT_EQ(stats.write_errors, 0u);
  EXPECT_EQ(sink->acknowledged(), 3u);
  EXPECT_EQ(AcceptedValues(loki.requests()), (std::vector<std::string>{"a/stdout:accepted"}));
}

TEST(LokiSinkTest, BodyIsValidJsonForAnyBytes) {
  FakeLoki loki([](int) { return 204; });
  auto sink = MakeLokiSink(LokiConfig(loki.url()), FastRetries());
  std::mt19937_64 rng(99);
  std::uniform_int_distribution<int> byte(0, 255), length(0, 40);
  std::vector<std::string> printable;  // lines that must come back unchanged
  for (int i = 0; i < 300; ++i) {
    std::string line;
    for (int n = length(rng); n > 0; --n) line += static_cast<char>(byte(rng));
    if (i % 3 == 0) line = "plain \"ascii\" \\ line " + std::to_string(i);
    ASSERT_TRUE(sink->TryWrite(Record(i % 2 ? "bad\xC0name" : "good", line, i)));
    if (i % 3 == 0) printable.push_back(line);
  }
  ASSERT_TRUE(sink->Close(milliseconds(5000)));
  std::vector<std::string> lines;
  for (const Request& r : loki.requests()) {
    nlohmann::json body;
    ASSERT_NO_THROW(body = nlohmann::json::parse(r.body));
    for (const auto& stream : body["streams"]) {
      for (const auto& value : stream["values"]) lines.push_back(value[1].get<std::string>());
    }
  }
  EXPECT_EQ(lines.size(), 300u);
  for (const std::string& line : printable) EXPECT_NE(std::find(lines.begin(), lines.end(), line), lines.end());
  EXPECT_GE(sink->stats().invalid_utf8, 150u);  // every "bad\xC0name" record at least
}

TEST(LokiSinkTest, ConnectionErrorsAreRetriedUntilTheCloseDeadline) {
  std::string url;
  {
    FakeLoki gone([](int) { return 204; });
    url = gone.url();
  }  // the port is closed now: connections are refused
  auto sink = MakeLokiSink(LokiConfig(url), FastRetries());
  ASSERT_TRUE(sink->TryWrite(Record("a", "1")));
  ASSERT_TRUE(sink->TryWrite(Record("a", "2")));
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(sink->Close(milliseconds(100)));
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(2000));
  const SinkStats stats = sink->stats();
  EXPECT_GE(stats.write_errors, 2u);
  EXPECT_EQ(stats.records_dropped, 2u);
  EXPECT_EQ(stats.records_written, 0u);
}

TEST(LokiSinkTest, CloseInterruptsAPushThatHangs) {
  FakeLoki loki([](int) { return 0; });
  SinkConfig config = LokiConfig(loki.url());
  config.batch_wait = milliseconds(0);
  auto sink = MakeLokiSink(config, FastRetries());
  ASSERT_TRUE(sink->TryWrite(Record("a", "never answered")));
  ASSERT_TRUE(loki.WaitForRequests(1));
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(sink->Close(milliseconds(50)));
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(900));
  EXPECT_EQ(sink->stats().records_dropped, 1u);
}

// While Loki fails, the buffer fills and TryWrite refuses; when Loki
// recovers, everything goes out once and the writable callback fires.
TEST(LokiSinkTest, BackpressureWhileLokiFailsThenRecovery) {
  std::atomic<bool> healthy{false};
  FakeLoki loki([&](int) { return healthy.load() ? 204 : 503; });
  SinkConfig config = LokiConfig(loki.url());
  config.buffer_bytes = 2048;
  config.batch_bytes = 512;
  config.batch_wait = milliseconds(0);
  auto sink = MakeLokiSink(config, FastRetries());
  std::atomic<int> callbacks{0};
  sink->SetWritableCallback([&] { ++callbacks; });
  std::vector<std::string> expected;
  for (int i = 0; i < 1000; ++i) {
    const std::string line = "line " + std::to_string(i) + std::string(40, '.');
    if (!sink->TryWrite(Record("a", line, i))) break;
    expected.push_back("a/stdout:" + line);
    ASSERT_LE(sink->stats().buffered_bytes, config.buffer_bytes);
  }
  ASSERT_LT(expected.size(), 1000u) << "never refused";
  ASSERT_TRUE(WaitUntil([&] { return sink->stats().write_errors >= 2; }));
  EXPECT_FALSE(sink->TryWrite(Record("a", "still refused")));
  EXPECT_EQ(callbacks.load(), 0);
  healthy = true;
  ASSERT_TRUE(WaitUntil([&] { return callbacks.load() == 1; }));
  ASSERT_TRUE(sink->Close(milliseconds(5000)));
  EXPECT_EQ(callbacks.load(), 1);
  EXPECT_EQ(AcceptedValues(loki.requests()), expected);
  EXPECT_EQ(sink->stats().records_dropped, 0u);
}

// A 4xx other than 408/429 under the default policy: the batch is kept,
// retried, and nothing is acknowledged until Loki takes it.
class LokiRejectTest : public ::testing::TestWithParam<int> {};

TEST_P(LokiRejectTest, RejectedBatchesAreRetriedAndNotAcknowledged) {
  constexpr int kRejections = 3;
  std::mutex mu;
  std::condition_variable cv;
  bool release = false, accepting = false;
  FakeLoki loki([&](int index) {
    if (index < kRejections) return GetParam();
    std::unique_lock lock(mu);
    accepting = true;
    cv.notify_all();
    cv.wait(lock, [&] { return release; });  // hold the 204 until the test looked
    return 204;
  });
  SinkConfig config = LokiConfig(loki.url());
  config.batch_wait = milliseconds(0);
  LogCapture log;
  auto sink = MakeLokiSink(config, FastRetries());
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(sink->TryWrite(Record("a", std::to_string(i), i)));
  {
    std::unique_lock lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, milliseconds(5000), [&] { return accepting; }));
  }
  SinkStats stats = sink->stats();
  EXPECT_EQ(sink->acknowledged(), 0u);
  EXPECT_EQ(stats.records_dropped, 0u);
  EXPECT_EQ(stats.records_written, 0u);
  EXPECT_EQ(stats.write_errors, static_cast<std::uint64_t>(kRejections));
  {
    std::lock_guard lock(mu);
    release = true;
    cv.notify_all();
  }
  ASSERT_TRUE(WaitUntil([&] { return sink->acknowledged() == 3; }));
  EXPECT_TRUE(sink->Close(milliseconds(5000)));
  const std::vector<Request> requests = loki.requests();
  // The writer may have sent the first record alone (batch_wait 0) and the
  // other two in a later batch: the rejected batch is what must come back
  // unchanged until Loki takes it, and every record once, in order.
  ASSERT_GE(requests.size(), static_cast<std::size_t>(kRejections + 1));
  ASSERT_LE(requests.size(), static_cast<std::size_t>(kRejections + 3));
  for (int i = 1; i <= kRejections; ++i) EXPECT_EQ(requests[i].body, requests[0].body) << "request " << i;
  EXPECT_EQ(AcceptedValues(requests), (std::vector<std::string>{"a/stdout:0", "a/stdout:1", "a/stdout:2"}));
  EXPECT_EQ(sink->stats().records_dropped, 0u);
  const std::string logged = log.text();
  EXPECT_NE(logged.find("with HTTP " + std::to_string(GetParam())), std::string::npos) << logged;
  EXPECT_NE(logged.find("The batch is kept and retried"), std::string::npos) << logged;
  EXPECT_NE(logged.find("Loki said: fake loki says no"), std::string::npos) << logged;
}

INSTANTIATE_TEST_SUITE_P(ClientErrors, LokiRejectTest, ::testing::Values(400, 401, 403, 404));

// Retry-After asks for more than the backoff (1-5 ms here) would wait.
void ExpectRetryAfterHonoured(int status, HeaderFn headers) {
  FakeLoki loki([status](int index) { return index == 0 ? status : 204; }, std::move(headers));
  SinkConfig config = LokiConfig(loki.url());
  config.batch_wait = milliseconds(0);
  auto sink = MakeLokiSink(config, FastRetries());
  ASSERT_TRUE(sink->TryWrite(Record("a", "later")));
  ASSERT_TRUE(loki.WaitForRequests(2, milliseconds(5000)));
  const std::vector<Request> requests = loki.requests();
  EXPECT_GE(requests[1].arrived - requests[0].arrived, milliseconds(900));
  ASSERT_TRUE(WaitUntil([&] { return sink->acknowledged() == 1; }));
  EXPECT_TRUE(sink->Close(milliseconds(5000)));
}

TEST(LokiSinkTest, RetryAfterInSecondsIsHonoured) {
  ExpectRetryAfterHonoured(429, [](int index) {
    return index == 0 ? std::string("Retry-After: 1\r\n") : std::string();
  });
}

TEST(LokiSinkTest, RetryAfterAsAnHttpDateIsHonoured) {
  ExpectRetryAfterHonoured(503, [](int index) {
    if (index != 0) return std::string();
    const std::time_t at = std::time(nullptr) + 2;  // 1-2 s from now, by whole seconds
    std::tm tm = {};
    gmtime_r(&at, &tm);
    char date[64];
    std::strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    return "Retry-After: " + std::string(date) + "\r\n";
  });
}

TEST(LokiResponseTest, ClassifiesStatuses) {
  for (const long ok : {200L, 204L}) EXPECT_EQ(ClassifyLokiStatus(ok), LokiVerdict::kAccepted);
  for (const long retry : {408L, 429L, 500L, 502L, 503L, 504L}) {
    EXPECT_EQ(ClassifyLokiStatus(retry), LokiVerdict::kRetry) << retry;
  }
  for (const long rejected : {301L, 400L, 401L, 403L, 404L, 413L}) {
    EXPECT_EQ(ClassifyLokiStatus(rejected), LokiVerdict::kRejected) << rejected;
  }
  EXPECT_NE(LokiRejectHint(404).find("sink.url"), std::string::npos);
  EXPECT_NE(LokiRejectHint(401).find("X-Scope-OrgID"), std::string::npos);
  EXPECT_EQ(LokiReplyExcerpt("no\norg id\n"), "no org id");
  EXPECT_EQ(LokiReplyExcerpt(std::string(300, 'x'), 10), "xxxxxxxxxx...");
  EXPECT_EQ(LokiReplyExcerpt(""), "(empty reply)");
}

}  // namespace
}  // namespace logcap
