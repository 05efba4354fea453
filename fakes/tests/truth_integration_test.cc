// The fake's ground truth (/truth, /streams, /containers, /connections,
// /refused) checked against what independent test clients actually
// received: every count the harness will judge an engine by must equal what
// went over the wire.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <future>
#include <memory>
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

// What a client made of a multiplexed body: whole lines reassembled from
// their frames (a line ends with the frame whose payload ends in '\n').
struct Received {
  std::vector<std::string> lines;
  size_t stdout_lines = 0;
  size_t stderr_lines = 0;
  uint64_t payload_bytes = 0;
};

Received Reassemble(const std::string& body) {
  Received out;
  std::string partial;
  for (const auto& f : Demux(body)) {
    partial += f.payload;
    out.payload_bytes += f.payload.size();
    if (!f.payload.empty() && f.payload.back() == '\n') {
      (f.stream == 2 ? out.stderr_lines : out.stdout_lines)++;
      out.lines.push_back(std::move(partial));
      partial.clear();
    }
  }
  return out;
}

// A follow stream held by one test client.
struct Follower {
  Follower(const std::string& socket, const std::string& target) : client(socket) {
    opened_after = fakedocker::NowNanos();
    response = client.Open("GET", target, 2s);
    opened_before = fakedocker::NowNanos();
  }
  // Reads until `n` whole lines arrived, the body ended, or `limit`.
  size_t ReadLines(size_t n, milliseconds limit = 2s) {
    const auto until = Clock::now() + limit;
    while (Reassemble(response.body).lines.size() < n && !response.complete && !response.eof &&
           Left(until) > 0ms) {
      client.Read(&response, 1, Left(until));
    }
    return Reassemble(response.body).lines.size();
  }
  HttpTestClient client;
  HttpResponse response;
  int64_t opened_after = 0;
  int64_t opened_before = 0;
};

class TruthTest : public ::testing::Test {
 protected:
  std::string AddQuiet(json extra = json::object()) { return fake_.AddQuiet(extra); }
  void Emit(const std::string& id, int lines, bool same_ts = false) { fake_.Emit(id, lines, same_ts); }
  json Truth() { return fake_.Control("GET", "/truth"); }
  // This process's entry in /truth's clients.
  json Me() {
    const json truth = Truth();  // the loop below must not outlive it
    for (const auto& c : truth["clients"]) {
      if (c["pid"] == ::getpid()) return c;
    }
    return json();
  }
  json Record(const std::string& tag) {
    for (const auto& s : fake_.Control("GET", "/streams")) {
      if (s["target"].get<std::string>().find(tag) != std::string::npos) return s;
    }
    return json();
  }
  json Container(const std::string& id) {
    for (const auto& c : fake_.Control("GET", "/containers")) {
      if (c["id"] == id) return c;
    }
    return json();
  }

  // The record of `f` (found by `tag`) matches what `f` received, once the
  // fake has accounted for its last write.
  void ExpectRecordMatches(const std::string& tag, const Follower& f, const std::string& container_id) {
    Received got = Reassemble(f.response.body);
    ASSERT_TRUE(Eventually([&] { return Record(tag)["lines_sent"] == got.lines.size(); })) << Record(tag).dump();
    json rec = Record(tag);
    EXPECT_EQ(rec["bytes_sent"], f.response.body.size()) << tag;
    EXPECT_EQ(rec["lines_sent"], got.lines.size()) << tag;
    ASSERT_FALSE(got.lines.empty());
    EXPECT_EQ(rec["first_seq"], SeqOf(got.lines.front())) << tag;
    EXPECT_EQ(rec["last_seq"], SeqOf(got.lines.back())) << tag;
    EXPECT_EQ(rec["client_pid"], ::getpid());
    EXPECT_EQ(rec["endpoint"], "logs");
    EXPECT_EQ(rec["container_id"], container_id);
    EXPECT_EQ(rec["follow"], true);
    EXPECT_GE(rec["opened_at_ns"].get<int64_t>(), f.opened_after);
    EXPECT_LE(rec["opened_at_ns"].get<int64_t>(), f.opened_before);
  }

  InProcessFake fake_{QuietConfig()};
};

