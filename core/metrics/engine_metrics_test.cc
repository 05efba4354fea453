// EngineMetrics: the names and types docs/design.md asks for, values that move,
// per-container series that come and go, the HTTP endpoint, and a clean
// `promtool check metrics`.
#include "core/metrics/engine_metrics.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/unique_fd.h"

namespace logcap {
namespace {

using std::chrono::seconds;

constexpr char kId[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// The value of the sample line "series value" (series as printed, with its
// labels), or nullopt when there is no such line.
std::optional<double> Sample(const std::string& text, const std::string& series) {
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.size() > series.size() && line.compare(0, series.size(), series) == 0 &&
        line[series.size()] == ' ') {
      return std::stod(line.substr(series.size() + 1));
    }
  }
  return std::nullopt;
}

// GET `path` from 127.0.0.1:`port` over HTTP/1.0; the whole response.
std::string HttpGet(std::uint16_t port, const std::string& path) {
  const leakbench::UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) throw std::runtime_error("socket failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    throw std::runtime_error("connect failed");
  }
  const std::string request = "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
  if (::send(fd.get(), request.data(), request.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(request.size())) {
    throw std::runtime_error("send failed");
  }
  std::string response;
  char buffer[4096];
  ssize_t n;
  while ((n = ::recv(fd.get(), buffer, sizeof buffer, 0)) > 0) response.append(buffer, n);
  return response;
}

// Feeds every method once, with awkward label values, so the text has
// samples of every family.
void Exercise(EngineMetrics& m) {
  m.SetStreamsActive(3);
  m.AddRotation();
  m.ObserveStreamAge(seconds(95));
  m.AddError(ErrorType::kReset);
  m.AddError(ErrorType::kOther);
  m.SetContainersWaiting(2);
  m.SetContainersMonitored(5);
  m.ObserveSlotWait(std::chrono::milliseconds(1500));
  m.AddCaptured(kId, "web \"quoted\" \\ name", 10, 1000);
  m.SetCaptureLag(kId, "web \"quoted\" \\ name", 0.25);
  m.AddLinesDropped(DropReason::kReplayed, 4);
  m.SetSinkBufferedBytes(4096);
  m.AddSinkRefusal();
  m.SetStreamsPaused(1);
  m.AddLeakedSeries("rotation-1");
}

TEST(EngineMetricsTest, EveryFamilyWithItsTypeAndHelp) {
  EngineMetrics m("");
  EXPECT_EQ(m.port(), 0);
  // prometheus-cpp prints a labelled family only once it has a series.
  EXPECT_FALSE(Contains(m.Serialize(), "log_capturer_lines_total"));
  Exercise(m);
  const std::string text = m.Serialize();
  const std::pair<const char*, const char*> families[] = {
      {"log_capturer_container_streams_active", "gauge"},
      {"log_capturer_container_stream_rotations_total", "counter"},
      {"log_capturer_container_stream_age_seconds", "histogram"},
      {"log_capturer_container_stream_errors_total", "counter"},
      {"log_capturer_containers_waiting", "gauge"},
      {"log_capturer_containers_monitored", "gauge"},
      {"log_capturer_stream_wait_seconds", "histogram"},
      {"log_capturer_lines_total", "counter"},
      {"log_capturer_bytes_total", "counter"},
      {"log_capturer_capture_lag_seconds", "gauge"},
      {"log_capturer_lines_dropped_total", "counter"},
      {"log_capturer_sink_buffered_bytes", "gauge"},
      {"log_capturer_sink_refusals_total", "counter"},
      {"log_capturer_sink_records_dropped_total", "counter"},
      {"log_capturer_stream_paused", "gauge"},
      {"log_capturer_leak_series", "gauge"},
      {"log_capturer_process_threads", "gauge"},
      {"log_capturer_process_open_fds", "gauge"},
      {"log_capturer_process_resident_memory_bytes", "gauge"},
  };
  for (const auto& [name, type] : families) {
    EXPECT_TRUE(Contains(text, std::string("# TYPE ") + name + " " + type + "\n")) << name;
    EXPECT_TRUE(Contains(text, std::string("# HELP ") + name + " ")) << name;
  }
}

TEST(EngineMetricsTest, StartsAtZeroWithEveryErrorType) {
  EngineMetrics m("");
  const std::string text = m.Serialize();
  EXPECT_EQ(Sample(text, "log_capturer_container_streams_active"), 0);
  EXPECT_EQ(Sample(text, "log_capturer_container_stream_rotations_total"), 0);
  for (const char* type : {"http_5xx", "http_4xx", "connect", "reset", "timeout", "decode",
                           "stall", "not_found", "conflict", "events", "sink", "other"}) {
    EXPECT_EQ(Sample(text, std::string("log_capturer_container_stream_errors_total{error_type=\"") +
                               type + "\"}"),
              0)
        << type;
  }
}

// Every ErrorType has its own series from the start, labelled ToString(type),
// and counting one moves only that series: no kind lands in "other" but
// kOther itself.
TEST(EngineMetricsTest, EveryErrorTypeCountsUnderItsOwnLabel) {
  EngineMetrics m("");
  for (const ErrorType type : kAllErrorTypes) {
    const std::string series = std::string("log_capturer_container_stream_errors_total{error_type=\"") +
                               std::string(ToString(type)) + "\"}";
    const std::string before = m.Serialize();
    EXPECT_EQ(Sample(before, series), 0) << series;
    const std::optional<double> others_before = Sample(before, "log_capturer_container_stream_errors_total{error_type=\"other\"}");
    m.AddError(type);
    const std::string after = m.Serialize();
    EXPECT_EQ(Sample(after, series), 1) << series;
    if (type != ErrorType::kOther) {
      EXPECT_EQ(Sample(after, "log_capturer_container_stream_errors_total{error_type=\"other\"}"), others_before)
          << series;
    }
  }
}

TEST(EngineMetricsTest, ValuesMove) {
  EngineMetrics m("");
  Exercise(m);
  m.AddRotation();
  m.AddError(ErrorType::kReset);
  m.AddError(ErrorType::kOther);
  m.AddLinesDropped(DropReason::kOther, 2);
  const std::string text = m.Serialize();
  EXPECT_EQ(Sample(text, "log_capturer_container_streams_active"), 3);
  EXPECT_EQ(Sample(text, "log_capturer_container_stream_rotations_total"), 2);
  EXPECT_EQ(Sample(text, "log_capturer_container_stream_errors_total{error_type=\"reset\"}"), 2);
  EXPECT_EQ(Sample(text, "log_capturer_container_stream_errors_total{error_type=\"other\"}"), 2);
  EXPECT_FALSE(Contains(text, "something new"));
  EXPECT_EQ(Sample(text, "log_capturer_containers_waiting"), 2);
  EXPECT_EQ(Sample(text, "log_capturer_containers_monitored"), 5);
  EXPECT_EQ(Sample(text, "log_capturer_stream_wait_seconds_count"), 1);
  EXPECT_EQ(Sample(text, "log_capturer_stream_wait_seconds_sum"), 1.5);
  EXPECT_EQ(Sample(text, "log_capturer_lines_dropped_total{reason=\"replayed\"}"), 4);
  EXPECT_EQ(Sample(text, "log_capturer_lines_dropped_total{reason=\"other\"}"), 2);
  EXPECT_EQ(Sample(text, "log_capturer_sink_buffered_bytes"), 4096);
  EXPECT_EQ(Sample(text, "log_capturer_sink_refusals_total"), 1);
  EXPECT_EQ(Sample(text, "log_capturer_sink_records_dropped_total"), 0);
  m.SetSinkRecordsDropped(3);
  m.SetSinkRecordsDropped(3);
  m.SetSinkRecordsDropped(5);
  EXPECT_EQ(Sample(m.Serialize(), "log_capturer_sink_records_dropped_total"), 5);
  EXPECT_EQ(Sample(text, "log_capturer_stream_paused"), 1);
  EXPECT_EQ(Sample(text, "log_capturer_leak_series{key=\"rotation-1\"}"), 1);
}

// The lines of `text` that mention `family`: its # HELP and # TYPE lines,
// then its samples sorted (prometheus-cpp prints them in hash order).
std::string FamilyLines(const std::string& text, const std::string& family) {
  std::istringstream lines(text);
  std::string line, head;
  std::vector<std::string> samples;
  while (std::getline(lines, line)) {
    if (!Contains(line, family)) continue;
    if (line.starts_with("#")) {
      head += line + "\n";
    } else {
      samples.push_back(line + "\n");
    }
  }
  std::sort(samples.begin(), samples.end());
  for (const auto& s : samples) head += s;
  return head;
}

// log_capturer_lines_dropped_total prints exactly what it printed when the
// reasons were strings: one series per reason from the start, same help,
// same label values, in the same order.
TEST(EngineMetricsTest, DroppedLinesOutputIsPinned) {
  EngineMetrics m("");
  const std::string help =
      "# HELP log_capturer_lines_dropped_total Lines not handed to the sink as read, by reason (replayed "
      "duplicates, truncated or split long lines, ...).\n"
      "# TYPE log_capturer_lines_dropped_total counter\n";
  EXPECT_EQ(FamilyLines(m.Serialize(), "log_capturer_lines_dropped_total"),
            help +
                "log_capturer_lines_dropped_total{reason=\"malformed\"} 0\n"
                "log_capturer_lines_dropped_total{reason=\"other\"} 0\n"
                "log_capturer_lines_dropped_total{reason=\"replayed\"} 0\n"
                "log_capturer_lines_dropped_total{reason=\"split\"} 0\n"
                "log_capturer_lines_dropped_total{reason=\"truncated\"} 0\n");
  m.AddLinesDropped(DropReason::kReplayed, 4);
  m.AddLinesDropped(DropReason::kTruncated, 1);
  m.AddLinesDropped(DropReason::kSplit, 2);
  m.AddLinesDropped(DropReason::kMalformed, 3);
  m.AddLinesDropped(DropReason::kOther, 5);
  EXPECT_EQ(FamilyLines(m.Serialize(), "log_capturer_lines_dropped_total"),
            help +
                "log_capturer_lines_dropped_total{reason=\"malformed\"} 3\n"
                "log_capturer_lines_dropped_total{reason=\"other\"} 5\n"
                "log_capturer_lines_dropped_total{reason=\"replayed\"} 4\n"
                "log_capturer_lines_dropped_total{reason=\"split\"} 2\n"
                "log_capturer_lines_dropped_total{reason=\"truncated\"} 1\n");
}

// Every DropReason counts under its own label, and only there.
TEST(EngineMetricsTest, EveryDropReasonCountsUnderItsOwnLabel) {
  EngineMetrics m("");
  for (const DropReason reason : kAllDropReasons) {
    const std::string before = m.Serialize();
    m.AddLinesDropped(reason, 7);
    const std::string after = m.Serialize();
    for (const DropReason other : kAllDropReasons) {
      const std::string series =
          "log_capturer_lines_dropped_total{reason=\"" + std::string(ToString(other)) + "\"}";
      ASSERT_TRUE(Sample(before, series).has_value()) << series;
      EXPECT_EQ(*Sample(after, series), *Sample(before, series) + (other == reason ? 7 : 0)) << series;
    }
  }
}

TEST(EngineMetricsTest, StreamAgeHistogramHasDesignBuckets) {
  EngineMetrics m("");
  m.ObserveStreamAge(seconds(3));
  m.ObserveStreamAge(seconds(299));
  m.ObserveStreamAge(seconds(400));
  m.ObserveStreamAge(seconds(5000));  // a long rotation interval: judged against the buckets up to 2 h
  const std::string text = m.Serialize();
  const std::string h = "log_capturer_container_stream_age_seconds";
  EXPECT_EQ(Sample(text, h + "_bucket{le=\"60\"}"), 1);
  EXPECT_EQ(Sample(text, h + "_bucket{le=\"120\"}"), 1);
  EXPECT_EQ(Sample(text, h + "_bucket{le=\"180\"}"), 1);
  EXPECT_EQ(Sample(text, h + "_bucket{le=\"240\"}"), 1);
  EXPECT_EQ(Sample(text, h + "_bucket{le=\"300\"}"), 2);
  EXPECT_EQ(Sample(text, h + "_bucket{le=\"360\"}"), 2);
  EXPECT_EQ(Sample(text, h + "_bucket{le=\"420\"}"), 3);
  EXPECT_EQ(Sample(text, h + "_bucket{le=\"3600\"}"), 3);
  EXPECT_EQ(Sample(text, h + "_bucket{le=\"7200\"}"), 4);
  EXPECT_EQ(Sample(text, h + "_bucket{le=\"+Inf\"}"), 4);
  EXPECT_EQ(Sample(text, h + "_count"), 4);
  EXPECT_EQ(Sample(text, h + "_sum"), 5702);
  // Exactly those buckets.
  std::size_t buckets = 0;
  for (std::size_t at = text.find(h + "_bucket"); at != std::string::npos;
       at = text.find(h + "_bucket", at + 1)) {
    ++buckets;
  }
  EXPECT_EQ(buckets, 15u);
}

TEST(EngineMetricsTest, ContainerSeriesAppearAndDisappear) {
  EngineMetrics m("");
  m.AddCaptured(kId, "web", 10, 1000);
  m.AddCaptured(kId, "web", 5, 500);
  m.SetCaptureLag(kId, "web", 1.5);
  m.AddCaptured("fedcba9876543210", "db", 1, 10);
  const std::string labels = "{container_id=\"0123456789ab\",container_name=\"web\"}";
  std::string text = m.Serialize();
  EXPECT_EQ(Sample(text, "log_capturer_lines_total" + labels), 15);
  EXPECT_EQ(Sample(text, "log_capturer_bytes_total" + labels), 1500);
  EXPECT_EQ(Sample(text, "log_capturer_capture_lag_seconds" + labels), 1.5);

  m.ContainerRemoved(kId);
  text = m.Serialize();
  EXPECT_FALSE(Contains(text, "0123456789ab"));
  EXPECT_TRUE(Contains(text, "container_id=\"fedcba987654\""));
  m.ContainerRemoved("fedcba9876543210");
  EXPECT_FALSE(Contains(m.Serialize(), "container_id="));
}

TEST(EngineMetricsTest, KeepRemovedSeriesLeaksThemOnPurpose) {
  EngineMetrics m("");
  m.SetKeepRemovedSeries(true);
  m.AddCaptured(kId, "web", 1, 1);
  m.ContainerRemoved(kId);
  EXPECT_TRUE(Contains(m.Serialize(), "0123456789ab"));
}

TEST(EngineMetricsTest, LeakedSeriesAccumulate) {
  EngineMetrics m("");
  for (int i = 0; i < 5; ++i) m.AddLeakedSeries("rotation-" + std::to_string(i));
  const std::string text = m.Serialize();
  std::size_t n = 0;
  for (std::size_t at = text.find("log_capturer_leak_series{"); at != std::string::npos;
       at = text.find("log_capturer_leak_series{", at + 1)) {
    ++n;
  }
  EXPECT_EQ(n, 5u);
}

TEST(EngineMetricsTest, ProcessFiguresArePlausible) {
  EngineMetrics m("");
  const std::string text = m.Serialize();
  EXPECT_GE(Sample(text, "log_capturer_process_threads").value_or(0), 1);
  EXPECT_GE(Sample(text, "log_capturer_process_open_fds").value_or(0), 3);
  EXPECT_GT(Sample(text, "log_capturer_process_resident_memory_bytes").value_or(0), 0);
}

TEST(EngineMetricsTest, ServesMetricsOverHttp) {
  EngineMetrics m("127.0.0.1:0");
  ASSERT_NE(m.port(), 0);
  m.AddRotation();
  const std::string response = HttpGet(m.port(), "/metrics");
  EXPECT_TRUE(response.starts_with("HTTP/1.1 200") || response.starts_with("HTTP/1.0 200"))
      << response.substr(0, 80);
  EXPECT_TRUE(Contains(response, "\r\n\r\n"));
  const std::string body = response.substr(response.find("\r\n\r\n") + 4);
  EXPECT_EQ(Sample(body, "log_capturer_container_stream_rotations_total"), 1);
  EXPECT_GE(Sample(body, "log_capturer_process_threads").value_or(0), 1);
  EXPECT_GE(Sample(body, "log_capturer_process_open_fds").value_or(0), 3);
  EXPECT_GT(Sample(body, "log_capturer_process_resident_memory_bytes").value_or(0), 0);
  // Fresh at each scrape.
  m.AddRotation();
  const std::string again = HttpGet(m.port(), "/metrics");
  EXPECT_EQ(Sample(again.substr(again.find("\r\n\r\n") + 4),
                   "log_capturer_container_stream_rotations_total"),
            2);
}

TEST(EngineMetricsTest, EveryAnsweredRequestIsFollowedByATrim) {
  // The worker trims (returns the scrape's freed memory to the kernel) before
  // it closes the connection, and HttpGet reads until that close: so the
  // count has moved by the time HttpGet returns, with no waiting.
  EngineMetrics m("127.0.0.1:0");
  const std::uint64_t before = EngineMetrics::RequestsEnded();
  HttpGet(m.port(), "/metrics");
  EXPECT_EQ(EngineMetrics::RequestsEnded(), before + 1);
  HttpGet(m.port(), "/metrics");
  HttpGet(m.port(), "/no-such-page");
  EXPECT_EQ(EngineMetrics::RequestsEnded(), before + 3);
}

TEST(EngineMetricsTest, StopsPromptlyAfterServing) {
  // civetweb alone takes up to 2 s to stop; exposer_shutdown.h fixes that.
  for (int i = 0; i < 3; ++i) {
    auto m = std::make_unique<EngineMetrics>("127.0.0.1:0");
    HttpGet(m->port(), "/metrics");
    const auto start = std::chrono::steady_clock::now();
    m.reset();
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(500));
  }
}

