// The `leakbench judge` binary end to end against a real Prometheus serving a
// small synthetic fleet (promtool-created blocks, harness/fleet/testing):
// exit 0 on a healthy instance, 1 on a leaking one with every output file, 3
// on one too short to judge, 2 with what to do on a bad command line and on a
// selector Prometheus refuses (4xx). Skipped, with the reason, where
// prometheus is not installed.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "harness/fleet/testing/prometheus_server.h"
#include "harness/fleet/testing/run_command.h"
#include "harness/fleet/testing/synthetic_fleet.h"

namespace judge_binary_prometheus_test {

namespace lt = leakbench::harness::testing;
using namespace std::chrono_literals;

class JudgeBinary : public ::testing::Test {
 protected:
  void SetUp() override {
    if (auto why = lt::PrometheusMissing()) GTEST_SKIP() << *why;
    spec_.instances = lt::SyntheticKinds().size();  // one of each kind
    const std::string om = dir_.path() + "/fleet.om";
    std::ofstream out(om);
    truth_ = lt::WriteSyntheticFleet(spec_, out);
    out.close();
    prom_.emplace(dir_.path(), om);
  }

  // The first instance of `kind`.
  std::string Instance(const std::string& kind) const {
    for (const auto& s : truth_) {
      if (s.kind == kind) return s.instance;
    }
    ADD_FAILURE() << "no " << kind;
    return "";
  }

  // leakbench judge over the whole synthetic range, on one instance, with the shipped fleet bounds.
  lt::CommandResult Judge(const std::string& instance, std::vector<std::string> more = {}) {
    std::vector<std::string> argv = {LEAKBENCH_PATH,
                                     "judge",
                                     "--prometheus",
                                     prom_->url(),
                                     "--selector",
                                     "{job=\"log-capturer\", instance=\"" + instance + "\"}",
                                     "--start",
                                     std::to_string(static_cast<long>(spec_.start)),
                                     "--end",
                                     std::to_string(static_cast<long>(spec_.start + spec_.duration_s)),
                                     "--step",
                                     "30s",
                                     "--bounds",
                                     std::string(LEAKBENCH_SOURCE_DIR) + "/harness/fleet/fleet-bounds.yaml"};
    argv.insert(argv.end(), more.begin(), more.end());
    return lt::RunCommand(argv, dir_.path(), 120s);
  }

  lt::TempDir dir_;
  lt::SyntheticSpec spec_;
  std::vector<lt::SyntheticInstance> truth_;
  std::optional<lt::PrometheusServer> prom_;
};

TEST_F(JudgeBinary, ExitCodesAndFilesAsForARun) {
  {
    SCOPED_TRACE("a healthy instance: pass, exit 0");
    const auto r = Judge(Instance("healthy-restart"), {"--quiet"});
    EXPECT_EQ(r.exit.code, 0) << r.out << r.err;
    EXPECT_EQ(r.out, "pass\n");
  }
  {
    SCOPED_TRACE("a leaking instance: fail, exit 1, every file");
    const std::string out_dir = dir_.path() + "/out";
    const std::string leaking = Instance("leak-threads");
    const auto r = Judge(leaking, {"--out", out_dir});
    EXPECT_EQ(r.exit.code, 1) << r.out << r.err;
    EXPECT_NE(r.out.find(leaking), std::string::npos) << "the summary names it: " << r.out;
    const auto fleet = nlohmann::json::parse(lt::ReadFile(out_dir + "/fleet.json"));
    EXPECT_EQ(fleet["verdict"], "fail");
    EXPECT_EQ(fleet["exit_code"], 1);
    EXPECT_EQ(fleet["failing"].at(0)["criteria"].at(0)["id"], "thread_growth") << fleet["failing"].dump();
    EXPECT_NE(lt::ReadFile(out_dir + "/junit.xml").find("<failure"), std::string::npos);
    EXPECT_NE(lt::ReadFile(out_dir + "/summary.md").find("## Failing, worst first"), std::string::npos);
    std::size_t results = 0;
    for (const auto& e : std::filesystem::recursive_directory_iterator(out_dir)) {
      if (e.path().filename() != "result.json") continue;
      ++results;
      const auto result = nlohmann::json::parse(lt::ReadFile(e.path()));
      EXPECT_EQ(result["source"], "prometheus");
      EXPECT_EQ(result["verdict"], "fail");
    }
    EXPECT_EQ(results, 1u) << "one result.json for the one instance that did not pass";
    // The fleet report, where Debian's python3 has matplotlib (else leakbench says what is missing).
    const auto matplotlib = lt::RunCommand({"/usr/bin/python3", "-c", "import matplotlib"}, dir_.path(), 60s);
    if (matplotlib.exit.code == 0) {
      std::string report = "instances/" + leaking + "/report.html";
      std::replace(report.begin(), report.end(), ':', '_');  // host-0007:9464 -> host-0007_9464
      const std::string index = lt::ReadFile(out_dir + "/index.html");
      EXPECT_NE(index.find(report), std::string::npos) << index.substr(0, 2000);
      EXPECT_TRUE(std::filesystem::exists(out_dir + "/" + report));
    } else {
      EXPECT_NE(r.err.find("matplotlib"), std::string::npos) << r.err;
    }
  }
  {
    SCOPED_TRACE("an instance with too little history: inconclusive, exit 3");
    const auto r = Judge(Instance("too-short"), {"--quiet"});
    EXPECT_EQ(r.exit.code, 3) << r.out << r.err;
    EXPECT_EQ(r.out, "inconclusive\n");
  }
  {
    SCOPED_TRACE("a selector Prometheus refuses (400): exit 2, its error and what to do");
    const auto r = Judge("x\"} or {job=~\"(unclosed");
    EXPECT_EQ(r.exit.code, 2) << r.out << r.err;
    EXPECT_NE(r.err.find("error parsing regexp"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("--selector"), std::string::npos) << "says which flag to fix: " << r.err;
  }
  {
    SCOPED_TRACE("a bad command line: exit 2, saying what to give");
    const auto r = lt::RunCommand({LEAKBENCH_PATH, "judge", "--prometheus", "ftp://x"}, dir_.path(), 30s);
    EXPECT_EQ(r.exit.code, 2) << r.out << r.err;
    EXPECT_NE(r.err.find("http://"), std::string::npos) << r.err;
    const auto missing = lt::RunCommand({LEAKBENCH_PATH, "judge"}, dir_.path(), 30s);
    EXPECT_EQ(missing.exit.code, 2) << missing.out << missing.err;
    EXPECT_NE(missing.err.find("--prometheus"), std::string::npos) << missing.err;
  }
}

}  // namespace judge_binary_prometheus_test
