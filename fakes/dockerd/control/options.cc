#include "fakes/dockerd/control/options.h"

#include <CLI/CLI.hpp>
#include <cstdint>
#include <cstdio>

#include "fakes/dockerd/control/actions.h"
#include "fakes/dockerd/model/checked_value.h"

namespace fakedocker {

std::optional<Options> ParseOptions(int argc, char** argv, int* exit_code) {
  CLI::App app{
      "fake-dockerd: a fake Docker Engine API (1.41) with synthetic containers that write endless,\n"
      "numbered log lines, for testing log followers. Drive it and read ground truth through the\n"
      "control socket (see fakes/README.md)."};
  // One line per error, with what to do.
  app.failure_message([](const CLI::App*, const CLI::Error& e) {
    std::string what = e.what();
    if (what.size() > 400) what = what.substr(0, 400) + "...";
    return "fake-dockerd: " + what + " (fake-dockerd --help lists every flag)\n";
  });
  Options o;
  DaemonConfig& d = o.daemon;
  // Numbers are taken as text and checked here (CLI::Range lets NaN through).
  std::string containers, rate, tty_fraction, stderr_fraction, burst, retention, seed;
  std::string line_bytes = "100";
  std::string scenario_path;
  std::string tick = "10ms";
  std::string stderr_lag;
  app.add_option("--socket", o.socket, "Docker API Unix socket to create (a stale socket file is replaced)")->required();
  app.add_option("--control-socket", o.control_socket,
                 "control/truth API Unix socket (default: <socket>.control)");
  app.add_option("--containers", containers, "synthetic containers created and started at boot (0-1000000)")
      ->default_str(std::to_string(d.containers));
  app.add_option("--rate", rate, "lines per second per container, 0-1000000 (0: only explicit emits)")
      ->default_str("10");
  app.add_option("--line-bytes", line_bytes,
                 "line length without newline: N or MIN-MAX (lines above 16384 are split like dockerd does)")
      ->capture_default_str();
  app.add_option("--tty-fraction", tty_fraction, "fraction of containers with Config.Tty=true (raw \\r\\n output), 0-1")
      ->default_str("0");
  app.add_option("--stderr-fraction", stderr_fraction, "fraction of lines written to stderr, 0-1")
      ->default_str("0.2");
  app.add_option("--stderr-lag", stderr_lag,
                 "stamp stderr lines this much before they are written, 0-60s (a starved dockerd's lagging copier)")
      ->default_str("0");
  app.add_option("--burst", burst, "consecutive lines that share one timestamp (1-1000000)")->default_str("1");
  app.add_option("--retention", retention, "lines each container keeps for since/until/tail (1-100000000)")
      ->default_str(std::to_string(d.retention));
  app.add_option("--seed", seed, "seed for ids, line sizes, stream choice and fault draws")->default_str("1");
  app.add_option("--scenario", scenario_path, "YAML/JSON scenario: daemon settings and a timeline of actions")
      ->check(CLI::ExistingFile);
  app.add_option("--name-prefix", d.name_prefix, "container names are <prefix>-0001, ...")->capture_default_str();
  app.add_option("--tick", tick, "generator period, 1ms-1s (lines are stamped with their scheduled time)")
      ->capture_default_str();
  try {
    app.parse(argc, argv);
    if (o.socket.empty()) throw ValueError("--socket: must not be empty (give the path of the Unix socket to create)");
    if (app.count("--control-socket") != 0 && o.control_socket.empty()) {
      throw ValueError("--control-socket: must not be empty (leave the flag out for <socket>.control)");
    }
    if (!containers.empty()) d.containers = ParseCheckedCount("--containers", containers, 0, 1'000'000);
    if (!rate.empty()) d.generator.rate = ParseCheckedReal("--rate", rate, 0, 1e6);
    if (!tty_fraction.empty()) d.tty_fraction = ParseCheckedReal("--tty-fraction", tty_fraction, 0, 1);
    if (!stderr_fraction.empty()) {
      d.generator.stderr_fraction = ParseCheckedReal("--stderr-fraction", stderr_fraction, 0, 1);
    }
    if (!stderr_lag.empty()) {
      d.generator.stderr_lag_ns = ParseCheckedDuration("--stderr-lag", stderr_lag, {}, kMaxStderrLag).count();
    }
    if (!burst.empty()) d.generator.burst = static_cast<uint32_t>(ParseCheckedCount("--burst", burst, 1, 1'000'000));
    if (!retention.empty()) d.retention = ParseCheckedCount("--retention", retention, 1, 100'000'000);
    if (!seed.empty()) d.seed = ParseCheckedCount("--seed", seed, 0, UINT64_MAX);
    try {
      ParseLineBytes(line_bytes, &d.generator.min_bytes, &d.generator.max_bytes);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(std::string("--line-bytes: ") + e.what());
    }
    d.tick = std::chrono::duration_cast<std::chrono::milliseconds>(
        ParseCheckedDuration("--tick", tick, std::chrono::milliseconds(1), std::chrono::seconds(1)));
    if (!scenario_path.empty()) {
      o.scenario = LoadScenario(scenario_path);
      const auto& s = o.scenario->daemon;
      // LoadScenario checked every value against the same ranges.
      auto from_file = [&](const char* key, const char* flag, auto* out) {
        if (s.contains(key) && app.count(flag) == 0) *out = s[key].get<std::decay_t<decltype(*out)>>();
      };
      from_file("containers", "--containers", &d.containers);
      from_file("rate", "--rate", &d.generator.rate);
      from_file("tty_fraction", "--tty-fraction", &d.tty_fraction);
      from_file("stderr_fraction", "--stderr-fraction", &d.generator.stderr_fraction);
      from_file("retention", "--retention", &d.retention);
      from_file("seed", "--seed", &d.seed);
      from_file("burst", "--burst", &d.generator.burst);
      if (s.contains("stderr_lag") && app.count("--stderr-lag") == 0) {
        d.generator.stderr_lag_ns = CheckedDuration("stderr_lag", s["stderr_lag"], {}, kMaxStderrLag).count();
      }
      if (s.contains("line_bytes") && app.count("--line-bytes") == 0) {
        const auto& v = s["line_bytes"];
        ParseLineBytes(v.is_string() ? v.get<std::string>() : v.dump(), &d.generator.min_bytes, &d.generator.max_bytes);
      }
    }
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    *exit_code = rc == 0 ? 0 : 2;
    return std::nullopt;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fake-dockerd: %s\n", e.what());
    *exit_code = 2;
    return std::nullopt;
  }
  if (o.control_socket.empty()) o.control_socket = o.socket + ".control";
  return o;
}

}  // namespace fakedocker
