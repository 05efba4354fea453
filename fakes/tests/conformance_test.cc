// Conformance of the fake Docker daemon with a real one: the same requests go
// to the in-process fake and to a private real dockerd (20.10, started by the
// test on its own socket; every test is skipped with the reason when it cannot
// start), and the answers are compared: status codes, header names and their
// order, the values of the headers that do not vary, JSON error bodies,
// multiplexed framing, since/until/tail results, 16 KiB splitting, TTY output,
// the end of a follow stream when its container dies, and /events.
//
// Containers are made EQUIVALENT on both sides, under the same name, so the
// very same request target goes to both: on the real daemon a busybox shell
// prints known lines and then waits (`trap "exit 143" TERM; ...; sleep & wait`,
// so that `docker stop` ends it with SIGTERM, exit code 143, as the fake's
// `stop` action does); on the fake, `add` with rate 0 and then `emit` the same
// number of lines. The text of the lines differs by design, so the comparisons
// are about structure (streams, sizes, positions, timestamps), never content.
//
// One daemon serves the whole binary and each scenario's containers are made
// on first use, so running a single test only pays for what it needs.
#include <time.h>

#include <algorithm>
#include <cstdlib>
#include <chrono>
#include <cstdio>
#include <future>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "fakes/tests/support/http_test_client.h"
#include "fakes/tests/support/in_process_fake.h"
#include "fakes/tests/support/real_dockerd.h"

namespace leakbench::testing {
namespace {

using json = nlohmann::json;
using ojson = nlohmann::ordered_json;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// ---------------------------------------------------------------------------
// Small helpers: printing, time, URL encoding.

int64_t WallNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// "S.NNNNNNNNN", the form the API takes for since/until.
std::string ApiTime(int64_t ns) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%lld.%09lld", static_cast<long long>(ns / 1'000'000'000),
                static_cast<long long>(ns % 1'000'000'000));
  return buf;
}

// "2026-11-28T15:03:08.776043549Z " (the 31-byte prefix of a timestamped
// payload) -> Unix nanoseconds; nullopt unless it is exactly that shape, with
// 9 fractional digits.
std::optional<int64_t> ParseLogTimestamp(std::string_view p) {
  if (p.size() < 31 || p[4] != '-' || p[7] != '-' || p[10] != 'T' || p[13] != ':' || p[16] != ':' ||
      p[19] != '.' || p[29] != 'Z' || p[30] != ' ') {
    return std::nullopt;
  }
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18}) {
    if (p[i] < '0' || p[i] > '9') return std::nullopt;
  }
  int64_t frac = 0;
  for (size_t i = 20; i < 29; ++i) {
    if (p[i] < '0' || p[i] > '9') return std::nullopt;
    frac = frac * 10 + (p[i] - '0');
  }
  auto num = [&](size_t at, size_t len) { return std::stoi(std::string(p.substr(at, len))); };
  std::tm tm{};
  tm.tm_year = num(0, 4) - 1900;
  tm.tm_mon = num(5, 2) - 1;
  tm.tm_mday = num(8, 2);
  tm.tm_hour = num(11, 2);
  tm.tm_min = num(14, 2);
  tm.tm_sec = num(17, 2);
  return static_cast<int64_t>(timegm(&tm)) * 1'000'000'000 + frac;
}

