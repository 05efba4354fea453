// The Docker API JSON the engine reads: container list, inspect, events and
// error bodies, in the shapes a real dockerd 20.10 sends (taken from
// fakes/docs/dockerd-measured.md); missing fields; wrong types giving a
// DockerJsonError that says where; and garbage (seeded random bytes and
// mutations of real bodies, deep nesting) that must never crash.
#include "core/docker/docker_json.h"

#include <gtest/gtest.h>

#include <limits>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace logcap {
namespace {

constexpr std::string_view kId = "b27885755ff655d96053da963c1ac5d1599bd11e24cd784f5e215f898430f6a6";

// One entry of GET /containers/json, as measured.
const std::string kListEntry =
    R"({"Id":"b27885755ff655d96053da963c1ac5d1599bd11e24cd784f5e215f898430f6a6","Names":["/runner"],)"
    R"("Image":"bb:latest","ImageID":"sha256:f5f1b34ebaf8e4e8c5cf4b1a6e12627feadbaa9f7a2ef2d7ab7dc2a7a042ed4f",)"
    R"("Command":"sh -c 'i=0; while true; do i=$((i+1)); echo \"tick $i\"; sleep 1; done'",)"
    R"("Created":1795878188,"Ports":[],"Labels":{"k":"v","team":"a"},"State":"running","Status":"Up 3 seconds",)"
    R"("HostConfig":{"NetworkMode":"none"},)"
    R"("NetworkSettings":{"Networks":{"none":{"IPAMConfig":null,"Links":null,"Aliases":null,)"
    R"("NetworkID":"eb400f76","EndpointID":"0dc61e6d","Gateway":"","IPAddress":"","IPPrefixLen":0,)"
    R"("IPv6Gateway":"","GlobalIPv6Address":"","GlobalIPv6PrefixLen":0,"MacAddress":"","DriverOpts":null}}},)"
    R"("Mounts":[]})";

// The parts of GET /containers/{id}/json around what the engine reads.
std::string Inspect(std::string_view tty, std::string_view running) {
  return std::string(R"({"Id":"b27885755ff655d96053da963c1ac5d1599bd11e24cd784f5e215f898430f6a6",)"
                     R"("Created":"2026-11-28T15:03:08.37Z","Path":"sh","Args":["-c","x"],)"
                     R"("State":{"Status":"running","Running":)") +
         std::string(running) +
         R"(,"Paused":false,"Restarting":false,"OOMKilled":false,"Dead":false,"Pid":3577,"ExitCode":0,)"
         R"("Error":"","StartedAt":"2026-11-28T15:03:08.501560513Z","FinishedAt":"0001-01-01T00:00:00Z"},)"
         R"("Name":"/runner","RestartCount":0,"Driver":"vfs","ExecIDs":null,)"
         R"("Config":{"Hostname":"b27885755ff6","Domainname":"","User":"","AttachStdin":false,)"
         R"("AttachStdout":false,"AttachStderr":false,"Tty":)" +
         std::string(tty) +
         R"(,"OpenStdin":false,"StdinOnce":false,"Env":null,"Cmd":["sh","-c","x"],"Image":"bb:latest",)"
         R"("Volumes":null,"WorkingDir":"","Entrypoint":null,"OnBuild":null,"Labels":{"k":"v","team":"a"}},)"
         R"("HostConfig":{"LogConfig":{"Type":"json-file","Config":{}}},"Mounts":[]})";
}

const std::string kDieEvent =
    R"({"status":"die","id":"f20f00aa0123","from":"bb:latest","Type":"container","Action":"die",)"
    R"("Actor":{"ID":"f20f00aa0123","Attributes":{"exitCode":"137","image":"bb:latest","name":"t2"}},)"
    R"("scope":"local","time":1795877136,"timeNano":1795877136563258728})";

// The DockerJsonError message of `f()`, or "" when it does not throw.
template <typename F>
std::string ThrownMessage(F f) {
  try {
    f();
  } catch (const DockerJsonError& e) {
    return e.what();
  }
  return "";
}

TEST(DockerJsonTest, ContainerListRealShape) {
  const auto list = ParseContainerList("[" + kListEntry + "," + kListEntry + "]\n");
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].id, kId);
  EXPECT_EQ(list[0].name, "runner");
  EXPECT_EQ(list[0].state, "running");
  EXPECT_EQ(list[0].labels, (Labels{{"k", "v"}, {"team", "a"}}));
  EXPECT_TRUE(ParseContainerList("[]").empty());
}