TEST_F(TruthTest, ConcurrentFollowStreamsMatchWhatTheirClientsReceived) {
  std::string a = AddQuiet({{"stderr_fraction", 0.5}});
  std::string b = AddQuiet({{"line_bytes", 20000}});  // two frames a line
  Emit(a, 5);
  Emit(b, 3);
  Follower f1(fake_.socket(), "/containers/" + a + "/logs?stdout=1&stderr=1&follow=1&tag=f1");
  Follower f2(fake_.socket(), "/containers/" + a + "/logs?stdout=1&stderr=1&follow=1&timestamps=1&tag=f2");
  Follower f3(fake_.socket(), "/containers/" + b + "/logs?stdout=1&follow=1&tag=f3");
  for (auto* f : {&f1, &f2, &f3}) ASSERT_EQ(f->response.status, 200);

  json t = Truth();
  EXPECT_EQ(t["follow_streams_open"], 3);
  EXPECT_EQ(t["follow_streams_peak"], 3);
  EXPECT_EQ(t["streams_open"], 3);
  json me = Me();
  ASSERT_TRUE(me.is_object()) << t.dump();
  EXPECT_EQ(me["follow_streams_open"], 3);
  EXPECT_EQ(me["follow_streams_peak"], 3);
  EXPECT_EQ(me["connections_open"], 3);
  EXPECT_EQ(me["log_streams_opened"], 3);
  EXPECT_EQ(me["log_streams_closed"], 0);

  EXPECT_EQ(f1.ReadLines(5), 5u);
  EXPECT_EQ(f2.ReadLines(5), 5u);
  EXPECT_EQ(f3.ReadLines(3), 3u);
  Emit(a, 4);
  Emit(b, 2);
  EXPECT_EQ(f1.ReadLines(9), 9u);
  EXPECT_EQ(f2.ReadLines(9), 9u);
  EXPECT_EQ(f3.ReadLines(5), 5u);
  EXPECT_EQ(Demux(f3.response.body).size(), 10u);  // lines, not frames, are counted
  ExpectRecordMatches("tag=f1", f1, a);
  ExpectRecordMatches("tag=f2", f2, a);
  ExpectRecordMatches("tag=f3", f3, b);
  for (const char* tag : {"tag=f1", "tag=f2", "tag=f3"}) {
    json rec = Record(tag);
    EXPECT_EQ(rec["open"], true);
    EXPECT_EQ(rec["closed_at_ns"], 0);
    EXPECT_EQ(rec["close_reason"], "");
  }

  // The client hangs up one stream.
  f2.client.Close();
  ASSERT_TRUE(Eventually([&] { return Truth()["follow_streams_open"] == 2; }));
  t = Truth();
  EXPECT_EQ(t["follow_streams_peak"], 3);
  me = Me();
  EXPECT_EQ(me["follow_streams_open"], 2);
  EXPECT_EQ(me["follow_streams_peak"], 3);
  EXPECT_EQ(me["log_streams_closed"], 1);
  EXPECT_TRUE(Eventually([&] { return Me()["connections_open"] == 2; }));
  json rec2 = Record("tag=f2");
  EXPECT_EQ(rec2["open"], false);
  EXPECT_EQ(rec2["close_reason"], "client_closed");
  EXPECT_GE(rec2["closed_at_ns"].get<int64_t>(), rec2["opened_at_ns"].get<int64_t>());
  EXPECT_EQ(rec2["bytes_sent"], f2.response.body.size());

  // reset_peaks restarts the peaks from what is open now.
  fake_.Act({{"action", "reset_peaks"}});
  EXPECT_EQ(Truth()["follow_streams_peak"], 2);
  EXPECT_EQ(Me()["follow_streams_peak"], 2);

  // The container stops: its follower gets the end of the body.
  const int64_t before_stop = fakedocker::NowNanos();
  fake_.Act({{"action", "stop"}, {"target", a}});
  f1.client.ReadToEnd(&f1.response, 2s);
  EXPECT_TRUE(f1.response.complete);
  json rec1 = Record("tag=f1");
  EXPECT_EQ(rec1["close_reason"], "container_stopped");
  EXPECT_GE(rec1["closed_at_ns"].get<int64_t>(), before_stop);
  EXPECT_EQ(rec1["bytes_sent"], f1.response.body.size());
  EXPECT_EQ(Truth()["follow_streams_open"], 1);
  EXPECT_EQ(Truth()["follow_streams_peak"], 2);
  EXPECT_EQ(fake_.Control("GET", "/streams?state=open").size(), 1u);
  EXPECT_EQ(fake_.Control("GET", "/streams?state=closed").size(), 2u);
  EXPECT_EQ(fake_.Control("GET", "/streams?pid=" + std::to_string(::getpid())).size(), 3u);

  f3.client.Close();
  ASSERT_TRUE(Eventually([&] { return Truth()["follow_streams_open"] == 0; }));
  EXPECT_EQ(Record("tag=f3")["close_reason"], "client_closed");
  t = Truth();
  EXPECT_EQ(t["streams_opened_total"], 3);
  EXPECT_EQ(t["streams_closed_total"], 3);
  EXPECT_EQ(Me()["log_streams_closed"], 3);
}

