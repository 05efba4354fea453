// The Docker API of the in-process fake, seen through a plain HTTP client:
// headers, status codes and error bodies, container listing and inspection,
// and /logs and /events semantics (see docs/docker-semantics.md).
#include <gtest/gtest.h>

#include "fakes/tests/support/http_test_client.h"
#include "fakes/tests/support/in_process_fake.h"
#include "fakes/tests/support/polling.h"

namespace leakbench::testing {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

class DockerApiTest : public ::testing::Test {
 protected:
  HttpResponse Get(const std::string& target) { return HttpTestClient(fake_.socket()).Request("GET", target); }

  std::string AddQuiet(json extra = json::object()) { return fake_.AddQuiet(extra); }
  void Emit(const std::string& id, int lines, bool same_ts = false) { fake_.Emit(id, lines, same_ts); }
  // seq numbers of a non-TTY logs body.
  static std::vector<uint64_t> Seqs(const std::string& body) {
    std::vector<uint64_t> out;
    for (const auto& f : Demux(body)) out.push_back(SeqOf(f.payload));
    return out;
  }

  InProcessFake fake_{QuietConfig()};
};

TEST_F(DockerApiTest, PingCarriesDockerHeaders) {
  HttpResponse r = Get("/_ping");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "OK");
  EXPECT_EQ(r.Header("Api-Version"), "1.41");
  EXPECT_EQ(r.Header("Docker-Experimental"), "false");
  EXPECT_EQ(r.Header("Ostype"), "linux");
  EXPECT_EQ(r.Header("Content-Length"), "2");
  EXPECT_NE(r.Header("Server").find("Docker/"), std::string::npos);
  HttpResponse head = HttpTestClient(fake_.socket()).Request("HEAD", "/_ping");
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.Header("Api-Version"), "1.41");
}

TEST_F(DockerApiTest, VersionPrefixIsOptionalAndBounded) {
  EXPECT_EQ(Get("/v1.41/_ping").status, 200);
  EXPECT_EQ(Get("/v1.24/version").status, 200);
  HttpResponse too_new = Get("/v1.99/version");
  EXPECT_EQ(too_new.status, 400);
  EXPECT_EQ(json::parse(too_new.body)["message"],
            "client version 1.99 is too new. Maximum supported API version is 1.41");
  HttpResponse too_old = Get("/v1.11/version");
  EXPECT_EQ(too_old.status, 400);
  // dockerd writes this one with http.Error: plain text, not JSON.
  EXPECT_EQ(too_old.Header("Content-Type"), "text/plain; charset=utf-8");
  EXPECT_NE(too_old.body.find("client version 1.11 is too old"), std::string::npos);
  EXPECT_EQ(too_new.Header("Docker-Experimental"), "");
}

TEST_F(DockerApiTest, UnknownPathsAndMutationsAreRefusedAndCounted) {
  HttpResponse r = Get("/nonexistent");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(json::parse(r.body)["message"], "page not found");
  EXPECT_EQ(r.Header("Api-Version"), "");  // dockerd's router adds none of its headers
  EXPECT_EQ(HttpTestClient(fake_.socket()).Request("POST", "/_ping").status, 404);  // never 405
  std::string id = AddQuiet();
  HttpResponse stop = HttpTestClient(fake_.socket()).Request("POST", "/containers/" + id + "/stop");
  EXPECT_EQ(stop.status, 403);
  json refused = fake_.Control("GET", "/refused");
  EXPECT_EQ(refused["total"], 3);
  EXPECT_EQ(refused["recent"][2]["method"], "POST");
  EXPECT_EQ(refused["recent"][2]["reason"], "mutating");
  // The refused stop changed nothing.
  EXPECT_EQ(json::parse(Get("/containers/" + id + "/json").body)["State"]["Running"], true);
}

