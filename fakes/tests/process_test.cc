// The fake-dockerd binary as a process: its flags and their errors, how it
// claims its socket paths, how it exits on SIGTERM/SIGINT with streams open,
// a scenario file played on its own, and a fixed thread count under load.
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <cstring>
#include <ctime>
#include <fstream>
#include <functional>
#include <memory>
#include <sstream>
#include <thread>

#include "fakes/tests/support/fake_process.h"
#include "fakes/tests/support/http_test_client.h"

namespace leakbench::testing {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

const std::string kFake = FAKE_DOCKERD_PATH;

CommandResult RunFake(std::vector<std::string> args) {
  args.insert(args.begin(), kFake);
  return RunCommand(args, 10s);
}

// Polls `pred` every 20 ms until it holds or `timeout` passes.
bool WaitFor(const std::function<bool()>& pred, std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (true) {
    if (pred()) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(20ms);
  }
}

bool Exists(const std::string& path) {
  struct stat st{};
  return ::lstat(path.c_str(), &st) == 0;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int ThreadsOf(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with("Threads:")) return std::stoi(line.substr(8));
  }
  return -1;
}

// "2026-11-28T14:43:59.860773509Z" -> nanoseconds since the epoch.
int64_t ParseRfc3339Nano(const std::string& s) {
  std::tm tm{};
  const char* rest = ::strptime(s.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (rest == nullptr) return -1;
  int64_t ns = 0;
  if (*rest == '.') {
    int digits = 0;
    for (++rest; *rest >= '0' && *rest <= '9'; ++rest, ++digits) ns = ns * 10 + (*rest - '0');
    for (; digits < 9; ++digits) ns *= 10;
  }
  return static_cast<int64_t>(::timegm(&tm)) * 1'000'000'000 + ns;
}

json FindContainer(const json& list, const std::string& name) {
  for (const auto& c : list) {
    if (c.value("name", "") == name) return c;
  }
  return nullptr;
}

// A socket file whose listener is gone, as a crashed daemon leaves it.
void MakeStaleSocket(const std::string& path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0) << std::strerror(errno);
  ASSERT_EQ(::listen(fd, 1), 0);
  ::close(fd);
}

FakeProcessOptions AtSockets(std::string socket, std::string control_socket = "") {
  FakeProcessOptions o;
  o.socket = std::move(socket);
  o.control_socket = std::move(control_socket);
  return o;
}

bool Pings(const std::string& socket) {
  HttpTestClient client(socket);
  return client.connected() && client.Request("GET", "/_ping", "", 2s).status == 200;
}

// --- flags -------------------------------------------------------------------

TEST(FakeProcessFlags, HelpExitsZeroAndExplainsEveryFlag) {
  CommandResult r = RunFake({"--help"});
  ASSERT_FALSE(r.timed_out);
  EXPECT_EQ(r.status.code, 0) << r.err;
  // Each flag with a word from its explanation, which must come after the
  // flag and before the next flag's entry.
  const std::vector<std::pair<std::string, std::string>> kFlags = {
      {"--socket", "Unix socket"},         {"--control-socket", "control"},
      {"--containers", "containers"},      {"--rate", "lines per second"},
      {"--line-bytes", "line length"},     {"--tty-fraction", "Tty"},
      {"--stderr-fraction", "stderr"},     {"--retention", "keeps"},
      {"--seed", "seed"},                  {"--scenario", "scenario"},
  };
  for (const auto& [flag, word] : kFlags) {
    size_t at = r.out.find("  " + flag + " ");
    ASSERT_NE(at, std::string::npos) << flag << " missing from --help:\n" << r.out;
    size_t next = r.out.find("\n  -", at + 1);
    std::string entry = r.out.substr(at + flag.size() + 2, next == std::string::npos ? std::string::npos
                                                                                      : next - at - flag.size() - 2);
    EXPECT_NE(entry.find(word), std::string::npos) << flag << " is not explained: \"" << entry << "\"";
  }
}

