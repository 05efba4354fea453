#include "harness/scenario/scenario_rules.h"

#include "harness/scenario/real_daemon_rules.h"

#include <algorithm>

#include "common/duration.h"
#include "common/echo_value.h"
#include "harness/scenario/error_pattern.h"

namespace leakbench::harness {
namespace {

template <std::size_t N>
std::string JoinIds(const std::array<std::string_view, N>& ids) {
  std::string out;
  for (std::string_view id : ids) out += (out.empty() ? "" : ", ") + std::string(id);
  return out;
}

void CheckTargetRules(const YamlDocument& reader, const TargetSpec& t) {
  if (t.kind != "log-capturer" && t.kind != "command") reader.FailAt({"target.kind"}, "expected log-capturer or command");
  if (t.rotation_interval <= std::chrono::nanoseconds::zero()) reader.FailAt({"target.rotation_interval"}, "must be > 0");
  if (t.kind == "command") {
    if (t.command.empty()) {
      reader.FailAt({"target.command", "target.kind"}, "kind: command requires a non-empty `command`");
    }
    if (!t.inject_leak.empty()) {
      reader.FailAt({"target.inject_leak"}, "only for kind: log-capturer (a command is a black box)");
    }
    if (!t.extra_args.empty()) {
      reader.FailAt({"target.extra_args"}, "only for kind: log-capturer (put them in `command`)");
    }
    if (!t.inject_faults.empty()) {
      reader.FailAt({"target.inject_fault"}, "only for kind: log-capturer (a command is a black box)");
    }
  } else if (!t.command.empty()) {
    reader.FailAt({"target.command"}, "only for kind: command");
  }
  if (!t.inject_leak.empty() &&
      std::find(kInjectLeakKinds.begin(), kInjectLeakKinds.end(), t.inject_leak) == kInjectLeakKinds.end()) {
    reader.FailAt({"target.inject_leak"},
                  "unknown leak '" + t.inject_leak + "' (known: " + JoinIds(kInjectLeakKinds) + ")");
  }
  for (const auto& [key, url] : {std::pair{"target.metrics_url", &t.metrics_url}, {"target.pprof_url", &t.pprof_url}}) {
    if (!url->empty() && !url->starts_with("http://")) {
      reader.FailAt({key}, "expected an http:// URL, e.g. http://127.0.0.1:{port}/metrics, not " +
                               QuoteValue(*url));
    }
  }
  if (!t.error_pattern.empty()) {
    try {
      ErrorPattern check(t.error_pattern);
    } catch (const std::invalid_argument& e) {
      reader.FailAt({"target.error_pattern"},
                    "not a valid POSIX extended regular expression: " + std::string(e.what()));
    }
  }
}

}  // namespace

void CheckScenarioRules(const YamlDocument& reader, const Scenario& s) {
  if (s.duration <= s.warmup) {
    reader.FailAt({"warmup", "duration"}, "the warm-up (" + FormatDuration(s.warmup) +
                                              ") must be shorter than the duration (" + FormatDuration(s.duration) +
                                              ")");
  }
  if (s.sample_interval < kMinSampleInterval || s.sample_interval > s.duration) {
    reader.FailAt({"sample_interval", "duration"}, "must be at least " + FormatDuration(kMinSampleInterval) +
                                                       " and at most the duration (" + FormatDuration(s.duration) +
                                                       "), not " + FormatDuration(s.sample_interval));
  }
  CheckTargetRules(reader, s.target);
  for (const std::string& id : s.expect_also_fail) {
    if (!IsCriterionId(id)) {
      reader.FailAt({"expect_also_fail"}, "unknown criterion '" + id + "' (known: " + JoinIds(kCriterionIds) + ")");
    }
    if (!s.expect_fail) reader.FailAt({"expect_also_fail"}, "only with expect_fail");
  }
  if (s.expect_fail && !IsCriterionId(*s.expect_fail)) {
    reader.FailAt({"expect_fail"},
                  "unknown criterion '" + *s.expect_fail + "' (known: " + JoinIds(kCriterionIds) + ")");
  }
}

void DeriveBounds(Scenario& s) {
  CheckRealDaemon(s);  // after every override (--daemon real on a fake-only scenario)
  if (s.duration <= s.warmup) {
    throw ScenarioError("the warm-up (" + FormatDuration(s.warmup) + ") must be shorter than the run (" +
                        FormatDuration(s.duration) + ")");
  }
  if (s.target.kind == "command" && s.target.command.empty()) {
    throw ScenarioError("a command target needs a command (--target-cmd or target.command)");
  }
  if (!s.criteria.max_concurrent_streams_set) {
    s.criteria.max_concurrent_streams = static_cast<double>(s.target.max_streams);
  }
  s.not_applicable.clear();
  const bool capturer = s.target.kind != "command";
  if (!capturer && s.criteria.metrics_consistent) {
    s.not_applicable["metrics"] =
        "the target is a command: it exports no log_capturer_* metrics to compare with the daemon";
  }
  const bool goroutine_source = !s.target.metrics_url.empty() || !s.target.pprof_url.empty();
  if (!goroutine_source) {
    const std::string why = capturer ? "log-capturer has no goroutines (give target.metrics_url or target.pprof_url "
                                       "for a Go target)"
                                     : "no goroutine source: give --target-metrics URL (go_goroutines) or "
                                       "--target-pprof URL for a Go target";
    s.not_applicable["goroutines_baseline"] = why;
    s.not_applicable["goroutine_growth"] = why;
  }
  if (s.target.metrics_url.empty()) {
    const std::string why = capturer ? "log-capturer is judged from /proc (it exports log_capturer_process_*, not the "
                                       "standard process_* gauges)"
                                     : "no --target-metrics URL: the target's own process_open_fds and "
                                       "process_resident_memory_bytes are not read";
    s.not_applicable["exported_fd_growth"] = why;
    s.not_applicable["exported_memory_growth"] = why;
  }
}

}  // namespace leakbench::harness