std::string UrlEncode(const std::string& s) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// Bytes made printable, cut to `max` bytes.
std::string Printable(const std::string& s, size_t max = 600) {
  std::string out;
  char buf[8];
  for (size_t i = 0; i < s.size() && i < max; ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c < 0x20 || c >= 0x7f) {
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  if (s.size() > max) out += "... (" + std::to_string(s.size()) + " bytes)";
  return out;
}

std::string Describe(const HttpResponse& r) {
  std::ostringstream o;
  o << (r.head.empty() ? std::string("(no response head)\n") : r.head);
  o << "body: " << Printable(r.body) << "\n";
  o << "[chunked=" << r.chunked << " complete=" << r.complete << " eof=" << r.eof << " reset=" << r.reset
    << " timed_out=" << r.timed_out << "]\n";
  return o.str();
}

std::string BothSides(const HttpResponse& real, const HttpResponse& fake) {
  return "\n----- real dockerd -----\n" + Describe(real) + "----- fake -----\n" + Describe(fake);
}

template <typename T>
std::string Join(const std::vector<T>& v) {
  std::ostringstream o;
  o << "[";
  for (size_t i = 0; i < v.size(); ++i) o << (i ? ", " : "") << v[i];
  o << "]";
  return o.str();
}

template <typename Json>
std::vector<std::string> Keys(const Json& object) {
  std::vector<std::string> keys;
  if (!object.is_object()) return keys;
  for (auto it = object.begin(); it != object.end(); ++it) keys.push_back(it.key());
  return keys;
}

// Header values that legitimately differ between any two daemons.
bool VaryingHeader(const std::string& name) {
  return name == "Date" || name == "Server" || name == "Content-Length";
}

// The same status, the same header names in the same order, and the same
// values for every header except Date, Server and Content-Length.
::testing::AssertionResult SameHead(const HttpResponse& real, const HttpResponse& fake) {
  std::vector<std::string> rn, fn;
  for (const auto& [k, v] : real.headers) rn.push_back(k);
  for (const auto& [k, v] : fake.headers) fn.push_back(k);
  std::ostringstream why;
  if (real.status == 0) why << "the real daemon did not answer; ";
  if (real.status != fake.status) why << "status " << real.status << " (real) vs " << fake.status << " (fake); ";
  if (rn != fn) why << "header names " << Join(rn) << " (real) vs " << Join(fn) << " (fake); ";
  for (const auto& [k, v] : real.headers) {
    if (VaryingHeader(k)) continue;
    std::string fv = fake.Header(k);
    if (fv != v) why << k << ": \"" << v << "\" (real) vs \"" << fv << "\" (fake); ";
  }
  if (why.str().empty()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << why.str() << BothSides(real, fake);
}

// ---------------------------------------------------------------------------
// Multiplexed bodies.

struct MuxFrame {
  uint8_t stream = 0;
  std::string payload;
};

// Parses a multiplexed body strictly: stream 1 or 2, three zero bytes, a
// big-endian length, nothing left over. Fills *error on the first violation.
std::vector<MuxFrame> ParseMux(const std::string& body, std::string* error) {
  std::vector<MuxFrame> frames;
  size_t pos = 0;
  while (pos < body.size()) {
    if (body.size() - pos < 8) {
      *error = "a partial frame header at byte " + std::to_string(pos);
      break;
    }
    auto b = [&](size_t i) { return static_cast<uint8_t>(body[pos + i]); };
    if (b(0) != 1 && b(0) != 2) {
      *error = "stream byte " + std::to_string(b(0)) + " at byte " + std::to_string(pos);
      break;
    }
    if (b(1) != 0 || b(2) != 0 || b(3) != 0) {
      *error = "non-zero padding in the frame header at byte " + std::to_string(pos);
      break;
    }
    uint32_t len = (uint32_t{b(4)} << 24) | (uint32_t{b(5)} << 16) | (uint32_t{b(6)} << 8) | uint32_t{b(7)};
    if (body.size() - pos - 8 < len) {
      *error = "a frame of " + std::to_string(len) + " bytes is cut at byte " + std::to_string(pos);
      break;
    }
    frames.push_back({b(0), body.substr(pos + 8, len)});
    pos += 8 + len;
  }
  return frames;
}

// A timestamped log line as returned by /logs?timestamps=1.
struct StampedLine {
  int stream = 0;  // 1 stdout, 2 stderr, 0 raw (TTY)
  int64_t ts = 0;
  std::string ts_text;
};

// ---------------------------------------------------------------------------
// The suite: one real dockerd and one fake for every test.

constexpr size_t kLong1 = 20000;  // bytes of the first long line, newline excluded
constexpr size_t kLong2 = 40000;  // bytes of the second

class ConformanceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const auto t0 = Clock::now();
    real_ = RealDockerd::Start(&skip_reason_);
    if (real_) {
      std::cout << "[ info     ] real dockerd started in "
                << std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count() << " ms on "
                << real_->socket_path() << "\n";
    }
    fake_ = std::make_unique<InProcessFake>(QuietConfig());
  }
  static void TearDownTestSuite() {
    fake_.reset();
    real_.reset();
    made_.clear();
  }
  void SetUp() override {
    if (!real_) GTEST_SKIP() << "no real dockerd to compare with: " << skip_reason_;
  }

  // The same request to both daemons, each on a fresh connection.
  struct Pair {
    HttpResponse real, fake;
  };
  static Pair Both(const std::string& method, const std::string& target) {
    Pair p;
    auto real = std::async(std::launch::async, [&] { return HttpTestClient(real_->socket_path()).Request(method, target); });
    p.fake = HttpTestClient(fake_->socket()).Request(method, target);
    p.real = real.get();
    return p;
  }
  static HttpResponse Get(const std::string& socket, const std::string& target) {
    return HttpTestClient(socket).Request("GET", target);
  }
  static json Parse(const HttpResponse& r) { return json::parse(r.body, nullptr, false); }
  static ojson ParseOrdered(const HttpResponse& r) { return ojson::parse(r.body, nullptr, false); }

  // ---- scenarios: equivalent containers, made once -------------------------

  // Makes container `name` on both sides unless done already: on the real
  // daemon `docker run -d --network none --name NAME --label cf=NAME FLAGS
  // bb:latest sh -c 'SCRIPT'`; on the fake `add` (rate 0, stdout only, label
  // cf=NAME, `add_extra` merged) followed by `fake_actions`. Then waits
  // (bounded) until each side holds `lines` log lines.
  static void Make(const std::string& name, const std::string& flags, const std::string& script,
                   const json& add_extra, const json& fake_actions, size_t lines) {
    if (made_.count(name)) return;
    const auto t0 = Clock::now();
    real_->Docker("run -d --network none --name " + name + " --label cf=" + name + " " + flags + " " +
                  RealDockerd::kImage + " sh -c '" + script + "'");
    json add = {{"action", "add"}, {"name", name}, {"rate", 0}, {"stderr_fraction", 0}, {"labels", {{"cf", name}}}};
    add.update(add_extra);
    fake_->Act(add);
    for (const auto& a : fake_actions) fake_->Act(a);
    WaitForLines(real_->socket_path(), name, lines, "real");
    WaitForLines(fake_->socket(), name, lines, "fake");
    made_.insert(name);
    std::cout << "[ info     ] containers \"" << name << "\" ready in "
              << std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count() << " ms\n";
  }

  // Counts newline-terminated lines in a logs body (raw or multiplexed).
  static size_t CountLines(const std::string& socket, const std::string& name) {
    HttpResponse r = Get(socket, "/containers/" + name + "/logs?stdout=1&stderr=1");
    if (r.status != 200) return 0;
    HttpResponse inspect = Get(socket, "/containers/" + name + "/json");
    std::string text;
    if (Parse(inspect)["Config"]["Tty"] == true) {
      text = r.body;
    } else {
      std::string ignored;
      for (const auto& f : ParseMux(r.body, &ignored)) text += f.payload;
    }
    return static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
  }

  static void WaitForLines(const std::string& socket, const std::string& name, size_t lines, const char* side) {
    const auto deadline = Clock::now() + 20s;
    size_t have = 0;
    while ((have = CountLines(socket, name)) < lines) {
      if (Clock::now() > deadline) {
        throw std::runtime_error(std::string(side) + " container " + name + " has " + std::to_string(have) +
                                 " of " + std::to_string(lines) + " lines after 20 s" +
                                 (std::string(side) == "real" ? "\ndockerd log:\n" + real_->LogTail() : ""));
      }
      std::this_thread::sleep_for(20ms);
    }
  }

  static void WaitForStatus(const std::string& socket, const std::string& name, const std::string& status) {
    const auto deadline = Clock::now() + 20s;
    for (;;) {
      json doc = Parse(Get(socket, "/containers/" + name + "/json"));
      if (doc.is_object() && doc["State"]["Status"] == status) return;
      if (Clock::now() > deadline) {
        throw std::runtime_error(name + " did not reach \"" + status + "\" in 20 s: " + doc.dump());
      }
      std::this_thread::sleep_for(20ms);
    }
  }

  // cf-lines: 5 lines; line 2 on stderr, the others on stdout; running.
  // The pauses keep the real daemon's file order equal to the write order
  // (stdout and stderr are copied by separate goroutines).
  static void MakeLines() {
    Make("cf-lines", "",
         "trap \"exit 143\" TERM; echo line1; sleep 0.05; echo line2 >&2; sleep 0.05; echo line3; sleep 0.05; "
         "echo line4; sleep 0.05; echo line5; sleep 3600 & wait",
         json::object(),
         json::array({{{"action", "emit"}, {"target", "cf-lines"}, {"lines", 1}},
                      {{"action", "set"}, {"target", "cf-lines"}, {"stderr_fraction", 1}},
                      {{"action", "emit"}, {"target", "cf-lines"}, {"lines", 1}},
                      {{"action", "set"}, {"target", "cf-lines"}, {"stderr_fraction", 0}},
                      {{"action", "emit"}, {"target", "cf-lines"}, {"lines", 3}}}),
         5);
  }
  // cf-long: a kLong1-byte line, then a kLong2-byte line (plus newlines).
  static void MakeLong() {
    Make("cf-long", "",
         "trap \"exit 143\" TERM; head -c " + std::to_string(kLong1) + " /dev/zero | tr \"\\0\" a; echo; head -c " +
             std::to_string(kLong2) + " /dev/zero | tr \"\\0\" b; echo; sleep 3600 & wait",
         {{"line_bytes", kLong1}},
         json::array({{{"action", "emit"}, {"target", "cf-long"}, {"lines", 1}},
                      {{"action", "set"}, {"target", "cf-long"}, {"line_bytes", kLong2}},
                      {{"action", "emit"}, {"target", "cf-long"}, {"lines", 1}}}),
         2);
  }
  // cf-tty: `docker run -t`, 3 lines (one written to stderr), running.
  static void MakeTty() {
    Make("cf-tty", "-t",
         "trap \"exit 143\" TERM; echo tty1; sleep 0.05; echo tty2 >&2; sleep 0.05; echo tty3; sleep 3600 & wait",
         {{"tty", true}}, json::array({{{"action", "emit"}, {"target", "cf-tty"}, {"lines", 3}}}), 3);
  }
  // cf-exited: 3 lines, then the container has exited.
  static void MakeExited() {
    if (made_.count("cf-exited")) return;
    Make("cf-exited", "", "echo e1; echo e2; echo e3", json::object(),
         json::array({{{"action", "emit"}, {"target", "cf-exited"}, {"lines", 3}},
                      {{"action", "stop"}, {"target", "cf-exited"}}}),
         3);
    WaitForStatus(real_->socket_path(), "cf-exited", "exited");
    WaitForStatus(fake_->socket(), "cf-exited", "exited");
  }

  // The lines of a timestamped logs body, in order; fails the test on bad framing.
  static std::vector<StampedLine> Stamped(const HttpResponse& r, bool tty, const char* side) {
    std::vector<StampedLine> out;
    auto add = [&](int stream, const std::string& text) {
      auto ts = ParseLogTimestamp(text);
      EXPECT_TRUE(ts.has_value()) << side << ": no 9-digit RFC3339 timestamp at the start of \"" << Printable(text, 80)
                                  << "\"";
      out.push_back({stream, ts.value_or(0), text.substr(0, 30)});
    };
    if (tty) {
      size_t pos = 0;
      while (pos < r.body.size()) {
        size_t nl = r.body.find("\r\n", pos);
        if (nl == std::string::npos) nl = r.body.size();
        add(0, r.body.substr(pos, nl - pos));
        pos = nl + 2;
      }
      return out;
    }
    std::string error;
    auto frames = ParseMux(r.body, &error);
    EXPECT_EQ(error, "") << side << Describe(r);
    for (const auto& f : frames) add(f.stream, f.payload);
    return out;
  }

  static std::unique_ptr<RealDockerd> real_;
  static std::unique_ptr<InProcessFake> fake_;
  static std::string skip_reason_;
  static std::set<std::string> made_;
};