struct BadFlagsCase {
  std::string name;
  std::vector<std::string> args;  // "$DIR" is replaced by a temp dir
  std::vector<std::string> stderr_has;
  std::string scenario;  // written to $DIR/scenario.yaml when not empty
};

// Names the case in ctest's test list instead of dumping its bytes.
void PrintTo(const BadFlagsCase& c, std::ostream* os) { *os << c.name; }

class FakeProcessBadFlags : public ::testing::TestWithParam<BadFlagsCase> {};

TEST_P(FakeProcessBadFlags, ExitTwoNamingTheProblem) {
  const BadFlagsCase& c = GetParam();
  TempDir dir;
  if (!c.scenario.empty()) dir.Write("scenario.yaml", c.scenario);
  auto subst = [&](std::string s) {
    for (size_t p; (p = s.find("$DIR")) != std::string::npos;) s.replace(p, 4, dir.path());
    return s;
  };
  std::vector<std::string> args;
  for (const auto& a : c.args) args.push_back(subst(a));
  CommandResult r = RunFake(args);
  ASSERT_FALSE(r.timed_out) << "it started instead of refusing";
  EXPECT_EQ(r.status.code, 2) << r.status.ToString() << "\nstderr: " << r.err;
  EXPECT_EQ(r.out.find("ready"), std::string::npos) << r.out;
  for (const auto& want : c.stderr_has) {
    EXPECT_NE(r.err.find(subst(want)), std::string::npos) << "stderr lacks \"" << subst(want) << "\":\n" << r.err;
  }
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "one line, not:\n" << r.err;
  EXPECT_LT(r.err.size(), 700u) << "a bad value is cut in the message:\n" << r.err;
  EXPECT_FALSE(Exists(dir.path() + "/d.sock")) << "a refused start must not leave a socket";
}

const char kBadActionScenario[] = "timeline:\n  - at: 1s\n    action: explode\n";
const char kBadDurationScenario[] = "timeline:\n  - at: 100ms\n    action: stop\n    target: x\n  - at: soon\n    action: stop\n    target: x\n";
const char kBadYamlScenario[] = "timeline:\n  - at: 1s\n    action: [unclosed\n";
const char kMissingTargetScenario[] = "daemon:\n  containers: 1\ntimeline:\n  - at: 1s\n    action: stop\n";
const char kUnknownKeyScenario[] = "timelime:\n  - at: 1s\n    action: stop\n    target: x\n";
const char kNanRateScenario[] = "daemon:\n  containers: 1\n  rate: nan\ntimeline: []\n";
const char kInfRateScenario[] = "daemon:\n  rate: .inf\ntimeline: []\n";
const char kEveryBelowOneMsScenario[] =
    "timeline:\n  - at: 1s\n    action: reset_peaks\n  - at: 1s\n    every: 500us\n    action: reset_peaks\n";
const char kAtOverflowScenario[] = "timeline:\n  - at: 2562047h\n    action: reset_peaks\n";
const char kFaultDelayNanScenario[] = "timeline:\n  - at: 1s\n    action: fault\n    kind: latency\n    delay: nan\n";
const char kTtyYesScenario[] = "timeline:\n  - at: 1s\n    action: add\n    tty: yes\n";
const std::string kLongNumber(300, '9');

