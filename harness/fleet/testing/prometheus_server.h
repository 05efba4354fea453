// A real Prometheus for tests: serves, on a free 127.0.0.1 port until destroyed, either an OpenMetrics history imported with `promtool tsdb create-blocks-from openmetrics` or what it scrapes live from a job's targets.
// Use from the thread that creates it (the child dies with that thread).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "harness/run/child_process.h"

namespace leakbench::harness::testing {

// Why Prometheus tests cannot run here (prometheus or promtool not on
// PATH: Debian's `prometheus` package, ci/setup), or nullopt.
std::optional<std::string> PrometheusMissing();

// One scrape job for a live Prometheus: job="<job>", instance="<target>".
struct ScrapeJob {
  std::string job;
  std::vector<std::string> targets;  // "127.0.0.1:PORT"
  std::string interval = "1s";
};

// A fresh directory under $TMPDIR (or /tmp), removed with everything in it.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

class PrometheusServer {
 public:
  // Throws std::runtime_error with the tail of promtool's or prometheus's
  // log when the import fails or Prometheus is not ready within `ready_within`.
  // `max_samples`: Prometheus's --query.max-samples (a small one plays a server's sample limit).
  PrometheusServer(const std::string& dir, const std::string& openmetrics_path, long max_samples = 50000000,
                   std::chrono::seconds ready_within = std::chrono::seconds(60));
  // Scrapes `job` into a fresh TSDB under `dir`; throws like the above.
  PrometheusServer(const std::string& dir, const ScrapeJob& job,
                   std::chrono::seconds ready_within = std::chrono::seconds(60));
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  double import_seconds() const { return import_seconds_; }

 private:
  void Start(const std::string& config_text, const std::string& data, long max_samples,
             std::chrono::seconds ready_within);

  std::string dir_;
  int port_ = 0;
  double import_seconds_ = 0;
  std::optional<ChildProcess> prometheus_;
};

}  // namespace leakbench::harness::testing
