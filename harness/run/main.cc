// leakbench: runs a log follower against fake-dockerd with N containers,
// measures its thread / fd / memory growth and judges the acceptance
// criteria. Exit 0 pass, 1 fail, 2 the run could not be done, 3 inconclusive
// (a criterion could not be judged; never a pass).
//
//   leakbench --containers 200                 scenarios/quick.yaml: a few minutes
//   leakbench --scenario scenarios/gate-churn.yaml --out results/
//   leakbench gate --out results/              every scenario tagged "gate"
//   leakbench list                             the shipped scenarios
//   leakbench compare base/result.json --candidate new/result.json
//   leakbench summary results/                 Markdown of every results/*/result.json
//   leakbench report html results/result.json -o report.html
//   leakbench judge --prometheus http://prom:9090 --out fleet/   every instance from Prometheus
#include <curl/curl.h>
#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/duration.h"
#include "harness/fleet/judge_command.h"
#include "harness/fleet/rules_command.h"
#include "harness/run/child_process.h"
#include "harness/run/gate.h"
#include "harness/run/install_layout.h"
#include "harness/run/output_paths.h"
#include "harness/run/report_tool.h"
#include "harness/run/run_one.h"
#include "harness/run/run_scenario.h"
#include "harness/run/summary_markdown.h"
#include "harness/scenario/real_daemon_rules.h"
#include "harness/scenario/scenario.h"