TEST(DockerJsonTest, ContainerListMissingOptionalFields) {
  std::vector<std::string> skipped;
  const auto list = ParseContainerList(R"([{"Id":"aaaaaaaaaaaa"},{"Id":"bbbbbbbbbbbb","Names":[],"Labels":null,"State":null},)"
                                       R"({"Id":"cccccccccccc","Names":[7],"Labels":{"n":1,"s":"x"}}])",
                                       &skipped);
  ASSERT_EQ(list.size(), 3u);
  EXPECT_TRUE(skipped.empty());
  EXPECT_EQ(list[0].name, "");
  EXPECT_EQ(list[0].state, "");
  EXPECT_TRUE(list[0].labels.empty());
  EXPECT_EQ(list[1].name, "");
  EXPECT_EQ(list[2].name, "");
  EXPECT_EQ(list[2].labels, (Labels{{"s", "x"}}));  // non-string values skipped
}

TEST(DockerJsonTest, ContainerListBodyErrorsSayWhat) {
  EXPECT_NE(ThrownMessage([] { ParseContainerList("{bad"); }).find("not JSON"), std::string::npos);
  EXPECT_NE(ThrownMessage([] { ParseContainerList(R"({"message":"x"})"); }).find("expected a JSON array"),
            std::string::npos);
  EXPECT_NE(ThrownMessage([] { ParseContainerList(""); }), "");
  EXPECT_NE(ThrownMessage([] { ParseContainerList("[1,,2]"); }), "");
  EXPECT_NE(ThrownMessage([] { ParseContainerList(R"([{"Id":"a"})"); }), "");  // no closing bracket
  EXPECT_NE(ThrownMessage([] { ParseContainerList("[1] x"); }), "");
}

// The reasons ParseContainerList gives for the entries of `body` it skipped.
std::vector<std::string> Skipped(const std::string& body, std::size_t* kept) {
  std::vector<std::string> skipped;
  *kept = ParseContainerList(body, &skipped).size();
  return skipped;
}

TEST(DockerJsonTest, ContainerListSkipsBadEntriesAndSaysWhere) {
  const std::string good = "{\"Id\":\"" + std::string(kId) + "\",\"Names\":[\"/good\"]}";
  struct Case {
    std::string entry;
    std::string says;
  };
  const Case cases[] = {
      {R"({"Names":["/x"]})", "no Id"},
      {R"({"Id":42})", "'Id'"},
      {R"({"Id":"aaaaaaaaaaaa","Labels":["k=v"]})", "'Labels'"},
      {R"({"Id":"aaaaaaaaaaaa","State":1})", "'State'"},
      {"1", "not an object"},
      {R"({"Id":"../../../../etc/passwd"})", "not a container id"},
      {R"({"Id":"aaaaaaaaaaaa?all=1"})", "not a container id"},
      {R"({"Id":"aaaaaaaaaaaa#x"})", "not a container id"},
      {R"({"Id":"aaaaaaaaaaaa\r\nX-Evil: 1"})", "not a container id"},
      {R"({"Id":"AAAAAAAAAAAA"})", "not a container id"},
      {R"({"Id":"aaaaaaaaaaaa","Names":["/\ud800x"]})", "not valid JSON"},  // lone surrogate
      {R"({"Id":"aaaaaaaaaaaa","Names":["/\udc00x"]})", "not valid JSON"},  // lone low surrogate
      {"{\"Id\":\"aaaaaaaaaaaa\",\"Names\":[\"/\xff\xfe\"]}", "not valid JSON"},  // invalid UTF-8
      {"{\"Id\":\"aaaaaaaaaaaa\",\"Names\":[\"/a\x01" "b\"]}", "not valid JSON"},  // raw control byte
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.entry);
    std::size_t kept = 0;
    const auto skipped = Skipped("[" + good + "," + c.entry + "," + good + "]", &kept);
    EXPECT_EQ(kept, 2u);
    ASSERT_EQ(skipped.size(), 1u);
    EXPECT_NE(skipped[0].find("entry 1"), std::string::npos) << skipped[0];
    EXPECT_NE(skipped[0].find(c.says), std::string::npos) << skipped[0];
  }
}