TEST(EngineMetricsTest, LocalhostNameIsAccepted) {
  EngineMetrics m("localhost:0");
  EXPECT_NE(m.port(), 0);
}

TEST(EngineMetricsTest, BadListenAddressesSayWhatToDo) {
  for (const char* bad : {"9464", "127.0.0.1", "127.0.0.1:99999", "::1:9464"}) {
    try {
      EngineMetrics m(bad);
      ADD_FAILURE() << "no error for " << bad;
    } catch (const std::runtime_error& e) {
      EXPECT_TRUE(Contains(e.what(), "--metrics-listen HOST:PORT")) << e.what();
      EXPECT_TRUE(Contains(e.what(), bad)) << e.what();
    }
  }
}

// Debian's civetweb has no IPv6 (mg_check_feature(8) == 0): binding "[::1]:0"
// failed with "null context when constructing CivetServer". Say why instead.
TEST(EngineMetricsTest, Ipv6IsRefusedWithTheReason) {
  try {
    EngineMetrics m("[::1]:0");
    FAIL() << "no error for [::1]:0";
  } catch (const std::runtime_error& e) {
    EXPECT_TRUE(Contains(e.what(), "cannot listen on IPv6")) << e.what();
    EXPECT_TRUE(Contains(e.what(), "use 127.0.0.1:PORT")) << e.what();
  }
}