INSTANTIATE_TEST_SUITE_P(
    Cases, FakeProcessBadFlags,
    ::testing::Values(
        BadFlagsCase{"UnknownFlag", {"--socket", "$DIR/d.sock", "--bogus"}, {"--bogus"}, ""},
        BadFlagsCase{"NegativeRate", {"--socket", "$DIR/d.sock", "--rate", "-1"}, {"--rate", "-1"}, ""},
        BadFlagsCase{"ZeroLineBytes", {"--socket", "$DIR/d.sock", "--line-bytes", "0"}, {"line bytes \"0\""}, ""},
        BadFlagsCase{"InvertedLineBytes",
                     {"--socket", "$DIR/d.sock", "--line-bytes", "5-2"},
                     {"line bytes \"5-2\"", "MIN is larger than MAX"},
                     ""},
        BadFlagsCase{"TtyFractionAboveOne", {"--socket", "$DIR/d.sock", "--tty-fraction", "2"}, {"--tty-fraction", "2"}, ""},
        BadFlagsCase{"MissingSocket", {"--containers", "1"}, {"--socket is required"}, ""},
        BadFlagsCase{"MissingScenarioFile",
                     {"--socket", "$DIR/d.sock", "--scenario", "$DIR/nonexistent.yaml"},
                     {"--scenario", "$DIR/nonexistent.yaml"},
                     ""},
        BadFlagsCase{"ScenarioUnknownAction",
                     {"--socket", "$DIR/d.sock", "--scenario", "$DIR/scenario.yaml"},
                     {"$DIR/scenario.yaml:2:5: timeline[0]: unknown action \"explode\""},
                     kBadActionScenario},
        BadFlagsCase{"ScenarioBadDuration",
                     {"--socket", "$DIR/d.sock", "--scenario", "$DIR/scenario.yaml"},
                     {"$DIR/scenario.yaml:5:9: timeline[1].at: 'soon' is not a duration"},
                     kBadDurationScenario},
        BadFlagsCase{"ScenarioBadYaml",
                     {"--socket", "$DIR/d.sock", "--scenario", "$DIR/scenario.yaml"},
                     {"$DIR/scenario.yaml:4:1: not valid YAML: "},
                     kBadYamlScenario},
        BadFlagsCase{"ScenarioMissingTarget",
                     {"--socket", "$DIR/d.sock", "--scenario", "$DIR/scenario.yaml"},
                     {"$DIR/scenario.yaml:4:5: timeline[0]: action \"stop\" needs \"target\""},
                     kMissingTargetScenario},
        BadFlagsCase{"ScenarioUnknownKey",
                     {"--socket", "$DIR/d.sock", "--scenario", "$DIR/scenario.yaml"},
                     {"$DIR/scenario.yaml:1:1: timelime: unknown key (known keys: name, description, daemon, timeline)"},
                     kUnknownKeyScenario},
        // Not finite, out of range, or absurdly long: the flag, the value, the range.
        BadFlagsCase{"RateNaN", {"--socket", "$DIR/d.sock", "--rate", "nan"},
                     {"--rate: \"nan\" is not a number from 0 to 1000000"}, ""},
        BadFlagsCase{"RateInf", {"--socket", "$DIR/d.sock", "--rate", "inf"}, {"--rate: \"inf\"", "0 to 1000000"}, ""},
        BadFlagsCase{"RateHuge", {"--socket", "$DIR/d.sock", "--rate", "1e300"}, {"--rate: \"1e300\"", "0 to 1000000"}, ""},
        BadFlagsCase{"RateLongValueIsCut", {"--socket", "$DIR/d.sock", "--rate", kLongNumber},
                     {"--rate: \"" + kLongNumber.substr(0, 200) + "...\"", "0 to 1000000"}, ""},
        BadFlagsCase{"TtyFractionNaN", {"--socket", "$DIR/d.sock", "--tty-fraction", "nan"},
                     {"--tty-fraction: \"nan\"", "from 0 to 1"}, ""},
        BadFlagsCase{"StderrFractionNaN", {"--socket", "$DIR/d.sock", "--stderr-fraction", "-nan"},
                     {"--stderr-fraction: \"-nan\"", "from 0 to 1"}, ""},
        BadFlagsCase{"ContainersNaN", {"--socket", "$DIR/d.sock", "--containers", "nan"},
                     {"--containers: \"nan\" is not an integer from 0 to 1000000"}, ""},
        BadFlagsCase{"ContainersTooMany", {"--socket", "$DIR/d.sock", "--containers", "1000001"},
                     {"--containers: \"1000001\"", "0 to 1000000"}, ""},
        BadFlagsCase{"SeedNegative", {"--socket", "$DIR/d.sock", "--seed", "-1"}, {"--seed: \"-1\"", "from 0 to"}, ""},
        BadFlagsCase{"BurstHuge", {"--socket", "$DIR/d.sock", "--burst", "99999999999999999999"},
                     {"--burst: \"99999999999999999999\"", "1 to 1000000"}, ""},
        BadFlagsCase{"RetentionZero", {"--socket", "$DIR/d.sock", "--retention", "0"},
                     {"--retention: \"0\"", "1 to 100000000"}, ""},
        BadFlagsCase{"TickNaN", {"--socket", "$DIR/d.sock", "--tick", "nan"},
                     {"--tick: \"nan\" is not a duration from 1ms to 1s"}, ""},
        BadFlagsCase{"TickOverflow", {"--socket", "$DIR/d.sock", "--tick", "99999999999999999999h"},
                     {"--tick: \"99999999999999999999h\"", "1ms to 1s"}, ""},
        BadFlagsCase{"EmptySocket", {"--socket", ""}, {"--socket: must not be empty"}, ""},
        BadFlagsCase{"EmptyControlSocket", {"--socket", "$DIR/d.sock", "--control-socket", ""},
                     {"--control-socket: must not be empty"}, ""},
        BadFlagsCase{"ScenarioRateNaN", {"--socket", "$DIR/d.sock", "--scenario", "$DIR/scenario.yaml"},
                     {"$DIR/scenario.yaml:3:9: daemon.rate: expected a finite number, got 'nan'"},
                     kNanRateScenario},
        BadFlagsCase{"ScenarioRateInf", {"--socket", "$DIR/d.sock", "--scenario", "$DIR/scenario.yaml"},
                     {"$DIR/scenario.yaml:2:9: daemon.rate: expected a finite number, got '.inf'"}, kInfRateScenario},
        BadFlagsCase{"ScenarioEveryBelowOneMs", {"--socket", "$DIR/d.sock", "--scenario", "$DIR/scenario.yaml"},
                     {"$DIR/scenario.yaml:5:12: timeline[1].every: '500us' is too short (at least 1ms)"},
                     kEveryBelowOneMsScenario},
        BadFlagsCase{"ScenarioAtOverflow", {"--socket", "$DIR/d.sock", "--scenario", "$DIR/scenario.yaml"},
                     {"$DIR/scenario.yaml:2:9: timeline[0].at: '2562047h' is too long (at most 8760h)"}, kAtOverflowScenario},
        BadFlagsCase{"ScenarioFaultDelayNaN", {"--socket", "$DIR/d.sock", "--scenario", "$DIR/scenario.yaml"},
                     {"$DIR/scenario.yaml:2:5: timeline[0]: fault field 'delay': \"nan\" is not a duration"}, kFaultDelayNanScenario},
        BadFlagsCase{"ScenarioYesIsNotABoolean", {"--socket", "$DIR/d.sock", "--scenario", "$DIR/scenario.yaml"},
                     {"$DIR/scenario.yaml:4:10: timeline[0].tty: expected true or false, got 'yes' "
                      "(yes/no/on/off are not booleans: write true or false)"},
                     kTtyYesScenario}),
    [](const ::testing::TestParamInfo<BadFlagsCase>& p) { return p.param.name; });

