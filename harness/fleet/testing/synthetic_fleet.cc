#include "harness/fleet/testing/synthetic_fleet.h"

#include <array>
#include <cmath>
#include <cstdio>
#include <optional>
#include <random>

namespace leakbench::harness::testing {
namespace synthetic_fleet {

constexpr double kMiB = 1024 * 1024;

// One family of the output: its OpenMetrics name and type, and the sample name.
struct Family {
  const char* family;
  const char* type;
  const char* sample;
};
constexpr std::array<Family, 6> kFamilies = {{
    {"log_capturer_process_threads", "gauge", "log_capturer_process_threads"},
    {"log_capturer_process_open_fds", "gauge", "log_capturer_process_open_fds"},
    {"log_capturer_process_resident_memory_bytes", "gauge", "log_capturer_process_resident_memory_bytes"},
    {"log_capturer_container_streams_active", "gauge", "log_capturer_container_streams_active"},
    {"log_capturer_container_stream_rotations", "counter", "log_capturer_container_stream_rotations_total"},
    {"process_start_time_seconds", "gauge", "process_start_time_seconds"},
}};
enum Col { kThreads, kFds, kRss, kStreams, kRotations, kStart };

using Series = std::array<std::vector<std::optional<double>>, kFamilies.size()>;

struct Plan {
  double thread_leak = 0, fd_leak = 0, rss_leak = 0;  // per minute
  std::vector<double> restarts;                        // fractions of the range
  bool start_time = true;                              // exports process_start_time_seconds
  double restart_step = 0;                             // levels rise by this factor of their base at each restart
  bool spikes = false;
  double step_at = -1;                                 // a one-off +1 thread at this fraction
  double gap_from = -1, gap_to = -1;                   // no scrape in [from, to) (fractions)
  double first = 0;                                    // first scrape (fraction): later = too short
  bool no_threads = false;
};

Plan PlanFor(const std::string& kind, const SyntheticSpec& s, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> u(0, 1);
  Plan p;
  if (kind == "healthy-step") p.step_at = 0.2 + 0.6 * u(rng);
  if (kind == "healthy-spikes") p.spikes = true;
  if (kind == "healthy-gap") {
    p.gap_from = 0.3 + 0.3 * u(rng);
    p.gap_to = p.gap_from + 0.25;
  }
  if (kind == "healthy-restart") {
    p.restarts = {0.35 + 0.3 * u(rng)};
    p.restart_step = 1.5;  // the new process settles 2.5x higher: a plateau, not growth
  }
  if (kind == "healthy-restart-no-start-time") {
    p.restarts = {0.4 + 0.2 * u(rng)};
    p.restart_step = 1.5;
    p.start_time = false;
  }
  if (kind == "healthy-restarts-twice") p.restarts = {0.3, 0.65};
  if (kind == "leak-threads") p.thread_leak = s.thread_leak_per_min * (1 + u(rng));
  if (kind == "leak-fds") p.fd_leak = s.fd_leak_per_min * (1 + u(rng));
  if (kind == "leak-rss") p.rss_leak = s.rss_leak_mib_per_min * kMiB * (1 + u(rng));
  if (kind == "leak-threads-noisy") {
    p.thread_leak = s.thread_leak_per_min * (1 + u(rng));
    p.spikes = true;
  }
  if (kind == "leak-rss-restart") {
    p.rss_leak = s.rss_leak_mib_per_min * kMiB * (1 + u(rng));
    p.restarts = {0.5};
  }
  if (kind == "leak-fds-gap") {
    p.fd_leak = s.fd_leak_per_min * (1 + u(rng));
    p.gap_from = 0.4;
    p.gap_to = 0.6;
  }
  if (kind == "too-short") p.first = 1 - 20 * 60 / s.duration_s;  // the last 20 minutes only
  if (kind == "missing-threads") p.no_threads = true;
  return p;
}

Truth TruthOf(const std::string& kind) {
  if (kind.rfind("leak-", 0) == 0) return Truth::kLeaking;
  if (kind == "too-short") return Truth::kTooShort;
  if (kind == "missing-threads") return Truth::kMissingMetric;
  return Truth::kHealthy;
}

Series Generate(const Plan& p, const SyntheticSpec& s, std::mt19937_64& rng) {
  std::normal_distribution<double> noise(0, 1);
  std::uniform_real_distribution<double> u(0, 1);
  const std::size_t steps = static_cast<std::size_t>(s.duration_s / s.scrape_s) + 1;
  Series out;
  for (auto& col : out) col.assign(steps, std::nullopt);
  const double base_threads = 12 + std::floor(8 * u(rng)), base_fds = 40 + std::floor(30 * u(rng));
  const double base_rss = (50 + 40 * u(rng)) * kMiB, rotations_per_s = 0.1 + 0.2 * u(rng);
  double process_start = s.start - 3600 * (1 + 24 * u(rng));  // running for hours already
  double since = -1;                                           // process age at the range start is unknown: ages from here
  double rotations = std::floor(1e4 * u(rng));
  std::size_t restart = 0;
  double level = 1;
  for (std::size_t i = 0; i < steps; ++i) {
    const double t = s.start + static_cast<double>(i) * s.scrape_s;
    const double frac = static_cast<double>(i) / static_cast<double>(steps - 1);
    if (restart < p.restarts.size() && frac >= p.restarts[restart]) {
      ++restart;
      process_start = t - 5 * u(rng);
      rotations = 0;
      level += p.restart_step;
      since = t;
    }
    if (frac < p.first || (frac >= p.gap_from && frac < p.gap_to)) continue;
    const double minutes = (t - (since < 0 ? s.start : since)) / 60;
    // The first two minutes of a new process: memory and threads still warming up.
    const double warm = since < 0 ? 1 : std::min(1.0, 0.4 + 0.3 * minutes);
    double threads = std::round(base_threads * level * warm + p.thread_leak * minutes);
    if (u(rng) < 0.01) threads += 1;  // a short-lived worker seen once
    if (p.step_at >= 0 && frac >= p.step_at) threads += 1;
    double fds = std::round(base_fds * level * warm + p.fd_leak * minutes + 2 * noise(rng));
    double rss = base_rss * level * warm + p.rss_leak * minutes + 0.8 * kMiB * noise(rng);
    if (p.spikes && u(rng) < 0.02) {
      threads += 40;
      fds += 100;
      rss += 200 * kMiB;
    }
    rotations += rotations_per_s * s.scrape_s;
    if (!p.no_threads) out[kThreads][i] = threads;
    out[kFds][i] = fds;
    out[kRss][i] = std::round(rss);
    out[kStreams][i] = std::min(50.0, std::round(30 + 5 * noise(rng)));
    out[kRotations][i] = std::floor(rotations);
    if (p.start_time) out[kStart][i] = std::round(process_start);
  }
  return out;
}

}  // namespace synthetic_fleet

const char* TruthName(Truth truth) {
  switch (truth) {
    case Truth::kHealthy: return "healthy";
    case Truth::kLeaking: return "leaking";
    case Truth::kTooShort: return "too short";
    case Truth::kMissingMetric: return "metric missing";
  }
  return "?";
}

const std::vector<std::string>& SyntheticKinds() {
  static const std::vector<std::string> kinds = {
      "healthy",         "healthy-step",      "healthy-spikes",     "healthy-gap",
      "healthy-restart", "healthy-restart-no-start-time", "healthy-restarts-twice", "leak-threads",
      "leak-fds",        "leak-rss",          "leak-threads-noisy", "leak-rss-restart",
      "leak-fds-gap",    "too-short",         "missing-threads",    "healthy"};
  return kinds;
}

std::vector<SyntheticInstance> WriteSyntheticFleet(const SyntheticSpec& spec, std::ostream& out) {
  using namespace synthetic_fleet;
  std::vector<SyntheticInstance> instances;
  std::vector<Series> series;
  for (std::size_t n = 0; n < spec.instances; ++n) {
    std::mt19937_64 rng(spec.seed * 1000003 + n);
    const std::string& kind = SyntheticKinds()[n % SyntheticKinds().size()];
    char name[64];
    std::snprintf(name, sizeof name, "host-%04zu:9464", n);
    const Plan plan = PlanFor(kind, spec, rng);
    instances.push_back({name, kind, TruthOf(kind), plan.restarts.size()});
    series.push_back(Generate(plan, spec, rng));
  }
  char line[256];
  for (std::size_t f = 0; f < kFamilies.size(); ++f) {
    out << "# TYPE " << kFamilies[f].family << " " << kFamilies[f].type << "\n";
    for (std::size_t n = 0; n < instances.size(); ++n) {
      const auto& col = series[n][f];
      for (std::size_t i = 0; i < col.size(); ++i) {
        if (!col[i]) continue;
        std::snprintf(line, sizeof line, "%s{instance=\"%s\",job=\"log-capturer\"} %.17g %.3f\n", kFamilies[f].sample,
                      instances[n].instance.c_str(), *col[i], spec.start + static_cast<double>(i) * spec.scrape_s);
        out << line;
      }
    }
  }
  out << "# EOF\n";
  return instances;
}

}  // namespace leakbench::harness::testing