TEST(DockerJsonTest, ContainerListKeepsEscapedControlCharactersInNames) {
  // Valid JSON: the name is kept as sent; the engine escapes it when logging.
  const auto list = ParseContainerList("[{\"Id\":\"" + std::string(kId) +
                                       R"(","Names":["/\u001b[31mred\r\nx"]}])");
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].name, "\x1b[31mred\r\nx");
}

TEST(DockerJsonTest, InspectRealShape) {
  ContainerInfo info = ParseContainerInspect(Inspect("false", "true"));
  EXPECT_EQ(info.id, kId);
  EXPECT_EQ(info.name, "runner");
  EXPECT_FALSE(info.tty);
  EXPECT_TRUE(info.running);
  EXPECT_EQ(info.labels, (Labels{{"k", "v"}, {"team", "a"}}));
  info = ParseContainerInspect(Inspect("true", "false"));
  EXPECT_TRUE(info.tty);
  EXPECT_FALSE(info.running);
}

TEST(DockerJsonTest, InspectMissingOrOddOptionalParts) {
  ContainerInfo info = ParseContainerInspect(R"({"Id":"abc"})");
  EXPECT_EQ(info.id, "abc");
  EXPECT_EQ(info.name, "");
  EXPECT_FALSE(info.tty);
  EXPECT_FALSE(info.running);
  // Non-boolean Tty/Running and non-object Config/State are ignored.
  info = ParseContainerInspect(R"({"Id":"abc","Name":"plain","Config":{"Tty":"yes"},"State":"running"})");
  EXPECT_EQ(info.name, "plain");
  EXPECT_FALSE(info.tty);
  EXPECT_FALSE(info.running);
  info = ParseContainerInspect(R"({"Id":"abc","Config":null,"State":{"Running":1}})");
  EXPECT_FALSE(info.running);
}

TEST(DockerJsonTest, InspectErrorsSayWhere) {
  EXPECT_NE(ThrownMessage([] { ParseContainerInspect("[]"); }).find("expected a JSON object"), std::string::npos);
  EXPECT_NE(ThrownMessage([] { ParseContainerInspect("{}"); }).find("container inspect: no Id"), std::string::npos);
  const std::string e = ThrownMessage([] { ParseContainerInspect(R"({"Id":"a","Name":["/x"]})"); });
  EXPECT_NE(e.find("container inspect"), std::string::npos) << e;
  EXPECT_NE(e.find("'Name'"), std::string::npos) << e;
  const std::string l = ThrownMessage([] { ParseContainerInspect(R"({"Id":"a","Config":{"Labels":"k=v"}})"); });
  EXPECT_NE(l.find("'Labels'"), std::string::npos) << l;
  EXPECT_NE(ThrownMessage([] { ParseContainerInspect("not json"); }).find("not JSON"), std::string::npos);
}

TEST(DockerJsonTest, ContainerEvent) {
  const ContainerEvent ev = ParseEvent(kDieEvent);
  EXPECT_EQ(ev.type, "container");
  EXPECT_EQ(ev.action, "die");
  EXPECT_EQ(ev.id, "f20f00aa0123");
  EXPECT_EQ(ev.name, "t2");
  EXPECT_EQ(ev.time_nano, 1795877136563258728);
}