std::unique_ptr<RealDockerd> ConformanceTest::real_;
std::unique_ptr<InProcessFake> ConformanceTest::fake_;
std::string ConformanceTest::skip_reason_;
std::set<std::string> ConformanceTest::made_;

// ---------------------------------------------------------------------------
// Endpoints without containers.

TEST_F(ConformanceTest, PingGetAndHead) {
  for (const char* method : {"GET", "HEAD"}) {
    for (const char* target : {"/_ping", "/v1.41/_ping"}) {
      SCOPED_TRACE(std::string(method) + " " + target);
      Pair p = Both(method, target);
      EXPECT_TRUE(SameHead(p.real, p.fake));
      EXPECT_EQ(p.real.status, 200) << Describe(p.real);
      EXPECT_EQ(p.real.body, p.fake.body) << BothSides(p.real, p.fake);
    }
  }
}

// dockerd routes HEAD for /_ping only: anything else is the router's 404
// (with the length of the body it does not send). Each HEAD is followed by
// a GET on the same connection, which must parse cleanly.
TEST_F(ConformanceTest, HeadIsOnlyForPing) {
  for (const std::string target : {"/version", "/info", "/containers/json", "/containers/cf-x/json",
                                   "/containers/cf-x/logs?stdout=1", "/events?since=1&until=2"}) {
    SCOPED_TRACE("HEAD " + target);
    HttpTestClient rc(real_->socket_path()), fc(fake_->socket());
    HttpResponse real = rc.Request("HEAD", target, "", 3s);
    HttpResponse fake = fc.Request("HEAD", target, "", 3s);
    EXPECT_EQ(real.status, 404) << Describe(real);
    EXPECT_TRUE(SameHead(real, fake));
    EXPECT_EQ(real.Header("Content-Length"), fake.Header("Content-Length"));
    HttpResponse real_next = rc.Request("GET", "/_ping", "", 3s);
    HttpResponse fake_next = fc.Request("GET", "/_ping", "", 3s);
    EXPECT_EQ(real_next.status, 200) << Describe(real_next);
    EXPECT_EQ(fake_next.status, 200) << Describe(fake_next);
    EXPECT_EQ(fake_next.body, "OK") << Describe(fake_next);
  }
}

TEST_F(ConformanceTest, VersionHeadersAndKeys) {
  Pair p = Both("GET", "/version");
  EXPECT_TRUE(SameHead(p.real, p.fake));
  ojson real = ParseOrdered(p.real), fake = ParseOrdered(p.fake);
  EXPECT_EQ(Join(Keys(real)), Join(Keys(fake))) << BothSides(p.real, p.fake);
  EXPECT_EQ(real["ApiVersion"], fake["ApiVersion"]);
  EXPECT_EQ(real["MinAPIVersion"], fake["MinAPIVersion"]);
  EXPECT_EQ(Join(Keys(real["Components"][0]["Details"])), Join(Keys(fake["Components"][0]["Details"])));
}

// Error answers whose bodies do not depend on ids: identical status, header
// names and order, and byte-identical bodies.
TEST_F(ConformanceTest, ErrorResponsesMatch) {
  struct Case {
    const char* method;
    std::string target;
    int status;
  };
  const std::vector<Case> cases = {
      {"GET", "/containers/nonexist/json", 404},
      {"GET", "/containers/nonexist/logs?stdout=1", 404},
      {"GET", "/containers/nonexist/logs", 400},             // no stream chosen
      {"GET", "/containers/nonexist/logs?timestamps=1", 400},  // still no stream
      {"GET", "/nonexistent", 404},                          // router: page not found, no Docker headers
      {"POST", "/_ping", 404},                               // wrong method: page not found too
      {"PUT", "/version", 404},
      {"GET", "/v1.99/version", 400},  // too new
      {"GET", "/v1.11/version", 400},  // too old: plain text from http.Error
      {"GET", "/v1.99/_ping", 400},
      {"GET", "/events?since=bogus", 500},
      {"GET", "/events?until=bogus", 500},
      {"GET", "/events?since=20&until=10", 400},  // since after until
      {"GET", "/containers/json?filters=" + UrlEncode(R"({"foo":["x"]})"), 400},
      {"GET", "/containers/json?filters=" + UrlEncode(R"({"status":["bogus"]})"), 400},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string(c.method) + " " + c.target);
    Pair p = Both(c.method, c.target);
    EXPECT_EQ(p.real.status, c.status) << Describe(p.real);
    EXPECT_TRUE(SameHead(p.real, p.fake));
    EXPECT_EQ(p.real.body, p.fake.body) << BothSides(p.real, p.fake);
    EXPECT_TRUE(p.real.complete && p.fake.complete) << BothSides(p.real, p.fake);
  }
}

// dockerd's router matches no route for a path with a trailing slash: the
// router's 404. (Known difference, not compared: dockerd answers unclean
// paths such as "//_ping" or "/containers//name/json" with a bare 301 to the
// clean path; the fake serves them, and its integration tests rely on that.)
TEST_F(ConformanceTest, TrailingSlashIsNotRouted) {
  for (const std::string target : {"/_ping/", "/containers/json/", "/v1.41/containers/json/", "/version/",
                                   "/containers/cf-x/logs/?stdout=1", "/events/?since=1&until=2"}) {
    SCOPED_TRACE(target);
    Pair p = Both("GET", target);
    EXPECT_EQ(p.real.status, 404) << Describe(p.real);
    EXPECT_TRUE(SameHead(p.real, p.fake));
    EXPECT_EQ(p.real.body, p.fake.body) << BothSides(p.real, p.fake);
  }
}

TEST_F(ConformanceTest, FilterErrorsAndUnknownEventFilters) {
  // Bad JSON in filters: the same status and headers. The message is Go's
  // encoding/json text, which the fake does not reproduce (known difference).
  for (const std::string path : {"/events", "/containers/json"}) {
    SCOPED_TRACE(path);
    Pair p = Both("GET", path + "?filters=" + UrlEncode("{bad"));
    EXPECT_EQ(p.real.status, 500) << Describe(p.real);
    EXPECT_TRUE(SameHead(p.real, p.fake));
    EXPECT_TRUE(Parse(p.fake).contains("message")) << Describe(p.fake);
  }
  // An unknown key is an error on /containers/json (above) but ignored on
  // /events: a window in the distant past gives an empty, finished stream.
  Pair p = Both("GET", "/events?since=1&until=2&filters=" + UrlEncode(R"({"foo":["x"]})"));
  EXPECT_EQ(p.real.status, 200) << Describe(p.real);
  EXPECT_TRUE(SameHead(p.real, p.fake));
  EXPECT_EQ(p.real.body, p.fake.body) << BothSides(p.real, p.fake);
  EXPECT_TRUE(p.real.complete && !p.real.eof) << Describe(p.real);
  EXPECT_TRUE(p.fake.complete && !p.fake.eof) << Describe(p.fake);
}

// ---------------------------------------------------------------------------
// Listing and inspection.

