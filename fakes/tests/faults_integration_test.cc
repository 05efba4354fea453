// Every fault the fake can inject, switched on through its control API and
// observed by a plain HTTP client on /logs (or /events): what the client
// receives, when, and how the body ends. Also the fault selectors (target,
// probability, count, endpoint), clearing faults, and a daemon restart.
// Timing checks use lower bounds the fake cannot beat and generous upper
// bounds; every read has a deadline and every wait is a bounded poll.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <limits>
#include <thread>

#include "fakes/tests/support/http_test_client.h"
#include "fakes/tests/support/in_process_fake.h"
#include "fakes/tests/support/polling.h"

namespace leakbench::testing {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using std::chrono::duration_cast;
using std::chrono::milliseconds;

// The big-endian payload length in the frame header at `pos`.
uint32_t FrameLength(const std::string& body, size_t pos) {
  auto b = [&](size_t i) { return static_cast<uint32_t>(static_cast<uint8_t>(body[pos + i])); };
  return (b(4) << 24) | (b(5) << 16) | (b(6) << 8) | b(7);
}

// Reads until the body holds `n` whole frames, ends, or `limit` passes.
size_t ReadFrames(HttpTestClient& client, HttpResponse* r, size_t n, milliseconds limit = 2s) {
  const auto until = Clock::now() + limit;
  while (Demux(r->body).size() < n && !r->complete && !r->eof && Left(until) > 0ms) {
    client.Read(r, 1, Left(until));
  }
  return Demux(r->body).size();
}

// What a raw reader sees of a chunked response: each chunk's size and when
// the read that completed it returned, and whether the last chunk came.
struct RawChunks {
  int status = 0;
  std::vector<size_t> sizes;
  std::vector<Clock::time_point> arrivals;
  bool terminated = false;
  bool eof = false;
};

// Sends a GET and parses the chunked framing itself (the test client hides
// chunk boundaries), until the terminating chunk, EOF or `limit`.
RawChunks RawChunkedGet(const std::string& socket, const std::string& target, milliseconds limit) {
  HttpTestClient c(socket);
  RawChunks out;
  if (!c.connected()) return out;
  c.SendRaw("GET " + target + " HTTP/1.1\r\nHost: docker\r\n\r\n");
  std::string raw;
  size_t pos = std::string::npos;  // start of the next chunk-size line
  const auto until = Clock::now() + limit;
  while (!out.terminated && Left(until) > 0ms) {
    pollfd p{c.fd(), POLLIN, 0};
    int rc = ::poll(&p, 1, static_cast<int>(Left(until).count()));
    if (rc < 0 && errno == EINTR) continue;
    if (rc <= 0) break;
    char buf[4096];
    ssize_t n = ::recv(c.fd(), buf, sizeof buf, 0);
    if (n <= 0) {
      out.eof = true;
      break;
    }
    raw.append(buf, static_cast<size_t>(n));
    const auto now = Clock::now();
    if (pos == std::string::npos) {
      size_t end = raw.find("\r\n\r\n");
      if (end == std::string::npos) continue;
      out.status = std::stoi(raw.substr(9, 3));
      pos = end + 4;
    }
    for (;;) {
      size_t eol = raw.find("\r\n", pos);
      if (eol == std::string::npos) break;
      size_t len = std::stoul(raw.substr(pos, eol - pos), nullptr, 16);
      if (len == 0) {
        out.terminated = raw.size() >= eol + 4;
        break;
      }
      if (raw.size() < eol + 2 + len + 2) break;
      out.sizes.push_back(len);
      out.arrivals.push_back(now);
      pos = eol + 2 + len + 2;
    }
  }
  return out;
}

class FaultsTest : public ::testing::Test {
 protected:
  std::string AddQuiet(json extra = json::object()) { return fake_.AddQuiet(extra); }
  void Emit(const std::string& id, int lines, bool same_ts = false) { fake_.Emit(id, lines, same_ts); }