TEST_F(DockerApiTest, ContainersAreFoundByIdPrefixAndName) {
  json added = fake_.Act({{"action", "add"}, {"name", "web"}, {"rate", 0}});
  std::string id = added["ids"][0];
  for (const std::string& ref : {id, id.substr(0, 12), std::string("web")}) {
    HttpResponse r = Get("/containers/" + ref + "/json");
    ASSERT_EQ(r.status, 200) << ref;
    json doc = json::parse(r.body);
    EXPECT_EQ(doc["Id"], id);
    EXPECT_EQ(doc["Name"], "/web");
    EXPECT_EQ(doc["Config"]["Tty"], false);
  }
  // "/web" in the path makes it unclean: dockerd's router redirects it.
  HttpResponse redirect = Get("/containers//web/json?size=1");
  EXPECT_EQ(redirect.status, 301);
  EXPECT_EQ(redirect.Header("Location"), "/containers/web/json?size=1");
  HttpResponse missing = Get("/containers/nonexist/json");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(json::parse(missing.body)["message"], "No such container: nonexist");
}

TEST_F(DockerApiTest, ListFiltersByLabelNameIdAndStatus) {
  fake_.Act({{"action", "add"}, {"name", "a"}, {"rate", 0}, {"labels", {{"team", "x"}}}});
  std::string b = fake_.Act({{"action", "add"}, {"name", "b"}, {"rate", 0}})["ids"][0];
  fake_.Act({{"action", "stop"}, {"target", "b"}});
  auto names = [&](const std::string& query) {
    std::vector<std::string> out;
    HttpResponse r = Get("/containers/json" + query);
    EXPECT_EQ(r.status, 200) << query << " " << r.body;
    for (auto& c : json::parse(r.body)) out.push_back(c["Names"][0]);
    return out;
  };
  EXPECT_EQ(names(""), std::vector<std::string>{"/a"});
  EXPECT_EQ(names("?all=1"), (std::vector<std::string>{"/b", "/a"}));  // newest first
  EXPECT_EQ(names("?filters=%7B%22label%22%3A%5B%22team%3Dx%22%5D%7D"), std::vector<std::string>{"/a"});
  EXPECT_EQ(names("?all=1&filters=%7B%22status%22%3A%5B%22exited%22%5D%7D"), std::vector<std::string>{"/b"});
  EXPECT_EQ(names("?all=1&filters=%7B%22id%22%3A%5B%22" + b.substr(0, 8) + "%22%5D%7D"), std::vector<std::string>{"/b"});
  EXPECT_EQ(names("?all=1&filters=%7B%22name%22%3A%5B%22b%22%5D%7D"), std::vector<std::string>{"/b"});
  EXPECT_EQ(Get("/containers/json?filters=%7B%22bogus%22%3A%5B%22x%22%5D%7D").status, 400);
  EXPECT_EQ(Get("/containers/json?filters=notjson").status, 500);  // as dockerd
}

TEST_F(DockerApiTest, LogsNeedAStream) {
  std::string id = AddQuiet();
  HttpResponse r = Get("/containers/" + id + "/logs");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(json::parse(r.body)["message"], "Bad parameters: you must choose at least one stream");
}

TEST_F(DockerApiTest, LogsAreMultiplexedAndChunked) {
  std::string id = AddQuiet({{"stderr_fraction", 0.5}});
  Emit(id, 20);
  HttpResponse r = Get("/containers/" + id + "/logs?stdout=1&stderr=1&timestamps=1");
  ASSERT_EQ(r.status, 200);
  EXPECT_TRUE(r.chunked);
  EXPECT_TRUE(r.complete);
  auto frames = Demux(r.body);
  ASSERT_EQ(frames.size(), 20u);
  int err = 0;
  for (size_t i = 0; i < frames.size(); ++i) {
    EXPECT_TRUE(frames[i].stream == 1 || frames[i].stream == 2);
    err += frames[i].stream == 2;
    // "<30-char timestamp> cid=<12> seq=<i+1> stream=..."
    EXPECT_EQ(frames[i].payload[30], ' ');
    EXPECT_EQ(SeqOf(frames[i].payload), i + 1);
    bool says_stderr = frames[i].payload.find("stream=stderr") != std::string::npos;
    EXPECT_EQ(says_stderr, frames[i].stream == 2);
  }
  EXPECT_GT(err, 0);
  // Only stderr.
  for (const auto& f : Demux(Get("/containers/" + id + "/logs?stderr=1").body)) EXPECT_EQ(f.stream, 2);
}

