#include "harness/fleet/judge_command.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

#include "common/civil_date.h"
#include "common/duration.h"
#include "harness/fleet/fleet_queries.h"
#include "harness/fleet/fleet_run.h"
#include "harness/fleet/fleet_summary_markdown.h"
#include "harness/run/output_paths.h"
#include "harness/run/report_tool.h"
#include "harness/scenario/scenario.h"

namespace leakbench::harness {
namespace judge_command {

double Seconds(const std::string& flag, const std::string& text) {
  std::chrono::nanoseconds d{};
  try {
    d = ParseDuration(text);
  } catch (const std::exception&) {
    throw CLI::ValidationError(flag, "'" + text.substr(0, 200) + "' is not a duration (e.g. 15s, 30m, 6h)");
  }
  if (d.count() <= 0 || d > kMaxDuration) {
    throw CLI::ValidationError(flag, "'" + text.substr(0, 200) + "' is out of range (above 0s, at most 8760h)");
  }
  return std::chrono::duration<double>(d).count();
}

unsigned Digits(const std::string& s, std::size_t at, std::size_t n) {
  unsigned v = 0;
  for (std::size_t i = at; i < at + n; ++i) {
    if (i >= s.size() || s[i] < '0' || s[i] > '9') throw std::invalid_argument("digit expected");
    v = v * 10 + static_cast<unsigned>(s[i] - '0');
  }
  return v;
}

}  // namespace judge_command

double ParseInstant(const std::string& text) {
  const std::string accepted = "'" + text.substr(0, 200) +
                               "': give RFC 3339 in UTC (2026-12-01T10:00:00Z) or Unix seconds (1764583200)";
  if (!text.empty() && text.find_first_not_of("0123456789.") == std::string::npos) {
    char* end = nullptr;
    const double v = std::strtod(text.c_str(), &end);
    if (*end != '\0' || !std::isfinite(v)) throw std::invalid_argument(accepted);
    return v;
  }
  try {
    // YYYY-MM-DDTHH:MM:SS[.fff]Z
    if (text.size() < 20 || text[4] != '-' || text[7] != '-' || (text[10] != 'T' && text[10] != 't') ||
        text[13] != ':' || text[16] != ':' || (text.back() != 'Z' && text.back() != 'z')) {
      throw std::invalid_argument("shape");
    }
    const unsigned year = judge_command::Digits(text, 0, 4), month = judge_command::Digits(text, 5, 2),
                   day = judge_command::Digits(text, 8, 2), hour = judge_command::Digits(text, 11, 2),
                   minute = judge_command::Digits(text, 14, 2), second = judge_command::Digits(text, 17, 2);
    if (month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month) || hour > 23 || minute > 59 ||
        second > 59) {
      throw std::invalid_argument("field");
    }
    double fraction = 0;
    if (text.size() > 20) {
      if (text[19] != '.' || text.size() < 22) throw std::invalid_argument("fraction");
      fraction = std::strtod(text.substr(19, text.size() - 20).c_str(), nullptr);
      judge_command::Digits(text, 20, text.size() - 21);
    }
    return static_cast<double>(DaysFromCivil(year, month, day)) * 86400 + hour * 3600.0 + minute * 60.0 + second +
           fraction;
  } catch (const std::invalid_argument&) {
    throw std::invalid_argument(accepted);
  }
}

JudgeCommand::JudgeCommand(CLI::App& app) {
  command_ = app.add_subcommand(
      "judge", "Judge every instance of a fleet from a Prometheus HTTP API (Prometheus, Thanos, Mimir) with the run's "
               "criteria: pass / fail / inconclusive per instance (exit 0 pass, 1 fail, 2 error, 3 inconclusive)");
  command_->add_option("--prometheus", url_, "The Prometheus HTTP API's base URL (http://host:9090)")->required();
  command_->add_option("--selector", selector_, "Label matchers of the fleet's series (default {job=\"log-capturer\"})");
  command_->add_option("--by", by_, "Labels that name an instance, comma-separated (default instance)");
  command_->add_option("--range", range_, "Judge this much history up to --end (default 6h)");
  command_->add_option("--start", start_, "Start: RFC 3339 UTC or Unix seconds (instead of --range)");
  command_->add_option("--end", end_, "End: RFC 3339 UTC or Unix seconds (default now)");
  command_->add_option("--step", step_, "Query resolution (default 15s)");
  command_->add_option("--chunk", chunk_, "Longest time one request covers (default 1h)");
  command_->add_option("--concurrency", concurrency_, "Requests in flight at most (default 4)")->check(CLI::Range(1, 64));
  command_->add_option("--retries", retries_, "Retries of a request after a 5xx or timeout (default 3)")
      ->check(CLI::Range(0, 20));
  command_->add_option("--timeout", timeout_, "Time per request (default 60s)");
  command_->add_option("--bounds", bounds_file_,
                       "A scenario file: its criteria, warmup, target.rotation_interval and max_streams are the bounds")
      ->check(CLI::ExistingFile);
  command_->add_option("--warmup", warmup_, "Excluded after every (re)start (default the bounds' warmup, 30s)");
  command_->add_option("--min-window", min_window_, "Judged history a segment needs after its warm-up (default 30m)");
  command_->add_option("--max-streams", max_streams_, "The stream cap judged against streams_active")
      ->check(CLI::Range(1, 100000));
  command_->add_option("--bearer-token-file", bearer_file_,
                       "A file holding a bearer token (or $LEAKBENCH_PROMETHEUS_BEARER_TOKEN)");
  command_->add_option("--basic-auth-file", basic_file_,
                       "A file holding user:password (or $LEAKBENCH_PROMETHEUS_BASIC_AUTH)");
  command_->add_option("--jobs", jobs_, "Instances judged at once (default one per core)")->check(CLI::Range(1, 256));
  command_->add_flag("--all-results", all_results_,
                     "Write every instance's result files (default: only those that did not pass)");
}

