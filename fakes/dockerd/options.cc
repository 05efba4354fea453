#include "fakes/dockerd/options.h"

#include <CLI/CLI.hpp>
#include <cstdio>

#include "common/duration.h"
#include "fakes/dockerd/actions.h"

namespace fakedocker {

std::optional<Options> ParseOptions(int argc, char** argv, int* exit_code) {
  CLI::App app{
      "fake-dockerd: a fake Docker Engine API (1.41) with synthetic containers that write endless,\n"
      "numbered log lines, for testing log followers. Drive it and read ground truth through the\n"
      "control socket (see fakes/README.md)."};
  Options o;
  DaemonConfig& d = o.daemon;
  std::string line_bytes = "100";
  std::string scenario_path;
  std::string tick = "10ms";
  app.add_option("--socket", o.socket, "Docker API Unix socket to create (a stale socket file is replaced)")->required();
  app.add_option("--control-socket", o.control_socket,
                 "control/truth API Unix socket (default: <socket>.control)");
  app.add_option("--containers", d.containers, "synthetic containers created and started at boot")
      ->check(CLI::Range(0, 1'000'000))->capture_default_str();
  app.add_option("--rate", d.generator.rate, "lines per second per container (0: only explicit emits)")
      ->check(CLI::Range(0.0, 1e6))->capture_default_str();
  app.add_option("--line-bytes", line_bytes,
                 "line length without newline: N or MIN-MAX (lines above 16384 are split like dockerd does)")
      ->capture_default_str();
  app.add_option("--tty-fraction", d.tty_fraction, "fraction of containers with Config.Tty=true (raw \\r\\n output)")
      ->check(CLI::Range(0.0, 1.0))->capture_default_str();
  app.add_option("--stderr-fraction", d.generator.stderr_fraction, "fraction of lines written to stderr")
      ->check(CLI::Range(0.0, 1.0))->capture_default_str();
  app.add_option("--burst", d.generator.burst, "consecutive lines that share one timestamp")
      ->check(CLI::Range(1, 1'000'000))->capture_default_str();
  app.add_option("--retention", d.retention, "lines each container keeps for since/until/tail")
      ->check(CLI::Range(1, 100'000'000))->capture_default_str();
  app.add_option("--seed", d.seed, "seed for ids, line sizes, stream choice and fault draws")->capture_default_str();
  app.add_option("--scenario", scenario_path, "YAML/JSON scenario: daemon settings and a timeline of actions")
      ->check(CLI::ExistingFile);
  app.add_option("--name-prefix", d.name_prefix, "container names are <prefix>-0001, ...")->capture_default_str();
  app.add_option("--tick", tick, "generator period (lines are stamped with their scheduled time)")
      ->capture_default_str();
  try {
    app.parse(argc, argv);
    try {
      ParseLineBytes(line_bytes, &d.generator.min_bytes, &d.generator.max_bytes);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(std::string("--line-bytes: ") + e.what());
    }
    auto t = leakbench::ParseDuration(tick);
    if (t < std::chrono::milliseconds(1) || t > std::chrono::seconds(1)) {
      throw std::invalid_argument("--tick must be between 1ms and 1s");
    }
    d.tick = std::chrono::duration_cast<std::chrono::milliseconds>(t);
    if (!scenario_path.empty()) {
      o.scenario = LoadScenario(scenario_path);
      const auto& s = o.scenario->daemon;
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