TEST_F(TruthTest, EmittedCountsMatchAFullRead) {
  std::string id = AddQuiet({{"rate", 400}, {"stderr_fraction", 0.3}, {"line_bytes", "50-300"}});
  ASSERT_TRUE(Eventually([&] { return Container(id)["emitted"].get<uint64_t>() >= 100; }));
  fake_.Act({{"action", "stop"}, {"target", id}});
  json c = Container(id);
  HttpResponse r =
      HttpTestClient(fake_.socket()).Request("GET", "/containers/" + id + "/logs?stdout=1&stderr=1&tag=full", "", 2s);
  ASSERT_EQ(r.status, 200);
  ASSERT_TRUE(r.complete);
  Received got = Reassemble(r.body);
  EXPECT_EQ(c["emitted"], got.lines.size());
  EXPECT_EQ(c["emitted_stdout"], got.stdout_lines);
  EXPECT_EQ(c["emitted_stderr"], got.stderr_lines);
  EXPECT_GT(got.stderr_lines, 0u);
  EXPECT_EQ(c["emitted_bytes"], got.payload_bytes);
  EXPECT_EQ(c["last_seq"], SeqOf(got.lines.back()));
  EXPECT_EQ(c["first_seq_held"], 1);
  EXPECT_EQ(c["evicted"], 0);
  // The read is recorded as a complete non-follow stream.
  json rec = Record("tag=full");
  EXPECT_EQ(rec["follow"], false);
  EXPECT_EQ(rec["close_reason"], "complete");
  EXPECT_EQ(rec["bytes_sent"], r.body.size());
  EXPECT_EQ(rec["lines_sent"], got.lines.size());
  EXPECT_EQ(rec["first_seq"], 1);
  EXPECT_EQ(rec["last_seq"], c["last_seq"]);
  EXPECT_EQ(Truth()["follow_streams_peak"], 0);  // non-follow reads are not follow streams
  // One stream only.
  HttpResponse out = HttpTestClient(fake_.socket()).Request("GET", "/containers/" + id + "/logs?stdout=1", "", 2s);
  EXPECT_EQ(c["emitted_stdout"], Reassemble(out.body).lines.size());
}

TEST_F(TruthTest, UntilEndsAFollowStreamWithReasonUntil) {
  std::string id = AddQuiet();
  Emit(id, 3);
  const int64_t until = fakedocker::NowNanos();
  char ts[64];
  std::snprintf(ts, sizeof ts, "%lld.%09lld", static_cast<long long>(until / 1000000000),
                static_cast<long long>(until % 1000000000));
  Follower f(fake_.socket(), "/containers/" + id + "/logs?stdout=1&follow=1&tag=until&until=" + ts);
  ASSERT_EQ(f.response.status, 200);
  EXPECT_EQ(f.ReadLines(3), 3u);
  Emit(id, 1);  // stamped after `until`: the stream ends instead of sending it
  f.client.ReadToEnd(&f.response, 2s);
  EXPECT_TRUE(f.response.complete);
  EXPECT_EQ(Reassemble(f.response.body).lines.size(), 3u);
  json rec = Record("tag=until");
  EXPECT_EQ(rec["close_reason"], "until");
  EXPECT_EQ(rec["lines_sent"], 3);
  EXPECT_EQ(rec["bytes_sent"], f.response.body.size());
}

