#include "fakes/bench/report.h"

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

namespace followload {

namespace {

using json = nlohmann::json;

// The figures of the report, derived from the record once.
struct Figures {
  double hold = 0;
  uint64_t lines_hold = 0;
  double lines_ps = 0, payload_ps = 0, wire_ps = 0;
  bool have_gen = false;  // the fake's emitted counts at both ends of the hold
  double generated_ps = 0, expected_ps = 0;
  uint64_t lag_max = 0;
  double lag_mean = 0;
  double fake_cpu_hold = -1, fake_cpu_ramp = -1, fake_wait = -1;
  double self_cpu = 0, self_wait = 0;
  size_t tty = 0;
  bool ok = false;
};

// CPU % of one core between two samples of the fake.
double CpuPct(const RunRecord& rec, const FakeSample& from, const FakeSample& to, double min_seconds) {
  return 100.0 * static_cast<double>(to.proc.cpu_ticks - from.proc.cpu_ticks) / static_cast<double>(rec.clk_tck) /
         std::max(min_seconds, Seconds(to.at - from.at));
}

Figures Derive(const Config& cfg, const RunRecord& rec, const Totals& t, const std::vector<Target>& targets,
               const std::vector<OpenStream>& open_streams) {
  Figures f;
  f.hold = Seconds(rec.hold_end.at - rec.hold_start.at);
  const Totals& a = rec.hold_start.totals;
  const Totals& b = rec.hold_end.totals;
  f.lines_hold = b.lines - a.lines;
  f.lines_ps = static_cast<double>(b.lines - a.lines) / f.hold;
  f.payload_ps = static_cast<double>(b.payload_bytes - a.payload_bytes) / f.hold;
  f.wire_ps = static_cast<double>(b.wire_bytes - a.wire_bytes) / f.hold;

  // What the fake generated in the window, and what the streams should have got.
  f.have_gen = !targets.empty() && std::all_of(targets.begin(), targets.end(), [](const Target& x) {
    return x.have_start && x.have_end;
  });
  if (f.have_gen) {
    for (const auto& x : targets) f.generated_ps += static_cast<double>(x.emitted_end - x.emitted_start);
    f.generated_ps /= f.hold;
    double lag_sum = 0;
    for (const auto& s : open_streams) {
      const Target& x = *s.target;
      f.expected_ps += static_cast<double>(x.emitted_end - x.emitted_start);
      // Lines the fake had written when it answered that this stream still lacks.
      uint64_t lag = x.last_seq_end > s.last_seq ? x.last_seq_end - s.last_seq : 0;
      f.lag_max = std::max(f.lag_max, lag);
      lag_sum += static_cast<double>(lag);
    }
    f.expected_ps /= f.hold;
    f.lag_mean = open_streams.empty() ? 0.0 : lag_sum / static_cast<double>(open_streams.size());
  }
  const bool hold_samples = rec.hold_start.fake.proc.ok && rec.hold_end.fake.proc.ok;
  if (hold_samples) {
    f.fake_cpu_hold = CpuPct(rec, rec.hold_start.fake, rec.hold_end.fake, 0);
    f.fake_wait = static_cast<double>(rec.hold_end.fake.proc.run_delay_ns - rec.hold_start.fake.proc.run_delay_ns) / 1e7 /
                  Seconds(rec.hold_end.fake.at - rec.hold_start.fake.at);
  }
  if (rec.proc_ramp_start.proc.ok && rec.hold_start.fake.proc.ok) {
    f.fake_cpu_ramp = CpuPct(rec, rec.proc_ramp_start, rec.hold_start.fake, 1e-3);
  }
  f.self_cpu = 100.0 * (rec.hold_end.self_cpu - rec.hold_start.self_cpu) / f.hold;
  f.self_wait = static_cast<double>(rec.hold_end.self_delay - rec.hold_start.self_delay) / 1e7 / f.hold;
  f.tty = static_cast<size_t>(std::count_if(targets.begin(), targets.end(), [](const Target& x) { return x.tty; }));
  f.ok = rec.open_at_end >= cfg.streams && t.gaps == 0 && t.dups == 0 && t.foreign == 0 && t.unparsable == 0 &&
         t.protocol_errors == 0;
  return f;
}

unsigned long long Ull(uint64_t v) { return static_cast<unsigned long long>(v); }

void PrintSummary(const Config& cfg, const RunRecord& rec, const Totals& t, size_t containers, const Figures& f) {
  std::printf("follow-load: %zu/%zu streams open at the end of the hold, over %zu containers (%zu TTY)\n",
              rec.open_at_end, cfg.streams, containers, f.tty);
  std::printf("  ramp:        %zu streams open after %.1f s (batches of %zu, every %.0f ms; %zu connect retries)%s\n",
              rec.ramp_open, rec.ramp_seconds, cfg.ramp_batch, cfg.ramp_interval_s * 1000, rec.connect_retries,
              rec.ramp_timed_out ? " [RAMP TIMED OUT]" : "");
  std::printf("  hold:        %.1f s%s\n", f.hold, rec.interrupted ? " (interrupted)" : "");
  std::printf("  received:    %.0f lines/s, %.3f MB/s of log text, %.3f MB/s on the wire (%llu lines in the hold)\n",
              f.lines_ps, f.payload_ps / 1e6, f.wire_ps / 1e6, Ull(f.lines_hold));
  if (f.have_gen) {
    std::printf("  fake wrote:  %.0f lines/s over its containers; the open streams should get %.0f lines/s: "
                "received/expected %.4f\n",
                f.generated_ps, f.expected_ps, f.expected_ps > 0 ? f.lines_ps / f.expected_ps : 0.0);
    std::printf("  lag at end:  max %llu, mean %.2f lines behind each container's last seq\n", Ull(f.lag_max),
                f.lag_mean);
  }
  std::printf("  continuity:  %llu gaps (%llu lines missing), %llu duplicates, %llu foreign, %llu unparsable lines; "
              "%llu error frames; %llu protocol errors (whole run, %llu lines)\n",
              Ull(t.gaps), Ull(t.missing), Ull(t.dups), Ull(t.foreign), Ull(t.unparsable), Ull(t.error_frames),
              Ull(t.protocol_errors), Ull(t.lines));
  std::printf("  streams:     %zu failed, %zu ended by the fake\n", rec.failed, rec.ended);
  for (const auto& [cat, fail] : rec.failures) {
    std::printf("    %zu x %s: %s\n", fail.first, cat.c_str(), fail.second.c_str());
  }
  const int pid = rec.fake_pid;
  if (pid > 0 && !rec.hold_end.fake.proc.ok) {
    std::printf("  fake pid %d: /proc/%d could not be read at the end (the fake is gone?)\n", pid, pid);
  } else if (pid > 0) {
    std::printf("  fake pid %d: threads %zu (max); CPU %.1f%% of one core in the hold (peak %.0f%% over %.0f s "
                "samples; %.1f%% during the ramp); RSS %.1f MiB at the end (peak %.1f); fds %zu at the end (peak %zu)\n",
                pid, rec.threads_max, f.fake_cpu_hold, rec.cpu_peak_pct, cfg.sample_interval_s, f.fake_cpu_ramp,
                static_cast<double>(rec.hold_end.fake.proc.rss_bytes / 1024) / 1024.0,
                static_cast<double>(rec.rss_peak_kib) / 1024.0, rec.hold_end.fake.proc.fds.total(), rec.fds_peak);
    std::printf("               runnable but waiting for a CPU %.1f%% of the hold (run-queue delay; machine load "
                "average %s at the start, %s at the end)\n",
                f.fake_wait, rec.hold_start.loadavg.c_str(), rec.hold_end.loadavg.c_str());
  }
  if (rec.truth_follow_open_end) {
    std::printf("  fake truth:  follow_streams_open %llu, connections_open %llu (includes this request)\n",
                Ull(*rec.truth_follow_open_end), Ull(rec.truth_connections_open_end.value_or(0)));
  }
  std::printf("  client:      CPU %.1f%% of one core in the hold, waited for a CPU %.1f%%; RLIMIT_NOFILE %llu\n",
              f.self_cpu, f.self_wait, Ull(rec.nofile_limit));
  std::printf("  result:      %s\n", f.ok ? "OK" : "FAIL");
}

json JsonLine(const Config& cfg, const RunRecord& rec, const Totals& t, size_t containers, const Figures& f) {
  json j = {{"tool", "follow-load"},
            {"ok", f.ok},
            {"streams_requested", cfg.streams},
            {"streams_open_end", rec.open_at_end},
            {"streams_failed", rec.failed},
            {"streams_ended", rec.ended},
            {"containers", containers},
            {"tty_containers", f.tty},
            {"ramp_s", rec.ramp_seconds},
            {"ramp_timed_out", rec.ramp_timed_out},
            {"connect_retries", rec.connect_retries},
            {"hold_s", f.hold},
            {"lines_hold", f.lines_hold},
            {"lines_per_s", f.lines_ps},
            {"payload_bytes_per_s", f.payload_ps},
            {"wire_bytes_per_s", f.wire_ps},
            {"lines_total", t.lines},
            {"gaps", t.gaps},
            {"missing_lines", t.missing},
            {"dups", t.dups},
            {"foreign_lines", t.foreign},
            {"unparsable_lines", t.unparsable},
            {"error_frames", t.error_frames},
            {"protocol_errors", t.protocol_errors},
            {"client_cpu_pct", f.self_cpu},
            {"client_runqueue_wait_pct", f.self_wait},
            {"loadavg_start", rec.hold_start.loadavg},
            {"loadavg_end", rec.hold_end.loadavg},
            {"rlimit_nofile", rec.nofile_limit}};
  if (f.have_gen) {
    j["generated_lines_per_s"] = f.generated_ps;
    j["expected_lines_per_s"] = f.expected_ps;
    j["received_over_expected"] = f.expected_ps > 0 ? f.lines_ps / f.expected_ps : 0.0;
    j["lag_lines_max"] = f.lag_max;
    j["lag_lines_mean"] = f.lag_mean;
  }
  if (rec.fake_pid > 0) {
    j["fake"] = {{"pid", rec.fake_pid},
                 {"threads_max", rec.threads_max},
                 {"cpu_pct_hold", f.fake_cpu_hold},
                 {"cpu_pct_peak_sample", rec.cpu_peak_pct},
                 {"cpu_pct_ramp", f.fake_cpu_ramp},
                 {"runqueue_wait_pct_hold", f.fake_wait},
                 {"rss_mib_end", static_cast<double>(rec.hold_end.fake.proc.rss_bytes / 1024) / 1024.0},
                 {"rss_mib_peak", static_cast<double>(rec.rss_peak_kib) / 1024.0},
                 // -1: /proc/<pid> could not be read at the end.
                 {"fds_end", rec.hold_end.fake.proc.ok ? static_cast<long long>(rec.hold_end.fake.proc.fds.total()) : -1},
                 {"fds_peak", rec.fds_peak}};
    if (rec.truth_follow_open_end) j["fake"]["truth_follow_streams_open"] = *rec.truth_follow_open_end;
  }
  json failures = json::object();
  for (const auto& [cat, fail] : rec.failures) failures[cat] = {{"count", fail.first}, {"first", fail.second}};
  j["failures"] = failures;
  return j;
}

}  // namespace

bool PrintReport(const Config& cfg, const RunRecord& rec, const Totals& whole_run, const std::vector<Target>& targets,
                 const std::vector<OpenStream>& open_streams) {
  const Figures f = Derive(cfg, rec, whole_run, targets, open_streams);
  PrintSummary(cfg, rec, whole_run, targets.size(), f);
  std::printf("%s\n", JsonLine(cfg, rec, whole_run, targets.size(), f).dump().c_str());
  std::fflush(stdout);
  return f.ok;
}

}  // namespace followload