// --- socket paths ------------------------------------------------------------

TEST(FakeProcessSockets, StaleSocketFileIsReplaced) {
  TempDir dir;
  const std::string path = dir.path() + "/docker.sock";
  MakeStaleSocket(path);
  ASSERT_FALSE(Pings(path)) << "the stale socket must not answer before the fake starts";
  FakeProcess fake(kFake, AtSockets(path));
  ASSERT_TRUE(fake.ready()) << fake.failure();
  EXPECT_TRUE(Pings(path));
  EXPECT_EQ(fake.Terminate().code, 0);
  EXPECT_FALSE(Exists(path));
}

TEST(FakeProcessSockets, RegularFileAtSocketPathIsRefusedAndKept) {
  TempDir dir;
  const std::string path = dir.Write("docker.sock", "precious data\n");
  FakeProcess fake(kFake, AtSockets(path));
  ASSERT_FALSE(fake.ready()) << "it must refuse a regular file";
  ASSERT_TRUE(fake.exit_status().has_value()) << fake.failure();
  EXPECT_EQ(fake.exit_status()->code, 2) << fake.failure();
  EXPECT_NE(fake.stderr_text().find(path + " exists and is not a socket"), std::string::npos) << fake.stderr_text();
  EXPECT_EQ(ReadFile(path), "precious data\n");
}