TEST_F(ConformanceTest, ContainerListEntryKeys) {
  MakeLines();
  Pair p = Both("GET", "/containers/json?filters=" + UrlEncode(R"({"name":["cf-lines"]})"));
  EXPECT_TRUE(SameHead(p.real, p.fake));
  ojson real = ParseOrdered(p.real), fake = ParseOrdered(p.fake);
  ASSERT_TRUE(real.is_array() && real.size() == 1) << Describe(p.real);
  ASSERT_TRUE(fake.is_array() && fake.size() == 1) << Describe(p.fake);
  EXPECT_EQ(Join(Keys(real[0])), Join(Keys(fake[0]))) << BothSides(p.real, p.fake);
  for (const char* key : {"Names", "State", "Labels"}) EXPECT_EQ(real[0][key].type(), fake[0][key].type()) << key;
  EXPECT_EQ(real[0]["Names"], fake[0]["Names"]);
  EXPECT_EQ(real[0]["State"], fake[0]["State"]);
  EXPECT_EQ(real[0]["Labels"]["cf"], fake[0]["Labels"]["cf"]);
  // ?all=1 with a status filter finds nothing for a running container on both.
  Pair none = Both("GET", "/containers/json?all=1&filters=" +
                              UrlEncode(R"({"name":["cf-lines"],"status":["exited"]})"));
  EXPECT_TRUE(SameHead(none.real, none.fake));
  EXPECT_EQ(none.real.body, "[]\n");
  EXPECT_EQ(none.real.body, none.fake.body);
}

// The keys a log follower reads from inspect. The fake must have them, with
// the same types; other keys the real daemon has and the fake lacks are
// reported, not failed.
TEST_F(ConformanceTest, InspectKeys) {
  MakeLines();
  MakeTty();
  std::vector<std::string> missing_everywhere;
  for (const std::string name : {"cf-lines", "cf-tty"}) {
    SCOPED_TRACE(name);
    Pair p = Both("GET", "/containers/" + name + "/json");
    EXPECT_TRUE(SameHead(p.real, p.fake));
    ojson real = ParseOrdered(p.real), fake = ParseOrdered(p.fake);
    ASSERT_TRUE(real.is_object()) << Describe(p.real);
    ASSERT_TRUE(fake.is_object()) << Describe(p.fake);

    // Keys of `path` in real that fake lacks, and order of the common ones.
    auto compare = [&](const std::string& path, const ojson& r, const ojson& f) {
      std::vector<std::string> rk = Keys(r), fk = Keys(f), common_r, common_f;
      for (const auto& k : rk) {
        if (std::find(fk.begin(), fk.end(), k) == fk.end()) {
          missing_everywhere.push_back(path + k);
        } else {
          common_r.push_back(k);
        }
      }
      for (const auto& k : fk) {
        if (std::find(rk.begin(), rk.end(), k) != rk.end()) common_f.push_back(k);
      }
      EXPECT_EQ(Join(common_r), Join(common_f)) << "key order of " << (path.empty() ? "the top level" : path);
    };
    compare("", real, fake);
    compare("State.", real["State"], fake["State"]);
    compare("Config.", real["Config"], fake["Config"]);
    compare("HostConfig.", real["HostConfig"], fake["HostConfig"]);
    compare("NetworkSettings.", real["NetworkSettings"], fake["NetworkSettings"]);

    // What a follower needs: present, same type, and the same value where
    // the containers are equivalent.
    const std::vector<std::vector<std::string>> needed = {{"Id"}, {"Name"}, {"Created"}, {"State", "Running"},
                                                          {"State", "Status"}, {"Config", "Tty"},
                                                          {"Config", "Labels"}, {"Config", "Image"}};
    for (const auto& path : needed) {
      const ojson* r = &real;
      const ojson* f = &fake;
      std::string dotted;
      for (const auto& k : path) {
        dotted += (dotted.empty() ? "" : ".") + k;
        r = r->is_object() && r->contains(k) ? &(*r)[k] : nullptr;
        f = f && f->is_object() && f->contains(k) ? &(*f)[k] : nullptr;
        if (!r) break;
      }
      ASSERT_NE(r, nullptr) << "the real daemon has no " << dotted;
      ASSERT_NE(f, nullptr) << "the fake lacks " << dotted << ", which a log follower reads"
                            << BothSides(p.real, p.fake);
      EXPECT_EQ(r->type_name(), std::string(f->type_name())) << dotted;
    }
    EXPECT_EQ(real["Name"], "/" + name);
    EXPECT_EQ(real["Name"], fake["Name"]);
    EXPECT_EQ(real["Id"].get<std::string>().size(), fake["Id"].get<std::string>().size());
    EXPECT_EQ(real["State"]["Status"], fake["State"]["Status"]);
    EXPECT_EQ(real["State"]["Running"], fake["State"]["Running"]);
    EXPECT_EQ(real["Config"]["Tty"], fake["Config"]["Tty"]);
    EXPECT_EQ(real["Config"]["Tty"], name == "cf-tty");
    EXPECT_EQ(real["Config"]["Labels"]["cf"], fake["Config"]["Labels"]["cf"]);
    // Created is RFC3339Nano (trailing zeros trimmed) on both.
    for (const ojson* doc : {&real, &fake}) {
      std::string created = (*doc)["Created"].get<std::string>();
      EXPECT_TRUE(created.size() >= 20 && created[10] == 'T' && created.back() == 'Z') << created;
    }
    // Inspect by id prefix resolves to the same container.
    HttpResponse by_prefix = Get(fake_->socket(), "/containers/" + fake["Id"].get<std::string>().substr(0, 12) + "/json");
    EXPECT_EQ(Parse(by_prefix)["Name"], fake["Name"]);
  }
  std::sort(missing_everywhere.begin(), missing_everywhere.end());
  missing_everywhere.erase(std::unique(missing_everywhere.begin(), missing_everywhere.end()), missing_everywhere.end());
  std::string list = Join(missing_everywhere);
  RecordProperty("inspect_keys_missing_in_fake", list);
  std::cout << "[ note     ] inspect keys the real daemon has and the fake lacks: " << list << "\n";
}

// ---------------------------------------------------------------------------
// /logs

TEST_F(ConformanceTest, LogsFraming) {
  MakeLines();
  for (const std::string query : {"stdout=1&stderr=1", "stdout=1&stderr=1&timestamps=1", "stdout=1&stderr=1&tail=all",
                                  "stdout=true&stderr=yes&timestamps=1", "stdout=1&stderr=1&follow=0"}) {
    SCOPED_TRACE(query);
    Pair p = Both("GET", "/containers/cf-lines/logs?" + query);
    EXPECT_TRUE(SameHead(p.real, p.fake));
    EXPECT_EQ(p.real.status, 200);
    for (const HttpResponse* r : {&p.real, &p.fake}) {
      const char* side = r == &p.real ? "real" : "fake";
      EXPECT_TRUE(r->chunked) << side;
      EXPECT_TRUE(r->complete && !r->eof) << side << Describe(*r);
      EXPECT_EQ(r->Header("Content-Type"), "") << side << ": /logs has no Content-Type at API 1.41";
      std::string error;
      auto frames = ParseMux(r->body, &error);
      EXPECT_EQ(error, "") << side << Describe(*r);
      std::vector<int> streams;
      // Each line's position in what the container wrote: "lineN" on the
      // real side, "seq=N" on the fake's.
      std::vector<int> out_lines, err_lines;
      for (const auto& f : frames) {
        streams.push_back(f.stream);
        const std::size_t seq = f.payload.find("seq=");
        const std::size_t line = f.payload.find("line");
        const std::size_t at = seq != std::string::npos ? seq + 4 : line != std::string::npos ? line + 4 : f.payload.size();
        (f.stream == 2 ? err_lines : out_lines).push_back(std::atoi(f.payload.c_str() + at));
        EXPECT_FALSE(f.payload.empty());
        EXPECT_EQ(f.payload.back(), '\n') << side;
        EXPECT_EQ(std::count(f.payload.begin(), f.payload.end(), '\n'), 1) << side << ": one line per frame";
        if (query.find("timestamps=1") != std::string::npos) {
          EXPECT_TRUE(ParseLogTimestamp(f.payload).has_value()) << side << ": " << Printable(f.payload, 80);
          // One timestamp per frame.
          EXPECT_FALSE(ParseLogTimestamp(std::string_view(f.payload).substr(31)).has_value()) << side;
        } else {
          EXPECT_FALSE(ParseLogTimestamp(f.payload).has_value()) << side << ": " << Printable(f.payload, 80);
        }
      }
      // dockerd copies a container's stdout and stderr in two goroutines: the
      // order within each stream is kept, the interleaving of the two is not
      // (seen: stderr's line2 stored after line4). The fake keeps write order.
      EXPECT_EQ(out_lines, (std::vector<int>{1, 3, 4, 5})) << side << Describe(*r);
      EXPECT_EQ(err_lines, std::vector<int>{2}) << side << Describe(*r);
      if (r == &p.fake) {
        EXPECT_EQ(Join(streams), "[1, 2, 1, 1, 1]") << side << Describe(*r);
      }
    }
  }
}

