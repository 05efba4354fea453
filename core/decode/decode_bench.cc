// Throughput of the /logs body decoding path, FrameDecoder + LineAssembler,
// fed the body in 16 KiB slices (the size a libcurl write callback gets):
// multiplexed 100-byte lines with timestamps, 40 KiB lines that dockerd split
// into 16 KiB pieces (multiplexed, timestamps), and raw TTY lines ("\r\n",
// timestamps). bytes_per_second counts body bytes, items_per_second lines.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <string>

#include "common/rfc3339_nano.h"
#include "core/decode/frame_decoder.h"
#include "core/decode/line_assembler.h"

namespace {

using logcap::FrameDecoder;
using logcap::FrameDecoderOptions;
using logcap::FrameMode;
using logcap::LineAssembler;

constexpr std::size_t kSlice = 16 * 1024;
constexpr std::size_t kPiece = 16 * 1024;   // dockerd's split size
constexpr std::size_t kBodyBytes = 4 << 20;  // per benchmark iteration
constexpr int64_t kTs = 1795877039860773509;

// One daemon record: "<ts> " + content, behind a multiplexed header unless tty.
void AppendRecord(std::string& body, int64_t ts, std::string_view content, bool tty) {
  const std::string payload = leakbench::FormatRfc3339Nano(ts) + " " + std::string(content);
  if (!tty) {
    const auto n = static_cast<uint32_t>(payload.size());
    const char header[8] = {1, 0, 0, 0, static_cast<char>(n >> 24), static_cast<char>(n >> 16),
                            static_cast<char>(n >> 8), static_cast<char>(n)};
    body.append(header, sizeof header);
  }
  body += payload;
}

// About kBodyBytes of lines of `line_bytes` bytes each, split into 16 KiB
// records like dockerd; TTY lines end "\r\n".
std::string MakeBody(std::size_t line_bytes, bool tty, int64_t* lines) {
  std::string body;
  int64_t ts = kTs;
  *lines = 0;
  while (body.size() < kBodyBytes) {
    std::string text(line_bytes, 'a');
    for (std::size_t i = 0; i < text.size(); i += 7) text[i] = static_cast<char>('a' + (i + *lines) % 26);
    text += tty ? "\r\n" : "\n";
    for (std::size_t at = 0; at < text.size(); at += kPiece) {
      AppendRecord(body, ts, std::string_view(text).substr(at, kPiece), tty);
    }
    ts += 1000;
    ++*lines;
  }
  return body;
}

// Args: line bytes, tty (0/1).
void BM_DecodeAndAssemble(benchmark::State& state) {
  const auto line_bytes = static_cast<std::size_t>(state.range(0));
  const bool tty = state.range(1) != 0;
  int64_t lines_per_body = 0;
  const std::string body = MakeBody(line_bytes, tty, &lines_per_body);
  FrameDecoder decoder(FrameDecoderOptions{.mode = tty ? FrameMode::kRaw : FrameMode::kMultiplexed,
                                           .timestamps = true});
  LineAssembler assembler;
  int64_t lines = 0;
  uint64_t text_bytes = 0;
  const logcap::LineCallback on_line = [&](const logcap::Line& line) {
    ++lines;
    text_bytes += line.text.size();
  };
  const logcap::MessageCallback on_message = [&](const logcap::Message& message) {
    assembler.Add(message, on_line);
  };
  for (auto _ : state) {
    decoder.Reset();
    for (std::size_t at = 0; at < body.size(); at += kSlice) {
      const logcap::DecodeStatus status =
          decoder.Feed(std::string_view(body).substr(at, std::min(kSlice, body.size() - at)), on_message);
      if (!status.ok()) {
        state.SkipWithError(status.detail.c_str());
        return;
      }
    }
  }
  benchmark::DoNotOptimize(text_bytes);
  if (lines != lines_per_body * state.iterations()) state.SkipWithError("lost lines");
  state.SetBytesProcessed(static_cast<int64_t>(body.size()) * state.iterations());
  state.SetItemsProcessed(lines);
  state.SetLabel(std::string(tty ? "tty" : "multiplexed") + "+timestamps");
}
BENCHMARK(BM_DecodeAndAssemble)
    ->ArgNames({"line", "tty"})
    ->Args({100, 0})
    ->Args({40 * 1024, 0})
    ->Args({100, 1})
    ->Args({40 * 1024, 1})
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