TEST(DockerJsonTest, RenameEventCarriesTheNewName) {
  const ContainerEvent ev = ParseEvent(
      R"({"status":"rename","id":"a945a945a945","from":"bb:latest","Type":"container","Action":"rename",)"
      R"("Actor":{"ID":"a945a945a945","Attributes":{"image":"bb:latest","k":"v","name":"ev1b","oldName":"/ev1"}},)"
      R"("scope":"local","time":1795878342,"timeNano":1795878342479176928})");
  EXPECT_EQ(ev.action, "rename");
  EXPECT_EQ(ev.name, "ev1b");
}

TEST(DockerJsonTest, NetworkEventHasNoLegacyFields) {
  const ContainerEvent ev = ParseEvent(
      R"({"Type":"network","Action":"connect","Actor":{"ID":"net1","Attributes":{"container":"c1",)"
      R"("name":"none","type":"null"}},"scope":"local","time":1795878342,"timeNano":1795878342000000001})");
  EXPECT_EQ(ev.type, "network");
  EXPECT_EQ(ev.action, "connect");
  EXPECT_EQ(ev.id, "net1");
  EXPECT_EQ(ev.name, "none");
}

TEST(DockerJsonTest, EventFallbacks) {
  // Old daemons: status/id only, time in seconds.
  ContainerEvent ev = ParseEvent(R"({"status":"start","id":"abc","time":1795878342})");
  EXPECT_EQ(ev.action, "start");
  EXPECT_EQ(ev.id, "abc");
  EXPECT_EQ(ev.type, "");
  EXPECT_EQ(ev.time_nano, 1795878342LL * 1'000'000'000);
  ev = ParseEvent(R"({"Type":"container"})");
  EXPECT_EQ(ev.action, "");
  EXPECT_EQ(ev.id, "");
  EXPECT_EQ(ev.time_nano, 0);
  // A time that is not an integer is ignored.
  ev = ParseEvent(R"({"Action":"die","time":"soon","timeNano":1.5})");
  EXPECT_EQ(ev.time_nano, 0);
}

TEST(DockerJsonTest, EventTimeOutOfRangeIsAnErrorNotOverflow) {
  const std::string max = std::to_string(std::numeric_limits<std::int64_t>::max());
  const std::string e = ThrownMessage([&] { ParseEvent(R"({"Action":"die","time":)" + max + "}"); });
  EXPECT_NE(e.find("'time'"), std::string::npos) << e;
  EXPECT_NE(ThrownMessage([] { ParseEvent(R"({"Action":"die","time":-9300000000})"); }), "");
  // The largest second count that fits.
  const ContainerEvent ev = ParseEvent(R"({"Action":"die","time":9223372036})");
  EXPECT_EQ(ev.time_nano, 9223372036LL * 1'000'000'000);
}

TEST(DockerJsonTest, ContainerEventWithABadIdIsAnError) {
  for (const char* id : {"../../x", "a945a945a945?x", "a945a945a945#x", R"(a945a945a945\r\nX: 1)", "a945"}) {
    SCOPED_TRACE(id);
    const std::string e = ThrownMessage([&] {
      ParseEvent(std::string(R"({"Type":"container","Action":"start","Actor":{"ID":")") + id + R"("}})");
    });
    EXPECT_NE(e.find("is not 12 to 64 lowercase hex digits"), std::string::npos) << e;
  }
  // Other event types carry other ids (images by name).
  EXPECT_EQ(ParseEvent(R"({"Type":"image","Action":"pull","Actor":{"ID":"bb:latest"}})").id, "bb:latest");
  // Control characters in a name are kept; the engine escapes them in its log.
  EXPECT_EQ(ParseEvent(R"({"Type":"container","Action":"start","Actor":{"ID":"a945a945a945",)"
                       R"("Attributes":{"name":"x\u001b[2J\u0007"}}})")
                .name,
            "x\x1b[2J\x07");
}

TEST(DockerJsonTest, EventErrorsSayWhere) {
  EXPECT_NE(ThrownMessage([] { ParseEvent("[1]"); }).find("event: expected a JSON object"), std::string::npos);
  const std::string a = ThrownMessage([] { ParseEvent(R"({"Action":7})"); });
  EXPECT_NE(a.find("event:"), std::string::npos) << a;
  EXPECT_NE(a.find("'Action'"), std::string::npos) << a;
  const std::string id = ThrownMessage([] { ParseEvent(R"({"Action":"die","Actor":{"ID":{}}})"); });
  EXPECT_NE(id.find("'ID'"), std::string::npos) << id;
  const std::string name = ThrownMessage([] { ParseEvent(R"({"Action":"die","Actor":{"Attributes":{"name":1}}})"); });
  EXPECT_NE(name.find("'name'"), std::string::npos) << name;
  EXPECT_NE(ThrownMessage([] { ParseEvent(R"({"Action":"die"} trailing)"); }), "");
}

TEST(DockerJsonTest, ErrorMessageFromBody) {
  EXPECT_EQ(ErrorMessageFromBody("{\"message\":\"No such container: nonexist\"}\n"), "No such container: nonexist");
  EXPECT_EQ(ErrorMessageFromBody("404 page not found\n"), "404 page not found");
  EXPECT_EQ(ErrorMessageFromBody("{\"message\":42}"), "{\"message\":42}");
  EXPECT_EQ(ErrorMessageFromBody("{\"other\":\"x\"} \r\n"), "{\"other\":\"x\"}");
  EXPECT_EQ(ErrorMessageFromBody(""), "");
  EXPECT_EQ(ErrorMessageFromBody(std::string(1000, 'x')), std::string(200, 'x'));
}

// Runs every parser on `input`: each may throw DockerJsonError, nothing else.
void ParseEverything(std::string_view input) {
  try {
    (void)ParseContainerList(input);
  } catch (const DockerJsonError&) {
  }
  try {
    (void)ParseContainerInspect(input);
  } catch (const DockerJsonError&) {
  }
  try {
    (void)ParseEvent(input);
  } catch (const DockerJsonError&) {
  }
  EXPECT_LE(ErrorMessageFromBody(input).size(), std::max<std::size_t>(input.size(), 200));
}

TEST(DockerJsonTest, RandomBytesNeverCrash) {
  std::mt19937_64 rng(20261128);
  for (int i = 0; i < 3000; ++i) {
    std::string input(rng() % 64, '\0');
    for (char& c : input) c = static_cast<char>(rng());
    ParseEverything(input);
  }
}

TEST(DockerJsonTest, MutatedRealBodiesNeverCrash) {
  const std::string seeds[] = {"[" + kListEntry + "]", Inspect("true", "true"), kDieEvent,
                               R"({"message":"No such container: x"})"};
  const std::string tokens[] = {"{", "}", "[", "]", "\"", ":", ",", "null", "1e999", "-0", "\"\\u0000\"",
                                "true", "\xff", "9223372036854775808", "-9223372036854775809"};
  std::mt19937_64 rng(99);
  for (int i = 0; i < 2000; ++i) {
    std::string input = seeds[rng() % std::size(seeds)];
    for (int k = 1 + static_cast<int>(rng() % 4); k > 0; --k) {
      const std::size_t at = rng() % (input.size() + 1);
      switch (rng() % 3) {
        case 0: input.insert(at, tokens[rng() % std::size(tokens)]); break;
        case 1: input.erase(at, rng() % 8); break;
        default:
          if (at < input.size()) input[at] = static_cast<char>(rng());
          break;
      }
    }
    ParseEverything(input);
  }
}

TEST(DockerJsonTest, DeepNestingNeverCrashes) {
  const std::string open(100'000, '[');
  ParseEverything(open);
  ParseEverything(open + std::string(100'000, ']'));
  std::string objects;
  for (int i = 0; i < 20'000; ++i) objects += "{\"a\":";
  ParseEverything(objects + "1" + std::string(20'000, '}'));
}

}  // namespace
}  // namespace logcap