// since/until/tail and stream selection, compared by position: each side's
// own timestamps are used in its requests, and every returned line is mapped
// back to its position (1-based) in that side's full log.
TEST_F(ConformanceTest, LogsSinceUntilTail) {
  MakeLines();
  const std::string base = "/containers/cf-lines/logs?timestamps=1";
  Pair all = Both("GET", base + "&stdout=1&stderr=1");
  std::vector<StampedLine> real_all = Stamped(all.real, false, "real");
  std::vector<StampedLine> fake_all = Stamped(all.fake, false, "fake");
  ASSERT_EQ(real_all.size(), 5u) << Describe(all.real);
  ASSERT_EQ(fake_all.size(), 5u) << Describe(all.fake);
  for (size_t i = 1; i < 5; ++i) {
    ASSERT_LT(real_all[i - 1].ts, real_all[i].ts) << "the real daemon's lines are not in time order" << Describe(all.real);
    ASSERT_LT(fake_all[i - 1].ts, fake_all[i].ts) << Describe(all.fake);
  }
  auto positions = [](const std::vector<StampedLine>& full, const std::vector<StampedLine>& got) {
    std::vector<int> pos;
    for (const auto& l : got) {
      auto it = std::find_if(full.begin(), full.end(), [&](const StampedLine& f) { return f.ts == l.ts; });
      pos.push_back(it == full.end() ? -1 : static_cast<int>(it - full.begin()) + 1);
    }
    return pos;
  };
  struct Case {
    std::string query;  // {L2} is replaced by each side's timestamp of line 2
    std::vector<int> expected;
  };
  const std::vector<Case> cases = {
      {"&stdout=1&stderr=1&since={L2}", {2, 3, 4, 5}},  // since is inclusive
      {"&stdout=1&stderr=1&since={L2+1}", {3, 4, 5}},
      {"&stdout=1&stderr=1&until={L2}", {1, 2}},  // until is inclusive
      {"&stdout=1&stderr=1&since={L2}&until={L2}", {2}},
      {"&stdout=1&stderr=1&tail=2", {4, 5}},
      {"&stdout=1&stderr=1&tail=1&until={L2}", {}},  // tail first, then until
      {"&stdout=1&stderr=1&tail=0", {}},
      {"&stdout=1&stderr=1&tail=bogus", {1, 2, 3, 4, 5}},  // invalid tail means all
      {"&stdout=1&stderr=1&tail=-1", {1, 2, 3, 4, 5}},
      {"&stdout=1&stderr=1&tail=99", {1, 2, 3, 4, 5}},
      {"&stdout=1&stderr=1&since=0", {1, 2, 3, 4, 5}},
      {"&stdout=1&stderr=1&until=0", {1, 2, 3, 4, 5}},
      {"&stderr=1", {2}},
      {"&stdout=1", {1, 3, 4, 5}},
      {"&stdout=1&tail=2", {4, 5}},
      {"&stderr=1&tail=3", {}},  // tail counts both streams, then filters
  };
  auto render = [](std::string q, const std::vector<StampedLine>& full) {
    for (const auto& [key, delta] : {std::pair<std::string, int64_t>{"{L2}", 0}, {"{L2+1}", 1}}) {
      for (size_t at; (at = q.find(key)) != std::string::npos;) q.replace(at, key.size(), ApiTime(full[1].ts + delta));
    }
    return q;
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.query);
    HttpResponse real = Get(real_->socket_path(), base + render(c.query, real_all));
    HttpResponse fake = Get(fake_->socket(), base + render(c.query, fake_all));
    EXPECT_TRUE(SameHead(real, fake));
    std::vector<int> rp = positions(real_all, Stamped(real, false, "real"));
    std::vector<int> fp = positions(fake_all, Stamped(fake, false, "fake"));
    EXPECT_EQ(Join(rp), Join(c.expected)) << "real" << Describe(real);
    EXPECT_EQ(Join(rp), Join(fp)) << BothSides(real, fake);
    EXPECT_TRUE(real.complete && fake.complete) << BothSides(real, fake);
    // Stream bytes agree as well.
    auto streams = [](const std::vector<StampedLine>& v) {
      std::vector<int> s;
      for (const auto& l : v) s.push_back(l.stream);
      return s;
    };
    EXPECT_EQ(Join(streams(Stamped(real, false, "real"))), Join(streams(Stamped(fake, false, "fake"))));
  }
  // Unparsable since/until: 500 with strconv's message, byte-identical.
  for (const std::string bad : {"since=bogus", "until=bogus", "since=1.x", "since=2026-11-28T15:03:08Z"}) {
    SCOPED_TRACE(bad);
    Pair p = Both("GET", "/containers/cf-lines/logs?stdout=1&" + bad);
    EXPECT_EQ(p.real.status, 500) << Describe(p.real);
    EXPECT_TRUE(SameHead(p.real, p.fake));
    EXPECT_EQ(p.real.body, p.fake.body) << BothSides(p.real, p.fake);
  }
}

// A line longer than 16 KiB comes back as frames of at most 16384 payload
// bytes (plus the timestamp), all with the line's timestamp, only the last
// ending in a newline: the same frame sizes on both daemons.
TEST_F(ConformanceTest, LongLinesSplitAt16KiB) {
  MakeLong();
  const std::vector<size_t> with_ts = {16415, 3648, 16415, 16415, 7264};
  const std::vector<size_t> without_ts = {16384, 3617, 16384, 16384, 7233};
  for (bool ts : {true, false}) {
    SCOPED_TRACE(ts ? "timestamps=1" : "no timestamps");
    Pair p = Both("GET", std::string("/containers/cf-long/logs?stdout=1&stderr=1") + (ts ? "&timestamps=1" : ""));
    EXPECT_TRUE(SameHead(p.real, p.fake));
    std::vector<size_t> sizes[2];
    for (int side = 0; side < 2; ++side) {
      const HttpResponse& r = side == 0 ? p.real : p.fake;
      const char* name = side == 0 ? "real" : "fake";
      std::string error;
      auto frames = ParseMux(r.body, &error);
      EXPECT_EQ(error, "") << name;
      for (size_t i = 0; i < frames.size(); ++i) {
        const std::string& payload = frames[i].payload;
        sizes[side].push_back(payload.size());
        EXPECT_EQ(frames[i].stream, 1) << name;
        const bool last_piece = i == 1 || i == 4;
        EXPECT_EQ(payload.back() == '\n', last_piece) << name << " frame " << i;
        if (ts && i > 0 && i != 2) {
          // A continuation piece carries the same timestamp as the first piece.
          EXPECT_EQ(payload.substr(0, 31), frames[i - 1].payload.substr(0, 31)) << name << " frame " << i;
        }
      }
      EXPECT_EQ(Join(sizes[side]), Join(ts ? with_ts : without_ts)) << name;
    }
    EXPECT_EQ(Join(sizes[0]), Join(sizes[1]));
  }
  // tail counts the pieces: tail=1 is the last piece of the long line alone.
  Pair tail = Both("GET", "/containers/cf-long/logs?stdout=1&tail=1");
  std::string e1, e2;
  auto rf = ParseMux(tail.real.body, &e1), ff = ParseMux(tail.fake.body, &e2);
  ASSERT_EQ(rf.size(), ff.size()) << BothSides(tail.real, tail.fake);
  for (size_t i = 0; i < rf.size(); ++i) EXPECT_EQ(rf[i].payload.size(), ff[i].payload.size());
}