namespace {

using leakbench::harness::Scenario;

std::atomic<bool> g_interrupted{false};

void OnSignal(int) { g_interrupted.store(true); }

std::string Cut(const std::string& text) { return text.size() <= 200 ? text : text.substr(0, 200) + "..."; }

// A duration flag value in (0, kMaxDuration] ([0, ...] with `zero_ok`), or
// exit 2 with the flag named.
std::chrono::nanoseconds DurationFlag(const std::string& flag, const std::string& text, bool zero_ok = false) {
  const std::string range = std::string(" (accepted: ") + (zero_ok ? "0s" : "more than 0s") + ", at most " +
                            leakbench::FormatDuration(leakbench::harness::kMaxDuration) + "; e.g. 90s, 5m, 1h)";
  std::chrono::nanoseconds d{};
  try {
    d = leakbench::ParseDuration(text);
  } catch (const std::exception&) {  // DurationError, or out_of_range from an absurd number
    throw CLI::ValidationError(flag, "'" + Cut(text) + "' is not a duration" + range);
  }
  if (d < std::chrono::nanoseconds::zero() || (d.count() == 0 && !zero_ok) || d > leakbench::harness::kMaxDuration) {
    throw CLI::ValidationError(flag, "'" + Cut(text) + "' is out of range" + range);
  }
  return d;
}

// CLI::Range lets NaN through: numbers must also be finite.
const CLI::Validator kFinite(
    [](std::string& text) -> std::string {
      char* end = nullptr;
      const double v = std::strtod(text.c_str(), &end);
      if (end == text.c_str() || *end != '\0' || !std::isfinite(v)) return "'" + Cut(text) + "' is not a finite number";
      return "";
    },
    "FINITE");

struct Overrides {
  std::optional<std::size_t> containers;
  std::string duration, warmup, rotation;
  std::optional<std::size_t> max_streams;
  std::optional<double> rate;
  std::string target_cmd;
  std::string target_metrics, target_pprof, target_output;
  std::string inject_leak;
  std::size_t inject_leak_every = 0;
  std::string daemon;
};

void Apply(const Overrides& o, Scenario& s) {
  if (!o.daemon.empty()) s.daemon = o.daemon;
  if (o.containers) s.fake.containers = *o.containers;
  if (!o.duration.empty()) s.duration = DurationFlag("--duration", o.duration);
  if (!o.warmup.empty()) s.warmup = DurationFlag("--warmup", o.warmup, true);
  if (!o.rotation.empty()) s.target.rotation_interval = DurationFlag("--rotation-interval", o.rotation);
  if (o.max_streams) s.target.max_streams = *o.max_streams;
  if (o.rate) s.fake.rate = *o.rate;
  if (!o.target_cmd.empty()) {
    s.target.kind = "command";
    s.target.command = o.target_cmd;
  }
  if (!o.target_metrics.empty()) s.target.metrics_url = o.target_metrics;
  if (!o.target_output.empty()) s.target.output = o.target_output;
  if (!o.target_pprof.empty()) s.target.pprof_url = o.target_pprof;
  if (!o.inject_leak.empty()) s.target.inject_leak = o.inject_leak;
  if (o.inject_leak_every > 0) s.target.inject_leak_every = o.inject_leak_every;
  if (s.warmup >= s.duration) {
    throw CLI::ValidationError("--warmup", "the warm-up (" + leakbench::FormatDuration(s.warmup) +
                                               ") must be shorter than the run (" +
                                               leakbench::FormatDuration(s.duration) + ")");
  }
  // Bounds that follow other settings (the concurrency cap) are derived
  // only now, after every override.
  leakbench::harness::DeriveBounds(s);
}

// `leakbench summary`: the result.json files named, a directory's own
// result.json, or else its */result.json (sorted). Throws
// std::runtime_error naming a file that is missing or not JSON.
std::vector<nlohmann::json> LoadResults(const std::vector<std::string>& args) {
  namespace fs = std::filesystem;
  std::vector<std::string> paths;
  for (const auto& a : args) {
    if (!fs::is_directory(a)) {
      paths.push_back(a);
    } else if (fs::exists(a + "/result.json")) {
      paths.push_back(a + "/result.json");
    } else {
      std::vector<std::string> found;
      for (const auto& e : fs::directory_iterator(a)) {
        if (fs::exists(e.path() / "result.json")) found.push_back((e.path() / "result.json").string());
      }
      if (found.empty()) throw std::runtime_error(a + ": no result.json in it or in its subdirectories");
      std::sort(found.begin(), found.end());
      paths.insert(paths.end(), found.begin(), found.end());
    }
  }
  std::vector<nlohmann::json> results;
  for (const auto& p : paths) {
    std::ifstream in(p, std::ios::binary);
    if (!in) throw std::runtime_error(p + ": cannot read it");
    nlohmann::json r = nlohmann::json::parse(in, nullptr, false);
    if (r.is_discarded() || !r.is_object() || !r.contains("scenario") || !r.contains("verdict")) {
      throw std::runtime_error(p + ": not a leakbench result.json");
    }
    results.push_back(std::move(r));
  }
  return results;
}

const char* ExitWord(int code) {
  switch (code) {
    case 0: return "pass";
    case 1: return "fail";
    case 3: return "inconclusive";
    default: return "error";
  }
}

}  // namespace

