// log-capturer: follows every container's logs through the Docker API with
// rotated streams and a bounded stream pool, and writes them to a sink.
// Thin main: flags/config -> sink, metrics, engine; SIGINT/SIGTERM stop it,
// SIGHUP makes the file sink reopen its path.
#include <curl/curl.h>
#include <signal.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "core/config/command_line.h"
#include "core/engine/engine.h"
#include "core/config/leak_kind.h"
#include "core/metrics/engine_metrics.h"
#include "core/position/state_file.h"
#include "core/sink/make_sink.h"

namespace {

// libcurl's global state, once per process, released at exit.
class CurlGlobal {
 public:
  CurlGlobal() {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) throw std::runtime_error("curl_global_init failed");
  }
  ~CurlGlobal() { curl_global_cleanup(); }
  CurlGlobal(const CurlGlobal&) = delete;
  CurlGlobal& operator=(const CurlGlobal&) = delete;
};

void SetUpLogging(const std::string& level) {
  auto logger = spdlog::stderr_logger_mt("log-capturer");
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%fZ %l %v", spdlog::pattern_time_type::utc);
  logger->set_level(spdlog::level::from_str(level));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

}  // namespace

int main(int argc, char** argv) {
  logcap::CommandLineResult parsed = logcap::ParseCommandLine(argc, argv);
  if (!parsed.config) {
    std::fputs(parsed.message.c_str(), parsed.exit_code == 0 ? stdout : stderr);
    if (!parsed.message.empty() && parsed.message.back() != '\n') std::fputc('\n', parsed.exit_code == 0 ? stdout : stderr);
    return parsed.exit_code;
  }
  const logcap::Config& config = *parsed.config;
  if (const auto unusable = logcap::CheckStateFileWritable(config.state_file)) {
    std::fprintf(stderr, "log-capturer: %s\n", unusable->message.c_str());
    return 2;
  }

  // Every thread started from here on inherits this mask: only the main
  // thread takes SIGINT/SIGTERM/SIGHUP (sigtimedwait below).
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGHUP);  // not a stop: the file sink reopens its path (logrotate)
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);  // a closed stdout or socket is an error value, not a death

  try {
    SetUpLogging(config.log_level);
    CurlGlobal curl;
    std::unique_ptr<logcap::Sink> sink = logcap::MakeSink(config.sink);
    logcap::EngineMetrics metrics(config.metrics_listen);
    logcap::Engine engine(config, *sink, metrics);
    spdlog::info("log-capturer: sink {}, max_streams {}, rotation every {} ms{}{}", sink->description(),
                 config.docker.max_streams,
                 std::chrono::duration_cast<std::chrono::milliseconds>(config.docker.rotation_interval).count(),
                 metrics.port() != 0 ? ", metrics on http://" + config.metrics_listen.substr(0, config.metrics_listen.rfind(':') + 1) +
                                           std::to_string(metrics.port()) + "/metrics"
                                     : std::string(),
                 config.leak != logcap::LeakKind::kNone
                     ? ", INJECTING LEAK: " + std::string(logcap::LeakKindName(config.leak))
                     : std::string());

    std::atomic<bool> engine_done{false};
    std::exception_ptr engine_error;
    std::thread loop([&] {
      try {
        engine.Run();
      } catch (...) {
        engine_error = std::current_exception();
      }
      engine_done.store(true);
    });

    int received = 0;
    const timespec tick{0, 100'000'000};
    while (!engine_done.load()) {
      const int sig = sigtimedwait(&stop_signals, nullptr, &tick);
      if (sig == SIGHUP) {
        spdlog::info("received SIGHUP: sink {} reopens its path before the next line", sink->description());
        sink->Reopen();
        continue;
      }
      if (sig > 0) {
        received = sig;
        break;
      }
      if (const std::optional<std::string> fatal = sink->fatal_error()) {
        // Close then reports failure, so the exit status is 1.
        spdlog::critical("stopping: sink {} cannot go on: {}", sink->description(), *fatal);
        break;
      }
    }
    const auto stop_started = std::chrono::steady_clock::now();
    if (received != 0) spdlog::info("received {}: stopping", received == SIGINT ? "SIGINT" : "SIGTERM");
    engine.Stop();
    loop.join();
    // Whatever is left of the 2 s budget goes to flushing the sink.
    const auto spent = std::chrono::steady_clock::now() - stop_started;
    const auto budget = std::chrono::milliseconds(1700) - std::chrono::duration_cast<std::chrono::milliseconds>(spent);
    const bool flushed = sink->Close(std::max(budget, std::chrono::milliseconds(100)));
    // Only now, with the sink closed, do the saved positions include every
    // record it acknowledged (and none it did not).
    engine.SaveFinalState();
    const logcap::SinkStats s = sink->stats();
    if (engine_error) std::rethrow_exception(engine_error);
    if (const std::optional<std::string> fatal = sink->fatal_error()) {
      const std::uint64_t undelivered = s.records_accepted - std::min(s.records_accepted, s.records_acknowledged);
      spdlog::error("sink {} failed for good ({}); {} records were not delivered{}", sink->description(), *fatal,
                    undelivered,
                    config.state_file.empty() ? ""
                                              : "; the state file keeps every container's position before them, "
                                                "so they are read again from the daemon at the next start");
      return 1;
    }
    if (!flushed) {
      const std::uint64_t undelivered = s.records_accepted - std::min(s.records_accepted, s.records_acknowledged);
      spdlog::error("sink {}: {} records were not delivered before the shutdown deadline; {}", sink->description(),
                    undelivered,
                    config.state_file.empty()
                        ? "they are lost: without --state-file nothing remembers where to read again "
                          "(use --state-file to have them re-read from the daemon at the next start)"
                        : "the state file keeps every container's position before them, so they are read "
                          "again from the daemon at the next start");
      return 1;
    }
    spdlog::info("stopped: {} records written to {}", s.records_written, sink->description());
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "log-capturer: %s\n", e.what());
    return 1;
  }
}