TEST_F(TruthTest, LinesAreCountedAsTheyGoOutEvenInPieces) {
  // slice writes the body 50 bytes at a time; the stall then freezes the
  // stream in the middle of a batch, after 500 bytes, so what the client
  // holds is final and most of the batch was never sent.
  std::string id = AddQuiet();
  Emit(id, 20);  // 20 x 109 bytes: one batch
  fake_.Control("POST", "/faults", {{"kind", "slice"}, {"chunk_bytes", 50}, {"delay", "1ms"}});
  fake_.Control("POST", "/faults", {{"kind", "stall"}, {"after_bytes", 500}});
  Follower f(fake_.socket(), "/containers/" + id + "/logs?stdout=1&follow=1&tag=pieces");
  ASSERT_EQ(f.response.status, 200);
  f.client.Read(&f.response, 500, 2s);
  EXPECT_EQ(f.client.Read(&f.response, 1, 200ms), 0u);  // frozen
  ASSERT_EQ(f.response.body.size(), 500u);
  Received got = Reassemble(f.response.body);
  ASSERT_EQ(got.lines.size(), 4u);  // and a piece of the fifth
  json rec = Record("tag=pieces");
  EXPECT_EQ(rec["bytes_sent"], 500);
  EXPECT_EQ(rec["lines_sent"], 4);
  EXPECT_EQ(rec["first_seq"], 1);
  EXPECT_EQ(rec["last_seq"], 4);
}

TEST_F(TruthTest, EventsStreamCountsMatchWhatTheClientReceived) {
  Follower f(fake_.socket(), "/events?tag=events");
  ASSERT_EQ(f.response.status, 200);
  EXPECT_EQ(Truth()["events_streams_open"], 1);
  EXPECT_EQ(Me()["events_streams_open"], 1);
  EXPECT_EQ(Truth()["follow_streams_open"], 0);  // events are not log follow streams
  std::string id = AddQuiet();                      // create, start
  fake_.Act({{"action", "stop"}, {"target", id}});  // kill, die, stop
  const auto until = Clock::now() + 2s;
  auto events = [&] { return std::count(f.response.body.begin(), f.response.body.end(), '\n'); };
  while (events() < 5 && !f.response.eof && Left(until) > 0ms) f.client.Read(&f.response, 1, Left(until));
  ASSERT_EQ(events(), 5);
  ASSERT_TRUE(Eventually([&] { return Record("tag=events")["lines_sent"] == 5; })) << Record("tag=events").dump();
  json rec = Record("tag=events");
  EXPECT_EQ(rec["endpoint"], "events");
  EXPECT_EQ(rec["bytes_sent"], f.response.body.size());  // body bytes only: no head, no chunk framing
  f.client.Close();
  ASSERT_TRUE(Eventually([&] { return Truth()["events_streams_open"] == 0; }));
  EXPECT_EQ(Record("tag=events")["close_reason"], "client_closed");
  EXPECT_EQ(Me()["events_streams_open"], 0);
}

TEST_F(TruthTest, ConnectionsAreRecordedWithTheirRequests) {
  const int64_t before = fakedocker::NowNanos();
  auto mine = [&] {
    json out = json::array();
    for (const auto& c : fake_.Control("GET", "/connections")) {
      if (c["pid"] == ::getpid() && c["socket"] == "api") out.push_back(c);
    }
    return out;
  };
  {
    HttpTestClient one(fake_.socket());
    EXPECT_EQ(one.Request("GET", "/_ping").status, 200);
    EXPECT_EQ(one.Request("GET", "/version").status, 200);
    EXPECT_EQ(one.Request("GET", "/containers/json").status, 200);
    HttpTestClient two(fake_.socket());
    EXPECT_EQ(two.Request("GET", "/_ping").status, 200);
    ASSERT_TRUE(Eventually([&] { return mine().size() == 2; }));
    json conns = mine();
    EXPECT_EQ(conns[0]["requests"], 3);
    EXPECT_EQ(conns[1]["requests"], 1);
    for (const auto& c : conns) {
      EXPECT_EQ(c["closed_at_ns"], 0);
      EXPECT_GE(c["opened_at_ns"].get<int64_t>(), before);
      EXPECT_EQ(c["uid"], static_cast<int>(::getuid()));
    }
    EXPECT_EQ(Me()["connections_open"], 2);
    EXPECT_EQ(Me()["connections_total"], 2);
    EXPECT_EQ(Me()["requests"], 4);
    EXPECT_EQ(Truth()["requests"]["ping"], 2);
  }
  ASSERT_TRUE(Eventually([&] {
    json conns = mine();
    return conns.size() == 2 && conns[0]["closed_at_ns"] != 0 && conns[1]["closed_at_ns"] != 0;
  }));
  EXPECT_EQ(Me()["connections_open"], 0);
  EXPECT_EQ(Me()["connections_total"], 2);
}

