// Micro-benchmarks of the sink hot path: AppendJsonLine (escaping + the
// RFC3339Nano timestamp, also alone) on plain ASCII lines of 100 B and 1 KiB, lines full
// of characters to escape, valid multi-byte UTF-8 and ill-formed UTF-8; and
// TryWrite through a whole JSON Lines sink writing to /dev/null.
// bytes_per_second counts the bytes of the input lines, items_per_second
// the records.
#include <benchmark/benchmark.h>

#include <chrono>
#include <random>
#include <string>

#include "common/rfc3339_nano.h"
#include "core/sink/json_line.h"
#include "core/sink/jsonl_sink.h"

namespace {

using logcap::LogRecord;

constexpr std::string_view kId = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

enum Kind : int { kAscii, kEscapes, kUtf8, kInvalidUtf8 };

std::string MakeLine(Kind kind, std::size_t bytes) {
  std::mt19937 rng(1);
  std::string line;
  while (line.size() < bytes) {
    switch (kind) {
      case kAscii:
        line += static_cast<char>('a' + rng() % 26);
        if (rng() % 8 == 0) line += ' ';
        break;
      case kEscapes:  // a quote, backslash, tab or control every other byte
        line += "a\"b\\c\td\x01"[rng() % 8];
        break;
      case kUtf8:  // Cyrillic, CJK and emoji between ASCII words
        line += rng() % 2 ? "\xD0\x96" : rng() % 2 ? "\xE6\x97\xA5" : "\xF0\x9F\x98\x80 ";
        break;
      case kInvalidUtf8:  // ASCII text with a stray high byte every ~10 bytes
        line += rng() % 10 == 0 ? static_cast<char>(0x80 + rng() % 128) : 'x';
        break;
    }
  }
  line.resize(bytes);
  return line;
}

const char* KindName(Kind kind) {
  switch (kind) {
    case kAscii: return "ascii";
    case kEscapes: return "escapes";
    case kUtf8: return "utf8";
    case kInvalidUtf8: return "invalid-utf8";
  }
  return "?";
}

// Args: line bytes, kind.
void BM_AppendJsonLine(benchmark::State& state) {
  const auto kind = static_cast<Kind>(state.range(1));
  const std::string line = MakeLine(kind, static_cast<std::size_t>(state.range(0)));
  LogRecord record;
  record.ts_ns = 1795877039860773509;
  record.container_id = kId;
  record.container_name = "web-frontend-1";
  record.line = line;
  std::string out;
  out.reserve(64 * 1024);
  for (auto _ : state) {
    if (out.size() > 60 * 1024) out.clear();
    benchmark::DoNotOptimize(logcap::AppendJsonLine(record, out));
    benchmark::ClobberMemory();
    ++record.ts_ns;
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * line.size()));
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(KindName(kind));
}
BENCHMARK(BM_AppendJsonLine)
    ->ArgNames({"bytes", "kind"})
    ->Args({100, kAscii})
    ->Args({1024, kAscii})
    ->Args({100, kEscapes})
    ->Args({1024, kEscapes})
    ->Args({1024, kUtf8})
    ->Args({100, kInvalidUtf8})
    ->Args({1024, kInvalidUtf8});

// The timestamp alone (part of every record).
void BM_AppendRfc3339Nano(benchmark::State& state) {
  std::string out;
  out.reserve(64 * 1024);
  int64_t ts = 1795877039860773509;
  for (auto _ : state) {
    if (out.size() > 60 * 1024) out.clear();
    leakbench::AppendRfc3339Nano(ts, out);
    benchmark::ClobberMemory();
    ts += 1'000'003;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AppendRfc3339Nano);

// TryWrite into a JSON Lines sink on /dev/null (the writer thread drains it
// concurrently); a refusal is retried, so this measures the end-to-end rate.
void BM_JsonlSinkTryWrite(benchmark::State& state) {
  auto sink = logcap::MakeJsonlFileSink("/dev/null", 8 << 20);
  const std::string line = MakeLine(kAscii, static_cast<std::size_t>(state.range(0)));
  LogRecord record;
  record.container_id = kId;
  record.container_name = "web-frontend-1";
  record.line = line;
  for (auto _ : state) {
    while (!sink->TryWrite(record)) {
    }
    ++record.ts_ns;
  }
  sink->Close(std::chrono::seconds(10));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * line.size()));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_JsonlSinkTryWrite)->ArgName("bytes")->Arg(100)->Arg(1024)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