TEST_F(ConformanceTest, TtyOutputIsRawWithCrLf) {
  MakeTty();
  for (const std::string query : {"stdout=1&stderr=1", "stdout=1", "stdout=1&stderr=1&timestamps=1"}) {
    SCOPED_TRACE(query);
    Pair p = Both("GET", "/containers/cf-tty/logs?" + query);
    EXPECT_TRUE(SameHead(p.real, p.fake));
    for (const HttpResponse* r : {&p.real, &p.fake}) {
      const char* side = r == &p.real ? "real" : "fake";
      EXPECT_TRUE(r->complete) << side;
      ASSERT_FALSE(r->body.empty()) << side;
      EXPECT_EQ(r->body.find('\0'), std::string::npos) << side << ": frame headers in TTY output" << Describe(*r);
      EXPECT_TRUE(r->body.ends_with("\r\n")) << side;
      size_t crlf = 0, lf = 0;
      for (size_t i = 0; i < r->body.size(); ++i) {
        if (r->body[i] == '\n') {
          ++lf;
          if (i > 0 && r->body[i - 1] == '\r') ++crlf;
        }
      }
      EXPECT_EQ(lf, 3u) << side << Describe(*r);
      EXPECT_EQ(crlf, lf) << side << ": every line ends in \\r\\n";
      if (query.find("timestamps") != std::string::npos) {
        EXPECT_EQ(Stamped(*r, true, side).size(), 3u);
      }
    }
  }
  // A TTY merges everything into stdout: stderr alone is empty on both.
  Pair err = Both("GET", "/containers/cf-tty/logs?stderr=1");
  EXPECT_TRUE(SameHead(err.real, err.fake));
  EXPECT_EQ(err.real.body, "");
  EXPECT_EQ(err.fake.body, "");
  EXPECT_TRUE(err.real.complete && err.fake.complete) << BothSides(err.real, err.fake);
}

// follow=1 on a running container; the container is stopped; the stream must
// end with the terminating chunk (the connection staying open) within 5 s,
// and the same connection must then answer another request.
TEST_F(ConformanceTest, FollowEndsWhenTheContainerStops) {
  // Made here and stopped below: not shared (a fresh name per run, for --gtest_repeat).
  static int runs = 0;
  const std::string name = "cf-follow-" + std::to_string(++runs);
  Make(name, "", "trap \"exit 143\" TERM; echo f1; sleep 0.05; echo f2; sleep 0.05; echo f3; sleep 3600 & wait",
       json::object(), json::array({{{"action", "emit"}, {"target", name}, {"lines", 3}}}), 3);
  const std::string target = "/containers/" + name + "/logs?stdout=1&stderr=1&follow=1&timestamps=1";
  HttpTestClient real_client(real_->socket_path()), fake_client(fake_->socket());
  HttpResponse real = real_client.Open("GET", target);
  HttpResponse fake = fake_client.Open("GET", target);
  EXPECT_TRUE(SameHead(real, fake));
  auto read_lines = [](HttpTestClient& c, HttpResponse* r, size_t lines) {
    const auto deadline = Clock::now() + 5s;
    std::string ignored;
    while (ParseMux(r->body, &ignored).size() < lines && Clock::now() < deadline && !r->complete && !r->eof) {
      c.Read(r, 1, std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
    }
    return ParseMux(r->body, &ignored).size();
  };
  EXPECT_EQ(read_lines(real_client, &real, 3), 3u) << Describe(real);
  EXPECT_EQ(read_lines(fake_client, &fake, 3), 3u) << Describe(fake);
  EXPECT_FALSE(real.complete || real.eof) << "the real stream ended before the stop" << Describe(real);
  EXPECT_FALSE(fake.complete || fake.eof) << "the fake stream ended before the stop" << Describe(fake);

  // A line written now arrives live, as one more timestamped frame. On the
  // real daemon it is written into the container's stdout through exec.
  real_->Docker("exec " + name + " sh -c 'echo live >/proc/1/fd/1'");
  fake_->Act({{"action", "emit"}, {"target", name}, {"lines", 1}});
  EXPECT_EQ(read_lines(real_client, &real, 4), 4u) << Describe(real);
  EXPECT_EQ(read_lines(fake_client, &fake, 4), 4u) << Describe(fake);
  for (const auto* r : {&real, &fake}) {
    std::string error;
    auto frames = ParseMux(r->body, &error);
    if (frames.size() < 4) continue;
    EXPECT_EQ(frames[3].stream, 1);
    EXPECT_TRUE(ParseLogTimestamp(frames[3].payload).has_value()) << Describe(*r);
    EXPECT_GT(ParseLogTimestamp(frames[3].payload).value_or(0), ParseLogTimestamp(frames[2].payload).value_or(0));
  }

  // Stop both; time each from its stop command to its terminating chunk.
  auto real_ended = std::async(std::launch::async, [&] {
    const auto t0 = Clock::now();
    real_->Docker("stop -t 1 " + name);
    real_client.ReadToEnd(&real, 5s);
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0);
  });
  const auto t0 = Clock::now();
  fake_->Act({{"action", "stop"}, {"target", name}});
  fake_client.ReadToEnd(&fake, 5s);
  const auto fake_ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0);
  const auto real_ms = real_ended.get();
  std::cout << "[ info     ] follow stream ended " << real_ms.count() << " ms (real) / " << fake_ms.count()
            << " ms (fake) after the stop command started\n";
  made_.erase(name);  // no longer running

  EXPECT_TRUE(real.complete) << "real: no terminating chunk within 5 s" << Describe(real);
  EXPECT_TRUE(fake.complete) << "fake: no terminating chunk within 5 s" << Describe(fake);
  EXPECT_FALSE(real.eof) << "real closed the connection" << Describe(real);
  EXPECT_FALSE(fake.eof) << "fake closed the connection" << Describe(fake);
  EXPECT_LT(real_ms, 5s);
  EXPECT_LT(fake_ms, 5s);
  std::string e1, e2;
  EXPECT_EQ(ParseMux(real.body, &e1).size(), 4u) << Describe(real);
  EXPECT_EQ(ParseMux(fake.body, &e2).size(), 4u) << Describe(fake);

  // Keep-alive: the same connection answers a ping.
  HttpResponse real_ping = real_client.Request("GET", "/_ping", "", 3s);
  HttpResponse fake_ping = fake_client.Request("GET", "/_ping", "", 3s);
  EXPECT_EQ(real_ping.status, 200) << Describe(real_ping);
  EXPECT_EQ(fake_ping.status, 200) << Describe(fake_ping);
  EXPECT_TRUE(SameHead(real_ping, fake_ping));
  EXPECT_EQ(real_ping.body, fake_ping.body);

  // Both now report the container as exited, with the same exit code.
  Pair inspect = Both("GET", "/containers/" + name + "/json");
  EXPECT_EQ(Parse(inspect.real)["State"]["Status"], "exited");
  EXPECT_EQ(Parse(inspect.real)["State"]["Status"], Parse(inspect.fake)["State"]["Status"]);
  EXPECT_EQ(Parse(inspect.real)["State"]["ExitCode"], Parse(inspect.fake)["State"]["ExitCode"]);
  EXPECT_EQ(Parse(inspect.real)["State"]["Running"], false);
  EXPECT_EQ(Parse(inspect.fake)["State"]["Running"], false);
}