TEST_F(TruthTest, RefusedRequestsAreListed) {
  std::string id = AddQuiet();
  Emit(id, 1);
  EXPECT_EQ(HttpTestClient(fake_.socket()).Request("GET", "/nonexistent").status, 404);
  EXPECT_EQ(HttpTestClient(fake_.socket()).Request("POST", "/containers/" + id + "/stop").status, 403);
  fake_.Control("POST", "/faults", {{"kind", "http_503"}, {"count", 1}});
  EXPECT_EQ(HttpTestClient(fake_.socket()).Request("GET", "/containers/" + id + "/logs?stdout=1").status, 503);
  EXPECT_EQ(HttpTestClient(fake_.socket()).Request("GET", "/containers/" + id + "/logs?stdout=1").status, 200);
  json refused = fake_.Control("GET", "/refused");
  EXPECT_EQ(refused["total"], 3);
  EXPECT_EQ(Truth()["refused_total"], 3);
  ASSERT_EQ(refused["recent"].size(), 3u);
  struct Want {
    const char* method;
    std::string target;
    int status;
    const char* reason;
  };
  const Want want[] = {{"GET", "/nonexistent", 404, "unsupported"},
                       {"POST", "/containers/" + id + "/stop", 403, "mutating"},
                       {"GET", "/containers/" + id + "/logs?stdout=1", 503, "fault:http_503"}};
  for (size_t i = 0; i < 3; ++i) {
    const json& r = refused["recent"][i];
    EXPECT_EQ(r["method"], want[i].method) << i;
    EXPECT_EQ(r["target"], want[i].target) << i;
    EXPECT_EQ(r["status"], want[i].status) << i;
    EXPECT_EQ(r["reason"], want[i].reason) << i;
    EXPECT_EQ(r["client_pid"], ::getpid()) << i;
  }
}

}  // namespace
}  // namespace leakbench::testing

namespace leakbench::testing {
namespace {

// Blocks the fake's loop (inside OnLoop) until released, so the test can
// make things happen on the sockets that the loop has not seen yet.
class LoopGate {
 public:
  explicit LoopGate(InProcessFake& fake, std::function<void()> then = [] {}) {
    done_ = std::async(std::launch::async, [this, &fake, then = std::move(then)] {
      fake.OnLoop([this, &then] {
        entered_.set_value();
        release_.get_future().wait();
        then();
        return 0;
      });
    });
    entered_.get_future().wait();
  }
  void Release() {
    release_.set_value();
    done_.get();
  }

 private:
  std::promise<void> entered_, release_;
  std::future<void> done_;
};

// Before a new follow stream is counted, streams whose client already hung
// up are ended (the loop may hand us the new request before the old
// socket's EOF). Deterministic: the loop is held while one client hangs up;
// settling ends that stream before the loop reads the EOF, and not the one
// whose client is still there.
TEST_F(TruthTest, SettlingEndsOnlyStreamsWhoseClientHungUp) {
  const std::string id = AddQuiet();
  auto gone = std::make_unique<Follower>(fake_.socket(), "/containers/" + id + "/logs?follow=1&stdout=1&tag=gone");
  Follower kept(fake_.socket(), "/containers/" + id + "/logs?follow=1&stdout=1&tag=kept");
  ASSERT_EQ(Truth()["follow_streams_open"], 2);
  uint64_t before = 0, after = 0;
  {
    LoopGate gate(fake_, [&] {
      before = fake_.daemon().truth().follow_open();
      fake_.daemon().SettleClosedStreams();
      after = fake_.daemon().truth().follow_open();
    });
    gone.reset();
    gate.Release();
  }
  EXPECT_EQ(before, 2u);  // the loop had not seen the EOF yet
  EXPECT_EQ(after, 1u);
  EXPECT_EQ(Record("tag=gone")["close_reason"], "client_closed");
  EXPECT_EQ(Record("tag=kept")["open"], true);
}

}  // namespace
}  // namespace leakbench::testing
