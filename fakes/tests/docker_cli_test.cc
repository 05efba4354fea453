// The real docker CLI (v28) against the fake-dockerd binary: version
// negotiation, ps, inspect, logs with every option a user types, and events
// with filters. The CLI is an independent client whose parsing the fake must
// satisfy, so each test asserts on what it prints. Skipped when no docker
// CLI is installed.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string_view>
#include <thread>

#include "fakes/tests/support/fake_process.h"
#include "fakes/tests/support/http_test_client.h"

namespace leakbench::testing {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

const std::string kFake = FAKE_DOCKERD_PATH;

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  for (std::string line; std::getline(ss, line);) {
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

std::string Describe(const CommandResult& r) {
  return r.status.ToString() + (r.timed_out ? " (timed out)" : "") + " after " + std::to_string(r.elapsed.count()) +
         " ms\nstdout:\n" + r.out.substr(0, 4000) + "\nstderr:\n" + r.err.substr(0, 4000);
}

// "SECONDS.NANOS", as the Docker API and `docker logs --since` take it.
std::string UnixNanosText(int64_t ns) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%lld.%09lld", static_cast<long long>(ns / 1'000'000'000),
                static_cast<long long>(ns % 1'000'000'000));
  return buf;
}

// "2026-11-28T14:43:59.860773509Z" -> nanoseconds since the epoch, or -1.
int64_t ParseRfc3339Nano(const std::string& s) {
  std::tm tm{};
  const char* rest = ::strptime(s.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (rest == nullptr || *rest != '.') return -1;
  int64_t ns = 0;
  int digits = 0;
  for (++rest; *rest >= '0' && *rest <= '9'; ++rest, ++digits) ns = ns * 10 + (*rest - '0');
  if (digits != 9 || *rest != 'Z') return -1;
  return static_cast<int64_t>(::timegm(&tm)) * 1'000'000'000 + ns;
}

// `docker events --until 0s` sends the current time in whole seconds, and
// the daemon (real or fake) leaves out events after it: an event is listed
// only once the wall clock is past the second it happened in.
void WaitForNextWallSecond() {
  auto now = std::chrono::system_clock::now();
  auto next = std::chrono::ceil<std::chrono::seconds>(now + 1ms);
  std::this_thread::sleep_until(next + 20ms);
}

// The length of the RFC3339Nano UTC timestamp with all nine digits
// ("2026-11-28T14:43:59.860773509Z") that `s` starts with; 0 if none.
size_t StampLength(std::string_view s) {
  constexpr std::string_view kShape = "dddd-dd-ddTdd:dd:dd.dddddddddZ";
  if (s.size() < kShape.size()) return 0;
  for (size_t i = 0; i < kShape.size(); ++i) {
    bool ok = kShape[i] == 'd' ? (s[i] >= '0' && s[i] <= '9') : s[i] == kShape[i];
    if (!ok) return 0;
  }
  return kShape.size();
}

// "<stamp> container <action> <64 hex id> (<attributes>)", as `docker events` prints.
bool IsEventLine(std::string_view line) {
  size_t n = StampLength(line);
  if (n == 0 || !line.substr(n).starts_with(" container ")) return false;
  line.remove_prefix(n + 11);
  size_t sp = line.find(' ');
  if (sp == 0 || sp == std::string_view::npos) return false;
  line.remove_prefix(sp + 1);
  if (line.size() < 64 + 3) return false;
  for (char c : line.substr(0, 64)) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return line.substr(64).starts_with(" (") && line.ends_with(")");
}

class DockerCliTest : public ::testing::Test {
 protected:
  // The docker CLI to run, looked up once.
  static const std::optional<std::string>& DockerCli() {
    static const std::optional<std::string> path =
        FindExecutable("docker", {"/usr/local/bin/docker", "/usr/bin/docker"});
    return path;
  }

  void SetUp() override {
    if (!DockerCli()) GTEST_SKIP() << "no docker CLI in PATH, at /usr/local/bin/docker or at /usr/bin/docker";
    fake_ = std::make_unique<FakeProcess>(kFake, std::vector<std::string>{"--containers", "3", "--rate", "50",
                                                                         "--tty-fraction", "0.34"});
    ASSERT_TRUE(fake_->ready()) << fake_->failure();
    for (const auto& c : fake_->Control("GET", "/containers")) containers_[c["name"].get<std::string>()] = c;
    ASSERT_EQ(containers_.size(), 3u);
    for (const auto& [name, c] : containers_) (c["tty"] == true ? tty_ : plain_).push_back(name);
    ASSERT_FALSE(tty_.empty());
    ASSERT_FALSE(plain_.empty());
  }

  // `docker -H unix://<fake> args...` with an isolated CLI config.
  CommandResult Docker(std::vector<std::string> args, std::chrono::milliseconds timeout = 10s) const {
    args.insert(args.begin(), {*DockerCli(), "-H", "unix://" + fake_->socket()});
    return RunCommand(args, timeout,
                      {"DOCKER_CONFIG=" + config_dir_.path(), "DOCKER_CLI_HINTS=false", "DOCKER_HOST",
                       "DOCKER_CONTEXT", "DOCKER_API_VERSION", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH"});
  }
  // Like Docker, and the command must exit 0 before its timeout.
  CommandResult DockerOk(std::vector<std::string> args, std::chrono::milliseconds timeout = 10s) const {
    std::string shown;
    for (const auto& a : args) shown += " " + a;
    CommandResult r = Docker(std::move(args), timeout);
    EXPECT_TRUE(!r.timed_out && r.status.code == 0) << "docker" << shown << ": " << Describe(r);
    return r;
  }

  json Container(const std::string& name) const {
    for (const auto& c : fake_->Control("GET", "/containers")) {
      if (c["name"] == name) return c;
    }
    return nullptr;
  }
  // Waits until `name` holds at least `lines` lines, some on each stream.
  void WaitForLines(const std::string& name, uint64_t lines) const {
    auto deadline = Clock::now() + 10s;
    while (Clock::now() < deadline) {
      json c = Container(name);
      if (c["last_seq"].get<uint64_t>() >= lines && c["emitted_stdout"].get<uint64_t>() > 0 &&
          (c["tty"] == true || c["emitted_stderr"].get<uint64_t>() > 0)) {
        return;
      }
      std::this_thread::sleep_for(20ms);
    }
    ADD_FAILURE() << name << " did not write " << lines << " lines: " << Container(name).dump();
  }
  std::string Cid(const std::string& name) const { return containers_.at(name)["cid"].get<std::string>(); }
  std::string Id(const std::string& name) const { return containers_.at(name)["id"].get<std::string>(); }

  // Checks every line of a non-TTY container's `docker logs` (stdout and
  // stderr apart) and returns their seq numbers, sorted.
  std::vector<uint64_t> CheckedSeqs(const CommandResult& r, const std::string& name, bool timestamps = false) const {
    std::vector<uint64_t> seqs;
    const std::string prefix = "cid=" + Cid(name) + " seq=";
    for (auto [text, stream] : {std::pair{&r.out, "stdout"}, std::pair{&r.err, "stderr"}}) {
      uint64_t last = 0;
      for (const auto& line : Lines(*text)) {
        std::string body = line;
        if (timestamps) {
          size_t sp = line.find(' ');
          EXPECT_NE(sp, std::string::npos) << line;
          body = line.substr(sp + 1);
        }
        EXPECT_TRUE(body.starts_with(prefix)) << stream << " line: " << line;
        EXPECT_NE(body.find(std::string(" stream=") + stream + " "), std::string::npos) << stream << " line: " << line;
        uint64_t seq = SeqOf(body);
        EXPECT_GT(seq, last) << stream << " seqs must increase: " << line;
        last = seq;
        seqs.push_back(seq);
      }
    }
    std::sort(seqs.begin(), seqs.end());
    return seqs;
  }
  // No gaps and no repeats between the first and the last.
  static void ExpectDense(const std::vector<uint64_t>& seqs) {
    ASSERT_FALSE(seqs.empty());
    for (size_t i = 1; i < seqs.size(); ++i) {
      ASSERT_EQ(seqs[i], seqs[i - 1] + 1) << "gap or repeat after seq " << seqs[i - 1];
    }
  }

  TempDir config_dir_{"lbdockercfg"};
  std::unique_ptr<FakeProcess> fake_;
  std::map<std::string, json> containers_;
  std::vector<std::string> tty_, plain_;
};

TEST_F(DockerCliTest, VersionNegotiatesApi141) {
  CommandResult r = DockerOk({"version", "--format", "{{.Server.APIVersion}}"});
  EXPECT_EQ(r.out, "1.41\n");
  CommandResult full = DockerOk({"version"});
  size_t server = full.out.find("Server:");
  ASSERT_NE(server, std::string::npos) << full.out;
  EXPECT_NE(full.out.find("API version:", server), std::string::npos) << full.out;
  EXPECT_NE(full.out.find("1.41", server), std::string::npos) << full.out;
  EXPECT_NE(full.out.find("(downgraded from"), std::string::npos) << "the client should negotiate down:\n" << full.out;
}

TEST_F(DockerCliTest, PsShowsRunningAndPsAllShowsExited) {
  const std::string stopped = plain_.back();
  fake_->Act({{"action", "stop"}, {"target", stopped}});

  auto rows = [&](const CommandResult& r) {
    std::map<std::string, std::string> by_name;
    auto lines = Lines(r.out);
    EXPECT_FALSE(lines.empty());
    if (lines.empty()) return by_name;
    EXPECT_TRUE(lines[0].starts_with("CONTAINER ID")) << r.out;
    for (size_t i = 1; i < lines.size(); ++i) {
      std::string name = lines[i].substr(lines[i].find_last_of(' ') + 1);
      EXPECT_TRUE(lines[i].starts_with(Cid(name))) << lines[i];
      by_name[name] = lines[i];
    }
    return by_name;
  };
  auto running = rows(DockerOk({"ps"}));
  EXPECT_EQ(running.size(), 2u);
  EXPECT_EQ(running.count(stopped), 0u) << "a stopped container shows without -a";
  for (const auto& [name, row] : running) EXPECT_NE(row.find(" Up "), std::string::npos) << row;

  auto all = rows(DockerOk({"ps", "-a"}));
  EXPECT_EQ(all.size(), 3u);
  ASSERT_EQ(all.count(stopped), 1u);
  EXPECT_NE(all[stopped].find("Exited ("), std::string::npos) << all[stopped];
  EXPECT_NE(all[stopped].find(containers_[stopped]["image"].get<std::string>()), std::string::npos) << all[stopped];
}

TEST_F(DockerCliTest, InspectShowsConfigTty) {
  const std::string tty = tty_.front(), plain = plain_.front();
  CommandResult r = DockerOk({"inspect", plain, tty});
  json doc = json::parse(r.out, nullptr, false);
  ASSERT_TRUE(doc.is_array()) << r.out;
  ASSERT_EQ(doc.size(), 2u);
  EXPECT_EQ(doc[0]["Id"], Id(plain));
  EXPECT_EQ(doc[0]["Name"], "/" + plain);
  EXPECT_EQ(doc[0]["Config"]["Tty"], false);
  EXPECT_EQ(doc[0]["State"]["Running"], true);
  EXPECT_EQ(doc[1]["Id"], Id(tty));
  EXPECT_EQ(doc[1]["Config"]["Tty"], true);
  CommandResult f = DockerOk({"inspect", "--format", "{{.Config.Tty}} {{.State.Status}}", Cid(tty)});
  EXPECT_EQ(f.out, "true running\n");
  CommandResult missing = Docker({"inspect", "nonexistent"});
  EXPECT_EQ(missing.status.code, 1) << Describe(missing);
  EXPECT_NE(missing.err.find("No such object: nonexistent"), std::string::npos) << missing.err;
}

TEST_F(DockerCliTest, LogsAreDenseAcrossStdoutAndStderr) {
  const std::string name = plain_.front();
  WaitForLines(name, 20);
  CommandResult r = DockerOk({"logs", name});
  EXPECT_FALSE(r.err.empty()) << "no stderr lines";
  auto seqs = CheckedSeqs(r, name);
  ExpectDense(seqs);
  EXPECT_EQ(seqs.front(), 1u);
  EXPECT_GE(seqs.back(), 20u);
}

TEST_F(DockerCliTest, LogsTimestampsAreRfc3339NanoWithNineDigits) {
  const std::string name = plain_.front();
  WaitForLines(name, 20);
  CommandResult r = DockerOk({"logs", "-t", "--tail", "10", name});
  std::map<uint64_t, int64_t> ts_of;
  const json held = fake_->Control("GET", "/containers/" + name + "/lines");
  for (const auto& l : held["lines"]) {
    ts_of[l["seq"].get<uint64_t>()] = l["ts_ns"].get<int64_t>();
  }
  size_t count = 0;
  for (const auto* text : {&r.out, &r.err}) {
    for (const auto& line : Lines(*text)) {
      ++count;
      size_t stamp = StampLength(line);
      EXPECT_TRUE(stamp > 0 && line.substr(stamp).starts_with(" cid=")) << line;
      EXPECT_EQ(ParseRfc3339Nano(line.substr(0, line.find(' '))), ts_of[SeqOf(line)])
          << "the timestamp is not the line's: " << line;
    }
  }
  EXPECT_EQ(count, 10u);
  ExpectDense(CheckedSeqs(r, name, /*timestamps=*/true));
}

TEST_F(DockerCliTest, LogsTailReturnsExactlyTheLastLines) {
  const std::string name = plain_.front();
  WaitForLines(name, 20);
  uint64_t before = Container(name)["last_seq"];
  CommandResult r = DockerOk({"logs", "--tail", "5", name});
  uint64_t after = Container(name)["last_seq"];
  auto seqs = CheckedSeqs(r, name);
  ASSERT_EQ(seqs.size(), 5u) << Describe(r);
  ExpectDense(seqs);
  EXPECT_GE(seqs.back(), before);
  EXPECT_LE(seqs.back(), after);
}

TEST_F(DockerCliTest, LogsSinceAndUntilAreInclusive) {
  const std::string name = plain_.front();
  WaitForLines(name, 30);
  json lines = fake_->Control("GET", "/containers/" + name + "/lines")["lines"];
  ASSERT_GE(lines.size(), 30u);
  const int64_t since = lines[5]["ts_ns"], until = lines[20]["ts_ns"];
  std::vector<uint64_t> expected;
  for (const auto& l : lines) {
    if (l["ts_ns"].get<int64_t>() >= since && l["ts_ns"].get<int64_t>() <= until) expected.push_back(l["seq"]);
  }
  CommandResult r = DockerOk({"logs", "--since", UnixNanosText(since), "--until", UnixNanosText(until), name});
  EXPECT_EQ(CheckedSeqs(r, name), expected) << Describe(r);
  EXPECT_EQ(expected.front(), lines[5]["seq"]) << "since is inclusive";
  EXPECT_EQ(expected.back(), lines[20]["seq"]) << "until is inclusive";

  // since alone: from that line on.
  CommandResult from = DockerOk({"logs", "--since", UnixNanosText(until), name});
  auto seqs = CheckedSeqs(from, name);
  ASSERT_FALSE(seqs.empty());
  EXPECT_EQ(seqs.front(), lines[20]["seq"]);
  ExpectDense(seqs);
}

TEST_F(DockerCliTest, LogsFollowShowsNewLines) {
  const std::string name = plain_.front();
  WaitForLines(name, 5);
  uint64_t before = Container(name)["last_seq"];
  CommandResult r = Docker({"logs", "-f", "--tail", "0", name}, 1500ms);
  EXPECT_TRUE(r.timed_out) << "a follow of a running container ends only when killed: " << Describe(r);
  auto seqs = CheckedSeqs(r, name);
  ASSERT_GE(seqs.size(), 10u) << Describe(r);
  EXPECT_GT(seqs.front(), before) << "--tail 0 shows only new lines";
  ExpectDense(seqs);
}

TEST_F(DockerCliTest, LogsFollowEndsWhenTheContainerStops) {
  const std::string name = plain_.front();
  WaitForLines(name, 5);
  auto follow = std::async(std::launch::async, [&] { return Docker({"logs", "-f", "--tail", "2", name}, 10s); });
  std::this_thread::sleep_for(500ms);
  ASSERT_EQ(follow.wait_for(0s), std::future_status::timeout) << "the follow ended before the stop";
  auto stopped_at = Clock::now();
  fake_->Act({{"action", "stop"}, {"target", name}});
  ASSERT_EQ(follow.wait_for(5s), std::future_status::ready) << "the follow did not end after the stop";
  auto took = Clock::now() - stopped_at;
  CommandResult r = follow.get();
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.status.code, 0) << Describe(r);
  EXPECT_LT(took, 3s);
  auto seqs = CheckedSeqs(r, name);
  ExpectDense(seqs);
  EXPECT_EQ(seqs.back(), Container(name)["last_seq"]) << "every line up to the stop was delivered";
}

TEST_F(DockerCliTest, TtyLogsAreRawWithCrLf) {
  const std::string name = tty_.front();
  WaitForLines(name, 10);
  CommandResult r = DockerOk({"logs", "--tail", "5", name});
  EXPECT_EQ(r.err, "") << "a TTY container has one raw stream";
  ASSERT_FALSE(r.out.empty());
  ASSERT_TRUE(r.out.ends_with("\r\n")) << r.out;
  auto lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 5u) << r.out;
  std::vector<uint64_t> seqs;
  for (const auto& line : lines) {
    EXPECT_TRUE(line.ends_with("\r")) << "not \\r\\n: " << line;
    EXPECT_TRUE(line.starts_with("cid=" + Cid(name) + " seq=")) << line;
    seqs.push_back(SeqOf(line));
  }
  ExpectDense(seqs);
}

TEST_F(DockerCliTest, EventsSinceUntilReplaysCreateAndStart) {
  WaitForNextWallSecond();
  CommandResult r = DockerOk({"events", "--since", "1m", "--until", "0s"});
  for (const auto& [name, c] : containers_) {
    for (const char* action : {"create", "start"}) {
      std::string want = std::string("container ") + action + " " + Id(name) + " (";
      size_t at = r.out.find(want);
      ASSERT_NE(at, std::string::npos) << want << " missing:\n" << r.out;
      EXPECT_NE(r.out.find("name=" + name, at), std::string::npos) << r.out;
    }
  }
  // Each line is "<RFC3339Nano> container <action> <id> (attributes)".
  for (const auto& line : Lines(r.out)) EXPECT_TRUE(IsEventLine(line)) << line;
}

TEST_F(DockerCliTest, EventsFilterByTypeAndEvent) {
  const std::string stopped = plain_.back();
  fake_->Act({{"action", "stop"}, {"target", stopped}});
  WaitForNextWallSecond();
  CommandResult r = DockerOk(
      {"events", "--since", "1m", "--until", "0s", "--filter", "type=container", "--filter", "event=stop"});
  auto lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 1u) << r.out;
  EXPECT_NE(lines[0].find("container stop " + Id(stopped)), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find("name=" + stopped), std::string::npos) << lines[0];

  // Without the event filter the stop comes with its kill and die.
  CommandResult all = DockerOk({"events", "--since", "1m", "--until", "0s", "--filter", "type=container"});
  for (const char* action : {"kill", "die", "stop"}) {
    EXPECT_NE(all.out.find(std::string("container ") + action + " " + Id(stopped)), std::string::npos)
        << action << ":\n" << all.out;
  }
}

TEST_F(DockerCliTest, EventsFilterByContainer) {
  const std::string name = plain_.front();
  WaitForNextWallSecond();
  CommandResult r = DockerOk({"events", "--since", "1m", "--until", "0s", "--filter", "container=" + name});
  auto lines = Lines(r.out);
  ASSERT_GE(lines.size(), 2u) << r.out;
  for (const auto& line : lines) EXPECT_NE(line.find(" " + Id(name) + " "), std::string::npos) << line;
  EXPECT_NE(r.out.find("container create " + Id(name)), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("container start " + Id(name)), std::string::npos) << r.out;
}

}  // namespace
}  // namespace leakbench::testing