TEST(FakeProcessSockets, LiveSocketsAreRefused) {
  FakeProcess first(kFake, {"--containers", "1", "--rate", "0"});
  ASSERT_TRUE(first.ready()) << first.failure();

  // Its API socket...
  TempDir dir;
  FakeProcess second(kFake,
                     AtSockets(first.socket(), dir.path() + "/control.sock"));
  ASSERT_FALSE(second.ready()) << "it must not take over a live socket";
  ASSERT_TRUE(second.exit_status().has_value()) << second.failure();
  EXPECT_EQ(second.exit_status()->code, 2);
  EXPECT_NE(second.stderr_text().find(first.socket() + " is in use"), std::string::npos) << second.stderr_text();
  EXPECT_FALSE(Exists(dir.path() + "/control.sock"));

  // ...and its control socket.
  FakeProcess third(kFake,
                    AtSockets(dir.path() + "/docker.sock", first.control_socket()));
  ASSERT_FALSE(third.ready()) << "it must not take over a live control socket";
  ASSERT_TRUE(third.exit_status().has_value()) << third.failure();
  EXPECT_EQ(third.exit_status()->code, 2);
  EXPECT_NE(third.stderr_text().find(first.control_socket() + " is in use"), std::string::npos)
      << third.stderr_text();
  EXPECT_FALSE(Exists(dir.path() + "/docker.sock")) << "the refused daemon must remove the socket it did create";

  // The first one is untouched.
  EXPECT_TRUE(Pings(first.socket()));
  int status = 0;
  EXPECT_EQ(first.Control("GET", "/ping", nullptr, &status)["ok"], true);
  EXPECT_EQ(status, 200);
}

TEST(FakeProcessSockets, BothSocketsAreMode0600) {
  FakeProcess fake(kFake, {"--containers", "0"});
  ASSERT_TRUE(fake.ready()) << fake.failure();
  for (const auto& path : {fake.socket(), fake.control_socket()}) {
    struct stat st{};
    ASSERT_EQ(::lstat(path.c_str(), &st), 0) << path;
    EXPECT_TRUE(S_ISSOCK(st.st_mode)) << path;
    EXPECT_EQ(st.st_mode & 07777, 0600u) << path << " has mode " << std::oct << (st.st_mode & 07777);
  }
}

TEST(FakeProcessSockets, ReadyLineNamesTheSockets) {
  FakeProcess fake(kFake, {"--containers", "2", "--rate", "0"});
  ASSERT_TRUE(fake.ready()) << fake.failure();
  json line = json::parse(fake.ready_line());
  EXPECT_EQ(line["ready"], true);
  EXPECT_EQ(line["pid"], fake.pid());
  EXPECT_EQ(line["socket"], fake.socket());
  EXPECT_EQ(line["control_socket"], fake.control_socket());
  EXPECT_EQ(line["containers"], 2);
}

// --- signals -----------------------------------------------------------------

class FakeProcessSignals : public ::testing::TestWithParam<int> {};

