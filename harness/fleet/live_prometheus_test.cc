// leakbench judge on a live fleet: three log-capturers follow one
// fake-dockerd and a real Prometheus scrapes them every second; one of them
// leaks a thread every third rotation (--inject-leak thread). After about two
// minutes `leakbench judge --prometheus` fails that instance alone, on
// thread growth, and passes the other two. Skipped, with the reason, where
// prometheus is not installed. Labels prometheus and slow (about 2.5 min).
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/free_port.h"
#include "fakes/tests/support/fake_process.h"
#include "harness/fleet/testing/prometheus_server.h"
#include "harness/fleet/testing/run_command.h"
#include "harness/run/child_process.h"
#include "harness/run/http_get.h"

namespace live_prometheus_test {

namespace lh = leakbench::harness;
namespace lt = leakbench::harness::testing;
using namespace std::chrono_literals;

// The run's bounds: a scenario's default criteria, judged after a 20 s
// warm-up on at least 60 s, with the capturers' rotation and stream cap.
constexpr const char* kBounds = R"(name: live-fleet
description: "three capturers scraped live for two minutes"
duration: 2m
warmup: 20s
target:
  max_streams: 50
  rotation_interval: 2s
)";

constexpr auto kScraped = 110s;  // how long Prometheus scrapes before the judge runs

struct Capturer {
  std::string instance;  // 127.0.0.1:PORT, Prometheus's instance label
  std::string log;       // its stdout and stderr
  std::unique_ptr<lh::ChildProcess> process;
};

bool Answers(const std::string& url) { return lh::HttpCall("GET", url, "", "", 2s).ok(); }

TEST(LivePrometheus, OnlyTheLeakingCapturerFails) {
  if (auto why = lt::PrometheusMissing()) GTEST_SKIP() << *why;
  lt::TempDir dir;
  leakbench::testing::FakeProcess fake(FAKE_DOCKERD_PATH, {"--containers", "3", "--rate", "5"});
  ASSERT_TRUE(fake.ready()) << fake.failure();

  const auto started = std::chrono::system_clock::now();
  std::vector<Capturer> capturers;
  for (int i = 0; i < 3; ++i) {
    Capturer c;
    c.instance = "127.0.0.1:" + std::to_string(leakbench::FreeLoopbackPort());
    std::vector<std::string> argv = {LOG_CAPTURER_PATH,
                                     "--docker-host",
                                     "unix://" + fake.socket(),
                                     "--rotation-interval",
                                     "2s",
                                     "--metrics-listen",
                                     c.instance,
                                     "--sink",
                                     "file:" + dir.path() + "/lines-" + std::to_string(i) + ".jsonl"};
    if (i == 1) argv.insert(argv.end(), {"--inject-leak", "thread", "--inject-leak-every", "3"});
    c.log = dir.path() + "/capturer-" + std::to_string(i) + ".log";
    c.process = std::make_unique<lh::ChildProcess>(argv, c.log, c.log);
    capturers.push_back(std::move(c));
  }
  const std::string leaking = capturers[1].instance;
  for (const Capturer& c : capturers) {
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    while (!Answers("http://" + c.instance + "/metrics") && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(100ms);  // polling readiness under a deadline
    }
    ASSERT_TRUE(Answers("http://" + c.instance + "/metrics"))
        << c.instance << " never served /metrics: " << lt::ReadFile(c.log);
  }

  lt::PrometheusServer prometheus(dir.path(), lt::ScrapeJob{"log-capturer", {capturers[0].instance,
                                                                              capturers[1].instance,
                                                                              capturers[2].instance}});
  // The judged history is what Prometheus scraped while the capturers ran.
  std::this_thread::sleep_for(kScraped);
  for (Capturer& c : capturers) {
    ASSERT_FALSE(c.process->Poll()) << c.instance << " exited early";
  }
  const auto end = std::chrono::system_clock::now();

  const std::string bounds = dir.path() + "/bounds.yaml";
  std::ofstream(bounds) << kBounds;
  const std::string out = dir.path() + "/out";
  const auto seconds = [](std::chrono::system_clock::time_point t) {
    return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count());
  };
  const lt::CommandResult judged = lt::RunCommand(
      {LEAKBENCH_PATH, "judge", "--prometheus", prometheus.url(), "--start", seconds(started), "--end",
       seconds(end), "--step", "1s", "--bounds", bounds, "--min-window", "60s", "--no-report", "--out",
       out},
      dir.path(), 120s);
  std::cout << "[ figures ] " << judged.out;
  EXPECT_EQ(judged.exit.code, 1) << judged.out << judged.err;

  const auto fleet = nlohmann::json::parse(lt::ReadFile(out + "/fleet.json"), nullptr, false);
  ASSERT_FALSE(fleet.is_discarded()) << judged.out << judged.err;
  EXPECT_EQ(fleet["verdict"], "fail");
  std::set<std::string> failing, failed_criteria;
  for (const auto& f : fleet["failing"]) {
    failing.insert(f["instance"].get<std::string>());
    for (const auto& c : f["criteria"]) failed_criteria.insert(c["id"].get<std::string>());
  }
  EXPECT_EQ(failing, std::set<std::string>{leaking}) << fleet.dump();
  EXPECT_TRUE(failed_criteria.count("thread_growth")) << fleet.dump();
  std::set<std::string> passing;
  for (const auto& i : fleet["instances"]) {
    if (i["verdict"] == "pass") passing.insert(i["instance"].get<std::string>());
  }
  EXPECT_EQ(passing, (std::set<std::string>{capturers[0].instance, capturers[2].instance}))
      << "the two healthy capturers pass (not inconclusive): " << fleet["instances"].dump();
}

}  // namespace live_prometheus_test