TEST_F(DockerApiTest, SinceAndUntilAreInclusive) {
  std::string id = AddQuiet();
  Emit(id, 5);
  json lines = fake_.Control("GET", "/containers/" + id + "/lines")["lines"];
  ASSERT_EQ(lines.size(), 5u);
  auto api_ts = [](int64_t ns) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%lld.%09lld", static_cast<long long>(ns / 1000000000),
                  static_cast<long long>(ns % 1000000000));
    return std::string(buf);
  };
  std::string t3 = api_ts(lines[2]["ts_ns"].get<int64_t>());
  std::string t4 = api_ts(lines[3]["ts_ns"].get<int64_t>());
  EXPECT_EQ(Seqs(Get("/containers/" + id + "/logs?stdout=1&since=" + t3).body), (std::vector<uint64_t>{3, 4, 5}));
  EXPECT_EQ(Seqs(Get("/containers/" + id + "/logs?stdout=1&until=" + t3).body), (std::vector<uint64_t>{1, 2, 3}));
  EXPECT_EQ(Seqs(Get("/containers/" + id + "/logs?stdout=1&since=" + t3 + "&until=" + t4).body),
            (std::vector<uint64_t>{3, 4}));
  EXPECT_EQ(Get("/containers/" + id + "/logs?stdout=1&since=bogus").status, 500);
}

TEST_F(DockerApiTest, EqualTimestampsAreAllReplayedBySince) {
  std::string id = AddQuiet();
  Emit(id, 2);
  Emit(id, 3, /*same_ts=*/true);
  Emit(id, 1);
  json lines = fake_.Control("GET", "/containers/" + id + "/lines")["lines"];
  int64_t burst_ts = lines[2]["ts_ns"];
  EXPECT_EQ(lines[3]["ts_ns"], burst_ts);
  EXPECT_EQ(lines[4]["ts_ns"], burst_ts);
  std::string since = std::to_string(burst_ts / 1000000000) + "." + std::to_string(burst_ts % 1000000000 + 1000000000).substr(1);
  EXPECT_EQ(Seqs(Get("/containers/" + id + "/logs?stdout=1&since=" + since).body), (std::vector<uint64_t>{3, 4, 5, 6}));
}

// With stderr_lag, stderr lines are stamped 10 s before they are stored:
// stored  seq 1 out, 2 out, 3 err, 4 out, 5 err
// stamps  3 < 5 < 1 < 2 < 4
// dockerd filters every record by its own stamp, so since=<stamp of 5>
// returns 1, 2, 4 and 5 (5 though it is stored after the later-stamped 4)
// and not 3 (stored after 1 and 2, which are past since).
TEST_F(DockerApiTest, SinceFiltersEveryRecordWhenStampsAreOutOfOrder) {
  std::string id = AddQuiet({{"stderr_lag", "10s"}});
  auto emit = [&](double stderr_fraction, int lines) {
    fake_.Act({{"action", "set"}, {"target", id}, {"stderr_fraction", stderr_fraction}});
    Emit(id, lines);
  };
  emit(0, 2);
  emit(1, 1);
  emit(0, 1);
  emit(1, 1);
  json lines = fake_.Control("GET", "/containers/" + id + "/lines")["lines"];
  ASSERT_EQ(lines.size(), 5u);
  std::vector<int64_t> ts;
  for (const json& l : lines) ts.push_back(l["ts_ns"].get<int64_t>());
  ASSERT_LT(ts[2], ts[4]);
  ASSERT_LT(ts[4], ts[0]);
  ASSERT_LT(ts[1], ts[3]);
  auto api_ts = [](int64_t ns) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%lld.%09lld", static_cast<long long>(ns / 1000000000),
                  static_cast<long long>(ns % 1000000000));
    return std::string(buf);
  };
  const std::string logs = "/containers/" + id + "/logs?stdout=1&stderr=1";
  EXPECT_EQ(Seqs(Get(logs + "&since=" + api_ts(ts[4])).body), (std::vector<uint64_t>{1, 2, 4, 5}));
  // The truth says exactly which were sent: the harness judges "never sent"
  // (lost at the source) from it.
  const json record = fake_.Control("GET", "/streams").back();
  EXPECT_EQ(record["seq_ranges"], json::parse("[[1,2],[4,5]]")) << record.dump();
  EXPECT_EQ(record["lines_sent"], 4);
  // tail first, then since on what is left.
  EXPECT_EQ(Seqs(Get(logs + "&tail=3&since=" + api_ts(ts[4])).body), (std::vector<uint64_t>{4, 5}));
  // until is a cut-off: reading stops at 2, so 3 (stamped before until) is not sent.
  EXPECT_EQ(Seqs(Get(logs + "&until=" + api_ts(ts[0])).body), (std::vector<uint64_t>{1}));

  // Every since, without and with follow (the container stopped, so a follow
  // stream sends the stored records and ends): exactly the records stamped
  // at or after it, in stored order.
  fake_.Act({{"action", "stop"}, {"target", id}});
  for (int64_t t : ts) {
    for (int64_t since : {t, t + 1}) {
      std::vector<uint64_t> want;
      for (size_t i = 0; i < ts.size(); ++i) {
        if (ts[i] >= since) want.push_back(i + 1);
      }
      EXPECT_EQ(Seqs(Get(logs + "&since=" + api_ts(since)).body), want) << "since " << since;
      EXPECT_EQ(Seqs(Get(logs + "&follow=1&since=" + api_ts(since)).body), want) << "follow, since " << since;
    }
  }
}