TEST_P(FakeProcessSignals, ExitsZeroPromptlyEndingEveryStream) {
  const int sig = GetParam();
  FakeProcess fake(kFake, {"--containers", "2", "--rate", "50", "--tty-fraction", "0.5"});
  ASSERT_TRUE(fake.ready()) << fake.failure();

  std::vector<std::unique_ptr<HttpTestClient>> clients;
  std::vector<HttpResponse> responses;
  auto open = [&](const std::string& target) {
    clients.push_back(std::make_unique<HttpTestClient>(fake.socket()));
    responses.push_back(clients.back()->Open("GET", target, 5s));
    ASSERT_EQ(responses.back().status, 200) << target << ": " << responses.back().head;
  };
  for (const char* name : {"fake-0001", "fake-0002"}) {
    open(std::string("/containers/") + name + "/logs?follow=1&stdout=1&stderr=1&tail=all");
    open(std::string("/v1.41/containers/") + name + "/logs?follow=1&stdout=1&stderr=1&timestamps=1&tail=0");
  }
  open("/events");
  // The log streams are flowing.
  for (size_t i = 0; i + 1 < clients.size(); ++i) {
    EXPECT_GT(clients[i]->Read(&responses[i], 1, 5s), 0u) << "stream " << i << " got no data";
  }
  ASSERT_TRUE(WaitFor([&] { return fake.Control("GET", "/truth")["follow_streams_open"] == 4; }, 5s));

  auto start = Clock::now();
  ExitStatus status = fake.Terminate(sig, 5s);
  auto took = Clock::now() - start;
  EXPECT_EQ(status.code, 0) << status.ToString() << "\n" << fake.stderr_text();
  EXPECT_LT(took, 2s) << "took " << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms";
  EXPECT_NE(fake.stderr_text().find(sig == SIGINT ? "SIGINT" : "SIGTERM"), std::string::npos) << fake.stderr_text();

  for (size_t i = 0; i < clients.size(); ++i) {
    clients[i]->ReadToEnd(&responses[i], 2s);
    EXPECT_FALSE(responses[i].timed_out) << "stream " << i << " did not end";
    EXPECT_TRUE(responses[i].complete || responses[i].eof) << "stream " << i << " did not end";
  }
  EXPECT_FALSE(Exists(fake.socket()));
  EXPECT_FALSE(Exists(fake.control_socket()));
}

INSTANTIATE_TEST_SUITE_P(Signals, FakeProcessSignals, ::testing::Values(SIGTERM, SIGINT),
                         [](const ::testing::TestParamInfo<int>& p) {
                           return std::string(p.param == SIGTERM ? "SIGTERM" : "SIGINT");
                         });

// A big add runs in slices on the event loop: SIGTERM is honoured at once,
// before the add ends, and a big add still completes when left alone. (Not
// a bound on wall time: under ASan at -O0 tearing down the tens of
// thousands of containers already made took 1.1 s once.)
TEST(FakeProcessSignals, SigtermDuringAHugeAddExitsBeforeTheAddEnds) {
  FakeProcess fake(kFake, {"--containers", "0", "--rate", "0"});
  ASSERT_TRUE(fake.ready()) << fake.failure();
  HttpResponse add_answer;
  std::thread adder([&] {  // answers only when the add is done (or the fake is gone)
    HttpTestClient client(fake.control_socket());
    add_answer = client.Request("POST", "/actions", R"({"action":"add","count":100000})", 60s);
  });
  // Wait until the add is seen under way (the control API answers between
  // its slices; an add that blocked the loop would only be seen done), then
  // ask the fake to stop.
  const bool adding = WaitFor(
      [&] {
        const int created = fake.Control("GET", "/truth").value("containers_created", 0);
        return created > 1000 && created < 100000;
      },
      10s);
  const auto start = Clock::now();
  ExitStatus status = fake.Terminate(SIGTERM, 5s);
  const auto took = Clock::now() - start;
  adder.join();
  ASSERT_TRUE(adding) << "the add never started";
  EXPECT_EQ(status.code, 0) << status.ToString() << "\n" << fake.stderr_text();
  // A fake that finished the add before honouring SIGTERM would have
  // answered it.
  EXPECT_NE(add_answer.status, 200) << "the add ran to its end before the fake stopped; exit took "
                                    << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms: "
                                    << add_answer.body.substr(0, 200);
}