// A follow stream on a running container that writes nothing stays open,
// whatever the history: with tail=0 (headers only), and with an `until` in
// the past (dockerd 20.10 has no timer for it: the stored lines up to until
// come, then the stream waits for a new line or the container's death).
TEST_F(ConformanceTest, FollowStaysOpenOnASilentContainer) {
  MakeLines();
  HttpResponse all_real = Get(real_->socket_path(), "/containers/cf-lines/logs?stdout=1&stderr=1&timestamps=1");
  HttpResponse all_fake = Get(fake_->socket(), "/containers/cf-lines/logs?stdout=1&stderr=1&timestamps=1");
  std::vector<StampedLine> real_all = Stamped(all_real, false, "real"), fake_all = Stamped(all_fake, false, "fake");
  ASSERT_EQ(real_all.size(), 5u);
  ASSERT_EQ(fake_all.size(), 5u);
  struct Case {
    std::string real_query, fake_query;
    size_t lines;
  };
  const std::string f = "/containers/cf-lines/logs?stdout=1&stderr=1&follow=1";
  const std::vector<Case> cases = {
      {f + "&tail=0", f + "&tail=0", 0},
      {f + "&tail=2", f + "&tail=2", 2},
      {f + "&timestamps=1", f + "&timestamps=1", 5},
      {f + "&until=" + ApiTime(real_all[1].ts), f + "&until=" + ApiTime(fake_all[1].ts), 2},
      {f + "&tail=1&until=" + ApiTime(real_all[1].ts), f + "&tail=1&until=" + ApiTime(fake_all[1].ts), 0},
  };
  std::vector<std::unique_ptr<HttpTestClient>> clients;
  std::vector<HttpResponse> real(cases.size()), fake(cases.size());
  for (size_t i = 0; i < cases.size(); ++i) {
    clients.push_back(std::make_unique<HttpTestClient>(real_->socket_path()));
    real[i] = clients.back()->Open("GET", cases[i].real_query, 3s);
    clients.push_back(std::make_unique<HttpTestClient>(fake_->socket()));
    fake[i] = clients.back()->Open("GET", cases[i].fake_query, 3s);
  }
  const auto opened = Clock::now();
  // First the expected lines (bounded)...
  for (size_t i = 0; i < 2 * cases.size(); ++i) {
    HttpResponse& r = i % 2 == 0 ? real[i / 2] : fake[i / 2];
    const auto deadline = Clock::now() + 3s;
    std::string ignored;
    while (ParseMux(r.body, &ignored).size() < cases[i / 2].lines && !r.complete && !r.eof &&
           Clock::now() < deadline) {
      clients[i]->Read(&r, 1, std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
    }
  }
  // ...then an observation window: 600 ms after opening, no stream may have
  // ended nor sent anything more.
  std::this_thread::sleep_until(opened + 600ms);
  for (size_t i = 0; i < 2 * cases.size(); ++i) {
    clients[i]->Read(i % 2 == 0 ? &real[i / 2] : &fake[i / 2], 1, 100ms);
  }
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(cases[i].fake_query);
    EXPECT_TRUE(SameHead(real[i], fake[i]));
    EXPECT_EQ(real[i].status, 200);
    std::string e1, e2;
    EXPECT_EQ(ParseMux(real[i].body, &e1).size(), cases[i].lines) << Describe(real[i]);
    EXPECT_EQ(ParseMux(fake[i].body, &e2).size(), cases[i].lines) << Describe(fake[i]);
    EXPECT_FALSE(real[i].complete || real[i].eof) << "real ended" << Describe(real[i]);
    EXPECT_FALSE(fake[i].complete || fake[i].eof) << "fake ended" << Describe(fake[i]);
  }
}

// `docker rm -f` while following ends the stream cleanly as well, and the
// container is then gone for logs and inspect.
TEST_F(ConformanceTest, FollowEndsWhenTheContainerIsRemoved) {
  static int runs = 0;
  const std::string name = "cf-removed-" + std::to_string(++runs);
  const int64_t since = WallNanos();
  Make(name, "", "trap \"exit 143\" TERM; echo r1; sleep 3600 & wait", json::object(),
       json::array({{{"action", "emit"}, {"target", name}, {"lines", 1}}}), 1);
  made_.erase(name);
  const std::string target = "/containers/" + name + "/logs?stdout=1&stderr=1&follow=1";
  HttpTestClient real_client(real_->socket_path()), fake_client(fake_->socket());
  HttpResponse real = real_client.Open("GET", target);
  HttpResponse fake = fake_client.Open("GET", target);
  EXPECT_TRUE(SameHead(real, fake));
  for (auto [c, r] : {std::pair{&real_client, &real}, std::pair{&fake_client, &fake}}) {
    const auto deadline = Clock::now() + 3s;
    std::string ignored;
    while (ParseMux(r->body, &ignored).empty() && !r->complete && !r->eof && Clock::now() < deadline) {
      c->Read(r, 1, std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
    }
  }
  auto real_ended = std::async(std::launch::async, [&] {
    const auto t0 = Clock::now();
    real_->Docker("rm -f " + name);
    real_client.ReadToEnd(&real, 5s);
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0);
  });
  const auto t0 = Clock::now();
  fake_->Act({{"action", "remove"}, {"target", name}});
  fake_client.ReadToEnd(&fake, 5s);
  const auto fake_ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0);
  const auto real_ms = real_ended.get();
  std::cout << "[ info     ] follow stream ended " << real_ms.count() << " ms (real) / " << fake_ms.count()
            << " ms (fake) after the remove command started\n";
  EXPECT_TRUE(real.complete && !real.eof) << Describe(real);
  EXPECT_TRUE(fake.complete && !fake.eof) << Describe(fake);
  EXPECT_LT(real_ms, 5s);
  EXPECT_LT(fake_ms, 5s);
  std::string e1, e2;
  EXPECT_EQ(ParseMux(real.body, &e1).size(), 1u) << Describe(real);
  EXPECT_EQ(ParseMux(fake.body, &e2).size(), 1u) << Describe(fake);
  for (const std::string path : {"/logs?stdout=1", "/json"}) {
    Pair gone = Both("GET", "/containers/" + name + path);
    EXPECT_EQ(gone.real.status, 404) << Describe(gone.real);
    EXPECT_TRUE(SameHead(gone.real, gone.fake));
    EXPECT_EQ(gone.real.body, gone.fake.body);
  }
  // rm -f of a running container: kill(9), die(137), destroy; no stop event.
  Pair events = Both("GET", "/events?since=" + ApiTime(since) + "&until=" + ApiTime(WallNanos()) + "&filters=" +
                                UrlEncode(R"({"type":["container"],"container":[")" + name + R"("]})"));
  auto summary = [](const HttpResponse& r) {
    std::vector<std::string> out;
    std::istringstream in(r.body);
    for (std::string line; std::getline(in, line);) {
      json e = json::parse(line, nullptr, false);
      std::string s = e.value("Action", "?");
      for (const char* attr : {"signal", "exitCode"}) {
        if (e["Actor"]["Attributes"].contains(attr)) s += "(" + e["Actor"]["Attributes"][attr].get<std::string>() + ")";
      }
      out.push_back(s);
    }
    return Join(out);
  };
  EXPECT_EQ(summary(events.real), "[create, start, kill(9), die(137), destroy]") << Describe(events.real);
  EXPECT_EQ(summary(events.real), summary(events.fake)) << BothSides(events.real, events.fake);
}

TEST_F(ConformanceTest, FollowOnAnExitedContainerEndsAtOnce) {
  MakeExited();
  for (const std::string query : {"stdout=1&stderr=1&follow=1", "stdout=1&stderr=1&follow=1&tail=0",
                                  "stdout=1&stderr=1&follow=1&tail=1"}) {
    SCOPED_TRACE(query);
    const auto t0 = Clock::now();
    Pair p = Both("GET", "/containers/cf-exited/logs?" + query);
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0);
    EXPECT_LT(ms, 2s) << "the streams did not end at once";
    EXPECT_TRUE(SameHead(p.real, p.fake));
    EXPECT_TRUE(p.real.complete && !p.real.eof) << Describe(p.real);
    EXPECT_TRUE(p.fake.complete && !p.fake.eof) << Describe(p.fake);
    std::string e1, e2;
    const size_t expected = query.ends_with("tail=0") ? 0 : query.ends_with("tail=1") ? 1 : 3;
    EXPECT_EQ(ParseMux(p.real.body, &e1).size(), expected) << Describe(p.real);
    EXPECT_EQ(ParseMux(p.fake.body, &e2).size(), expected) << Describe(p.fake);
  }
}

// ---------------------------------------------------------------------------
// /events

