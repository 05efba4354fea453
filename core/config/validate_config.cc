#include "core/config/validate_config.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <sstream>
#include <stdexcept>
#include <utility>

#include "common/duration.h"
#include "core/config/docker_host.h"
#include "common/echo_value.h"
#include "core/config/host_port.h"
#include "core/config/join_names.h"

namespace logcap {
namespace {

using std::chrono::nanoseconds;

constexpr std::size_t kMinSinkBufferBytes = 64 * 1024;

class Checker {
 public:
  void Add(std::vector<std::string> keys, std::string message) {
    problems_.push_back(ConfigProblem{std::move(keys), std::move(message)});
  }

  void Positive(const std::string& key, nanoseconds d) {
    if (d <= nanoseconds(0)) Add({key}, "must be longer than 0, got " + Text(d));
  }
  void NotNegative(const std::string& key, nanoseconds d) {
    if (d < nanoseconds(0)) Add({key}, "must not be negative, got " + Text(d));
  }
  void AtLeast(const std::string& key, std::size_t n, std::size_t min) {
    if (n < min) Add({key}, "must be at least " + std::to_string(min) + ", got " + std::to_string(n));
  }

  std::vector<ConfigProblem> Take() { return std::move(problems_); }

  static std::string Text(nanoseconds d) {
    return d < nanoseconds(0) ? "a negative duration" : leakbench::FormatDuration(d);
  }

