#include "harness/run/result_files.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "harness/run/summary_markdown.h"

namespace leakbench::harness {
namespace {

using json = nlohmann::json;

std::string XmlEscape(const std::string& s) {
  std::string out;
  for (char ch : s) {
    switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        if (static_cast<unsigned char>(ch) < 0x20 && ch != '\n' && ch != '\t') {
          out += ' ';
        } else {
          out += ch;
        }
    }
  }
  return out;
}

void WriteFile(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw std::runtime_error("cannot write " + path + " (check that the --out directory is writable)");
  out << content;
  if (!out) throw std::runtime_error("writing " + path + " failed (disk full?)");
}

}  // namespace

json ResultJson(const RunData& run, const Verdict& v) {
  const Scenario& s = run.scenario;
  json criteria = json::array();
  for (const auto& c : v.criteria) {
    criteria.push_back({{"id", c.id},
                        {"description", c.description},
                        {"status", std::string(StatusName(c.status))},
                        {"judged", c.judged()},
                        {"pass", c.pass()},
                        {"bound", c.bound},
                        {"measured", c.measured},
                        {"unit", c.unit},
                        {"detail", c.detail}});
  }
  json samples = {{"t", json::array()},          {"threads", json::array()},      {"fds", json::array()},
                  {"fds_socket", json::array()}, {"fds_pipe", json::array()},     {"fds_file", json::array()},
                  {"fds_other", json::array()},  {"rss_bytes", json::array()},    {"pss_bytes", json::array()},
                  {"cpu_seconds", json::array()}, {"streams_open", json::array()}, {"streams_closed", json::array()},
                  {"metric_streams_active", json::array()}, {"metric_rotations", json::array()},
                  {"metric_series", json::array()}, {"metric_containers_waiting", json::array()},
                  {"capture_lag_max_s", json::array()}, {"capture_lag_median_s", json::array()},
                  {"streams_open_min", json::array()}, {"streams_open_max", json::array()},
                  {"goroutines", json::array()}, {"processes", json::array()},
                  {"threads_max_per_process", json::array()}, {"target_open_fds", json::array()},
                  {"target_rss_bytes", json::array()}, {"streams_opened", json::array()}};
  // The daemon's processes, each sampled as the target: by name.
  json daemon_samples = json::object();
  for (const DaemonProcess& p : run.daemon_processes) {
    daemon_samples[p.name] = {{"threads", json::array()}, {"fds", json::array()}, {"rss_bytes", json::array()},
                              {"cpu_seconds", json::array()}};
  }
  const auto opt = [](const std::optional<double>& value) { return value ? json(*value) : json(nullptr); };
  for (const Sample& x : run.samples) {
    samples["t"].push_back(x.t);
    samples["threads"].push_back(x.proc.threads);
    samples["fds"].push_back(x.proc.fds.total());
    samples["fds_socket"].push_back(x.proc.fds.socket);
    samples["fds_pipe"].push_back(x.proc.fds.pipe);
    samples["fds_file"].push_back(x.proc.fds.file);
    samples["fds_other"].push_back(x.proc.fds.other);
    samples["rss_bytes"].push_back(x.proc.rss_bytes);
    samples["pss_bytes"].push_back(x.proc.pss_bytes ? json(*x.proc.pss_bytes) : json(nullptr));
    samples["cpu_seconds"].push_back(x.proc.cpu_seconds);
    samples["streams_open"].push_back(x.streams_open);
    samples["streams_closed"].push_back(x.streams_closed);
    samples["metric_streams_active"].push_back(x.metric_streams_active ? json(*x.metric_streams_active) : json(nullptr));
    samples["metric_rotations"].push_back(x.metric_rotations ? json(*x.metric_rotations) : json(nullptr));
    samples["metric_series"].push_back(x.metric_series);
    samples["metric_containers_waiting"].push_back(opt(x.metric_containers_waiting));
    samples["capture_lag_max_s"].push_back(opt(x.capture_lag_max_s));
    samples["capture_lag_median_s"].push_back(opt(x.capture_lag_median_s));
    samples["streams_open_min"].push_back(x.streams_open_min ? json(*x.streams_open_min) : json(nullptr));
    samples["streams_open_max"].push_back(x.streams_open_max ? json(*x.streams_open_max) : json(nullptr));
    samples["goroutines"].push_back(opt(x.goroutines));
    samples["processes"].push_back(x.processes ? json(*x.processes) : json(nullptr));
    samples["threads_max_per_process"].push_back(x.threads_max_per_process ? json(*x.threads_max_per_process)
                                                                           : json(nullptr));
    samples["target_open_fds"].push_back(opt(x.target_open_fds));
    samples["target_rss_bytes"].push_back(opt(x.target_rss_bytes));
    samples["streams_opened"].push_back(x.streams_opened);
    for (std::size_t i = 0; i < run.daemon_processes.size(); ++i) {
      json& d = daemon_samples[run.daemon_processes[i].name];
      const bool ok = i < x.daemon.size() && x.daemon[i].ok;
      d["threads"].push_back(ok ? json(x.daemon[i].threads) : json(nullptr));
      d["fds"].push_back(ok ? json(x.daemon[i].fds.total()) : json(nullptr));
      d["rss_bytes"].push_back(ok ? json(x.daemon[i].rss_bytes) : json(nullptr));
      d["cpu_seconds"].push_back(ok ? json(x.daemon[i].cpu_seconds) : json(nullptr));
    }
  }
  if (!daemon_samples.empty()) samples["daemon"] = daemon_samples;
  json daemon_processes = json::array();
  for (const DaemonProcess& p : run.daemon_processes) daemon_processes.push_back({{"name", p.name}, {"pid", p.pid}});
  json rotations = {{"total", run.ages.rotated}, {"t", json::array()}, {"age_s", json::array()}};
  for (const auto& r : run.ages.rotations) {
    rotations["t"].push_back(r.t);
    rotations["age_s"].push_back(r.age_s);
  }
  json result = {
      {"schema_version", kResultSchemaVersion},
      {"tool", "leakbench"},
      {"verdict", v.verdict},
      {"exit_code", ExitCode(v)},
      {"scenario",
       {{"name", s.name},
        {"description", s.description},
        {"file", s.file},
        {"tags", s.tags},
        {"containers", s.fake.containers},
        {"rate", s.fake.rate},
        {"target", s.target.kind == "command" ? s.target.command : "log-capturer"},
        {"rotation_interval_s", std::chrono::duration<double>(s.target.rotation_interval).count()},
        {"max_streams", s.target.max_streams},
        {"inject_leak", s.target.inject_leak},
        {"inject_leak_every", s.target.inject_leak_every},
        {"inject_faults", s.target.inject_faults},
        {"metrics_url", s.target.metrics_url},
        {"pprof_url", s.target.pprof_url},
        {"output", s.target.output},
        {"max_concurrent_streams",
         s.criteria.max_concurrent_streams ? json(*s.criteria.max_concurrent_streams) : json(nullptr)},
        {"duration_s", std::chrono::duration<double>(s.duration).count()},
        {"warmup_s", std::chrono::duration<double>(s.warmup).count()},
        {"sample_interval_s", std::chrono::duration<double>(s.sample_interval).count()}}},
      {"run",
       {{"started_at", run.started_at},
        {"wall_seconds", run.wall_seconds},
        {"catch_up_s", run.catch_up_s},
        {"completed", run.completed},
        {"failure", run.failure},
        {"interrupted", run.interrupted}}},
      {"daemon",
       {{"kind", run.daemon.kind.empty() ? std::string(run.scenario.daemon) : run.daemon.kind},
        {"version", run.daemon.version},
        {"api_version", run.daemon.api_version},
        {"storage_driver", run.daemon.storage_driver},
        {"started_by_leakbench", run.daemon.owned},
        {"notes", run.daemon.notes},
        {"containers_start_s", run.daemon.containers_start_s},
        {"processes_sampled", daemon_processes},
        {"restarted_at_s", run.daemon_restarts_s},
        {"unsampled_reason", run.daemon_unsampled}}},
      {"criteria", criteria},
      {"figures", v.figures},
      {"samples", samples},
      {"rotations", rotations}};
  if (run.loki) {
    result["loki_output"] = {{"pushes", run.loki->pushes},
                             {"lines", run.loki->lines},
                             {"rejected", run.loki->rejected},
                             {"last_rejection", run.loki->last_rejection},
                             {"write_errors", run.loki->write_errors}};
  }
  if (v.expect_fail) {
    result["expectation"] = {{"expect_fail", *v.expect_fail},
                             {"also_fail", s.expect_also_fail},
                             {"unexpected_failures", v.unexpected_failures},
                             {"met", v.expectation_met}};
  }
  return result;
}