int main(int argc, char** argv) {
  leakbench::harness::Watchdog::Start();  // before any thread
  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);
  curl_global_init(CURL_GLOBAL_DEFAULT);

  CLI::App app{"leakbench: runs a Docker log follower against fake-dockerd with N containers, measures its "
               "thread / fd / memory growth and judges the acceptance criteria (exit 0 pass, 1 fail, 2 error)."};
  app.set_help_flag("-h,--help", "Print this help and exit");
  app.fallthrough();
  // One line per error, with what to do.
  app.failure_message([](const CLI::App*, const CLI::Error& e) {
    return "leakbench: " + Cut(e.what()) + " (leakbench --help lists every flag)\n";
  });  // `leakbench gate --out DIR` as well as `leakbench --out DIR gate`
  Overrides o;
  // Beside the installed binary, else the build tree's paths.
  const leakbench::harness::InstallLayout layout = leakbench::harness::FindLayout(
      {LEAKBENCH_SCENARIOS_DIR, LEAKBENCH_REPORTS_DIR, LEAKBENCH_FAKE_DOCKERD, LEAKBENCH_LOG_CAPTURER,
       LEAKBENCH_FOLLOWERS_DIR, LEAKBENCH_GO_FOLLOWERS_DIR, false});
  std::string profile, scenario_file, out_dir, junit, scenarios_dir = layout.scenarios_dir;
  std::string fake_binary = layout.fake_dockerd, capturer_binary = layout.log_capturer, keep_dir;
  bool quiet = false, no_report = false;
  std::string reports_dir = layout.reports_dir;
  if (const char* env = std::getenv("LEAKBENCH_REPORTS_DIR"); env != nullptr && *env != '\0') reports_dir = env;
  std::size_t containers = 0;
  double rate = 0;
  std::size_t max_streams = 0;
  app.add_option("--containers", containers, "Synthetic containers the fake runs")->check(CLI::Range(1, 1000000));
  app.add_option("--profile", profile, "A shipped scenario by name (see `leakbench list`)");
  app.add_option("--scenario", scenario_file, "A scenario file (YAML or JSON)")->check(CLI::ExistingFile);
  app.add_option("--duration", o.duration, "Run length: 90s, 5m, 1h");
  app.add_option("--warmup", o.warmup, "Excluded from the growth fits: 30s");
  app.add_option("--rotation-interval", o.rotation, "The target's rotation interval: 5s, 5m");
  app.add_option("--max-streams", max_streams, "The target's stream cap")->check(CLI::Range(1, 100000));
  app.add_option("--rate", rate, "Lines per second per container (0-1000000)")
      ->check(kFinite & CLI::Range(0.0, 1e6));
  app.add_option("--target-cmd", o.target_cmd, "Follow with this command (sh -c, DOCKER_HOST set) instead of log-capturer");
  app.add_option("--target-metrics", o.target_metrics,
                 "The target's Prometheus /metrics URL, read every sample (go_goroutines, process_open_fds); "
                 "{port} becomes a free port, also filled into --target-cmd");
  app.add_option("--target-pprof", o.target_pprof,
                 "The target's Go goroutine profile URL (http://127.0.0.1:{port}/debug/pprof/goroutine)");
  app.add_option("--target-output", o.target_output,
                 "Where the target writes what it captured: a file, or `loki` for leakbench's own Loki push "
                 "endpoint ({loki} in --target-cmd and $LEAKBENCH_LOKI_URL become its URL)");
  std::size_t repeat = 1;
  app.add_option("--repeat", repeat, "Run the scenario N times (fresh fake and target each) and pool the verdicts")
      ->check(CLI::Range(1, 1000));
  app.add_option("--inject-leak", o.inject_leak, "Make log-capturer leak on purpose (negative control)");
  app.add_option("--inject-leak-every", o.inject_leak_every, "... at one rotation in N (default 1)")
      ->check(CLI::Range(1, 1000000000));
  std::string docker_host, proxy_binary = LEAKBENCH_PROXY, emitter_binary = LEAKBENCH_EMITTER;
  app.add_option("--daemon", o.daemon, "fake (fake-dockerd, the default) or real (a real dockerd behind the counting proxy)")
      ->check(CLI::IsMember({"fake", "real"}));
  app.add_option("--docker-host", docker_host,
                 "daemon real: use this daemon (unix:///path/docker.sock) instead of starting a private dockerd");
  app.add_option("--proxy", proxy_binary, "leakbench-proxy binary (daemon real)");
  app.add_option("--emitter", emitter_binary, "leakbench-emitter binary, statically linked (daemon real)");
  app.add_option("--out", out_dir, "Write result.json, junit.xml and summary.md here");
  app.add_option("--junit", junit, "Write junit.xml here instead of DIR/junit.xml");
  app.add_option("--keep-run-dir", keep_dir, "Copy the run's files (logs, sink output) here");
  app.add_option("--scenarios-dir", scenarios_dir, "Where shipped scenarios live");
  app.add_option("--fake-dockerd", fake_binary, "fake-dockerd binary");
  app.add_option("--log-capturer", capturer_binary, "log-capturer binary");
  app.add_flag("--quiet", quiet, "Only the verdict");
  app.add_flag("--no-report", no_report, "Do not render DIR/report.html (needs python3-matplotlib)");
  app.add_option("--reports-dir", reports_dir, "Where reports/leakbench-report lives (env LEAKBENCH_REPORTS_DIR)");
  auto* list = app.add_subcommand("list", "List the shipped scenarios");
  auto* gate = app.add_subcommand("gate", "Run every scenario tagged `gate`; fail if any verdict is wrong");
  std::size_t jobs = 2;
  gate->add_option("--jobs", jobs, "Scenarios run at once (default 2)")->check(CLI::Range(1, 16));
  std::vector<std::string> baselines, candidates;
  std::string compare_format;
  auto* compare = app.add_subcommand(
      "compare", "Which figures moved between baseline and candidate results, and whether beyond the noise "
                 "(exit 0 no regression, 1 regression, 2 error)");
  compare->add_option("baseline", baselines, "Baseline result.json files (reruns sharpen the noise estimate)")
      ->required()
      ->check(CLI::ExistingFile);
  compare->add_option("--candidate", candidates, "Candidate result.json files")->check(CLI::ExistingFile);
  compare->add_option("--format", compare_format, "md or text");
  std::vector<std::string> summary_inputs;
  std::size_t summary_max_bytes = leakbench::harness::kSummaryMaxBytes;
  auto* summary = app.add_subcommand(
      "summary", "Print the Markdown summary of results (what summary.md holds; a gate's overview for several) "
                 "on stdout, never more than --max-bytes");
  summary->add_option("results", summary_inputs, "result.json files, or directories holding */result.json")
      ->required()
      ->check(CLI::ExistingPath);
  summary->add_option("--max-bytes", summary_max_bytes, "Upper bound of the output in bytes (default 1048576, "
                                                        "$GITHUB_STEP_SUMMARY's limit)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 40));
  auto* report = app.add_subcommand("report", "Run the report tool: html RESULT.json [-o FILE] | compare ... "
                                              "(reports/leakbench-report --help)");
  report->allow_extras();  // `leakbench report ARGS...` is handled before parsing (below)
  leakbench::harness::JudgeCommand judge(app);  // `leakbench judge --prometheus URL`
  leakbench::harness::RulesCommand rules_command(app);  // `leakbench rules --bounds FILE`

  // `leakbench report ARGS...`: every argument goes to the tool untouched.
  if (argc >= 2 && std::string_view(argv[1]) == "report") {
    leakbench::harness::ReportTool reports(reports_dir + "/leakbench-report");
    int code = 2;
    if (argc == 2) {
      std::fprintf(stderr, "leakbench report: give the tool's arguments, e.g. html RESULT.json -o report.html "
                           "(leakbench report --help)\n");
    } else {
      code = reports.Run(std::vector<std::string>(argv + 2, argv + argc));
    }
    leakbench::harness::Watchdog::Disarm();
    return code;
  }

  try {
    app.parse(argc, argv);
    if (containers > 0) o.containers = containers;
    if (rate > 0) o.rate = rate;
    if (max_streams > 0) o.max_streams = max_streams;
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    leakbench::harness::Watchdog::Disarm();
    return code == 0 ? 0 : 2;
  }

  int code = 2;
  try {
    leakbench::harness::ReportTool reports(reports_dir + "/leakbench-report");
    leakbench::harness::ReportTool* auto_reports = no_report ? nullptr : &reports;
    if (*report) throw CLI::ValidationError("report", "`report` must come first: leakbench report ARGS...");
    if (*summary) {
      std::fputs(leakbench::harness::RenderSummary(LoadResults(summary_inputs), summary_max_bytes).markdown.c_str(),
                 stdout);
      leakbench::harness::Watchdog::Disarm();
      curl_global_cleanup();
      return std::fflush(stdout) == 0 ? 0 : 2;
    }
    if (*compare) {
      // Two files without --candidate: the second is the candidate.
      if (candidates.empty()) {
        if (baselines.size() != 2) {
          throw CLI::ValidationError("compare", "give BASELINE... --candidate CANDIDATE..., or exactly two files");
        }
        candidates.push_back(baselines.back());
        baselines.pop_back();
      }
      std::vector<std::string> args = {"compare"};
      args.insert(args.end(), baselines.begin(), baselines.end());
      args.push_back("--candidate");
      args.insert(args.end(), candidates.begin(), candidates.end());
      if (!compare_format.empty()) args.insert(args.end(), {"--format", compare_format});
      code = reports.Run(args);
      leakbench::harness::Watchdog::Disarm();
      curl_global_cleanup();
      return code;
    }
    if (rules_command.chosen()) {
      code = rules_command.Run();
      leakbench::harness::Watchdog::Disarm();
      curl_global_cleanup();
      return code;
    }
    if (judge.chosen()) {  // no fake, no target: it locks --out itself
      code = judge.Run(out_dir, quiet, &g_interrupted, auto_reports);
      leakbench::harness::Watchdog::Disarm();
      curl_global_cleanup();
      return code;
    }
    // Every output path is checked, and --out locked, before anything runs.
    std::optional<leakbench::harness::OutputDirLock> out_lock;
    if (!*list) {
      if (app.count("--out") != 0) {
        leakbench::harness::PrepareOutputDir("--out", out_dir);
        out_lock.emplace("--out", out_dir);
      }
      if (app.count("--junit") != 0) leakbench::harness::CheckOutputFile("--junit", junit);
      if (app.count("--keep-run-dir") != 0) leakbench::harness::PrepareOutputDir("--keep-run-dir", keep_dir);
    }
    leakbench::harness::RunOptions options{fake_binary,   capturer_binary,          keep_dir,
                                           quiet,         &g_interrupted,           layout.followers_dir,
                                           layout.go_followers_dir,
                                           docker_host,   proxy_binary,             emitter_binary};
    if (!docker_host.empty() && o.daemon.empty()) o.daemon = "real";
    for (const auto& b : {fake_binary, capturer_binary}) {
      if (access(b.c_str(), X_OK) != 0) {
        throw std::runtime_error(b + " is not an executable (build it: cmake --build --preset release, or pass "
                                     "--fake-dockerd/--log-capturer)");
      }
    }
    if (*list) {
      for (const auto& s : leakbench::harness::LoadScenarioDir(scenarios_dir)) {
        std::string tags;
        for (const auto& t : s.tags) tags += (tags.empty() ? "" : ",") + t;
        std::printf("%-28s %-18s %s\n", s.name.c_str(), tags.c_str(), s.description.c_str());
      }
      code = 0;
    } else if (*gate) {
      code = leakbench::harness::RunGate({scenarios_dir, out_dir, jobs, repeat, auto_reports}, options);
    } else {
      // Neither --scenario nor --profile: the quick profile (scenarios/quick.yaml).
      const bool quick = scenario_file.empty() && profile.empty();
      Scenario s = leakbench::harness::LoadScenario(
          !scenario_file.empty() ? scenario_file : scenarios_dir + "/" + (quick ? "quick" : profile) + ".yaml");
      Apply(o, s);  // the flags, then the bounds that follow them (DeriveBounds)
      leakbench::harness::CheckDaemonRestartsOwned(s, docker_host.empty());
      code = leakbench::harness::RunOne(s, options, out_dir, junit, quiet, auto_reports, repeat);
      if (quiet) std::printf("%s\n", ExitWord(code));
      if (!quiet && quick) {
        std::printf("\nThis was the quick profile (2 minutes, rotation 5 s). The original acceptance run (rotation "
                    "5 min, 10 minutes judged) is: leakbench --profile acceptance-realtime\n");
      }
    }
  } catch (const CLI::ValidationError& e) {
    std::fprintf(stderr, "leakbench: %s\n", e.what());
    code = 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "leakbench: %s\n", e.what());
    code = 2;
  }
  if (g_interrupted.load()) {
    std::fprintf(stderr, "leakbench: interrupted; everything it started is stopped\n");
    code = 2;
  }
  leakbench::harness::Watchdog::Disarm();
  curl_global_cleanup();
  return code;
}
