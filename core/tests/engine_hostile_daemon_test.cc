// The real Engine against a hostile daemon: a small HTTP server of the
// test's own on a Unix socket whose container list holds ids with "../",
// '?', '#' and CRLF, a non-string id, names with control bytes, a lone
// surrogate escape and invalid UTF-8, beside two good containers; whose
// error bodies and events carry terminal escapes and line breaks. Checked:
// every request the server received is well-formed and names only good ids,
// every message the engine logged is one line of printable text, each bad
// entry gave one warning, and the good containers' lines were captured.
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/unique_fd.h"
#include "core/tests/support/captured_log.h"
#include "core/tests/support/engine_under_test.h"
#include "core/tests/support/memory_sink.h"
#include "fakes/tests/support/polling.h"

namespace logcap::testing {
namespace engine_hostile_daemon_test {

using leakbench::UniqueFd;
using leakbench::testing::Eventually;
using namespace std::chrono_literals;

const std::string kGood1 = std::string(64, 'a');
const std::string kGood2 = "b27885755ff655d96053da963c1ac5d1599bd11e24cd784f5e215f898430f6a6";
// A well-formed id with a hostile name: inspected, answered with a 500
// whose message holds escapes.
const std::string kEvilName = std::string(63, 'c') + "1";
// A well-formed id that only an event names; inspect says 404.
const std::string kEventOnly = std::string(63, 'd') + "2";
constexpr int kLinesPerContainer = 5;
constexpr int kBadListEntries = 7;

// GET /containers/json: seven bad entries, one hostile name, two good ones.
std::string ContainerList() {
  return std::string("[") +
         R"({"Id":"../../../../etc/passwd","Names":["/dots"],"State":"running"},)" +
         R"({"Id":"0123456789ab?all=1","Names":["/query"],"State":"running"},)" +
         R"({"Id":"0123456789ab#frag","Names":["/fragment"],"State":"running"},)" +
         R"({"Id":"0123456789ab\r\nX-Injected: 1","Names":["/crlf"],"State":"running"},)" +
         R"({"Id":42,"Names":["/number"],"State":"running"},)" +
         R"({"Id":")" + std::string(64, 'e') + R"(","Names":["/\ud800surrogate"],"State":"running"},)" +
         R"({"Id":")" + std::string(64, 'f') + "\",\"Names\":[\"/bad\xff\xfeutf8\"],\"State\":\"running\"}," +
         R"({"Id":")" + kEvilName + R"(","Names":["/\u001b[31mevil\u0007\r\n2026-01-01 INFO forged"],)" +
         R"("State":"running"},)" +
         R"({"Id":")" + kGood1 + R"(","Names":["/good1"],"State":"running"},)" +
         R"({"Id":")" + kGood2 + R"(","Names":["/good2"],"State":"running"}])";
}

std::string Inspect(const std::string& id, const std::string& name) {
  return R"({"Id":")" + id + R"(","Name":"/)" + name +
         R"(","Config":{"Tty":false},"State":{"Running":true}})";
}

// Multiplexed stdout frames, each "TIMESTAMP cid=<12> seq=<n> ...\n".
std::string LogFrames(const std::string& id) {
  std::string out;
  for (int seq = 1; seq <= kLinesPerContainer; ++seq) {
    const std::string payload = "2026-11-28T14:43:5" + std::to_string(seq) + ".000000001Z cid=" +
                                id.substr(0, 12) + " seq=" + std::to_string(seq) + " hostile daemon\n";
    const auto n = static_cast<std::uint32_t>(payload.size());
    out += std::string("\x01\0\0\0", 4);  // stdout, then the size
    out += static_cast<char>((n >> 24) & 0xff);
    out += static_cast<char>((n >> 16) & 0xff);
    out += static_cast<char>((n >> 8) & 0xff);
    out += static_cast<char>(n & 0xff);
    out += payload;
  }
  return out;
}

// Two events: one with a malformed container id, one with a good id and a
// name full of control characters.
std::string Events() {
  return R"({"Type":"container","Action":"start","Actor":{"ID":"../../x?y#z\r\nA: b",)"
         R"("Attributes":{"name":"\u001b]0;pwned\u0007"}},"timeNano":1795877136563258728})"
         "\n"
         R"({"Type":"container","Action":"start","Actor":{"ID":")" +
         kEventOnly + R"(","Attributes":{"name":"ev\u001b[2Jil\r\nINFO forged"}},)"
                      R"("timeNano":1795877136563258729})"
                      "\n";
}

std::string Chunk(const std::string& data) {
  char size[32];
  std::snprintf(size, sizeof size, "%zx\r\n", data.size());
  return size + data + "\r\n";
}