 private:
  std::vector<ConfigProblem> problems_;
};

// 100, 0.5, 0, -1, nan, inf: as short as the value allows.
std::string NumberText(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

void CheckNames(Checker& check, const std::string& key, const std::vector<std::string>& names) {
  for (const std::string& name : names) {
    if (name.empty()) check.Add({key}, "patterns must not be empty");
  }
}

// "key" or "key=value"; the key must not be empty.
void CheckLabels(Checker& check, const std::string& key, const std::vector<std::string>& labels) {
  for (const std::string& label : labels) {
    if (label.empty() || label.front() == '=') {
      check.Add({key}, "expected LABEL or LABEL=VALUE, got " + leakbench::QuoteValue(label));
    }
  }
}

bool IsLabelName(std::string_view name) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    const bool digit = c >= '0' && c <= '9';
    if (!(alpha || (digit && i > 0))) return false;
  }
  return true;
}

bool IsHttpUrl(std::string_view url) {
  for (const std::string_view scheme : {"http://", "https://"}) {
    if (url.starts_with(scheme)) {
      const std::string_view rest = url.substr(scheme.size());
      return !rest.empty() && rest.front() != '/';
    }
  }
  return false;
}

void CheckDocker(Checker& check, const DockerConfig& d) {
  if (!d.host.empty()) {
    try {
      ParseDockerHost(d.host);
    } catch (const std::invalid_argument& e) {
      check.Add({"docker.host"}, e.what());
    }
  }
  if (d.rotation_interval < kMinRotationInterval) {
    check.Add({"docker.rotation_interval"},
              "must be at least " + Checker::Text(kMinRotationInterval) +
                  " (each reopen costs the daemon a container lookup and a log-file seek; more "
                  "often, it spends more on reopening than on serving logs), got " +
                  Checker::Text(d.rotation_interval));
  }
  check.NotNegative("docker.rotation_jitter", d.rotation_jitter);
  check.AtLeast("docker.max_streams", d.max_streams, 1);
  check.NotNegative("docker.oversubscribed_lease", d.oversubscribed_lease);
  if (d.oversubscribed_lease > d.rotation_interval) {
    check.Add({"docker.oversubscribed_lease", "docker.rotation_interval"},
              "must not be longer than docker.rotation_interval (" +
                  Checker::Text(d.rotation_interval) + "), got " +
                  Checker::Text(d.oversubscribed_lease));
  }
  CheckNames(check, "docker.include_names", d.include_names);
  CheckNames(check, "docker.exclude_names", d.exclude_names);
  CheckLabels(check, "docker.include_labels", d.include_labels);
  CheckLabels(check, "docker.exclude_labels", d.exclude_labels);
  if (d.max_line_bytes < kMinLineBytes || d.max_line_bytes > kMaxLineBytes) {
    check.Add({"docker.max_line_bytes"}, "must be between " + std::to_string(kMinLineBytes) +
                                             " and " + std::to_string(kMaxLineBytes) + ", got " +
                                             std::to_string(d.max_line_bytes));
  }
  if (d.stream_buffer_bytes < kMinStreamBufferBytes || d.stream_buffer_bytes > kMaxStreamBufferBytes) {
    check.Add({"docker.stream_buffer_bytes"},
              "must be between " + std::to_string(kMinStreamBufferBytes) + " and " +
                  std::to_string(kMaxStreamBufferBytes) + " (libcurl's bounds), got " +
                  std::to_string(d.stream_buffer_bytes));
  }
  check.Positive("docker.backoff_base", d.backoff_base);
  if (d.backoff_cap < d.backoff_base) {
    check.Add({"docker.backoff_cap", "docker.backoff_base"},
              "must not be shorter than docker.backoff_base (" + Checker::Text(d.backoff_base) +
                  "), got " + Checker::Text(d.backoff_cap));
  }
  check.Positive("docker.request_timeout", d.request_timeout);
  check.NotNegative("docker.stall_timeout", d.stall_timeout);
  if (!(d.max_opens_per_second > 0) || !std::isfinite(d.max_opens_per_second)) {
    check.Add({"docker.max_opens_per_second"},
              "must be a finite number above 0 (opens per second, e.g. 100), got " +
                  NumberText(d.max_opens_per_second));
  }
}

void CheckSink(Checker& check, const SinkConfig& s) {
  if (s.kind == SinkKind::kFile && s.path.empty()) {
    check.Add({"sink.path", "sink.type"}, "a file sink needs a path");
  }
  if (s.kind == SinkKind::kLoki && !IsHttpUrl(s.url)) {
    check.Add({"sink.url", "sink.type"},
              "a loki sink needs an http:// or https:// URL with a host, got " + leakbench::QuoteValue(s.url));
  }
  check.AtLeast("sink.buffer_bytes", s.buffer_bytes, kMinSinkBufferBytes);
  check.AtLeast("sink.batch_bytes", s.batch_bytes, 1);
  if (s.batch_bytes > s.buffer_bytes) {
    check.Add({"sink.batch_bytes", "sink.buffer_bytes"},
              "must not exceed sink.buffer_bytes (" + std::to_string(s.buffer_bytes) + "), got " +
                  std::to_string(s.batch_bytes));
  }
  check.Positive("sink.batch_wait", s.batch_wait);
  check.NotNegative("sink.file.fsync_interval", s.fsync_interval);
  if (s.max_bytes != 0 && s.max_bytes < kMinSinkFileMaxBytes) {
    check.Add({"sink.file.max_bytes"}, "must be 0 (never rotate) or at least " +
                                           std::to_string(kMinSinkFileMaxBytes) + ", got " +
                                           std::to_string(s.max_bytes));
  }
  if (s.keep < 1 || s.keep > kMaxSinkFileKeep) {
    check.Add({"sink.file.keep"}, "must be between 1 and " + std::to_string(kMaxSinkFileKeep) +
                                      ", got " + std::to_string(s.keep));
  }
  for (const auto& [name, value] : s.loki_labels) {
    if (!IsLabelName(name)) {
      check.Add({"sink.labels"}, "label names are [a-zA-Z_][a-zA-Z0-9_]*, got " + leakbench::QuoteValue(name));
    } else if (value.empty()) {
      check.Add({"sink.labels"}, "label " + leakbench::QuoteValue(name) + " has an empty value");
    }
  }
}

}  // namespace

std::string ConfigProblem::ToString() const {
  return (keys.empty() ? std::string("config") : keys.front()) + ": " + message;
}

std::vector<ConfigProblem> FindConfigProblems(const Config& config) {
  Checker check;
  CheckDocker(check, config.docker);
  CheckSink(check, config.sink);
  if (!config.metrics_listen.empty()) {
    try {
      ParseMetricsListen(config.metrics_listen);
    } catch (const std::invalid_argument& e) {
      check.Add({"metrics.listen"}, std::string(e.what()) + "; \"\" disables the endpoint");
    }
  }
  check.Positive("state.flush_interval", config.state_flush_interval);
  if (std::find(kLogLevels.begin(), kLogLevels.end(), config.log_level) == kLogLevels.end()) {
    check.Add({"log.level"},
              "expected one of " + JoinNames(kLogLevels) + ", got " + leakbench::QuoteValue(config.log_level));
  }
  return check.Take();
}

void ValidateConfig(const Config& config) {
  const std::vector<ConfigProblem> problems = FindConfigProblems(config);
  if (!problems.empty()) throw ConfigError(problems.front().ToString());
}

}  // namespace logcap