TEST_F(DockerApiTest, TailCountsFromTheEnd) {
  std::string id = AddQuiet();
  Emit(id, 10);
  EXPECT_EQ(Seqs(Get("/containers/" + id + "/logs?stdout=1&tail=3").body), (std::vector<uint64_t>{8, 9, 10}));
  EXPECT_EQ(Seqs(Get("/containers/" + id + "/logs?stdout=1&tail=all").body).size(), 10u);
  EXPECT_TRUE(Seqs(Get("/containers/" + id + "/logs?stdout=1&tail=0").body).empty());
}

TEST_F(DockerApiTest, LongLinesAreSplitAt16KiBWithOneTimestamp) {
  std::string id = AddQuiet({{"line_bytes", 20000}});
  Emit(id, 1);
  auto frames = Demux(Get("/containers/" + id + "/logs?stdout=1&timestamps=1").body);
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0].payload.size(), 16415u);
  EXPECT_EQ(frames[1].payload.size(), 3648u);
  EXPECT_EQ(frames[0].payload.substr(0, 30), frames[1].payload.substr(0, 30));
  EXPECT_NE(frames[0].payload.back(), '\n');
  EXPECT_EQ(frames[1].payload.back(), '\n');
}

TEST_F(DockerApiTest, TtyContainersSendRawCrlfLines) {
  std::string id = AddQuiet({{"tty", true}});
  Emit(id, 3);
  HttpResponse r = Get("/containers/" + id + "/logs?stdout=1&stderr=1");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body.substr(0, 4), "cid=");
  size_t crlf = 0;
  for (size_t p = 0; (p = r.body.find("\r\n", p)) != std::string::npos; p += 2) ++crlf;
  EXPECT_EQ(crlf, 3u);
}