int JudgeCommand::Run(const std::string& out_dir, bool quiet, const std::atomic<bool>* interrupted, ReportTool* reports,
                      const std::function<std::chrono::system_clock::time_point()>& now) {
  FleetOptions o;
  o.client.url = url_;
  if (url_.rfind("http://", 0) != 0 && url_.rfind("https://", 0) != 0) {
    throw CLI::ValidationError("--prometheus", "'" + url_.substr(0, 200) + "': give an http:// or https:// URL");
  }
  o.client.auth = LoadPromAuth(bearer_file_, basic_file_, ProcessEnv());
  o.client.concurrency = concurrency_;
  o.client.max_attempts = retries_ + 1;
  o.client.timeout = std::chrono::milliseconds(std::llround(judge_command::Seconds("--timeout", timeout_) * 1000));
  o.client.chunk_s = judge_command::Seconds("--chunk", chunk_);
  o.client.interrupted = interrupted;
  o.selector = selector_;
  CheckSelector(selector_);
  o.by = ParseByLabels(by_);
  o.range.step = judge_command::Seconds("--step", step_);
  auto instant = [](const std::string& flag, const std::string& text) {
    try {
      return ParseInstant(text);
    } catch (const std::invalid_argument& e) {
      throw CLI::ValidationError(flag, e.what());
    }
  };
  if (!end_.empty()) {
    o.range.end = instant("--end", end_);
  } else {
    const double t = std::chrono::duration<double>(now().time_since_epoch()).count();
    o.range.end = std::floor(t / o.range.step) * o.range.step;
  }
  o.range.start = !start_.empty() ? instant("--start", start_) : o.range.end - judge_command::Seconds("--range", range_);
  if (o.range.start >= o.range.end) {
    throw CLI::ValidationError("--start", "the start must come before the end");
  }
  if (!bounds_file_.empty()) {
    o.bounds.scenario = LoadScenario(bounds_file_);
  } else {
    o.bounds.scenario.name = "fleet";
  }
  if (!warmup_.empty()) {
    o.bounds.scenario.warmup = std::chrono::nanoseconds(std::llround(judge_command::Seconds("--warmup", warmup_) * 1e9));
  }
  if (max_streams_ > 0) {
    o.bounds.scenario.target.max_streams = max_streams_;
    o.bounds.scenario.criteria.max_concurrent_streams = static_cast<double>(max_streams_);
  } else if (!o.bounds.scenario.criteria.max_concurrent_streams_set) {
    o.bounds.scenario.criteria.max_concurrent_streams = static_cast<double>(o.bounds.scenario.target.max_streams);
  }
  o.bounds.min_window_s = judge_command::Seconds("--min-window", min_window_);
  o.judge_threads = jobs_;
  o.all_results = all_results_;

  std::optional<OutputDirLock> lock;
  if (!out_dir.empty()) {
    PrepareOutputDir("--out", out_dir);
    lock.emplace("--out", out_dir);
  }
  const FleetOutcome outcome = JudgeFleet(o, out_dir);
  std::string written;
  if (!out_dir.empty()) {
    written = WriteFleetFiles(out_dir, outcome);
    if (reports != nullptr) {
      const std::string index = RenderFleetReport(*reports, out_dir);
      if (!index.empty()) written += ", " + index;
    }
  }
  const int code = outcome.fleet["exit_code"].get<int>();
  if (quiet) {
    std::printf("%s\n", outcome.fleet["verdict"].get<std::string>().c_str());
  } else {
    std::fputs(FleetSummaryMarkdown(outcome.fleet, 64 * 1024).c_str(), stdout);
    std::printf("\n%zu instances: %zu requests (%zu retries) in %.1f s, judged in %.1f s%s%s\n",
                outcome.instances.size(), outcome.query_stats.requests, outcome.query_stats.retries,
                outcome.query_seconds, outcome.judge_seconds, written.empty() ? "" : "; written: ", written.c_str());
  }
  return code;
}

}  // namespace leakbench::harness