TEST_F(ConformanceTest, EventsOfRunStopRemove) {
  static int runs = 0;
  const std::string name = "cf-events-" + std::to_string(++runs);
  // Live streams (since, no until), opened before anything happens.
  const std::string live_target =
      "/events?since=" + ApiTime(WallNanos()) + "&filters=" +
      UrlEncode(R"({"type":["container"],"container":[")" + name + R"("]})");
  HttpTestClient real_live_client(real_->socket_path()), fake_live_client(fake_->socket());
  HttpResponse real_live = real_live_client.Open("GET", live_target);
  HttpResponse fake_live = fake_live_client.Open("GET", live_target);
  EXPECT_TRUE(SameHead(real_live, fake_live));

  // Real: docker run -d, docker stop -t 1, docker rm, bracketed by since/until.
  const int64_t real_since = WallNanos();
  real_->Docker("run -d --network none --name " + name + " --label cf=" + name + " " + RealDockerd::kImage +
                " sh -c 'trap \"exit 143\" TERM; sleep 3600 & wait'");
  real_->Docker("stop -t 1 " + name);
  real_->Docker("rm " + name);
  const int64_t real_until = WallNanos();
  // Fake: add, stop, remove.
  const int64_t fake_since = WallNanos();
  fake_->Act({{"action", "add"}, {"name", name}, {"rate", 0}, {"labels", {{"cf", name}}}});
  fake_->Act({{"action", "stop"}, {"target", name}});
  fake_->Act({{"action", "remove"}, {"target", name}});
  const int64_t fake_until = WallNanos();

  const std::string filters = "&filters=" + UrlEncode(R"({"type":["container"],"container":[")" + name + R"("]})");
  HttpResponse real = Get(real_->socket_path(),
                          "/events?since=" + ApiTime(real_since) + "&until=" + ApiTime(real_until) + filters);
  HttpResponse fake = Get(fake_->socket(),
                          "/events?since=" + ApiTime(fake_since) + "&until=" + ApiTime(fake_until) + filters);
  EXPECT_TRUE(SameHead(real, fake));
  EXPECT_TRUE(real.complete && !real.eof) << "real: a past window must end with the terminating chunk" << Describe(real);
  EXPECT_TRUE(fake.complete && !fake.eof) << "fake: a past window must end with the terminating chunk" << Describe(fake);

  auto events = [](const HttpResponse& r) {
    std::vector<ojson> out;
    std::istringstream in(r.body);
    for (std::string line; std::getline(in, line);) {
      if (!line.empty()) out.push_back(ojson::parse(line, nullptr, false));
    }
    return out;
  };
  std::vector<ojson> re = events(real), fe = events(fake);
  std::vector<std::string> ra, fa;
  for (const auto& e : re) ra.push_back(e.value("Action", "?"));
  for (const auto& e : fe) fa.push_back(e.value("Action", "?"));
  EXPECT_EQ(Join(ra), "[create, start, kill, die, stop, destroy]") << "real" << Describe(real);
  EXPECT_EQ(Join(ra), Join(fa)) << BothSides(real, fake);

  // Attribute keys other than the container's labels (the fake adds labels
  // of its own to every container).
  auto attribute_keys = [](const ojson& e) {
    std::vector<std::string> keys;
    for (const auto& k : Keys(e["Actor"]["Attributes"])) {
      if (!k.starts_with("com.leakbench.") && k != "cf") keys.push_back(k);
    }
    return keys;
  };
  for (size_t i = 0; i < std::min(re.size(), fe.size()); ++i) {
    SCOPED_TRACE("event " + std::to_string(i) + " " + ra[i]);
    EXPECT_EQ(Join(Keys(re[i])), Join(Keys(fe[i]))) << "top-level key order\nreal: " << re[i].dump()
                                                    << "\nfake: " << fe[i].dump();
    EXPECT_EQ(Join(Keys(re[i]["Actor"])), Join(Keys(fe[i]["Actor"])));
    EXPECT_EQ(Join(attribute_keys(re[i])), Join(attribute_keys(fe[i]))) << "real: " << re[i].dump()
                                                                       << "\nfake: " << fe[i].dump();
    EXPECT_EQ(re[i]["Actor"]["Attributes"]["name"], name);
    EXPECT_EQ(fe[i]["Actor"]["Attributes"]["name"], name);
    EXPECT_EQ(re[i]["Actor"]["Attributes"]["cf"], fe[i]["Actor"]["Attributes"]["cf"]);
    EXPECT_EQ(re[i]["Type"], fe[i]["Type"]);
    EXPECT_EQ(re[i]["status"], fe[i]["status"]);
    EXPECT_EQ(re[i]["scope"], fe[i]["scope"]);
    for (const ojson* e : {&re[i], &fe[i]}) {
      EXPECT_EQ((*e)["time"].get<int64_t>(), (*e)["timeNano"].get<int64_t>() / 1'000'000'000);
      EXPECT_EQ((*e)["id"], (*e)["Actor"]["ID"]);
    }
    if (ra[i] == "die") {
      EXPECT_EQ(Join(attribute_keys(re[i])), "[exitCode, image, name]");
      EXPECT_EQ(re[i]["Actor"]["Attributes"]["exitCode"], fe[i]["Actor"]["Attributes"]["exitCode"]);
    }
    if (ra[i] == "kill") {
      EXPECT_EQ(Join(attribute_keys(re[i])), "[image, name, signal]");
      EXPECT_EQ(re[i]["Actor"]["Attributes"]["signal"], fe[i]["Actor"]["Attributes"]["signal"]);
    }
  }
  // The live streams saw the same events as they happened, and stay open.
  for (auto [client, live] : {std::pair{&real_live_client, &real_live}, std::pair{&fake_live_client, &fake_live}}) {
    const auto deadline = Clock::now() + 5s;
    while (std::count(live->body.begin(), live->body.end(), '\n') < 6 && !live->complete && !live->eof &&
           Clock::now() < deadline) {
      client->Read(live, 1, std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
    }
    std::vector<std::string> actions;
    for (const auto& e : events(*live)) actions.push_back(e.value("Action", "?"));
    EXPECT_EQ(Join(actions), Join(ra)) << (live == &real_live ? "real" : "fake") << " live" << Describe(*live);
    EXPECT_FALSE(live->complete || live->eof) << Describe(*live);
  }

  // Gone on both.
  Pair gone = Both("GET", "/containers/" + name + "/json");
  EXPECT_EQ(gone.real.status, 404);
  EXPECT_TRUE(SameHead(gone.real, gone.fake));
  EXPECT_EQ(gone.real.body, gone.fake.body);
}

// /events with `until` in the future ends by itself at `until` (a timer,
// unlike /logs), with the terminating chunk.
TEST_F(ConformanceTest, EventsEndAtAFutureUntil) {
  const int64_t since = WallNanos();
  const int64_t until = since + 700'000'000;
  const std::string target = "/events?since=" + ApiTime(since) + "&until=" + ApiTime(until) +
                             "&filters=" + UrlEncode(R"({"type":["container"],"container":["cf-no-such"]})");
  auto real_ended = std::async(std::launch::async, [&] {
    HttpTestClient c(real_->socket_path());
    HttpResponse r = c.Request("GET", target, "", 5s);
    return std::make_pair(r, WallNanos());
  });
  HttpTestClient c(fake_->socket());
  HttpResponse fake = c.Request("GET", target, "", 5s);
  const int64_t fake_end = WallNanos();
  auto [real, real_end] = real_ended.get();
  EXPECT_TRUE(SameHead(real, fake));
  EXPECT_TRUE(real.complete && !real.eof) << Describe(real);
  EXPECT_TRUE(fake.complete && !fake.eof) << Describe(fake);
  std::cout << "[ info     ] /events ended " << (real_end - until) / 1'000'000 << " ms (real) / "
            << (fake_end - until) / 1'000'000 << " ms (fake) after until\n";
  for (int64_t end : {real_end, fake_end}) {
    EXPECT_GE(end, until - 20'000'000) << "ended before until";
    EXPECT_LT(end, until + 1'500'000'000) << "ended too late";
  }
  EXPECT_EQ(real.body, "");
  EXPECT_EQ(fake.body, "");
}

}  // namespace
}  // namespace leakbench::testing