TEST(FakeProcessActions, BigAddAndChurnComplete) {
  FakeProcess fake(kFake, {"--containers", "0", "--rate", "0"});
  ASSERT_TRUE(fake.ready()) << fake.failure();
  json added = fake.Act({{"action", "add"}, {"count", 3 * 500 + 7}});
  EXPECT_EQ(added["ids"].size(), 1507u);
  json churned = fake.Act({{"action", "churn"}, {"count", 1200}});
  EXPECT_EQ(churned["removed"].size(), 1200u);
  EXPECT_EQ(churned["added"].size(), 1200u);
  EXPECT_EQ(fake.Control("GET", "/truth")["containers_live"], 1507);
  json batch = fake.Act(json::array({{{"action", "add"}, {"count", 600}}, {{"action", "reset_peaks"}}}));
  ASSERT_EQ(batch.size(), 2u);
  EXPECT_EQ(batch[0]["ids"].size(), 600u);
}

// --- scenario ----------------------------------------------------------------

TEST(FakeProcessScenario, TimelineIsPlayed) {
  TempDir dir;
  const std::string scenario = dir.Write("scenario.yaml", R"(name: process-test
description: add, stop, emit, fault and restart, on a timeline
daemon:
  containers: 1
  rate: 0
  stderr_fraction: 0
timeline:
  - at: 200ms
    action: add
    name: x
    rate: 0
  - at: 400ms
    action: stop
    target: x
  - at: 200ms
    every: 200ms
    times: 3
    action: emit
    target: fake-0001
    lines: 2
  - at: 600ms
    action: fault
    kind: stall
    target: fake-0001
    duration: 2s
  - at: 800ms
    action: restart_daemon
    down: 300ms
)");
  FakeProcess fake(kFake, {"--scenario", scenario});
  ASSERT_TRUE(fake.ready()) << fake.failure();
  auto container = [&](const std::string& name) { return FindContainer(fake.Control("GET", "/containers"), name); };

  // The settings came from the file.
  json first = container("fake-0001");
  ASSERT_TRUE(first.is_object()) << fake.Control("GET", "/containers").dump();
  EXPECT_EQ(first["rate"], 0);

  // x is added at 200 ms and stopped at 400 ms.
  EXPECT_TRUE(WaitFor([&] { return container("x").is_object(); }, 5s)) << "x was never added";
  EXPECT_TRUE(WaitFor([&] { return container("x").value("state", "") == "exited"; }, 5s))
      << "x was never stopped: " << container("x").dump();

  // Three emits of two lines, 200 ms apart.
  EXPECT_TRUE(WaitFor([&] { return container("fake-0001").value("emitted", 0) == 6; }, 5s))
      << container("fake-0001").dump();

  // The fault.
  EXPECT_TRUE(WaitFor(
      [&] {
        json faults = fake.Control("GET", "/faults");
        return faults.is_array() && faults.size() == 1 && faults[0].value("kind", "") == "stall" &&
               faults[0].value("target", "") == "fake-0001";
      },
      5s))
      << fake.Control("GET", "/faults").dump();

  // The restart: counted, announced, and the API is back afterwards.
  EXPECT_TRUE(WaitFor([&] { return fake.Control("GET", "/truth").value("daemon_restarts", 0) == 1; }, 5s));
  EXPECT_TRUE(WaitFor([&] { return fake.stderr_text().find("restarted: API up again") != std::string::npos; }, 5s))
      << fake.stderr_text();
  EXPECT_NE(fake.stderr_text().find("restarting: API down for 0.300s"), std::string::npos) << fake.stderr_text();
  ASSERT_TRUE(WaitFor([&] { return Pings(fake.socket()); }, 5s));

  // Timing, read off the daemon's own clock: the timers fire no earlier than
  // scheduled, so these lower bounds cannot flake.
  auto inspect = [&](const std::string& name) {
    return json::parse(HttpTestClient(fake.socket()).Request("GET", "/containers/" + name + "/json").body);
  };
  json x = inspect("x"), f1 = inspect("fake-0001");
  int64_t boot = ParseRfc3339Nano(f1["Created"]);
  int64_t added = ParseRfc3339Nano(x["Created"]);
  int64_t started = ParseRfc3339Nano(x["State"]["StartedAt"]);
  int64_t finished = ParseRfc3339Nano(x["State"]["FinishedAt"]);
  EXPECT_GE(added - boot, 190'000'000) << "x was added too early";
  EXPECT_GE(finished - started, 190'000'000) << "x was stopped too early";
  EXPECT_EQ(x["State"]["Running"], false);

  json lines = fake.Control("GET", "/containers/fake-0001/lines")["lines"];
  ASSERT_EQ(lines.size(), 6u) << lines.dump();
  // Runs are due at 200, 400 and 600 ms from the start, on a fixed cadence:
  // a late run does not push the next one back, so the gap between two runs
  // can be short; each run's time since the start cannot.
  for (int64_t run = 0; run < 3; ++run) {
    const int64_t since_boot = lines[2 * run]["ts_ns"].get<int64_t>() - boot;
    EXPECT_GE(since_boot, (200 + 200 * run - 10) * 1'000'000) << "emit run " << run << " came too early";
  }

  // Nothing more happens: the emits stop after three runs.
  std::this_thread::sleep_for(400ms);
  EXPECT_EQ(container("fake-0001")["emitted"], 6);
  EXPECT_EQ(fake.Control("GET", "/truth")["daemon_restarts"], 1);
  EXPECT_EQ(fake.stderr_text().find("failed"), std::string::npos) << fake.stderr_text();
  EXPECT_EQ(fake.Terminate().code, 0);
}

