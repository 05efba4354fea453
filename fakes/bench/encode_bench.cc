// Micro-benchmarks of fake-dockerd's hot paths: EncodeEntry (a stored line to
// the bytes of /logs: text rendering, 16 KiB message split, optional
// timestamp, multiplexing header or raw TTY) and the per-container
// LogHistory (Append with eviction, LowerBound for since=).
// Throughput is reported as bytes_per_second (bytes written to the wire
// buffer) and items_per_second (lines, appends or lookups).
#include <benchmark/benchmark.h>

#include <random>
#include <string>

#include "fakes/dockerd/model/log_encoder.h"
#include "fakes/dockerd/model/log_history.h"
#include "fakes/dockerd/model/timestamp.h"

namespace {

using fakedocker::EncodeEntry;
using fakedocker::EncodeOptions;
using fakedocker::LogEntry;
using fakedocker::LogHistory;
using fakedocker::StreamId;

constexpr std::string_view kCid12 = "0123456789ab";

// Args: line bytes, timestamps (0/1), tty (0/1).
void BM_EncodeEntry(benchmark::State& state) {
  const auto bytes = static_cast<uint32_t>(state.range(0));
  EncodeOptions options;
  options.timestamps = state.range(1) != 0;
  options.tty = state.range(2) != 0;
  LogEntry e;
  e.ts = fakedocker::NowNanos();
  e.seq = 1'000'000;
  e.bytes = bytes;
  e.stream = StreamId::kStdout;
  std::string out;
  out.reserve(2 * (bytes + 64));
  uint64_t written = 0;
  for (auto _ : state) {
    out.clear();
    EncodeEntry(kCid12, e, options, 0, &out);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
    written += out.size();
    ++e.seq;
    e.ts += 10'000'000;
  }
  state.SetBytesProcessed(static_cast<int64_t>(written));
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(std::string(options.tty ? "tty" : "multiplexed") + (options.timestamps ? "+timestamps" : ""));
}
BENCHMARK(BM_EncodeEntry)
    ->ArgNames({"bytes", "ts", "tty"})
    ->Args({100, 0, 0})
    ->Args({100, 1, 0})
    ->Args({100, 0, 1})
    ->Args({100, 1, 1})
    ->Args({20000, 0, 0})
    ->Args({20000, 1, 0})
    ->Args({20000, 0, 1})
    ->Args({20000, 1, 1});

// A batch the way a follow stream fills it: encode lines into one buffer
// until it holds 64 KiB (log_stream.cc's kBatchBytes), then start over.
void BM_EncodeBatch64K(benchmark::State& state) {
  const auto bytes = static_cast<uint32_t>(state.range(0));
  EncodeOptions options;
  LogEntry e;
  e.ts = fakedocker::NowNanos();
  e.seq = 1'000'000;
  e.bytes = bytes;
  std::string out;
  out.reserve(128 * 1024);
  uint64_t written = 0;
  for (auto _ : state) {
    EncodeEntry(kCid12, e, options, 0, &out);
    if (out.size() >= 64 * 1024) {
      written += out.size();
      out.clear();
    }
    ++e.seq;
  }
  written += out.size();
  state.SetBytesProcessed(static_cast<int64_t>(written));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EncodeBatch64K)->ArgName("bytes")->Arg(100)->Arg(20000);

// Append to a full history (every append evicts the oldest entry).
void BM_LogHistoryAppend(benchmark::State& state) {
  const auto retention = static_cast<size_t>(state.range(0));
  LogHistory h(retention);
  LogEntry e;
  e.ts = 1'700'000'000'000'000'000;
  e.bytes = 100;
  for (size_t i = 0; i < retention; ++i) {
    ++e.seq;
    e.ts += 1000;
    h.Append(e);
  }
  for (auto _ : state) {
    ++e.seq;
    e.ts += 1000;
    h.Append(e);
    benchmark::DoNotOptimize(h.end());
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(sizeof(LogEntry)));
}
BENCHMARK(BM_LogHistoryAppend)->ArgName("retention")->Arg(10'000)->Arg(1'000'000);

// LowerBound for random timestamps inside a full history.
void BM_LogHistoryLowerBound(benchmark::State& state) {
  const auto retention = static_cast<size_t>(state.range(0));
  LogHistory h(retention);
  LogEntry e;
  const int64_t t0 = 1'700'000'000'000'000'000;
  e.ts = t0;
  e.bytes = 100;
  for (size_t i = 0; i < retention; ++i) {
    ++e.seq;
    e.ts += 1000;
    h.Append(e);
  }
  std::mt19937_64 rng(42);
  std::uniform_int_distribution<int64_t> pick(t0, e.ts);
  for (auto _ : state) {
    benchmark::DoNotOptimize(h.LowerBound(pick(rng)));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_LogHistoryLowerBound)->ArgName("retention")->Arg(10'000)->Arg(1'000'000);

}  // namespace

BENCHMARK_MAIN();