  // POST /faults; answers the new fault's id.
  uint64_t AddFault(const json& spec) {
    int status = 0;
    json out = fake_.Control("POST", "/faults", spec, &status);
    EXPECT_EQ(status, 200) << out.dump();
    return out.value("fault_id", uint64_t{0});
  }
  // The same through an action, as a scenario would do it.
  uint64_t ActFault(json spec) {
    spec["action"] = "fault";
    return fake_.Act(spec)["fault_id"].get<uint64_t>();
  }

  json Truth() { return fake_.Control("GET", "/truth"); }
  // The stream record whose request target contains `tag`.
  json Record(const std::string& tag) {
    for (const auto& s : fake_.Control("GET", "/streams")) {
      if (s["target"].get<std::string>().find(tag) != std::string::npos) return s;
    }
    return json();
  }
  std::string Logs(const std::string& id, const std::string& query) {
    return "/containers/" + id + "/logs?" + query;
  }

  InProcessFake fake_{QuietConfig()};
};

// --- stall ------------------------------------------------------------------

TEST_F(FaultsTest, StallSendsHeadersThenNothingWhileLinesAreWritten) {
  std::string id = AddQuiet();
  Emit(id, 3);
  AddFault({{"kind", "stall"}});
  HttpTestClient client(fake_.socket());
  HttpResponse r = client.Open("GET", Logs(id, "stdout=1&follow=1&tag=stalled"), 2s);
  ASSERT_EQ(r.status, 200);
  EXPECT_TRUE(r.chunked);
  for (int round = 0; round < 3; ++round) {
    Emit(id, 5);
    EXPECT_EQ(client.Read(&r, 1, 150ms), 0u) << "round " << round;
    EXPECT_TRUE(r.timed_out);
  }
  EXPECT_TRUE(r.body.empty());
  EXPECT_FALSE(r.complete);
  EXPECT_FALSE(r.eof);
  // The lines exist and the stream is open: the silence is the fault's.
  EXPECT_EQ(fake_.Control("GET", "/containers")[0]["emitted"], 18);
  EXPECT_EQ(Truth()["follow_streams_open"], 1);
  json rec = Record("tag=stalled");
  EXPECT_EQ(rec["open"], true);
  EXPECT_EQ(rec["bytes_sent"], 0);
  EXPECT_EQ(rec["faults"], json::array({"stall"}));
  client.Close();
  EXPECT_TRUE(Eventually([&] { return Truth()["follow_streams_open"] == 0; }));
  EXPECT_EQ(Record("tag=stalled")["close_reason"], "client_closed");
}

TEST_F(FaultsTest, StallWithDurationResumesAfterIt) {
  std::string id = AddQuiet();
  Emit(id, 2);
  // after_bytes 1: the two lines already written go out, then the stall.
  ActFault({{"kind", "stall"}, {"duration", "400ms"}, {"after_bytes", 1}});
  HttpTestClient client(fake_.socket());
  HttpResponse r = client.Open("GET", Logs(id, "stdout=1&follow=1"), 2s);
  ASSERT_EQ(r.status, 200);
  ASSERT_EQ(ReadFrames(client, &r, 2), 2u);
  const auto first_bytes = Clock::now();
  Emit(id, 3);
  EXPECT_EQ(client.Read(&r, 1, 200ms), 0u);  // stalled although 3 lines wait
  ASSERT_EQ(ReadFrames(client, &r, 5, 2s), 5u);
  // The timer starts when the first batch is written, a little before the
  // client has read it: allow for that.
  EXPECT_GE(Clock::now() - first_bytes, 300ms);
  EXPECT_LE(Clock::now() - first_bytes, 1500ms);
  EXPECT_FALSE(r.complete);
}

// --- reset, truncate, malformed, error_frame ---------------------------------

TEST_F(FaultsTest, ResetCutsAFrameAndClosesWithoutTheLastChunk) {
  std::string id = AddQuiet();
  Emit(id, 3);
  AddFault({{"kind", "reset"}, {"after_bytes", 1}});
  HttpTestClient client(fake_.socket());
  HttpResponse r = client.Open("GET", Logs(id, "stdout=1&follow=1&tag=reset"), 2s);
  ASSERT_EQ(r.status, 200);
  ASSERT_EQ(ReadFrames(client, &r, 3), 3u);  // the lines before after_bytes arrive whole
  Emit(id, 2);                                // the next one is cut
  client.ReadToEnd(&r, 2s);
  EXPECT_FALSE(r.timed_out);
  EXPECT_FALSE(r.complete);
  EXPECT_TRUE(r.eof);  // AF_UNIX has no RST: an abrupt close reads as EOF
  size_t consumed = 0;
  auto frames = Demux(r.body, &consumed);
  EXPECT_EQ(frames.size(), 3u);
  ASSERT_GT(r.body.size(), consumed) << "no partial frame after the whole ones";
  const size_t left = r.body.size() - consumed;
  ASSERT_GE(left, 8u);
  EXPECT_EQ(r.body[consumed], 1);  // a real stdout header, then too little payload
  EXPECT_LT(left - 8, FrameLength(r.body, consumed));
  EXPECT_TRUE(Eventually([&] { return Record("tag=reset")["open"] == false; }));
  json rec = Record("tag=reset");
  EXPECT_EQ(rec["close_reason"], "fault:reset");
  EXPECT_EQ(rec["bytes_sent"], r.body.size());
  EXPECT_EQ(rec["lines_sent"], 3);
}

TEST_F(FaultsTest, TruncateCutsAFrameThenEndsTheBodyCleanly) {
  std::string id = AddQuiet();
  Emit(id, 2);
  AddFault({{"kind", "truncate"}, {"after_bytes", 1}});
  HttpTestClient client(fake_.socket());
  HttpResponse r = client.Open("GET", Logs(id, "stdout=1&follow=1&tag=trunc"), 2s);
  ASSERT_EQ(r.status, 200);
  ASSERT_EQ(ReadFrames(client, &r, 2), 2u);
  Emit(id, 1);
  client.ReadToEnd(&r, 2s);
  EXPECT_TRUE(r.complete);  // the terminating chunk arrived ...
  EXPECT_FALSE(r.eof);
  size_t consumed = 0;
  EXPECT_EQ(Demux(r.body, &consumed).size(), 2u);
  ASSERT_GE(r.body.size() - consumed, 8u);  // ... after a frame cut short
  EXPECT_LT(r.body.size() - consumed - 8, FrameLength(r.body, consumed));
  EXPECT_EQ(Record("tag=trunc")["close_reason"], "fault:truncate");
  // A clean end keeps the connection usable.
  EXPECT_EQ(client.Request("GET", "/_ping", "", 2s).status, 200);
}

TEST_F(FaultsTest, MalformedStreamVariantSendsStreamType7) {
  std::string id = AddQuiet();
  Emit(id, 2);
  AddFault({{"kind", "malformed"}, {"variant", "stream"}, {"after_bytes", 1}});
  HttpResponse r = HttpTestClient(fake_.socket()).Request("GET", Logs(id, "stdout=1"), "", 2s);
  ASSERT_EQ(r.status, 200);
  EXPECT_TRUE(r.complete);
  size_t consumed = 0;
  auto frames = Demux(r.body, &consumed);
  ASSERT_EQ(frames.size(), 3u);
  EXPECT_EQ(frames[0].stream, 1);
  EXPECT_EQ(frames[1].stream, 1);
  EXPECT_EQ(frames[2].stream, 7);
  EXPECT_EQ(consumed, r.body.size());
}

TEST_F(FaultsTest, MalformedLengthVariantSendsAnAbsurdLength) {
  std::string id = AddQuiet();
  Emit(id, 2);
  ActFault({{"kind", "malformed"}, {"variant", "length"}, {"after_bytes", 1}});
  HttpResponse r = HttpTestClient(fake_.socket()).Request("GET", Logs(id, "stdout=1"), "", 2s);
  ASSERT_EQ(r.status, 200);
  EXPECT_TRUE(r.complete);
  size_t consumed = 0;
  EXPECT_EQ(Demux(r.body, &consumed).size(), 2u);
  ASSERT_GE(r.body.size() - consumed, 8u);
  EXPECT_EQ(r.body[consumed], 1);
  EXPECT_EQ(FrameLength(r.body, consumed), 0xFFFFFFF0u);
  EXPECT_LT(r.body.size() - consumed, 100u);  // and nowhere near that many bytes
}

TEST_F(FaultsTest, ErrorFrameIsStreamType3ThenTheEnd) {
  std::string id = AddQuiet();
  Emit(id, 2);
  AddFault({{"kind", "error_frame"}, {"after_bytes", 1}});
  HttpTestClient client(fake_.socket());
  HttpResponse r = client.Open("GET", Logs(id, "stdout=1&follow=1&tag=errframe"), 2s);
  ASSERT_EQ(r.status, 200);
  client.ReadToEnd(&r, 2s);
  EXPECT_TRUE(r.complete);
  size_t consumed = 0;
  auto frames = Demux(r.body, &consumed);
  EXPECT_EQ(consumed, r.body.size());
  ASSERT_EQ(frames.size(), 3u);
  EXPECT_EQ(frames[2].stream, 3);
  EXPECT_TRUE(frames[2].payload.starts_with("Error grabbing logs:")) << frames[2].payload;
  EXPECT_EQ(Record("tag=errframe")["close_reason"], "fault:error_frame");
}

// --- HTTP errors ---------------------------------------------------------------

class HttpErrorFaultTest : public FaultsTest, public ::testing::WithParamInterface<int> {};

TEST_P(HttpErrorFaultTest, AnswersTheStatusWithAJsonMessage) {
  const int status = GetParam();
  std::string id = AddQuiet();
  Emit(id, 1);
  AddFault({{"kind", "http_" + std::to_string(status)}});
  HttpResponse r = HttpTestClient(fake_.socket()).Request("GET", Logs(id, "stdout=1&follow=1"), "", 2s);
  EXPECT_EQ(r.status, status);
  EXPECT_TRUE(r.complete);
  EXPECT_EQ(r.Header("Api-Version"), "1.41");
  EXPECT_EQ(r.Header("Content-Type"), "application/json");
  json body = json::parse(r.body, nullptr, false);
  ASSERT_TRUE(body.is_object()) << r.body;
  ASSERT_TRUE(body.contains("message"));
  EXPECT_FALSE(body["message"].get<std::string>().empty());
  // No stream was opened; the request is on the refused list.
  EXPECT_EQ(Truth()["follow_streams_open"], 0);
  EXPECT_TRUE(fake_.Control("GET", "/streams").empty());
  json refused = fake_.Control("GET", "/refused");
  ASSERT_EQ(refused["total"], 1);
  EXPECT_EQ(refused["recent"][0]["status"], status);
  EXPECT_EQ(refused["recent"][0]["reason"], "fault:http_" + std::to_string(status));
}

INSTANTIATE_TEST_SUITE_P(Statuses, HttpErrorFaultTest, ::testing::Values(500, 503));

// --- pacing: slow, latency, slice ------------------------------------------------

TEST_F(FaultsTest, SlowLimitsThroughput) {
  constexpr uint64_t kBytesPerS = 2000;
  std::string id = AddQuiet();
  Emit(id, 100);  // ~11 KB waiting: without the fault it all comes at once
  AddFault({{"kind", "slow"}, {"bytes_per_s", kBytesPerS}});
  HttpTestClient client(fake_.socket());
  HttpResponse r = client.Open("GET", Logs(id, "stdout=1"), 2s);
  ASSERT_EQ(r.status, 200);
  const auto start = Clock::now();
  client.Read(&r, std::numeric_limits<size_t>::max() / 2, 1000ms);
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  EXPECT_FALSE(r.complete);
  const double bytes = static_cast<double>(r.body.size());
  EXPECT_LE(bytes, kBytesPerS * seconds * 1.5 + 200) << bytes << " bytes in " << seconds << " s";
  EXPECT_GE(bytes, kBytesPerS * 0.3) << "the stream should still flow";
}

TEST_F(FaultsTest, LatencyDelaysTheResponseHead) {
  std::string id = AddQuiet();
  Emit(id, 1);
  AddFault({{"kind", "latency"}, {"delay", "300ms"}});
  const auto start = Clock::now();
  HttpResponse r = HttpTestClient(fake_.socket()).Request("GET", Logs(id, "stdout=1"), "", 2s);
  const auto took = Clock::now() - start;
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(r.complete);
  EXPECT_EQ(Demux(r.body).size(), 1u);
  EXPECT_GE(took, 300ms);
  EXPECT_LE(took, 1500ms);
  // The stream's record says when the head went out, after the request came.
  const nlohmann::json streams = fake_.Control("GET", "/streams");
  ASSERT_EQ(streams.size(), 1u);
  EXPECT_GE(streams[0]["answered_at_ns"].get<int64_t>() - streams[0]["opened_at_ns"].get<int64_t>(), 300'000'000)
      << streams[0].dump();
}

TEST_F(FaultsTest, SliceSendsTinyChunksApart) {
  constexpr size_t kChunk = 16;
  std::string id = AddQuiet();
  Emit(id, 2);  // 2 x (8 + 101) bytes
  AddFault({{"kind", "slice"}, {"chunk_bytes", kChunk}, {"delay", "5ms"}});
  const auto start = Clock::now();
  RawChunks raw = RawChunkedGet(fake_.socket(), Logs(id, "stdout=1"), 2500ms);
  const auto took = Clock::now() - start;
  EXPECT_EQ(raw.status, 200);
  EXPECT_TRUE(raw.terminated);
  size_t total = 0;
  for (size_t s : raw.sizes) {
    EXPECT_LE(s, kChunk);
    total += s;
  }
  EXPECT_EQ(total, 2u * (8 + 101));
  EXPECT_GE(raw.sizes.size(), (total + kChunk - 1) / kChunk);
  // `delay` between writes: the chunks cannot all arrive at once.
  EXPECT_GE(took, (raw.sizes.size() - 1) * 5ms);
  EXPECT_GT(raw.arrivals.back() - raw.arrivals.front(), 20ms);
}

// --- the end of a stream: slow_close, zombie -------------------------------------

TEST_F(FaultsTest, SlowCloseDelaysTheEndAfterStop) {
  std::string id = AddQuiet();
  Emit(id, 2);
  ActFault({{"kind", "slow_close"}, {"delay", "400ms"}});
  HttpTestClient client(fake_.socket());
  HttpResponse r = client.Open("GET", Logs(id, "stdout=1&follow=1&tag=slowclose"), 2s);
  ASSERT_EQ(r.status, 200);
  ASSERT_EQ(ReadFrames(client, &r, 2), 2u);
  const auto stop = Clock::now();
  fake_.Act({{"action", "stop"}, {"target", id}});
  EXPECT_EQ(Truth()["follow_streams_open"], 1);  // still open during the delay
  client.ReadToEnd(&r, 2s);
  const auto took = Clock::now() - stop;
  EXPECT_TRUE(r.complete);
  EXPECT_GE(took, 400ms);
  EXPECT_LE(took, 1500ms);
  EXPECT_EQ(Record("tag=slowclose")["close_reason"], "container_stopped");
}

TEST_F(FaultsTest, ZombieStaysOpenAfterStopUntilTheClientLeaves) {
  std::string id = AddQuiet();
  Emit(id, 2);
  AddFault({{"kind", "zombie"}});
  HttpTestClient client(fake_.socket());
  HttpResponse r = client.Open("GET", Logs(id, "stdout=1&follow=1&tag=zombie"), 2s);
  ASSERT_EQ(r.status, 200);
  ASSERT_EQ(ReadFrames(client, &r, 2), 2u);
  fake_.Act({{"action", "stop"}, {"target", id}});
  EXPECT_EQ(client.Read(&r, 1, 400ms), 0u);
  EXPECT_FALSE(r.complete);
  EXPECT_FALSE(r.eof);
  EXPECT_EQ(fake_.Control("GET", "/containers")[0]["state"], "exited");
  EXPECT_EQ(Truth()["follow_streams_open"], 1);
  EXPECT_EQ(Record("tag=zombie")["open"], true);
  client.Close();
  EXPECT_TRUE(Eventually([&] { return Truth()["follow_streams_open"] == 0; }));
  EXPECT_EQ(Record("tag=zombie")["close_reason"], "client_closed");
}

// --- selectors: target, probability, count, endpoint; clearing ----------------------

TEST_F(FaultsTest, TargetLimitsAFaultToOneContainer) {
  std::string a = AddQuiet({{"name", "alpha"}});
  std::string b = AddQuiet({{"name", "beta"}});
  Emit(a, 1);
  Emit(b, 1);
  AddFault({{"kind", "error_frame"}, {"target", "alpha"}});
  AddFault({{"kind", "http_503"}, {"target", b.substr(0, 10)}});  // an id prefix
  HttpResponse ra = HttpTestClient(fake_.socket()).Request("GET", Logs(a, "stdout=1"), "", 2s);
  ASSERT_EQ(ra.status, 200);
  auto fa = Demux(ra.body);
  ASSERT_EQ(fa.size(), 1u);
  EXPECT_EQ(fa[0].stream, 3);
  EXPECT_EQ(HttpTestClient(fake_.socket()).Request("GET", Logs(b, "stdout=1"), "", 2s).status, 503);
  // A third container is named by neither.
  std::string c = AddQuiet();
  Emit(c, 1);
  HttpResponse rc = HttpTestClient(fake_.socket()).Request("GET", Logs(c, "stdout=1"), "", 2s);
  ASSERT_EQ(rc.status, 200);
  auto fc = Demux(rc.body);
  ASSERT_EQ(fc.size(), 1u);
  EXPECT_EQ(fc[0].stream, 1);
}

TEST_F(FaultsTest, ProbabilityZeroNeverApplies) {
  std::string id = AddQuiet();
  Emit(id, 1);
  AddFault({{"kind", "http_500"}, {"probability", 0}});
  for (int i = 0; i < 20; ++i) {
    ASSERT_EQ(HttpTestClient(fake_.socket()).Request("GET", Logs(id, "stdout=1"), "", 2s).status, 200) << i;
  }
  json faults = fake_.Control("GET", "/faults");
  ASSERT_EQ(faults.size(), 1u);
  EXPECT_EQ(faults[0]["applied"], 0);
}

TEST_F(FaultsTest, CountLimitsTheNumberOfStreams) {
  std::string id = AddQuiet();
  Emit(id, 1);
  AddFault({{"kind", "http_503"}, {"count", 2}});
  std::vector<int> statuses;
  for (int i = 0; i < 4; ++i) {
    statuses.push_back(HttpTestClient(fake_.socket()).Request("GET", Logs(id, "stdout=1"), "", 2s).status);
  }
  EXPECT_EQ(statuses, (std::vector<int>{503, 503, 200, 200}));
  EXPECT_EQ(fake_.Control("GET", "/faults")[0]["applied"], 2);
}

TEST_F(FaultsTest, DeleteClearsFaults) {
  std::string id = AddQuiet();
  Emit(id, 1);
  uint64_t first = AddFault({{"kind", "http_500"}});
  AddFault({{"kind", "latency"}, {"delay", "1s"}});
  ActFault({{"kind", "error_frame"}});
  ASSERT_EQ(fake_.Control("GET", "/faults").size(), 3u);
  int status = 0;
  fake_.Control("DELETE", "/faults/" + std::to_string(first), nullptr, &status);
  EXPECT_EQ(status, 200);
  EXPECT_EQ(fake_.Control("GET", "/faults").size(), 2u);
  json cleared = fake_.Control("DELETE", "/faults", nullptr, &status);
  EXPECT_EQ(status, 200);
  EXPECT_EQ(cleared["removed"], 2);
  EXPECT_TRUE(fake_.Control("GET", "/faults").empty());
  const auto start = Clock::now();
  HttpResponse r = HttpTestClient(fake_.socket()).Request("GET", Logs(id, "stdout=1"), "", 2s);
  EXPECT_LT(Clock::now() - start, 900ms);  // no latency
  ASSERT_EQ(r.status, 200);                // no 500
  auto frames = Demux(r.body);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].stream, 1);  // no error frame
}