// The status of a criterion in any schema: v2 says it; v1 had judged/pass.
std::string StatusOf(const json& c) {
  if (c.contains("status")) return c["status"].get<std::string>();
  if (!c["judged"].get<bool>()) return "off";
  return c["pass"].get<bool>() ? "pass" : "fail";
}

// A criterion is a testcase: a failure is <failure>, an inconclusive one
// <error> (it could not be judged: the suite is not green), off <skipped>.
std::string JunitTestsuite(const json& r) {
  const std::string suite = "leakbench." + r["scenario"]["name"].get<std::string>();
  std::size_t failures = 0, errors = 0, skipped = 0, tests = 0;
  std::ostringstream cases;
  auto add_case = [&](const std::string& name, const std::string& status, const std::string& message) {
    ++tests;
    cases << "    <testcase classname=\"" << XmlEscape(suite) << "\" name=\"" << XmlEscape(name) << "\">\n";
    if (status == "off") {
      ++skipped;
      cases << "      <skipped message=\"" << XmlEscape(message) << "\"/>\n";
    } else if (status == "fail") {
      ++failures;
      cases << "      <failure message=\"" << XmlEscape(message) << "\">" << XmlEscape(message) << "</failure>\n";
    } else if (status == "inconclusive" || status == "error") {
      ++errors;
      cases << "      <error type=\"" << status << "\" message=\"" << XmlEscape(message) << "\">" << XmlEscape(message)
            << "</error>\n";
    }
    cases << "    </testcase>\n";
  };
  const bool negative = r.contains("expectation");
  if (r["verdict"] == "error") add_case("run", "error", "the run could not be done: " + r["run"]["failure"].get<std::string>());
  for (const auto& c : r["criteria"]) {
    const std::string msg = c["detail"].get<std::string>();
    std::string status = StatusOf(c);
    // In a negative control, failing criteria are what is expected; the
    // expectation is its own testcase.
    if (negative && status == "fail") status = "pass";
    add_case(c["id"].get<std::string>(), status, msg);
  }
  if (negative) {
    const bool met = r["expectation"]["met"].get<bool>();
    add_case("expected_failure:" + r["expectation"]["expect_fail"].get<std::string>(),
             met ? "pass" : r["verdict"] == "inconclusive" ? "inconclusive" : "fail",
             met ? "failed as expected" : "a leaking target was not caught on this criterion (verdict " +
                                              r["verdict"].get<std::string>() + ")");
  }
  std::ostringstream out;
  out << "  <testsuite name=\"" << XmlEscape(suite) << "\" tests=\"" << tests << "\" failures=\"" << failures
      << "\" errors=\"" << errors << "\" skipped=\"" << skipped << "\" time=\""
      << r["run"]["wall_seconds"].get<double>() << "\">\n"
      << cases.str() << "  </testsuite>\n";
  return out.str();
}

std::string JunitXml(const json& result) { return JunitDocument({JunitTestsuite(result)}); }

std::string JunitDocument(const std::vector<std::string>& testsuites) {
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n";
  for (const auto& suite : testsuites) out += suite;
  return out + "</testsuites>\n";
}

std::string WriteResultFiles(const std::string& dir, const json& result, const std::string& junit_path) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw std::runtime_error("cannot create --out directory " + dir + ": " + ec.message());
  const std::string json_path = dir + "/result.json";
  const std::string xml_path = junit_path.empty() ? dir + "/junit.xml" : junit_path;
  const std::string md_path = dir + "/summary.md";
  WriteFile(json_path, result.dump(1) + "\n");
  WriteFile(xml_path, JunitXml(result));
  WriteFile(md_path, SummaryMarkdown(result));
  return json_path + ", " + xml_path + ", " + md_path;
}

}  // namespace leakbench::harness
