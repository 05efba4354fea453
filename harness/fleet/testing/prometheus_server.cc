#include "harness/fleet/testing/prometheus_server.h"

#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "common/free_port.h"
#include "harness/fleet/testing/run_command.h"
#include "harness/run/http_get.h"

namespace leakbench::harness::testing {

namespace prometheus_server {

std::string Tail(const std::string& path) {
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return text.size() <= 2000 ? text : text.substr(text.size() - 2000);
}

// Runs argv to its end (at most `limit`); throws with its log when it fails.
void RunToEnd(const std::vector<std::string>& argv, const std::string& dir, std::chrono::seconds limit) {
  const CommandResult r = RunCommand(argv, dir, limit);
  if (r.exit.code != 0) {
    throw std::runtime_error(argv[0] + " failed (" + r.exit.ToString() + "): " + r.err.substr(0, 2000) +
                             r.out.substr(0, 2000));
  }
}

}  // namespace prometheus_server

std::optional<std::string> PrometheusMissing() {
  for (const char* tool : {"prometheus", "promtool"}) {
    if (!OnPath(tool)) {
      return std::string(tool) + " is not on PATH (Debian's `prometheus` package: ci/setup installs it)";
    }
  }
  return std::nullopt;
}

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string pattern = std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/leakbench-fleet-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp " + pattern + " failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

PrometheusServer::PrometheusServer(const std::string& dir, const std::string& openmetrics_path, long max_samples,
                                   std::chrono::seconds ready_within)
    : dir_(dir) {
  const std::string promtool = OnPath("promtool").value_or("promtool");
  const std::string data = dir + "/tsdb";
  const auto t0 = std::chrono::steady_clock::now();
  prometheus_server::RunToEnd({promtool, "tsdb", "create-blocks-from", "openmetrics", openmetrics_path, data},
                              dir, std::chrono::seconds(600));
  import_seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  Start("global:\n  scrape_interval: 15s\nscrape_configs: []\n", data, max_samples, ready_within);
}

PrometheusServer::PrometheusServer(const std::string& dir, const ScrapeJob& job, std::chrono::seconds ready_within)
    : dir_(dir) {
  std::string config = "global:\n  scrape_interval: " + job.interval + "\n  scrape_timeout: " + job.interval +
                       "\nscrape_configs:\n  - job_name: \"" + job.job + "\"\n    static_configs:\n      - targets:\n";
  for (const std::string& target : job.targets) config += "          - \"" + target + "\"\n";
  Start(config, dir + "/tsdb", 50000000, ready_within);
}

void PrometheusServer::Start(const std::string& config_text, const std::string& data, long max_samples,
                             std::chrono::seconds ready_within) {
  const std::string prometheus = OnPath("prometheus").value_or("prometheus");
  const std::string config = dir_ + "/prometheus.yml";
  std::ofstream(config) << config_text;
  const std::string log = dir_ + "/prometheus.log";
  for (int attempt = 0; attempt < 3; ++attempt) {  // the free port may be taken between finding and binding it
    port_ = FreeLoopbackPort();
    prometheus_.emplace(std::vector<std::string>{prometheus, "--config.file=" + config, "--storage.tsdb.path=" + data,
                                                 "--storage.tsdb.retention.time=100y",
                                                 "--web.listen-address=127.0.0.1:" + std::to_string(port_),
                                                 "--query.max-samples=" + std::to_string(max_samples), "--log.level=warn"},
                        log, log);
    const auto deadline = std::chrono::steady_clock::now() + ready_within;
    while (std::chrono::steady_clock::now() < deadline) {
      if (prometheus_->Poll()) break;  // it exited: try another port
      if (HttpCall("GET", url() + "/-/ready", "", "", std::chrono::seconds(2)).ok()) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));  // polling readiness under a deadline
    }
    prometheus_.reset();
  }
  throw std::runtime_error("prometheus did not become ready on 127.0.0.1: " + prometheus_server::Tail(log));
}

}  // namespace leakbench::harness::testing