TEST_F(FaultsTest, EventsStallAppliesToEventsOnly) {
  AddFault({{"kind", "stall"}, {"endpoint", "events"}, {"count", 1}});
  HttpTestClient stalled(fake_.socket());
  HttpResponse rs = stalled.Open("GET", "/events?tag=stalled", 2s);
  ASSERT_EQ(rs.status, 200);
  HttpTestClient healthy(fake_.socket());  // count 1: this one is not stalled
  HttpResponse rh = healthy.Open("GET", "/events?tag=healthy", 2s);
  ASSERT_EQ(rh.status, 200);
  std::string id = AddQuiet();  // create, start
  const auto until = Clock::now() + 2s;
  while (std::count(rh.body.begin(), rh.body.end(), '\n') < 2 && !rh.eof && Left(until) > 0ms) {
    healthy.Read(&rh, 1, Left(until));
  }
  EXPECT_EQ(std::count(rh.body.begin(), rh.body.end(), '\n'), 2);
  EXPECT_EQ(stalled.Read(&rs, 1, 300ms), 0u);
  EXPECT_TRUE(rs.body.empty());
  EXPECT_FALSE(rs.eof);
  EXPECT_EQ(Truth()["events_streams_open"], 2);
  EXPECT_EQ(Record("tag=stalled")["faults"], json::array({"stall"}));
  // The events fault does not touch /logs.
  Emit(id, 1);
  HttpResponse logs = HttpTestClient(fake_.socket()).Request("GET", Logs(id, "stdout=1"), "", 2s);
  EXPECT_EQ(Demux(logs.body).size(), 1u);
}