TEST_F(DockerApiTest, FollowStreamsNewLinesAndEndsWhenTheContainerStops) {
  std::string id = AddQuiet();
  Emit(id, 2);
  HttpTestClient client(fake_.socket());
  HttpResponse r = client.Open("GET", "/containers/" + id + "/logs?stdout=1&follow=1");
  ASSERT_EQ(r.status, 200);
  client.Read(&r, 1, 5s);
  Emit(id, 3);
  size_t consumed = 0;
  for (int i = 0; i < 50 && Demux(r.body, &consumed).size() < 5; ++i) client.Read(&r, 1, 200ms);
  EXPECT_EQ(Seqs(r.body), (std::vector<uint64_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(fake_.Control("GET", "/truth")["follow_streams_open"], 1);
  fake_.Act({{"action", "stop"}, {"target", id}});
  client.ReadToEnd(&r, 5s);
  EXPECT_TRUE(r.complete);
  EXPECT_EQ(fake_.Control("GET", "/truth")["follow_streams_open"], 0);
  json streams = fake_.Control("GET", "/streams");
  EXPECT_EQ(streams.back()["close_reason"], "container_stopped");
  EXPECT_EQ(streams.back()["lines_sent"], 5);
  EXPECT_EQ(streams.back()["last_seq"], 5);
  // The connection is reusable after a finished stream.
  EXPECT_EQ(client.Request("GET", "/_ping").status, 200);
}

TEST_F(DockerApiTest, ClientHangupClosesTheStreamServerSide) {
  std::string id = AddQuiet();
  {
    HttpTestClient client(fake_.socket());
    HttpResponse r = client.Open("GET", "/containers/" + id + "/logs?stdout=1&follow=1");
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(fake_.Control("GET", "/truth")["follow_streams_open"], 1);
  }
  EXPECT_TRUE(Eventually([&] { return fake_.Control("GET", "/truth")["follow_streams_open"] == 0; }));
  EXPECT_EQ(fake_.Control("GET", "/streams").back()["close_reason"], "client_closed");
}

TEST_F(DockerApiTest, DeadOrRemovingContainersGet409AndRemovedOnes404) {
  std::string id = AddQuiet();
  fake_.Act({{"action", "remove"}, {"target", id}, {"delay", "2s"}});
  HttpResponse r = Get("/containers/" + id + "/logs?stdout=1");
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(json::parse(r.body)["message"], "can not get logs from container which is dead or marked for removal");
  std::string gone = AddQuiet();
  fake_.Act({{"action", "remove"}, {"target", gone}});
  EXPECT_EQ(Get("/containers/" + gone + "/logs?stdout=1").status, 404);
}

TEST_F(DockerApiTest, EventsReplaySinceAndStopAtUntil) {
  int64_t before = fakedocker::NowNanos() / 1000000000 - 1;
  std::string id = AddQuiet();
  fake_.Act({{"action", "stop"}, {"target", id}});
  fake_.Act({{"action", "remove"}, {"target", id}});
  int64_t after = fakedocker::NowNanos() / 1000000000 + 1;
  HttpResponse r = Get("/events?since=" + std::to_string(before) + "&until=" + std::to_string(after));
  ASSERT_EQ(r.status, 200);
  EXPECT_TRUE(r.complete);
  std::vector<std::string> actions;
  size_t pos = 0, nl;
  while ((nl = r.body.find('\n', pos)) != std::string::npos) {
    json e = json::parse(r.body.substr(pos, nl - pos));
    EXPECT_EQ(e["Type"], "container");
    EXPECT_EQ(e["id"], id);
    actions.push_back(e["Action"]);
    pos = nl + 1;
  }
  EXPECT_EQ(actions, (std::vector<std::string>{"create", "start", "kill", "die", "stop", "destroy"}));
  HttpResponse dies = Get("/events?since=" + std::to_string(before) + "&until=" + std::to_string(after) +
                          "&filters=%7B%22event%22%3A%5B%22die%22%5D%7D");
  EXPECT_EQ(std::count(dies.body.begin(), dies.body.end(), '\n'), 1);
}

TEST_F(DockerApiTest, EventsFollowNewEvents) {
  HttpTestClient client(fake_.socket());
  HttpResponse r = client.Open("GET", "/events?filters=%7B%22type%22%3A%5B%22container%22%5D%7D");
  ASSERT_EQ(r.status, 200);
  std::string id = AddQuiet();
  for (int i = 0; i < 50 && std::count(r.body.begin(), r.body.end(), '\n') < 2; ++i) client.Read(&r, 1, 200ms);
  ASSERT_GE(std::count(r.body.begin(), r.body.end(), '\n'), 2);
  EXPECT_EQ(json::parse(r.body.substr(0, r.body.find('\n')))["Action"], "create");
}

TEST_F(DockerApiTest, MalformedRequestsGet400AndTheServerSurvives) {
  HttpTestClient bad(fake_.socket());
  bad.SendRaw("THIS IS NOT HTTP\r\n\r\n");
  HttpResponse r;
  bad.ReadToEnd(&r, 2s);
  EXPECT_EQ(Get("/_ping").status, 200);
}

}  // namespace
}  // namespace leakbench::testing
