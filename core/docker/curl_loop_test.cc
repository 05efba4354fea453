// CurlLoop against a tiny HTTP server written here (127.0.0.1, ephemeral
// port, its own threads, stopped and joined when the test ends): timers
// fire in order and CancelTimer works, Post from another thread runs on
// the loop thread, a GET collects its body, kPause then Resume delivers the
// same bytes again, Cancel drops a transfer without on_done, a refused
// connection is kTransport with connect_failed, an HTTP error keeps its
// body, Stop makes Run return. Every wait is bounded: a watchdog stops a
// loop that would otherwise run forever, and conditions are polled with a
// deadline.
#include "core/docker/curl_loop.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace logcap {
namespace {

using namespace std::chrono_literals;

class CurlEnvironment : public ::testing::Environment {
 public:
  void SetUp() override { ASSERT_EQ(curl_global_init(CURL_GLOBAL_DEFAULT), CURLE_OK); }
  void TearDown() override { curl_global_cleanup(); }
};

[[maybe_unused]] ::testing::Environment* const kCurlEnvironment =
    ::testing::AddGlobalTestEnvironment(new CurlEnvironment);

constexpr std::size_t kBigBody = 300'000;

std::string BigBody() {
  std::string body(kBigBody, '\0');
  for (std::size_t i = 0; i < body.size(); ++i) body[i] = static_cast<char>('a' + (i * 7 + i / 991) % 26);
  return body;
}

// Polls `done` until true or `timeout`; true if it became true.
bool WaitFor(const std::function<bool()>& done, std::chrono::milliseconds timeout = 5000ms) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

// An HTTP/1.1 server for a few fixed paths; one thread per connection,
// each response closes its connection.
//   /hello  200, Api-Version: 1.41, "hello world"
//   /big    200, kBigBody bytes (BigBody())
//   /error  404, {"message":"No such container: x"}
//   /hang   200 chunked: one chunk "first", then nothing until closed
class TestHttpServer {
 public:
  TestHttpServer() {
    listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listen_fd_ < 0) return;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof addr;
    if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(listen_fd_, 128) != 0 ||
        getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      return;
    }
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { AcceptLoop(); });
  }
  ~TestHttpServer() {
    stop_.store(true);
    if (acceptor_.joinable()) acceptor_.join();
    std::vector<std::thread> connections;
    {
      std::lock_guard lock(mutex_);
      connections.swap(connections_);
    }
    for (auto& t : connections) t.join();
    if (listen_fd_ >= 0) close(listen_fd_);
  }
  TestHttpServer(const TestHttpServer&) = delete;
  TestHttpServer& operator=(const TestHttpServer&) = delete;

  int port() const { return port_; }
  std::string Url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }
  int requests() const { return requests_.load(); }

 private:
  void AcceptLoop() {
    while (!stop_.load()) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (poll(&p, 1, 20) <= 0) continue;
      const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      std::lock_guard lock(mutex_);
      connections_.emplace_back([this, fd] {
        Serve(fd);
        close(fd);
      });
    }
  }

  // Waits for `events` on fd in short steps, giving up when stopping.
  bool Ready(int fd, short events) {
    while (!stop_.load()) {
      pollfd p{fd, events, 0};
      const int n = poll(&p, 1, 20);
      if (n > 0) return true;
      if (n < 0) return false;
    }
    return false;
  }

  bool SendAll(int fd, std::string_view data) {
    while (!data.empty()) {
      if (!Ready(fd, POLLOUT)) return false;
      const ssize_t n = send(fd, data.data(), data.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
      if (n <= 0) return false;
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  void Serve(int fd) {
    std::string request;
    char buf[4096];
    while (request.find("\r\n\r\n") == std::string::npos) {
      if (!Ready(fd, POLLIN)) return;
      const ssize_t n = recv(fd, buf, sizeof buf, 0);
      if (n <= 0) return;
      request.append(buf, static_cast<std::size_t>(n));
    }
    ++requests_;
    const std::size_t sp1 = request.find(' ');
    const std::size_t sp2 = request.find(' ', sp1 + 1);
    const std::string path = request.substr(sp1 + 1, sp2 - sp1 - 1);
    auto response = [](std::string_view status, std::string_view body) {
      return "HTTP/1.1 " + std::string(status) + "\r\nApi-Version: 1.41\r\nContent-Type: application/json\r\n" +
             "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + std::string(body);
    };
    if (path == "/hello") {
      SendAll(fd, response("200 OK", "hello world"));
    } else if (path == "/big") {
      SendAll(fd, response("200 OK", BigBody()));
    } else if (path == "/error") {
      SendAll(fd, response("404 Not Found", "{\"message\":\"No such container: x\"}\n"));
    } else if (path == "/hang") {
      if (!SendAll(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nfirst\r\n")) return;
      // Until the client goes away (or the server stops).
      while (Ready(fd, POLLIN)) {
        if (recv(fd, buf, sizeof buf, 0) <= 0) return;
      }
    } else {
      SendAll(fd, response("404 Not Found", "{\"message\":\"page not found\"}"));
    }
  }

  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> requests_{0};
  std::thread acceptor_;
  std::mutex mutex_;
  std::vector<std::thread> connections_;
};

// Runs loop.Run() on this thread; a watchdog thread Stop()s it after
// `timeout`. Returns false if the watchdog had to.
bool RunBounded(CurlLoop& loop, std::chrono::milliseconds timeout = 5000ms) {
  std::mutex m;
  std::condition_variable cv;
  bool finished = false;
  std::atomic<bool> fired{false};
  std::thread watchdog([&] {
    std::unique_lock lock(m);
    if (!cv.wait_for(lock, timeout, [&] { return finished; })) {
      fired.store(true);
      loop.Stop();
    }
  });
  loop.Run();
  {
    std::lock_guard lock(m);
    finished = true;
  }
  cv.notify_all();
  watchdog.join();
  return !fired.load();
}

// Starts `request` and runs the loop until the transfer's on_done (which
// stops it). Returns the result; the collected body goes to *body, the
// transfer's id to *id (set before the loop runs).
TransferResult RunTransfer(CurlLoop& loop, TransferRequest request, std::string* body = nullptr,
                           TransferId* id = nullptr) {
  TransferResult result;
  bool done = false;
  request.on_done = [&](const TransferResult& r, std::string&& collected) {
    result = r;
    if (body != nullptr) *body = std::move(collected);
    done = true;
    loop.Stop();
  };
  const TransferId started = loop.Start(std::move(request));
  if (id != nullptr) *id = started;
  EXPECT_TRUE(RunBounded(loop)) << "the transfer did not end in time";
  EXPECT_TRUE(done);
  EXPECT_FALSE(loop.Exists(started));
  return result;
}

// Runs a loop on a thread of its own; Stop()s and joins it when destroyed.
class LoopThread {
 public:
  explicit LoopThread(CurlLoop& loop) : loop_(loop), thread_([this] {
    id_ = std::this_thread::get_id();
    started_.store(true);
    loop_.Run();
    returned_.store(true);
  }) {}
  ~LoopThread() {
    loop_.Stop();
    thread_.join();
  }
  LoopThread(const LoopThread&) = delete;
  LoopThread& operator=(const LoopThread&) = delete;

  bool returned() const { return returned_.load(); }
  std::thread::id id() const {
    WaitFor([this] { return started_.load(); });
    return id_;
  }

 private:
  CurlLoop& loop_;
  std::thread::id id_;
  std::atomic<bool> started_{false};
  std::atomic<bool> returned_{false};
  std::thread thread_;
};

TEST(CurlLoopTest, TimersFireInOrderAndCancelTimerWorks) {
  CurlLoop loop;
  std::vector<int> fired;
  const auto now = CurlLoop::Clock::now();
  loop.At(now + 30ms, [&] { fired.push_back(3); });
  loop.At(now + 10ms, [&] { fired.push_back(1); });
  loop.At(now + 20ms, [&] { fired.push_back(2); });
  loop.At(now + 20ms, [&] { fired.push_back(22); });  // same time: creation order
  const TimerId cancelled = loop.After(15ms, [&] { fired.push_back(99); });
  loop.CancelTimer(cancelled);
  loop.CancelTimer(cancelled);  // twice: harmless
  loop.CancelTimer(12345);      // unknown: harmless
  // A timer may cancel another one and add more.
  TimerId later = 0;
  loop.At(now + 25ms, [&] {
    fired.push_back(25);
    loop.CancelTimer(later);
    loop.At(now + 27ms, [&] { fired.push_back(26); });  // absolute: before 30 ms
  });
  later = loop.At(now + 28ms, [&] { fired.push_back(98); });
  loop.At(now + 40ms, [&] { loop.Stop(); });
  ASSERT_TRUE(RunBounded(loop));
  EXPECT_EQ(fired, (std::vector<int>{1, 2, 22, 25, 26, 3}));
  EXPECT_GE(CurlLoop::Clock::now() - now, 40ms);
}

TEST(CurlLoopTest, PostFromAnotherThreadRunsOnTheLoopThread) {
  CurlLoop loop;
  LoopThread runner(loop);
  std::atomic<int> ran{0};
  std::thread::id ran_on;
  std::thread poster([&] {
    for (int i = 0; i < 100; ++i) {
      loop.Post([&, i] {
        if (i == 0) ran_on = std::this_thread::get_id();
        ++ran;
      });
    }
  });
  poster.join();
  ASSERT_TRUE(WaitFor([&] { return ran.load() == 100; }));
  EXPECT_EQ(ran_on, runner.id());
}

TEST(CurlLoopTest, StopMakesRunReturn) {
  CurlLoop loop;
  auto runner = std::make_unique<LoopThread>(loop);
  (void)runner->id();  // running
  EXPECT_FALSE(runner->returned());
  loop.Stop();
  EXPECT_TRUE(WaitFor([&] { return runner->returned(); }));
  runner.reset();
  // Stop before Run: Run returns at once.
  CurlLoop early;
  early.Stop();
  EXPECT_TRUE(RunBounded(early, 2000ms));
}

// Tests that talk to a TestHttpServer through one loop.
class CurlLoopServerTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_GT(server_.port(), 0); }
  TransferRequest Get(const std::string& path) const {
    TransferRequest request;
    request.url = server_.Url(path);
    return request;
  }

  TestHttpServer server_;
  CurlLoop loop_;
};

TEST_F(CurlLoopServerTest, GetCollectsTheBody) {
  std::string body;
  TransferRequest request = Get("/hello");
  const TransferResult result = RunTransfer(loop_, std::move(request), &body);
  EXPECT_EQ(result.kind, TransferResult::Kind::kComplete) << result.message;
  EXPECT_EQ(result.http_status, 200);
  EXPECT_EQ(result.curl_code, 0);
  EXPECT_EQ(result.api_version, "1.41");
  EXPECT_EQ(result.body_bytes, 11u);
  EXPECT_FALSE(result.connect_failed);
  EXPECT_EQ(body, "hello world");
  EXPECT_EQ(loop_.transfers(), 0u);
}

// The receive buffer bounds each read (the engine sizes follow streams'
// buffers small: memory per open stream). Without it libcurl reads up to
// 16 KiB at a time, and this test fails.
TEST_F(CurlLoopServerTest, ReceiveBufferBoundsEveryRead) {
  for (const std::size_t buffer : {std::size_t{1024}, std::size_t{4096}}) {
    std::size_t largest = 0;
    std::size_t total = 0;
    TransferRequest request = Get("/big");
    request.receive_buffer_bytes = buffer;
    request.on_data = [&](std::string_view data) {
      largest = std::max(largest, data.size());
      total += data.size();
      return DataResult::kConsumed;
    };
    CurlLoop loop;  // a loop runs until one Stop()
    const TransferResult result = RunTransfer(loop, std::move(request));
    EXPECT_EQ(result.kind, TransferResult::Kind::kComplete) << result.message;
    EXPECT_EQ(total, BigBody().size());
    EXPECT_LE(largest, buffer);
    EXPECT_GT(largest, 0u);
  }
}

// on_answered runs once, when a 2xx response's headers are complete and
// before its first body byte; never for an error response.
TEST_F(CurlLoopServerTest, AnsweredRunsOnceAtTheHeadersOfA2xxResponse) {
  std::vector<std::string> events;
  TransferRequest request = Get("/hello");
  request.on_answered = [&] { events.push_back("answered"); };
  request.on_data = [&](std::string_view data) {
    if (events.empty() || events.back() != "data") events.push_back("data");
    (void)data;
    return DataResult::kConsumed;
  };
  EXPECT_EQ(RunTransfer(loop_, std::move(request)).http_status, 200);
  EXPECT_EQ(events, (std::vector<std::string>{"answered", "data"}));

  CurlLoop other;  // a loop runs until one Stop()
  int answered = 0;
  TransferRequest error = Get("/error");
  error.on_answered = [&] { ++answered; };
  EXPECT_EQ(RunTransfer(other, std::move(error)).http_status, 404);
  EXPECT_EQ(answered, 0);
}

TEST_F(CurlLoopServerTest, CollectedBodyOverTheBoundFails) {
  TransferRequest request = Get("/big");
  request.max_collect_bytes = 1000;
  const TransferResult result = RunTransfer(loop_, std::move(request));
  EXPECT_EQ(result.kind, TransferResult::Kind::kTransport);
  EXPECT_NE(result.message.find("larger than 1000"), std::string::npos) << result.message;
}

TEST_F(CurlLoopServerTest, HttpErrorKeepsTheBody) {
  bool data_called = false;
  TransferRequest request = Get("/error");
  request.on_data = [&](std::string_view) {
    data_called = true;
    return DataResult::kConsumed;
  };
  const TransferResult result = RunTransfer(loop_, std::move(request));
  EXPECT_EQ(result.kind, TransferResult::Kind::kHttpError);
  EXPECT_EQ(result.http_status, 404);
  EXPECT_EQ(result.error_body, "{\"message\":\"No such container: x\"}\n");
  EXPECT_EQ(result.body_bytes, 0u);
  EXPECT_FALSE(data_called);  // a non-2xx body never reaches on_data
}

TEST_F(CurlLoopServerTest, PauseThenResumeDeliversTheSameBytesAgain) {
  TransferId id = 0;
  std::string consumed;
  std::vector<std::pair<std::size_t, std::string>> paused;  // (offset, bytes refused)
  int calls = 0;
  TransferRequest request = Get("/big");
  request.on_data = [&](std::string_view data) {
    // Refuse every 3rd call (never the redelivery of what was just
    // refused), then resume from outside the callback.
    if (calls++ % 3 == 1 && paused.size() < 5 && (paused.empty() || paused.back().first != consumed.size())) {
      paused.emplace_back(consumed.size(), std::string(data));
      loop_.Post([&] { loop_.Resume(id); });
      return DataResult::kPause;
    }
    consumed.append(data);
    return DataResult::kConsumed;
  };
  const TransferResult result = RunTransfer(loop_, std::move(request), nullptr, &id);
  EXPECT_EQ(result.kind, TransferResult::Kind::kComplete) << result.message;
  EXPECT_FALSE(paused.empty());
  EXPECT_EQ(consumed, BigBody());  // nothing lost, nothing twice
  EXPECT_EQ(result.body_bytes, kBigBody);
  for (const auto& [offset, bytes] : paused) {
    // What was refused came again, from the same offset.
    EXPECT_EQ(consumed.compare(offset, bytes.size(), bytes), 0) << "at " << offset;
  }
}

TEST_F(CurlLoopServerTest, AbortEndsTheTransfer) {
  TransferRequest request = Get("/hang");
  request.on_data = [](std::string_view) { return DataResult::kAbort; };
  const TransferResult result = RunTransfer(loop_, std::move(request));
  EXPECT_EQ(result.kind, TransferResult::Kind::kAborted);
  EXPECT_EQ(result.body_bytes, 0u);
}

TEST_F(CurlLoopServerTest, CancelRemovesATransferWithoutOnDone) {
  TransferId id = 0;
  bool on_done_called = false;
  bool cancelled = false;
  bool cancelled_again = true;
  std::string seen;
  TransferRequest request = Get("/hang");
  request.on_data = [&](std::string_view data) {
    seen.append(data);
    // Not from inside on_data: from the loop, right after it.
    loop_.Post([&] {
      if (cancelled) return;
      cancelled = loop_.Cancel(id);
      cancelled_again = loop_.Cancel(id);
      // Give a wrong on_done every chance to show up.
      loop_.After(50ms, [&] { loop_.Stop(); });
    });
    return DataResult::kConsumed;
  };
  request.on_done = [&](const TransferResult&, std::string&&) { on_done_called = true; };
  id = loop_.Start(std::move(request));
  ASSERT_TRUE(RunBounded(loop_));
  EXPECT_EQ(seen, "first");
  EXPECT_TRUE(cancelled);
  EXPECT_FALSE(cancelled_again);
  EXPECT_FALSE(on_done_called);
  EXPECT_FALSE(loop_.Exists(id));
  EXPECT_EQ(loop_.transfers(), 0u);
  loop_.Resume(id);  // unknown id: harmless
}

// The loop is event-driven: open transfers that receive nothing are not
// touched while another one works (curl_multi_perform/poll walked every
// one of them on every turn).
TEST_F(CurlLoopServerTest, IdleOpenTransfersAreNotTouchedWhileAnotherWorks) {
  constexpr int kIdle = 40;
  int first_chunks = 0;
  for (int i = 0; i < kIdle; ++i) {
    TransferRequest idle = Get("/hang");
    idle.on_data = [&](std::string_view) {
      ++first_chunks;
      return DataResult::kConsumed;
    };
    loop_.Start(std::move(idle));
  }
  std::uint64_t events_before = 0;
  std::size_t sockets_during = 0;
  int big_calls = 0;
  TransferResult big_result;
  std::function<void()> wait_for_idle = [&] {
    if (first_chunks < kIdle) {
      loop_.After(1ms, wait_for_idle);
      return;
    }
    events_before = loop_.socket_events();
    TransferRequest big = Get("/big");
    big.on_data = [&](std::string_view) {
      ++big_calls;
      sockets_during = std::max(sockets_during, loop_.sockets());
      return DataResult::kConsumed;
    };
    big.on_done = [&](const TransferResult& r, std::string&&) {
      big_result = r;
      loop_.Stop();
    };
    loop_.Start(std::move(big));
  };
  loop_.Post(wait_for_idle);
  ASSERT_TRUE(RunBounded(loop_));
  EXPECT_EQ(big_result.kind, TransferResult::Kind::kComplete) << big_result.message;
  EXPECT_EQ(big_result.body_bytes, kBigBody);
  EXPECT_EQ(sockets_during, static_cast<std::size_t>(kIdle + 1));
  const std::uint64_t events = loop_.socket_events() - events_before;
  // The big transfer's own socket turns: at most one per delivery plus its
  // connect and end. Touching the idle ones would add kIdle per turn.
  EXPECT_LE(events, static_cast<std::uint64_t>(big_calls) + 4) << big_calls << " deliveries";
  EXPECT_EQ(loop_.transfers(), static_cast<std::size_t>(kIdle));
}

// Transfers are spread over multi handles of at most N each; every one of
// them completes, is cancelled or is idle as if there were one handle.
TEST_F(CurlLoopServerTest, TransfersSpreadOverShardsBehaveAsOne) {
  CurlLoop loop(2);
  int hung = 0;
  std::vector<TransferId> idle;
  for (int i = 0; i < 3; ++i) {
    TransferRequest r = Get("/hang");
    r.on_data = [&](std::string_view) {
      ++hung;
      return DataResult::kConsumed;
    };
    idle.push_back(loop.Start(std::move(r)));
  }
  std::vector<std::string> bodies;
  int done = 0;
  for (int i = 0; i < 4; ++i) {
    TransferRequest r = Get(i % 2 == 0 ? "/hello" : "/big");
    r.on_done = [&](const TransferResult& result, std::string&& body) {
      EXPECT_EQ(result.kind, TransferResult::Kind::kComplete) << result.message;
      bodies.push_back(std::move(body));
      if (++done == 4) {
        EXPECT_TRUE(loop.Cancel(idle[1]));  // from another shard than the last one
        loop.After(20ms, [&] { loop.Stop(); });
      }
    };
    loop.Start(std::move(r));
  }
  EXPECT_EQ(loop.shards(), 4u);  // 7 transfers, 2 per handle
  ASSERT_TRUE(RunBounded(loop));
  ASSERT_EQ(bodies.size(), 4u);
  std::sort(bodies.begin(), bodies.end(), [](const std::string& a, const std::string& b) { return a.size() < b.size(); });
  EXPECT_EQ(bodies[0], "hello world");
  EXPECT_EQ(bodies[1], "hello world");
  EXPECT_EQ(bodies[2], BigBody());
  EXPECT_EQ(bodies[3], BigBody());
  EXPECT_EQ(hung, 3);
  EXPECT_EQ(loop.transfers(), 2u);
  // A new transfer fills a freed place instead of making a fifth handle.
  TransferRequest again = Get("/hang");
  again.on_data = [&](std::string_view) {
    loop.Stop();
    return DataResult::kConsumed;
  };
  loop.Start(std::move(again));
  ASSERT_TRUE(RunBounded(loop));
  EXPECT_EQ(loop.shards(), 4u);
}

TEST_F(CurlLoopServerTest, DestroyingALoopWithTransfersInFlightIsClean) {
  bool on_done_called = false;
  {
    CurlLoop loop;
    bool got_data = false;
    TransferRequest request = Get("/hang");
    request.on_data = [&](std::string_view) {
      got_data = true;
      loop.Stop();
      return DataResult::kConsumed;
    };
    request.on_done = [&](const TransferResult&, std::string&&) { on_done_called = true; };
    loop.Start(std::move(request));
    ASSERT_TRUE(RunBounded(loop));
    EXPECT_TRUE(got_data);
    EXPECT_EQ(loop.transfers(), 1u);
  }
  EXPECT_FALSE(on_done_called);
}

TEST(CurlLoopTest, ConnectionRefusedIsTransportWithConnectFailed) {
  // A bound socket that does not listen: connecting to it is refused, and
  // nobody else can take the port meanwhile.
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  const int port = ntohs(addr.sin_port);

  CurlLoop loop;
  TransferRequest request;
  request.url = "http://127.0.0.1:" + std::to_string(port) + "/_ping";
  request.connect_timeout = 2000ms;
  const TransferResult result = RunTransfer(loop, std::move(request));
  close(fd);
  EXPECT_EQ(result.kind, TransferResult::Kind::kTransport);
  EXPECT_TRUE(result.connect_failed);
  EXPECT_EQ(result.curl_code, static_cast<int>(CURLE_COULDNT_CONNECT));
  EXPECT_EQ(result.http_status, 0);
  EXPECT_FALSE(result.message.empty());
}

TEST(CurlLoopTest, UnixSocketThatDoesNotExistIsAConnectFailure) {
  CurlLoop loop;
  TransferRequest request;
  request.url = "http://localhost/_ping";
  request.unix_socket = "/nonexistent/leakbench-test.sock";
  const TransferResult result = RunTransfer(loop, std::move(request));
  EXPECT_EQ(result.kind, TransferResult::Kind::kTransport);
  EXPECT_TRUE(result.connect_failed);
  EXPECT_NE(result.message.find("no socket at /nonexistent/leakbench-test.sock"), std::string::npos)
      << result.message;
}

TEST(CurlLoopTest, TransferKindNames) {
  EXPECT_EQ(TransferKindName(TransferResult::Kind::kComplete), "complete");
  EXPECT_EQ(TransferKindName(TransferResult::Kind::kHttpError), "http_error");
  EXPECT_EQ(TransferKindName(TransferResult::Kind::kTransport), "transport");
  EXPECT_EQ(TransferKindName(TransferResult::Kind::kAborted), "aborted");
  EXPECT_EQ(TransferKindName(TransferResult::Kind::kBadResponse), "bad_response");
}

}  // namespace
}  // namespace logcap
