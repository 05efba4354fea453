// follow-load: a one-thread load client for fake-dockerd's follow streams.
//
// It lists the fake's containers (GET /containers/json, then each one's
// /containers/{id}/json for Config.Tty), opens N concurrent
//   GET /containers/{id}/logs?follow=1&stdout=1&stderr=1
// streams spread round-robin over them, ramping up in batches, holds them for
// D seconds and then reports what it received and what the fake cost.
//
// Everything on the wire is decoded by client code written independently of
// the fake's encoder (no fakes/dockerd header is included) and of core/: the
// HTTP/1.1 response head (http_head.h, beside this file), chunked transfer
// coding (fakes/client/chunk_decoder.h), Docker's 8-byte multiplexing header
// ([stream, 0, 0, 0, length as big-endian uint32], fakes/client/frame_decoder.h,
// shared with the fake's HTTP test client) for non-TTY containers and raw
// bytes for TTY ones (a line is whatever ends in "\n").
// Every log line is checked (line_checker.h): its "cid=" must be the followed
// container's and its "seq=" must be the previous line's + 1 (seq counts per
// container across stdout and stderr).
//
// Meanwhile it samples the fake's process (common/proc/proc_sample.h:
// /proc/<pid>/status Threads and VmRSS, /proc/<pid>/stat utime+stime,
// schedstat, /proc/<pid>/fd) and the fake's ground truth (control socket
// GET /truth, GET /containers for what it generated). load_run.h runs the
// phases; report.h prints the result.
//
// Reading is readiness based: a stream waits until its socket is readable and
// then reads into one buffer shared by all streams, so an idle stream costs
// well under 1 KiB here.
//
// This file holds only the command line.
//
// Output: a human summary on stdout and, as the last stdout line, one JSON
// object for scripts. Exit status: 0 when every requested stream was open at
// the end and no stream saw a gap, duplicate, foreign or unparsable line or a
// protocol error; 1 otherwise; 2 when the run could not be set up.
#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <exception>
#include <optional>
#include <string>

#include "common/duration.h"
#include "fakes/bench/load_run.h"
#include "fakes/bench/load_types.h"

namespace {

std::optional<double> DurationSeconds(const std::string& text, const char* flag) {
  try {
    return std::chrono::duration<double>(leakbench::ParseDuration(text)).count();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "follow-load: %s: %s\n", flag, e.what());
    return std::nullopt;
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{
      "follow-load: open N concurrent follow streams (GET /containers/{id}/logs?follow=1&stdout=1&stderr=1) on a\n"
      "fake-dockerd, hold them, check every line's seq, and measure what the fake costs (one thread)."};
  followload::Config cfg;
  std::string duration = "30s", ramp_interval = "100ms", ramp_timeout = "120s", sample_interval = "1s";
  std::optional<std::string> control;
  cli.add_option("--socket", cfg.socket, "the fake's Docker API Unix socket")->required();
  cli.add_option("--control-socket", control,
                 "the fake's control socket for GET /ping, /truth, /containers (default <socket>.control; '' = none)");
  cli.add_option("-n,--streams", cfg.streams, "concurrent follow streams")->capture_default_str()->check(CLI::Range(1, 1'000'000));
  cli.add_option("-d,--duration", duration, "how long to hold them once all are open")->capture_default_str();
  cli.add_option("--ramp-batch", cfg.ramp_batch, "streams opened per ramp step (and at most this many awaiting a head)")
      ->capture_default_str()->check(CLI::Range(1, 1'000'000));
  cli.add_option("--ramp-interval", ramp_interval, "time between ramp steps")->capture_default_str();
  cli.add_option("--ramp-timeout", ramp_timeout, "give up waiting for all streams to open after this long")->capture_default_str();
  cli.add_option("--sample-interval", sample_interval, "how often to sample the fake and print progress")->capture_default_str();
  cli.add_option("--fake-pid", cfg.fake_pid, "the fake's pid (default: from the control socket's GET /ping)");
  cli.add_option("--max-containers", cfg.max_containers, "follow only the first K containers (0 = all)")->capture_default_str();
  cli.add_option("--tail", cfg.tail, "add tail=VALUE to the query (default: none, i.e. the whole history first)");
  cli.add_flag("--timestamps", cfg.timestamps, "add timestamps=1 to the query");
  cli.add_option("--api-prefix", cfg.api_prefix, "path prefix such as /v1.41 (default: none)");
  cli.add_flag("-q,--quiet", cfg.quiet, "no progress lines on stderr");
  CLI11_PARSE(cli, argc, argv);
  cfg.control_socket = control ? *control : cfg.socket + ".control";
  if (cfg.control_socket == "none") cfg.control_socket.clear();
  auto d = DurationSeconds(duration, "--duration");
  auto ri = DurationSeconds(ramp_interval, "--ramp-interval");
  auto rt = DurationSeconds(ramp_timeout, "--ramp-timeout");
  auto si = DurationSeconds(sample_interval, "--sample-interval");
  if (!d || !ri || !rt || !si) return 2;
  if (*si <= 0 || *ri <= 0) {
    std::fprintf(stderr, "follow-load: --sample-interval and --ramp-interval must be positive\n");
    return 2;
  }
  cfg.duration_s = *d;
  cfg.ramp_interval_s = *ri;
  cfg.ramp_timeout_s = *rt;
  cfg.sample_interval_s = *si;

  std::signal(SIGPIPE, SIG_IGN);
  boost::asio::io_context io(1);
  followload::LoadRun app(io, cfg);
  app.Start();
  io.run();
  return app.exit_code();
}