// --- threads -----------------------------------------------------------------

TEST(FakeProcessThreads, ThreadCountIsFixedUnderAThousandFollowStreams) {
  constexpr size_t kStreams = 1000;
  rlimit rl{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &rl), 0);
  if (rl.rlim_cur < kStreams + 200 && rl.rlim_max >= kStreams + 200) {
    rl.rlim_cur = rl.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &rl);
  }
  if (rl.rlim_cur < kStreams + 200) GTEST_SKIP() << "needs " << kStreams + 200 << " fds, `ulimit -n` is " << rl.rlim_cur;

  FakeProcess fake(kFake, {"--containers", "4", "--rate", "20"});
  ASSERT_TRUE(fake.ready()) << fake.failure();
  ASSERT_TRUE(WaitFor([&] { return Pings(fake.socket()); }, 2s));
  const int idle = ThreadsOf(fake.pid());
  ASSERT_GT(idle, 0);

  std::vector<std::unique_ptr<HttpTestClient>> clients;
  std::vector<HttpResponse> responses;
  clients.reserve(kStreams);
  for (size_t i = 0; i < kStreams; ++i) {
    clients.push_back(std::make_unique<HttpTestClient>(fake.socket()));
    ASSERT_TRUE(clients.back()->connected()) << "connection " << i;
    std::string target = "/containers/fake-000" + std::to_string(1 + i % 4) + "/logs?follow=1&stdout=1&stderr=1&tail=1";
    responses.push_back(clients.back()->Open("GET", target, 10s));
    ASSERT_EQ(responses.back().status, 200) << "stream " << i << ": " << responses.back().head;
  }
  ASSERT_TRUE(WaitFor([&] { return fake.Control("GET", "/truth")["follow_streams_open"] == kStreams; }, 10s))
      << fake.Control("GET", "/truth").dump();
  const int loaded = ThreadsOf(fake.pid());
  EXPECT_EQ(loaded, idle) << "threads: " << idle << " idle, " << loaded << " with " << kStreams << " streams";
  RecordProperty("threads", loaded);

  // The streams still flow.
  for (size_t i = 0; i < kStreams; i += 97) {
    EXPECT_GT(clients[i]->Read(&responses[i], 1, 5s), 0u) << "stream " << i;
  }
  clients.clear();
  EXPECT_TRUE(WaitFor([&] { return fake.Control("GET", "/truth")["follow_streams_open"] == 0; }, 10s));
  EXPECT_EQ(ThreadsOf(fake.pid()), idle);
  EXPECT_EQ(fake.Terminate().code, 0) << fake.stderr_text();
}

}  // namespace
}  // namespace leakbench::testing