TEST(EngineMetricsTest, PortInUseIsAClearError) {
  EngineMetrics first("127.0.0.1:0");
  const std::string taken = "127.0.0.1:" + std::to_string(first.port());
  try {
    EngineMetrics second(taken);
    FAIL() << "bound twice to " << taken;
  } catch (const std::runtime_error& e) {
    EXPECT_TRUE(Contains(e.what(), "cannot listen on " + taken)) << e.what();
    EXPECT_TRUE(Contains(e.what(), "port 0")) << e.what();
  }
}

TEST(EngineMetricsTest, PromtoolFindsNothingToLint) {
  constexpr char kPromtool[] = "/usr/bin/promtool";
  if (::access(kPromtool, X_OK) != 0) {
    GTEST_SKIP() << kPromtool << " not found (Debian package 'prometheus'; ci/setup installs it)";
  }
  EngineMetrics m("");
  Exercise(m);
  const std::string path = ::testing::TempDir() + "engine_metrics_" +
                           std::to_string(::getpid()) + ".prom";
  std::ofstream(path) << m.Serialize();
  const std::string command = std::string(kPromtool) + " check metrics < " + path + " 2>&1";
  std::string output;
  FILE* pipe = ::popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  char buffer[512];
  while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) output += buffer;
  const int status = ::pclose(pipe);
  ::unlink(path.c_str());
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << output;
  EXPECT_EQ(output, "");
}

}  // namespace
}  // namespace logcap