TEST_F(FaultsTest, EventsHttp500AndLogsFaultsStayOffEvents) {
  AddFault({{"kind", "http_500"}});  // endpoint defaults to logs
  HttpTestClient events(fake_.socket());
  HttpResponse ok = events.Open("GET", "/events", 2s);
  EXPECT_EQ(ok.status, 200);
  events.Close();
  fake_.Control("DELETE", "/faults");
  AddFault({{"kind", "http_500"}, {"endpoint", "events"}});
  HttpResponse r = HttpTestClient(fake_.socket()).Request("GET", "/events", "", 2s);
  EXPECT_EQ(r.status, 500);
  EXPECT_TRUE(r.complete);
  json body = json::parse(r.body, nullptr, false);
  ASSERT_TRUE(body.is_object()) << r.body;
  EXPECT_TRUE(body.contains("message"));
  std::string id = AddQuiet();
  Emit(id, 1);
  EXPECT_EQ(HttpTestClient(fake_.socket()).Request("GET", Logs(id, "stdout=1"), "", 2s).status, 200);
}

TEST_F(FaultsTest, EventsStallWithDurationDeliversLater) {
  AddFault({{"kind", "stall"}, {"endpoint", "events"}, {"duration", "300ms"}});
  HttpTestClient client(fake_.socket());
  const auto start = Clock::now();
  HttpResponse r = client.Open("GET", "/events", 2s);
  ASSERT_EQ(r.status, 200);
  AddQuiet();  // create, start
  EXPECT_EQ(client.Read(&r, 1, 150ms), 0u);
  const auto until = Clock::now() + 2s;
  while (std::count(r.body.begin(), r.body.end(), '\n') < 2 && !r.eof && Left(until) > 0ms) {
    client.Read(&r, 1, Left(until));
  }
  EXPECT_EQ(std::count(r.body.begin(), r.body.end(), '\n'), 2) << "events held during the stall come after it";
  EXPECT_GE(Clock::now() - start, 300ms);
}