// The hostile daemon: one thread, poll(2) over the listener and every
// connection; keep-alive for plain answers, chunked and never-ending for
// /logs and /events. Records every request target as received.
class HostileDaemon {
 public:
  HostileDaemon() {
    char dir_template[] = "/tmp/lb-hostile-XXXXXX";
    if (::mkdtemp(dir_template) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = dir_template;
    socket_ = dir_ + "/docker.sock";
    listener_.Reset(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", socket_.c_str());
    if (!listener_.valid() || ::bind(listener_.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(listener_.get(), 64) != 0) {
      throw std::runtime_error("hostile daemon: cannot listen on " + socket_);
    }
    int pipe_fds[2];
    if (::pipe2(pipe_fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
    wake_read_.Reset(pipe_fds[0]);
    wake_write_.Reset(pipe_fds[1]);
    thread_ = std::thread([this] { Serve(); });
  }
  ~HostileDaemon() {
    (void)!::write(wake_write_.get(), "x", 1);
    thread_.join();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  HostileDaemon(const HostileDaemon&) = delete;
  HostileDaemon& operator=(const HostileDaemon&) = delete;

  const std::string& socket() const { return socket_; }
  std::vector<std::string> targets() const {
    std::lock_guard lock(mutex_);
    return targets_;
  }

 private:
  struct Connection {
    UniqueFd fd;
    std::string in;
    bool streaming = false;  // answered with a never-ending body; input ignored
  };

  void Serve() {
    std::vector<Connection> conns;
    for (;;) {
      std::vector<pollfd> fds{{wake_read_.get(), POLLIN, 0}, {listener_.get(), POLLIN, 0}};
      for (const Connection& c : conns) fds.push_back({c.fd.get(), POLLIN, 0});
      if (::poll(fds.data(), fds.size(), -1) < 0) continue;
      if (fds[0].revents != 0) return;
      if (fds[1].revents & POLLIN) {
        UniqueFd fd(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
        if (fd.valid()) conns.push_back(Connection{std::move(fd), "", false});
      }
      for (std::size_t i = 2; i < fds.size(); ++i) {
        if (fds[i].revents == 0) continue;
        Connection& c = conns[i - 2];
        char buf[4096];
        const ssize_t n = ::read(c.fd.get(), buf, sizeof buf);
        if (n <= 0) {
          c.fd.Reset();
          continue;
        }
        if (c.streaming) continue;
        c.in.append(buf, static_cast<std::size_t>(n));
        for (std::size_t end; !c.streaming && (end = c.in.find("\r\n\r\n")) != std::string::npos;) {
          const std::string head = c.in.substr(0, end);
          c.in.erase(0, end + 4);
          if (!Answer(c, head)) c.fd.Reset();
        }
      }
      conns.erase(std::remove_if(conns.begin(), conns.end(), [](const Connection& c) { return !c.fd.valid(); }),
                  conns.end());
    }
  }

  static bool Send(int fd, const std::string& data) {
    for (std::size_t done = 0; done < data.size();) {
      const ssize_t n = ::send(fd, data.data() + done, data.size() - done, MSG_NOSIGNAL);
      if (n <= 0) return false;
      done += static_cast<std::size_t>(n);
    }
    return true;
  }

  static bool Reply(int fd, int status, const std::string& body) {
    return Send(fd, "HTTP/1.1 " + std::to_string(status) + (status == 200 ? " OK" : " Error") +
                        "\r\nApi-Version: 1.41\r\nContent-Type: application/json\r\nContent-Length: " +
                        std::to_string(body.size()) + "\r\n\r\n" + body);
  }

  // Answers one request; false when the connection should close.
  bool Answer(Connection& c, const std::string& head) {
    const std::size_t sp1 = head.find(' ');
    const std::size_t sp2 = head.find(' ', sp1 + 1);
    if (sp1 == std::string::npos || sp2 == std::string::npos) return false;
    std::string target = head.substr(sp1 + 1, sp2 - sp1 - 1);
    {
      std::lock_guard lock(mutex_);
      targets_.push_back(target);
    }
    std::string path = target.substr(0, target.find('?'));
    if (path.rfind("/v1.41", 0) == 0) path.erase(0, 6);
    const int fd = c.fd.get();
    if (path == "/_ping") return Reply(fd, 200, "OK");
    if (path == "/version") return Reply(fd, 200, R"({"Version":"20.10.24","ApiVersion":"1.41"})");
    if (path == "/containers/json") return Reply(fd, 200, ContainerList());
    if (path == "/containers/" + kGood1 + "/json") return Reply(fd, 200, Inspect(kGood1, "good1"));
    if (path == "/containers/" + kGood2 + "/json") return Reply(fd, 200, Inspect(kGood2, "good2"));
    if (path == "/containers/" + kEvilName + "/json") {
      return Reply(fd, 500, R"({"message":"boom\u001b[31m\u0007\r\n2026-01-01 INFO forged line"})");
    }
    const bool logs1 = path == "/containers/" + kGood1 + "/logs";
    const bool logs2 = path == "/containers/" + kGood2 + "/logs";
    if (logs1 || logs2 || path == "/events") {
      c.streaming = true;
      return Send(fd, "HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nTransfer-Encoding: chunked\r\n\r\n" +
                          Chunk(path == "/events" ? Events() : LogFrames(logs1 ? kGood1 : kGood2)));
    }
    return Reply(fd, 404, R"({"message":"No such container: \u001b[31mx\r\ny"})");
  }

  std::string dir_;
  std::string socket_;
  UniqueFd listener_;
  UniqueFd wake_read_;
  UniqueFd wake_write_;
  mutable std::mutex mutex_;
  std::vector<std::string> targets_;
  std::thread thread_;
};

// Only what may appear in a request target: unreserved, '%' escapes and the
// URL's own delimiters; never a space, CR, LF or other control byte.
bool WellFormedTarget(const std::string& t) {
  if (t.empty() || t[0] != '/') return false;
  return std::all_of(t.begin(), t.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("-._~%/?=&").find(c) != std::string_view::npos;
  });
}

bool Printable(const std::string& m) {
  return std::none_of(m.begin(), m.end(), [](char c) {
    const auto b = static_cast<unsigned char>(c);
    return b < 0x20 || b == 0x7f;
  });
}

TEST(EngineHostileDaemon, BadIdsAreNeverRequestedAndTheLogStaysOneLinePerMessage) {
  CapturedLog log;
  HostileDaemon daemon;
  MemorySink sink;
  Config config = TestConfig(daemon.socket());
  config.docker.backoff_base = 200ms;
  EngineUnderTest engine(config, sink);

  const bool done = Eventually(
      [&] {
        return sink.Distinct(kGood1.substr(0, 12)) == kLinesPerContainer &&
               sink.Distinct(kGood2.substr(0, 12)) == kLinesPerContainer &&
               log.Count("stream failed (http_5xx: inspect") > 0 && log.Count("skipping an event") > 0 &&
               log.Count("dropped: no such container") > 0;
      },
      15s);
  engine.Stop();
  EXPECT_TRUE(done) << "good1 " << sink.Distinct(kGood1.substr(0, 12)) << ", good2 "
                    << sink.Distinct(kGood2.substr(0, 12)) << " lines";

  // Every request is well-formed and names only well-formed ids.
  const std::vector<std::string> targets = daemon.targets();
  std::size_t lists = 0;
  std::map<std::string, int> requested;
  for (const std::string& t : targets) {
    EXPECT_TRUE(WellFormedTarget(t)) << "malformed request target: " << t;
    std::string path = t.substr(0, t.find('?'));
    if (path.rfind("/v1.41", 0) == 0) path.erase(0, 6);
    if (path == "/containers/json") {
      ++lists;
    } else if (path.rfind("/containers/", 0) == 0) {
      const std::string id = path.substr(12, path.find('/', 12) - 12);
      ++requested[id];
      EXPECT_TRUE(id == kGood1 || id == kGood2 || id == kEvilName || id == kEventOnly)
          << "requested a container the daemon gave a malformed id: " << t;
    }
  }
  EXPECT_GE(lists, 1u);
  EXPECT_GT(requested[kGood1], 0);
  EXPECT_GT(requested[kGood2], 0);

  // Every message the engine logged is one line of printable text.
  const std::vector<std::string> messages = log.messages();
  ASSERT_FALSE(messages.empty());
  for (const std::string& m : messages) EXPECT_TRUE(Printable(m)) << "log message with control bytes: " << m;
  // One warning per bad list entry per listing, hostile text shown escaped.
  EXPECT_EQ(log.Count("skipping a container the daemon listed"), kBadListEntries * lists);
  EXPECT_GT(log.Count("\\x1b[31mevil\\x07\\r\\n2026-01-01 INFO forged"), 0u);
  EXPECT_GT(log.Count("boom\\x1b[31m\\x07\\r\\n2026-01-01 INFO forged line"), 0u);
}

}  // namespace engine_hostile_daemon_test
}  // namespace logcap::testing