// --- daemon restart ----------------------------------------------------------------

TEST_F(FaultsTest, RestartDaemonClosesStreamsAndComesBackWithHistory) {
  std::string id = AddQuiet({{"rate", 50}, {"name", "steady"}});
  HttpTestClient client(fake_.socket());
  HttpResponse r = client.Open("GET", Logs(id, "stdout=1&follow=1&tag=restart"), 2s);
  ASSERT_EQ(r.status, 200);
  ASSERT_GE(ReadFrames(client, &r, 5), 5u);
  const std::string ids_before = HttpTestClient(fake_.socket()).Request("GET", "/containers/json?all=1").body;

  const auto down_at = Clock::now();
  const int64_t down_ns = fakedocker::NowNanos();
  fake_.Act({{"action", "restart_daemon"}, {"down", "1s"}});
  // Open streams end without their terminating chunk.
  client.ReadToEnd(&r, 1s);
  EXPECT_TRUE(r.eof);
  EXPECT_FALSE(r.complete);
  const uint64_t last_seen = SeqOf(Demux(r.body).back().payload);
  // While down the socket is gone and nobody answers.
  EXPECT_FALSE(std::filesystem::exists(fake_.socket()));
  EXPECT_FALSE(HttpTestClient(fake_.socket()).connected());

  ASSERT_TRUE(Eventually(
      [&] {
        HttpTestClient probe(fake_.socket());
        return probe.connected() && probe.Request("GET", "/_ping", "", 500ms).status == 200;
      },
      2500ms));
  const auto up_after = Clock::now() - down_at;
  const int64_t up_ns = fakedocker::NowNanos();
  EXPECT_GE(up_after, 1s);
  EXPECT_LE(up_after, 2s);

  // Same containers, same ids.
  json before = json::parse(ids_before), after = json::parse(HttpTestClient(fake_.socket()).Request("GET", "/containers/json?all=1").body);
  ASSERT_EQ(after.size(), before.size());
  EXPECT_EQ(after[0]["Id"], before[0]["Id"]);
  EXPECT_EQ(after[0]["Id"], id);

  // The whole history is still served, without gaps, including what was
  // written while the API was down.
  HttpResponse all = HttpTestClient(fake_.socket()).Request("GET", Logs(id, "stdout=1&stderr=1"), "", 2s);
  ASSERT_EQ(all.status, 200);
  auto frames = Demux(all.body);
  ASSERT_FALSE(frames.empty());
  for (size_t i = 0; i < frames.size(); ++i) ASSERT_EQ(SeqOf(frames[i].payload), i + 1);
  EXPECT_GE(frames.size(), last_seen + 25);  // ~50 lines/s for 1 s
  auto api_ts = [](int64_t ns) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%lld.%09lld", static_cast<long long>(ns / 1000000000),
                  static_cast<long long>(ns % 1000000000));
    return std::string(buf);
  };
  HttpResponse during = HttpTestClient(fake_.socket())
                            .Request("GET", Logs(id, "stdout=1&since=" + api_ts(down_ns + 100'000'000) +
                                                         "&until=" + api_ts(up_ns - 100'000'000)),
                                     "", 2s);
  EXPECT_GE(Demux(during.body).size(), 25u);

  json t = fake_.Control("GET", "/truth");
  EXPECT_EQ(t["daemon_restarts"], 1);
  EXPECT_EQ(Record("tag=restart")["close_reason"], "daemon_restart");
}

}  // namespace
}  // namespace leakbench::testing
