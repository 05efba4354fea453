// follow-load: a one-thread load client for fake-dockerd's follow streams.
//
// It lists the fake's containers (GET /containers/json, then each one's
// /containers/{id}/json for Config.Tty), opens N concurrent
//   GET /containers/{id}/logs?follow=1&stdout=1&stderr=1
// streams spread round-robin over them, ramping up in batches, holds them for
// D seconds and then reports what it received and what the fake cost.
//
// Everything on the wire is decoded here, written independently of the fake's
// encoder (no fakes/dockerd header is included) and of core/: the HTTP/1.1
// response head, chunked transfer coding, Docker's 8-byte multiplexing header
// ([stream, 0, 0, 0, length as big-endian uint32]) for non-TTY containers and
// raw bytes for TTY ones (a line is whatever ends in "\n"). Every log line is
// checked: its "cid=" must be the followed container's and its "seq=" must be
// the previous line's + 1 (seq counts per container across stdout and stderr).
//
// Meanwhile it samples the fake's process (/proc/<pid>/status Threads and
// VmRSS, /proc/<pid>/stat utime+stime, /proc/<pid>/fd) and the fake's ground
// truth (control socket GET /truth, GET /containers for what it generated).
//
// Reading is readiness based: a stream waits until its socket is readable and
// then reads into one buffer shared by all streams, so an idle stream costs
// well under 1 KiB here.
//
// Output: a human summary on stdout and, as the last stdout line, one JSON
// object for scripts. Exit status: 0 when every requested stream was open at
// the end and no stream saw a gap, duplicate, foreign or unparsable line or a
// protocol error; 1 otherwise; 2 when the run could not be set up.
#include <dirent.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <boost/asio/buffer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/duration.h"

namespace {

namespace asio = boost::asio;
using Proto = asio::local::stream_protocol;
using Clock = std::chrono::steady_clock;
using json = nlohmann::json;

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

std::string Lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string Printable(std::string_view s, size_t max = 120) {
  std::string out;
  for (char c : s.substr(0, max)) {
    if (c >= 0x20 && c < 0x7f) {
      out.push_back(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned char>(c));
      out += buf;
    }
  }
  if (s.size() > max) out += "...";
  return out;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// ---------------------------------------------------------------------------
// HTTP/1.1 chunked transfer coding (RFC 9112, 7.1), decoded incrementally.

class ChunkDecoder {
 public:
  enum class Status { kMore, kDone, kError };

  // Consumes bytes of `in` and hands chunk data to sink(std::string_view).
  // Returns kDone once the last chunk and the trailer section have been read
  // (*consumed then says how many bytes of `in` belonged to the body), kError
  // at the first framing error (error() says what), kMore otherwise.
  template <typename Sink>
  Status Feed(std::string_view in, Sink&& sink, size_t* consumed = nullptr);
  const std::string& error() const { return error_; }

 private:
  enum class State { kSize, kExtension, kSizeLf, kData, kDataCr, kDataLf, kTrailer, kTrailerLf, kDone, kError };
  Status Fail(std::string why) {
    state_ = State::kError;
    error_ = std::move(why);
    return Status::kError;
  }

  State state_ = State::kSize;
  uint64_t size_ = 0;
  int digits_ = 0;
  uint64_t remaining_ = 0;
  size_t trailer_line_ = 0;
  std::string error_;
};

template <typename Sink>
ChunkDecoder::Status ChunkDecoder::Feed(std::string_view in, Sink&& sink, size_t* consumed) {
  size_t i = 0;
  auto result = [&](Status s) {
    if (consumed != nullptr) *consumed = i;
    return s;
  };
  if (state_ == State::kDone) return result(Status::kDone);
  if (state_ == State::kError) return result(Status::kError);
  while (i < in.size()) {
    if (state_ == State::kData) {
      size_t n = static_cast<size_t>(std::min<uint64_t>(remaining_, in.size() - i));
      sink(in.substr(i, n));
      i += n;
      remaining_ -= n;
      if (remaining_ == 0) state_ = State::kDataCr;
      continue;
    }
    const char c = in[i++];
    switch (state_) {
      case State::kSize: {
        int d = HexDigit(c);
        if (d >= 0) {
          if (++digits_ > 15) return result(Fail("chunk size with more than 15 hex digits"));
          size_ = size_ * 16 + static_cast<uint64_t>(d);
        } else if (digits_ == 0) {
          return result(Fail("expected a chunk size, got '" + Printable(std::string_view(&c, 1)) + "'"));
        } else if (c == ';' || c == ' ' || c == '\t') {
          state_ = State::kExtension;
        } else if (c == '\r') {
          state_ = State::kSizeLf;
        } else {
          return result(Fail("bad character '" + Printable(std::string_view(&c, 1)) + "' in a chunk size"));
        }
        break;
      }
      case State::kExtension:
        if (c == '\r') state_ = State::kSizeLf;
        break;
      case State::kSizeLf:
        if (c != '\n') return result(Fail("chunk size line ends in CR without LF"));
        if (size_ == 0) {
          state_ = State::kTrailer;
          trailer_line_ = 0;
        } else {
          remaining_ = size_;
          state_ = State::kData;
        }
        size_ = 0;
        digits_ = 0;
        break;
      case State::kDataCr:
        if (c != '\r') return result(Fail("chunk data is longer than its announced size (no CRLF after it)"));
        state_ = State::kDataLf;
        break;
      case State::kDataLf:
        if (c != '\n') return result(Fail("chunk data ends in CR without LF"));
        state_ = State::kSize;
        break;
      case State::kTrailer:
        if (c == '\r') {
          state_ = State::kTrailerLf;
        } else {
          ++trailer_line_;
        }
        break;
      case State::kTrailerLf:
        if (c != '\n') return result(Fail("trailer line ends in CR without LF"));
        if (trailer_line_ == 0) {
          state_ = State::kDone;
          return result(Status::kDone);
        }
        trailer_line_ = 0;
        state_ = State::kTrailer;
        break;
      case State::kData:
      case State::kDone:
      case State::kError:
        break;  // handled above
    }
  }
  return result(Status::kMore);
}

// ---------------------------------------------------------------------------
// Docker's stdcopy multiplexing, decoded incrementally.

class FrameDecoder {
 public:
  static constexpr uint32_t kMaxFrame = 1u << 20;  // dockerd sends <= 16 KiB + timestamp

  // Hands every payload piece to sink(stream, piece, first_piece_of_frame).
  // Returns false at a malformed header (error() says what).
  template <typename Sink>
  bool Feed(std::string_view in, Sink&& sink);
  const std::string& error() const { return error_; }

 private:
  unsigned char header_[8] = {};
  size_t have_ = 0;
  uint32_t remaining_ = 0;
  uint8_t stream_ = 0;
  bool first_ = false;
  std::string error_;
};

template <typename Sink>
bool FrameDecoder::Feed(std::string_view in, Sink&& sink) {
  if (!error_.empty()) return false;
  while (!in.empty()) {
    if (remaining_ > 0) {
      size_t n = std::min<size_t>(remaining_, in.size());
      sink(stream_, in.substr(0, n), std::exchange(first_, false));
      in.remove_prefix(n);
      remaining_ -= static_cast<uint32_t>(n);
      continue;
    }
    size_t n = std::min(sizeof header_ - have_, in.size());
    std::memcpy(header_ + have_, in.data(), n);
    have_ += n;
    in.remove_prefix(n);
    if (have_ < sizeof header_) break;
    have_ = 0;
    if (header_[0] > 3 || header_[1] != 0 || header_[2] != 0 || header_[3] != 0) {
      error_ = "bad multiplexing header " +
               Printable(std::string_view(reinterpret_cast<const char*>(header_), sizeof header_));
      return false;
    }
    stream_ = header_[0];
    remaining_ = (uint32_t{header_[4]} << 24) | (uint32_t{header_[5]} << 16) | (uint32_t{header_[6]} << 8) |
                 uint32_t{header_[7]};
    if (remaining_ > kMaxFrame) {
      error_ = "frame length " + std::to_string(remaining_) + " exceeds 1 MiB";
      return false;
    }
    first_ = true;
  }
  return true;
}

// ---------------------------------------------------------------------------
// One-shot HTTP GET over a Unix socket with "Connection: close": the whole
// response is read to EOF and decoded (Content-Length or chunked).

struct HttpResult {
  std::string error;  // empty on success (any status)
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-cased keys
  std::string body;
};

// Parses "HTTP/1.1 200 OK\r\nK: V\r\n..." (without the blank line).
bool ParseHead(std::string_view head, int* status, std::map<std::string, std::string>* headers, std::string* error) {
  size_t eol = head.find("\r\n");
  std::string_view line = head.substr(0, eol);
  if (!line.starts_with("HTTP/1.") || line.size() < 12 || line[8] != ' ') {
    *error = "bad status line '" + Printable(line) + "'";
    return false;
  }
  auto r = std::from_chars(line.data() + 9, line.data() + 12, *status);
  if (r.ec != std::errc() || r.ptr != line.data() + 12) {
    *error = "bad status code in '" + Printable(line) + "'";
    return false;
  }
  while (eol != std::string_view::npos) {
    head.remove_prefix(eol + 2);
    eol = head.find("\r\n");
    std::string_view field = head.substr(0, eol);
    if (field.empty()) continue;
    size_t colon = field.find(':');
    if (colon == std::string_view::npos) {
      *error = "header line without ':' '" + Printable(field) + "'";
      return false;
    }
    std::string_view value = field.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    (*headers)[Lower(field.substr(0, colon))] = std::string(value);
  }
  return true;
}

class OneShot : public std::enable_shared_from_this<OneShot> {
 public:
  using Done = std::function<void(HttpResult)>;

  static void Get(asio::io_context& io, const std::string& socket_path, const std::string& target, Done done,
                  std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
    auto self = std::shared_ptr<OneShot>(new OneShot(io, std::move(done)));
    self->request_ = "GET " + target + " HTTP/1.1\r\nHost: docker\r\nUser-Agent: leakbench-follow-load\r\n" +
                     "Connection: close\r\n\r\n";
    self->timer_.expires_after(timeout);
    self->timer_.async_wait([self](boost::system::error_code ec) {
      if (!ec) self->Finish("timed out", true);
    });
    self->socket_.async_connect(Proto::endpoint(socket_path), [self, socket_path](boost::system::error_code ec) {
      if (ec) return self->Finish("connect " + socket_path + ": " + ec.message(), false);
      asio::async_write(self->socket_, asio::buffer(self->request_), [self](boost::system::error_code wec, size_t) {
        if (wec) return self->Finish("write: " + wec.message(), false);
        asio::async_read(self->socket_, asio::dynamic_buffer(self->raw_, 256u << 20),
                         [self](boost::system::error_code rec, size_t) {
                           if (rec && rec != asio::error::eof) return self->Finish("read: " + rec.message(), false);
                           self->Finish("", false);
                         });
      });
    });
  }

 private:
  OneShot(asio::io_context& io, Done done) : socket_(io), timer_(io), done_(std::move(done)) {}

  void Finish(const std::string& error, bool timed_out) {
    if (finished_) return;
    finished_ = true;
    timer_.cancel();
    boost::system::error_code ignored;
    socket_.close(ignored);
    HttpResult r;
    r.error = timed_out ? "timed out" : error;
    if (r.error.empty()) Decode(&r);
    auto done = std::move(done_);
    done(std::move(r));
  }

  void Decode(HttpResult* r) {
    size_t end = raw_.find("\r\n\r\n");
    if (end == std::string::npos) {
      r->error = "response has no complete head (" + std::to_string(raw_.size()) + " bytes)";
      return;
    }
    if (!ParseHead(std::string_view(raw_).substr(0, end), &r->status, &r->headers, &r->error)) return;
    std::string_view body = std::string_view(raw_).substr(end + 4);
    auto te = r->headers.find("transfer-encoding");
    if (te != r->headers.end() && Lower(te->second).find("chunked") != std::string::npos) {
      ChunkDecoder d;
      if (d.Feed(body, [&](std::string_view piece) { r->body.append(piece); }) != ChunkDecoder::Status::kDone) {
        r->error = "chunked body: " + (d.error().empty() ? std::string("ends before the last chunk") : d.error());
      }
      return;
    }
    auto cl = r->headers.find("content-length");
    if (cl != r->headers.end()) {
      size_t n = 0;
      std::from_chars(cl->second.data(), cl->second.data() + cl->second.size(), n);
      if (body.size() < n) {
        r->error = "body shorter than Content-Length";
        return;
      }
      body = body.substr(0, n);
    }
    r->body = std::string(body);
  }

  Proto::socket socket_;
  asio::steady_timer timer_;
  Done done_;
  std::string request_;
  std::string raw_;
  bool finished_ = false;
};

// ---------------------------------------------------------------------------
// The fake's process, from /proc.

std::optional<std::string> ReadSmallFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::string out;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

struct ProcSample {
  bool ok = false;
  Clock::time_point at;
  uint64_t cpu_ticks = 0;  // utime + stime
  int threads = 0;
  uint64_t rss_kib = 0;
  int fds = -1;
  uint64_t run_delay_ns = 0;  // /proc/<pid>/schedstat: time runnable but waiting for a CPU
};

// The second field of /proc/<pid or self>/schedstat (its main thread's run-queue wait).
uint64_t RunDelayNs(const std::string& base) {
  auto text = ReadSmallFile(base + "/schedstat");
  if (!text) return 0;
  size_t sp = text->find(' ');
  if (sp == std::string::npos) return 0;
  uint64_t v = 0;
  std::from_chars(text->data() + sp + 1, text->data() + text->size(), v);
  return v;
}

std::string LoadAverage() {
  auto text = ReadSmallFile("/proc/loadavg");
  if (!text) return "";
  // "1.00 0.50 0.25 2/300 1234": the three averages.
  size_t n = 0, i = 0;
  for (; i < text->size() && n < 3; ++i) {
    if ((*text)[i] == ' ') ++n;
  }
  return text->substr(0, i > 0 ? i - 1 : 0);
}

uint64_t StatusField(const std::string& status, std::string_view key) {
  size_t p = status.find(key);
  if (p == std::string::npos) return 0;
  p += key.size();
  while (p < status.size() && (status[p] == ' ' || status[p] == '\t')) ++p;
  uint64_t v = 0;
  std::from_chars(status.data() + p, status.data() + status.size(), v);
  return v;
}

ProcSample SampleProc(int pid) {
  ProcSample s;
  s.at = Clock::now();
  const std::string base = "/proc/" + std::to_string(pid);
  auto status = ReadSmallFile(base + "/status");
  auto stat = ReadSmallFile(base + "/stat");
  if (!status || !stat) return s;
  s.threads = static_cast<int>(StatusField(*status, "\nThreads:"));
  s.rss_kib = StatusField(*status, "\nVmRSS:");
  // Fields after the command's closing ')': state is field 3, utime 14, stime 15.
  size_t p = stat->rfind(')');
  if (p == std::string::npos) return s;
  std::vector<std::string_view> fields;
  std::string_view rest = std::string_view(*stat).substr(p + 2);
  while (!rest.empty() && fields.size() < 16) {
    size_t sp = rest.find(' ');
    fields.push_back(rest.substr(0, sp));
    rest = sp == std::string_view::npos ? std::string_view() : rest.substr(sp + 1);
  }
  if (fields.size() < 13) return s;
  uint64_t utime = 0, stime = 0;
  std::from_chars(fields[11].data(), fields[11].data() + fields[11].size(), utime);
  std::from_chars(fields[12].data(), fields[12].data() + fields[12].size(), stime);
  s.cpu_ticks = utime + stime;
  s.run_delay_ns = RunDelayNs(base);
  if (DIR* d = ::opendir((base + "/fd").c_str())) {
    int n = 0;
    while (dirent* e = ::readdir(d)) {
      if (e->d_name[0] != '.') ++n;
    }
    ::closedir(d);
    s.fds = n;
  }
  s.ok = true;
  return s;
}

double SelfCpuSeconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

// ---------------------------------------------------------------------------

struct Config {
  std::string socket;
  std::string control_socket;
  size_t streams = 1000;
  double duration_s = 30;
  size_t ramp_batch = 500;
  double ramp_interval_s = 0.1;
  double ramp_timeout_s = 120;
  double sample_interval_s = 1;
  int fake_pid = 0;
  size_t max_containers = 0;
  std::string tail;
  bool timestamps = false;
  std::string api_prefix;
  bool quiet = false;
  size_t max_connect_attempts = 100;
};

struct Target {
  std::string id;
  std::string cid12;
  bool tty = false;
  std::string request;  // the stream's request, shared by its streams
  uint64_t emitted_start = 0, emitted_end = 0, last_seq_end = 0;
  bool have_start = false, have_end = false;
};

struct Totals {
  uint64_t lines = 0;
  uint64_t payload_bytes = 0;  // log text including newlines (and stamps), error frames excluded
  uint64_t wire_bytes = 0;     // everything read from the stream sockets
  uint64_t gaps = 0;
  uint64_t missing = 0;
  uint64_t dups = 0;
  uint64_t foreign = 0;
  uint64_t unparsable = 0;
  uint64_t error_frames = 0;
  uint64_t protocol_errors = 0;
};

class App;

class FollowStream {
 public:
  enum class State { kIdle, kHead, kBody, kEnded, kFailed, kClosed };

  FollowStream(App& app, size_t index, Target& target);

  void Launch();  // connect and send the request
  void Refuse(const std::string& category, const std::string& detail) { Fail(category, detail); }
  void Close();   // the end of the run
  State state() const { return state_; }
  const Target& target() const { return target_; }
  uint64_t last_seq() const { return last_seq_; }
  uint64_t lines() const { return lines_; }
  size_t attempts() const { return attempts_; }

 private:
  void Wait();
  void OnReadable(boost::system::error_code ec);
  void OnData(std::string_view data);
  void OnHead(std::string_view head, std::string_view body_start);
  void OnBody(std::string_view data);
  void OnDecoded(std::string_view data);
  void OnText(std::string_view text);
  void OnLine();
  void Fail(const std::string& category, const std::string& detail);
  void Ended(const std::string& why);

  static constexpr size_t kPrefix = 96;  // "<stamp> cid=<12> seq=<20 digits> " fits

  App& app_;
  size_t index_;
  Target& target_;
  Proto::socket socket_;
  State state_ = State::kIdle;
  size_t attempts_ = 0;
  std::string head_;
  bool chunked_ = true;
  bool tty_ = false;
  ChunkDecoder chunks_;
  FrameDecoder frames_;
  char prefix_[kPrefix] = {};
  uint8_t prefix_len_ = 0;
  uint64_t lines_ = 0;
  uint64_t first_seq_ = 0;
  uint64_t last_seq_ = 0;
};

class App {
 public:
  App(asio::io_context& io, Config cfg) : io_(io), cfg_(std::move(cfg)), ramp_timer_(io), sample_timer_(io),
                                          hold_timer_(io), signals_(io, SIGINT, SIGTERM) {}

  void Start();
  int exit_code() const { return exit_code_; }

  // Used by streams.
  asio::io_context& io() { return io_; }
  const Config& cfg() const { return cfg_; }
  Totals& totals() { return totals_; }
  std::vector<char>& read_buffer() { return read_buffer_; }
  void StreamOpened() {
    --heads_pending_;
    ++open_;
  }
  void StreamGone(FollowStream::State was, const std::string& category, const std::string& detail);
  void RetryLater(size_t index) {
    retry_.push_back(index);
    ++connect_retries_;
  }
  void HeadPending() { ++heads_pending_; }

 private:
  void Setup();
  void FetchPid();
  void ListContainers();
  void InspectNext();
  void BeginRamp();
  void RampTick();
  void LaunchOne(size_t index);
  void SampleTick();
  void BeginHold();
  void EndHold();
  void MaybeReport();
  void Report();
  void FetchEmitted(bool start, std::function<void()> then);
  void Abort(const std::string& why);
  std::string ApiTarget(const std::string& path) const { return cfg_.api_prefix + path; }

  asio::io_context& io_;
  Config cfg_;
  int exit_code_ = 0;
  std::vector<Target> targets_;
  std::vector<std::unique_ptr<FollowStream>> streams_;
  std::vector<char> read_buffer_ = std::vector<char>(256 * 1024);
  Totals totals_;

  size_t next_launch_ = 0;
  std::deque<size_t> retry_;
  size_t heads_pending_ = 0;
  size_t open_ = 0;
  size_t failed_ = 0;
  size_t ended_ = 0;
  size_t connect_retries_ = 0;
  std::map<std::string, std::pair<size_t, std::string>> failures_;  // category -> count, first detail
  size_t inspect_next_ = 0;
  size_t inspect_in_flight_ = 0;

  asio::steady_timer ramp_timer_;
  asio::steady_timer sample_timer_;
  asio::steady_timer hold_timer_;
  asio::signal_set signals_;
  std::string phase_ = "setup";
  bool interrupted_ = false;

  int fake_pid_ = 0;
  uint64_t clk_tck_ = static_cast<uint64_t>(sysconf(_SC_CLK_TCK));
  uint64_t nofile_limit_ = 0;
  size_t fd_cap_ = 0;  // streams that fit under RLIMIT_NOFILE, keeping fds for sampling

  // Samples.
  Clock::time_point ramp_start_, hold_start_, hold_end_;
  ProcSample proc_ramp_start_, proc_hold_start_, proc_hold_end_, proc_last_;
  double self_cpu_hold_start_ = 0, self_cpu_hold_end_ = 0;
  uint64_t self_delay_hold_start_ = 0, self_delay_hold_end_ = 0;
  std::string loadavg_start_, loadavg_end_;
  Totals totals_hold_start_, totals_hold_end_, totals_last_;
  Clock::time_point last_sample_at_;
  int threads_max_ = 0;
  uint64_t rss_peak_kib_ = 0;
  int fds_peak_ = 0;
  double cpu_peak_pct_ = 0;
  std::optional<uint64_t> truth_follow_open_last_;
  std::optional<uint64_t> truth_follow_open_end_;
  std::optional<uint64_t> truth_connections_open_end_;
  size_t open_at_end_ = 0;
  size_t ramp_open_ = 0;
  double ramp_seconds_ = 0;
  bool ramp_timed_out_ = false;
  int end_fetches_pending_ = 0;
  bool reported_ = false;
};

// ---------------------------------------------------------------------------

FollowStream::FollowStream(App& app, size_t index, Target& target)
    : app_(app), index_(index), target_(target), socket_(app.io()) {}

void FollowStream::Launch() {
  ++attempts_;
  boost::system::error_code ec;
  if (socket_.is_open()) socket_.close(ec);
  socket_.open(Proto(), ec);
  if (ec) return Fail("socket", ec.message());
  socket_.non_blocking(true, ec);
  // A Unix stream connect completes at once or fails with EAGAIN when the
  // listener's backlog is full; it never goes "in progress". So connect by
  // hand instead of asio's async_connect, which would take EAGAIN for "in
  // progress" and report success for a socket that never connected.
  Proto::endpoint ep(app_.cfg().socket);
  if (::connect(socket_.native_handle(), ep.data(), static_cast<socklen_t>(ep.size())) != 0) {
    int err = errno;
    if ((err == EAGAIN || err == EINTR) && attempts_ < app_.cfg().max_connect_attempts) {
      socket_.close(ec);
      app_.RetryLater(index_);
      return;
    }
    return Fail("connect", std::strerror(err));
  }
  state_ = State::kHead;
  app_.HeadPending();
  asio::async_write(socket_, asio::buffer(target_.request), [this](boost::system::error_code wec, size_t) {
    if (state_ != State::kHead) return;
    if (wec) return Fail("write request", wec.message());
    Wait();
  });
}

void FollowStream::Close() {
  if (state_ == State::kHead || state_ == State::kBody) state_ = State::kClosed;
  boost::system::error_code ec;
  socket_.close(ec);
}

void FollowStream::Wait() {
  socket_.async_wait(Proto::socket::wait_read, [this](boost::system::error_code ec) { OnReadable(ec); });
}

void FollowStream::OnReadable(boost::system::error_code ec) {
  if (state_ != State::kHead && state_ != State::kBody) return;
  if (ec) return Fail("wait", ec.message());
  auto& buf = app_.read_buffer();
  // A few reads per wake-up at most, so one busy stream cannot starve the rest.
  for (int round = 0; round < 8; ++round) {
    size_t n = socket_.read_some(asio::buffer(buf), ec);
    if (ec == asio::error::would_block || ec == asio::error::try_again) return Wait();
    if (ec == asio::error::eof) {
      if (state_ == State::kHead) return Fail("eof", "connection closed before the response head");
      return Ended("connection closed before the last chunk");
    }
    if (ec) return Fail("read", ec.message());
    OnData(std::string_view(buf.data(), n));
    if (state_ != State::kHead && state_ != State::kBody) return;
    // A short read drained the socket: the next data is a new readiness edge.
    if (n < buf.size()) return Wait();
  }
  asio::post(app_.io(), [this] { OnReadable({}); });
}

void FollowStream::OnData(std::string_view data) {
  app_.totals().wire_bytes += data.size();
  if (state_ == State::kBody) return OnBody(data);
  size_t old = head_.size();
  head_.append(data);
  size_t end = head_.find("\r\n\r\n", old >= 3 ? old - 3 : 0);
  if (end == std::string::npos) {
    if (head_.size() > 64 * 1024) Fail("protocol", "response head larger than 64 KiB");
    return;
  }
  std::string head = std::move(head_);
  head_ = std::string();
  std::string_view rest = std::string_view(head).substr(end + 4);
  OnHead(std::string_view(head).substr(0, end), rest);
  if (state_ == State::kBody && !rest.empty()) OnBody(rest);
}

void FollowStream::OnHead(std::string_view head, std::string_view body_start) {
  int status = 0;
  std::map<std::string, std::string> headers;
  std::string error;
  if (!ParseHead(head, &status, &headers, &error)) return Fail("protocol", error);
  if (status != 200) {
    return Fail("HTTP " + std::to_string(status), target_.id.substr(0, 12) + ": " + Printable(body_start, 200));
  }
  auto te = headers.find("transfer-encoding");
  chunked_ = te != headers.end() && Lower(te->second).find("chunked") != std::string::npos;
  tty_ = target_.tty;
  // API >= 1.42 names the body's framing; trust it over Config.Tty when present.
  if (auto ct = headers.find("content-type"); ct != headers.end()) {
    if (ct->second.find("vnd.docker.raw-stream") != std::string::npos) tty_ = true;
    if (ct->second.find("vnd.docker.multiplexed-stream") != std::string::npos) tty_ = false;
  }
  state_ = State::kBody;
  app_.StreamOpened();
}

void FollowStream::OnBody(std::string_view data) {
  if (!chunked_) return OnDecoded(data);
  size_t used = 0;
  auto s = chunks_.Feed(data, [this](std::string_view piece) { OnDecoded(piece); }, &used);
  if (s == ChunkDecoder::Status::kError) {
    return Fail("protocol", "chunked framing: " + chunks_.error());
  }
  if (s == ChunkDecoder::Status::kDone && (state_ == State::kBody)) Ended("the fake ended the response (last chunk)");
}

void FollowStream::OnDecoded(std::string_view data) {
  if (state_ != State::kBody) return;
  if (tty_) return OnText(data);
  bool ok = frames_.Feed(data, [this](uint8_t stream, std::string_view piece, bool first) {
    if (stream == 3) {  // an in-band error from the daemon: not a log line
      if (first) ++app_.totals().error_frames;
      return;
    }
    OnText(piece);
  });
  if (!ok) Fail("protocol", frames_.error());
}

void FollowStream::OnText(std::string_view text) {
  app_.totals().payload_bytes += text.size();
  while (!text.empty()) {
    const void* nl = std::memchr(text.data(), '\n', text.size());
    size_t piece = nl == nullptr ? text.size() : static_cast<size_t>(static_cast<const char*>(nl) - text.data());
    size_t keep = std::min(piece, kPrefix - prefix_len_);
    std::memcpy(prefix_ + prefix_len_, text.data(), keep);
    prefix_len_ = static_cast<uint8_t>(prefix_len_ + keep);
    if (nl == nullptr) return;
    OnLine();
    prefix_len_ = 0;
    text.remove_prefix(piece + 1);
  }
}

void FollowStream::OnLine() {
  Totals& t = app_.totals();
  ++t.lines;
  ++lines_;
  std::string_view line(prefix_, prefix_len_);
  size_t c = line.find("cid=");
  size_t s = line.find(" seq=");
  uint64_t seq = 0;
  if (c == std::string_view::npos || s == std::string_view::npos ||
      std::from_chars(line.data() + s + 5, line.data() + line.size(), seq).ec != std::errc()) {
    ++t.unparsable;
    return;
  }
  if (line.substr(c + 4, 12) != target_.cid12) ++t.foreign;
  if (lines_ == 1) {
    first_seq_ = seq;
  } else if (seq == last_seq_ + 1) {
    // in order
  } else if (seq > last_seq_) {
    ++t.gaps;
    t.missing += seq - last_seq_ - 1;
  } else {
    ++t.dups;
  }
  last_seq_ = std::max(last_seq_, seq);
}

void FollowStream::Fail(const std::string& category, const std::string& detail) {
  State was = state_;
  state_ = State::kFailed;
  if (category == "protocol") ++app_.totals().protocol_errors;
  boost::system::error_code ec;
  socket_.close(ec);
  app_.StreamGone(was, category, detail);
}

void FollowStream::Ended(const std::string& why) {
  State was = state_;
  state_ = State::kEnded;
  boost::system::error_code ec;
  socket_.close(ec);
  app_.StreamGone(was, "ended", why);
}

// ---------------------------------------------------------------------------

void App::StreamGone(FollowStream::State was, const std::string& category, const std::string& detail) {
  if (was == FollowStream::State::kHead) --heads_pending_;
  if (was == FollowStream::State::kBody) --open_;
  if (category == "ended") {
    ++ended_;
  } else {
    ++failed_;
  }
  auto& f = failures_[category];
  if (f.first++ == 0) f.second = detail;
}

void App::Abort(const std::string& why) {
  std::fprintf(stderr, "follow-load: %s\n", why.c_str());
  exit_code_ = 2;
  io_.stop();
}

void App::Start() {
  signals_.async_wait([this](boost::system::error_code ec, int) {
    if (ec) return;
    std::fprintf(stderr, "follow-load: interrupted: ending the %s phase now\n", phase_.c_str());
    interrupted_ = true;
    if (phase_ == "hold") {
      hold_timer_.cancel();
    } else if (phase_ == "ramp") {
      ramp_timer_.cancel();
      BeginHold();
    } else {
      io_.stop();
      exit_code_ = 2;
    }
  });
  // File descriptors: streams + a few for the control socket and /proc.
  rlimit rl{};
  getrlimit(RLIMIT_NOFILE, &rl);
  if (rl.rlim_cur < rl.rlim_max) {
    rlimit raised = rl;
    raised.rlim_cur = rl.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) rl = raised;
  }
  nofile_limit_ = rl.rlim_cur;
  constexpr size_t kReserve = 32;  // stdio, epoll, the control requests, /proc reads
  const size_t need = cfg_.streams + kReserve;
  fd_cap_ = cfg_.streams;
  if (rl.rlim_cur != RLIM_INFINITY && need > rl.rlim_cur) {
    fd_cap_ = rl.rlim_cur > kReserve ? static_cast<size_t>(rl.rlim_cur) - kReserve : 0;
    std::fprintf(stderr,
                 "follow-load: %zu streams need about %zu file descriptors but RLIMIT_NOFILE is %llu (hard limit "
                 "%llu): opening only %zu streams, the rest count as failed. Raise the hard limit (ulimit -Hn "
                 "as root, or nofile in /etc/security/limits.conf) to run the full load.\n",
                 cfg_.streams, need, static_cast<unsigned long long>(rl.rlim_cur),
                 static_cast<unsigned long long>(rl.rlim_max), fd_cap_);
  } else if (!cfg_.quiet) {
    std::fprintf(stderr, "follow-load: RLIMIT_NOFILE %llu (hard %llu) covers %zu streams\n",
                 static_cast<unsigned long long>(rl.rlim_cur), static_cast<unsigned long long>(rl.rlim_max),
                 cfg_.streams);
  }
  FetchPid();
}

void App::FetchPid() {
  if (cfg_.fake_pid > 0 || cfg_.control_socket.empty()) {
    fake_pid_ = cfg_.fake_pid;
    if (fake_pid_ <= 0) std::fprintf(stderr, "follow-load: no --fake-pid and no control socket: not sampling the fake\n");
    return ListContainers();
  }
  OneShot::Get(io_, cfg_.control_socket, "/ping", [this](HttpResult r) {
    if (!r.error.empty() || r.status != 200) {
      return Abort("GET /ping on the control socket " + cfg_.control_socket + " failed: " +
                   (r.error.empty() ? "HTTP " + std::to_string(r.status) : r.error) +
                   " (pass --fake-pid, or --control-socket '' to skip the fake's truth)");
    }
    auto j = json::parse(r.body, nullptr, false);
    if (j.is_discarded() || !j.contains("pid")) return Abort("GET /ping: no pid in '" + Printable(r.body) + "'");
    fake_pid_ = j["pid"].get<int>();
    ListContainers();
  });
}

void App::ListContainers() {
  OneShot::Get(io_, cfg_.socket, ApiTarget("/containers/json"), [this](HttpResult r) {
    if (!r.error.empty() || r.status != 200) {
      return Abort("GET /containers/json on " + cfg_.socket + " failed: " +
                   (r.error.empty() ? "HTTP " + std::to_string(r.status) + " " + Printable(r.body) : r.error));
    }
    auto j = json::parse(r.body, nullptr, false);
    if (j.is_discarded() || !j.is_array()) return Abort("GET /containers/json: not a JSON array");
    // dockerd lists newest first; follow them oldest first so stream i goes to container i % C.
    for (auto it = j.rbegin(); it != j.rend(); ++it) {
      if (!it->contains("Id")) continue;
      Target t;
      t.id = (*it)["Id"].get<std::string>();
      t.cid12 = t.id.substr(0, 12);
      targets_.push_back(std::move(t));
      if (cfg_.max_containers > 0 && targets_.size() >= cfg_.max_containers) break;
    }
    if (targets_.empty()) return Abort("the fake lists no running containers: nothing to follow");
    InspectNext();
  });
}

void App::InspectNext() {
  // Config.Tty decides the body's framing; inspect 16 containers at a time.
  while (inspect_in_flight_ < 16 && inspect_next_ < targets_.size()) {
    size_t i = inspect_next_++;
    ++inspect_in_flight_;
    OneShot::Get(io_, cfg_.socket, ApiTarget("/containers/" + targets_[i].id + "/json"), [this, i](HttpResult r) {
      --inspect_in_flight_;
      if (!r.error.empty() || r.status != 200) {
        return Abort("GET /containers/" + targets_[i].id + "/json failed: " +
                     (r.error.empty() ? "HTTP " + std::to_string(r.status) : r.error));
      }
      auto j = json::parse(r.body, nullptr, false);
      if (j.is_discarded()) return Abort("inspect: not JSON");
      targets_[i].tty = j.contains("Config") && j["Config"].value("Tty", false);
      InspectNext();
    });
  }
  if (inspect_in_flight_ == 0 && inspect_next_ == targets_.size()) BeginRamp();
}

void App::BeginRamp() {
  std::string query = "?follow=1&stdout=1&stderr=1";
  if (cfg_.timestamps) query += "&timestamps=1";
  if (!cfg_.tail.empty()) query += "&tail=" + cfg_.tail;
  for (auto& t : targets_) {
    t.request = "GET " + ApiTarget("/containers/" + t.id + "/logs") + query +
                " HTTP/1.1\r\nHost: docker\r\nUser-Agent: leakbench-follow-load\r\n\r\n";
  }
  streams_.reserve(cfg_.streams);
  for (size_t i = 0; i < cfg_.streams; ++i) {
    streams_.push_back(std::make_unique<FollowStream>(*this, i, targets_[i % targets_.size()]));
  }
  size_t tty = static_cast<size_t>(std::count_if(targets_.begin(), targets_.end(), [](const Target& t) { return t.tty; }));
  if (!cfg_.quiet) {
    std::fprintf(stderr, "follow-load: fake pid %d; %zu containers (%zu TTY); opening %zu streams, %zu per %.0f ms\n",
                 fake_pid_, targets_.size(), tty, cfg_.streams, cfg_.ramp_batch, cfg_.ramp_interval_s * 1000);
  }
  phase_ = "ramp";
  ramp_start_ = Clock::now();
  last_sample_at_ = ramp_start_;
  if (fake_pid_ > 0) proc_ramp_start_ = proc_last_ = SampleProc(fake_pid_);
  sample_timer_.expires_after(std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(cfg_.sample_interval_s)));
  sample_timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) SampleTick();
  });
  RampTick();
}

void App::LaunchOne(size_t index) {
  if (index >= fd_cap_) {
    return streams_[index]->Refuse("RLIMIT_NOFILE", "not opened: the fd limit " + std::to_string(nofile_limit_) +
                                                        " leaves room for " + std::to_string(fd_cap_) + " streams");
  }
  streams_[index]->Launch();
}

void App::RampTick() {
  if (phase_ != "ramp") return;
  // Keep at most one batch waiting for response heads.
  size_t budget = cfg_.ramp_batch > heads_pending_ ? cfg_.ramp_batch - heads_pending_ : 0;
  std::deque<size_t> retry;
  retry.swap(retry_);
  while (budget > 0 && !retry.empty()) {
    LaunchOne(retry.front());
    retry.pop_front();
    --budget;
  }
  for (size_t i : retry) retry_.push_back(i);
  while (budget > 0 && next_launch_ < streams_.size()) {
    LaunchOne(next_launch_++);
    --budget;
  }
  const bool all_launched = next_launch_ == streams_.size() && retry_.empty();
  if (all_launched && heads_pending_ == 0) {
    ramp_seconds_ = Seconds(Clock::now() - ramp_start_);
    ramp_open_ = open_;
    return BeginHold();
  }
  if (Seconds(Clock::now() - ramp_start_) > cfg_.ramp_timeout_s) {
    std::fprintf(stderr, "follow-load: ramp timed out after %.0f s with %zu of %zu streams open; holding those\n",
                 cfg_.ramp_timeout_s, open_, cfg_.streams);
    ramp_timed_out_ = true;
    ramp_seconds_ = Seconds(Clock::now() - ramp_start_);
    ramp_open_ = open_;
    return BeginHold();
  }
  ramp_timer_.expires_after(std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(cfg_.ramp_interval_s)));
  ramp_timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) RampTick();
  });
}

void App::SampleTick() {
  if (phase_ != "ramp" && phase_ != "hold") return;
  auto now = Clock::now();
  double dt = Seconds(now - last_sample_at_);
  if (fake_pid_ > 0) {
    ProcSample s = SampleProc(fake_pid_);
    if (s.ok) {
      double cpu = proc_last_.ok ? 100.0 * static_cast<double>(s.cpu_ticks - proc_last_.cpu_ticks) /
                                       static_cast<double>(clk_tck_) / Seconds(s.at - proc_last_.at)
                                 : 0;
      if (phase_ == "hold") cpu_peak_pct_ = std::max(cpu_peak_pct_, cpu);
      threads_max_ = std::max(threads_max_, s.threads);
      rss_peak_kib_ = std::max(rss_peak_kib_, s.rss_kib);
      fds_peak_ = std::max(fds_peak_, s.fds);
      if (!cfg_.quiet) {
        std::fprintf(stderr,
                     "[%6.1fs %-4s] open %zu/%zu  %8.0f lines/s  %7.2f MB/s | fake: cpu %5.1f%%  rss %6.1f MiB  fds %d  "
                     "threads %d  truth.follow_open %s\n",
                     Seconds(now - ramp_start_), phase_.c_str(), open_, cfg_.streams,
                     static_cast<double>(totals_.lines - totals_last_.lines) / dt,
                     static_cast<double>(totals_.wire_bytes - totals_last_.wire_bytes) / dt / 1e6, cpu,
                     static_cast<double>(s.rss_kib) / 1024.0, s.fds, s.threads,
                     truth_follow_open_last_ ? std::to_string(*truth_follow_open_last_).c_str() : "-");
      }
      proc_last_ = s;
    }
  }
  totals_last_ = totals_;
  last_sample_at_ = now;
  if (!cfg_.control_socket.empty()) {
    OneShot::Get(io_, cfg_.control_socket, "/truth", [this](HttpResult r) {
      if (!r.error.empty() || r.status != 200) return;
      auto j = json::parse(r.body, nullptr, false);
      if (!j.is_discarded() && j.contains("follow_streams_open")) truth_follow_open_last_ = j["follow_streams_open"].get<uint64_t>();
    }, std::chrono::seconds(10));
  }
  sample_timer_.expires_after(std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(cfg_.sample_interval_s)));
  sample_timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) SampleTick();
  });
}

void App::FetchEmitted(bool start, std::function<void()> then) {
  if (cfg_.control_socket.empty()) return then();
  OneShot::Get(io_, cfg_.control_socket, "/containers", [this, start, then](HttpResult r) {
    if (r.error.empty() && r.status == 200) {
      auto j = json::parse(r.body, nullptr, false);
      if (j.is_array()) {
        std::map<std::string, const json*> by_id;
        for (const auto& c : j) {
          if (c.contains("id")) by_id[c["id"].get<std::string>()] = &c;
        }
        for (auto& t : targets_) {
          auto it = by_id.find(t.id);
          if (it == by_id.end()) continue;
          uint64_t emitted = it->second->value("emitted", uint64_t{0});
          if (start) {
            t.emitted_start = emitted;
            t.have_start = true;
          } else {
            t.emitted_end = emitted;
            t.last_seq_end = it->second->value("last_seq", uint64_t{0});
            t.have_end = true;
          }
        }
      }
    }
    then();
  }, std::chrono::seconds(20));
}

void App::BeginHold() {
  if (phase_ == "hold" || phase_ == "done") return;
  if (ramp_seconds_ == 0) {
    ramp_seconds_ = Seconds(Clock::now() - ramp_start_);
    ramp_open_ = open_;
  }
  ramp_timer_.cancel();
  phase_ = "hold";
  if (!cfg_.quiet) std::fprintf(stderr, "follow-load: %zu streams open after %.1f s; holding for %.0f s\n", open_, ramp_seconds_, cfg_.duration_s);
  // The window starts when the fake has told us what it had generated.
  FetchEmitted(true, [this] {
    hold_start_ = Clock::now();
    totals_hold_start_ = totals_;
    self_cpu_hold_start_ = SelfCpuSeconds();
    self_delay_hold_start_ = RunDelayNs("/proc/self");
    loadavg_start_ = LoadAverage();
    if (fake_pid_ > 0) proc_hold_start_ = SampleProc(fake_pid_);
    if (interrupted_) return EndHold();
    hold_timer_.expires_after(std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(cfg_.duration_s)));
    hold_timer_.async_wait([this](boost::system::error_code) { EndHold(); });
  });
}

void App::EndHold() {
  if (phase_ != "hold") return;
  phase_ = "end";
  sample_timer_.cancel();
  end_fetches_pending_ = 2;
  // Like the start, the window ends when the fake has told us what it had
  // generated, so both ends have the same lines in flight.
  FetchEmitted(false, [this] {
    hold_end_ = Clock::now();
    totals_hold_end_ = totals_;
    self_cpu_hold_end_ = SelfCpuSeconds();
    self_delay_hold_end_ = RunDelayNs("/proc/self");
    loadavg_end_ = LoadAverage();
    if (fake_pid_ > 0) {
      proc_hold_end_ = SampleProc(fake_pid_);
      if (proc_hold_end_.ok) {
        threads_max_ = std::max(threads_max_, proc_hold_end_.threads);
        rss_peak_kib_ = std::max(rss_peak_kib_, proc_hold_end_.rss_kib);
        fds_peak_ = std::max(fds_peak_, proc_hold_end_.fds);
      }
    }
    open_at_end_ = open_;
    --end_fetches_pending_;
    MaybeReport();
  });
  if (cfg_.control_socket.empty()) {
    --end_fetches_pending_;
    return MaybeReport();
  }
  OneShot::Get(io_, cfg_.control_socket, "/truth", [this](HttpResult r) {
    if (r.error.empty() && r.status == 200) {
      auto j = json::parse(r.body, nullptr, false);
      if (!j.is_discarded()) {
        truth_follow_open_end_ = j.value("follow_streams_open", uint64_t{0});
        truth_connections_open_end_ = j.value("connections_open", uint64_t{0});
      }
    }
    --end_fetches_pending_;
    MaybeReport();
  }, std::chrono::seconds(20));
}

void App::MaybeReport() {
  if (end_fetches_pending_ > 0 || reported_) return;
  reported_ = true;
  Report();
  for (auto& s : streams_) s->Close();
  signals_.cancel();
  io_.stop();
}

void App::Report() {
  const double hold = Seconds(hold_end_ - hold_start_);
  const Totals& a = totals_hold_start_;
  const Totals& b = totals_hold_end_;
  const double lines_ps = static_cast<double>(b.lines - a.lines) / hold;
  const double payload_ps = static_cast<double>(b.payload_bytes - a.payload_bytes) / hold;
  const double wire_ps = static_cast<double>(b.wire_bytes - a.wire_bytes) / hold;
  const Totals& t = totals_;  // continuity over the whole run

  // What the fake generated in the window, and what the streams should have got.
  bool have_gen = !targets_.empty() && std::all_of(targets_.begin(), targets_.end(), [](const Target& x) {
    return x.have_start && x.have_end;
  });
  double generated_ps = 0, expected_ps = 0;
  uint64_t lag_max = 0;
  double lag_sum = 0;
  size_t lag_n = 0;
  if (have_gen) {
    for (const auto& x : targets_) generated_ps += static_cast<double>(x.emitted_end - x.emitted_start);
    generated_ps /= hold;
    for (const auto& s : streams_) {
      if (s->state() != FollowStream::State::kBody) continue;
      const Target& x = s->target();
      expected_ps += static_cast<double>(x.emitted_end - x.emitted_start);
      // Lines the fake had written when it answered that this stream still lacks.
      uint64_t lag = x.last_seq_end > s->last_seq() ? x.last_seq_end - s->last_seq() : 0;
      lag_max = std::max(lag_max, lag);
      lag_sum += static_cast<double>(lag);
      ++lag_n;
    }
    expected_ps /= hold;
  }
  const double fake_cpu_hold =
      proc_hold_start_.ok && proc_hold_end_.ok
          ? 100.0 * static_cast<double>(proc_hold_end_.cpu_ticks - proc_hold_start_.cpu_ticks) /
                static_cast<double>(clk_tck_) / Seconds(proc_hold_end_.at - proc_hold_start_.at)
          : -1;
  const double fake_cpu_ramp =
      proc_ramp_start_.ok && proc_hold_start_.ok
          ? 100.0 * static_cast<double>(proc_hold_start_.cpu_ticks - proc_ramp_start_.cpu_ticks) /
                static_cast<double>(clk_tck_) / std::max(1e-3, Seconds(proc_hold_start_.at - proc_ramp_start_.at))
          : -1;
  const double self_cpu = 100.0 * (self_cpu_hold_end_ - self_cpu_hold_start_) / hold;
  const double self_wait = static_cast<double>(self_delay_hold_end_ - self_delay_hold_start_) / 1e7 / hold;
  const double fake_wait = proc_hold_start_.ok && proc_hold_end_.ok
                               ? static_cast<double>(proc_hold_end_.run_delay_ns - proc_hold_start_.run_delay_ns) /
                                     1e7 / Seconds(proc_hold_end_.at - proc_hold_start_.at)
                               : -1;
  size_t tty = static_cast<size_t>(std::count_if(targets_.begin(), targets_.end(), [](const Target& x) { return x.tty; }));

  const bool ok = open_at_end_ >= cfg_.streams && t.gaps == 0 && t.dups == 0 && t.foreign == 0 &&
                  t.unparsable == 0 && t.protocol_errors == 0;
  exit_code_ = ok ? 0 : 1;

  std::printf("follow-load: %zu/%zu streams open at the end of the hold, over %zu containers (%zu TTY)\n",
              open_at_end_, cfg_.streams, targets_.size(), tty);
  std::printf("  ramp:        %zu streams open after %.1f s (batches of %zu, every %.0f ms; %zu connect retries)%s\n",
              ramp_open_, ramp_seconds_, cfg_.ramp_batch, cfg_.ramp_interval_s * 1000, connect_retries_,
              ramp_timed_out_ ? " [RAMP TIMED OUT]" : "");
  std::printf("  hold:        %.1f s%s\n", hold, interrupted_ ? " (interrupted)" : "");
  std::printf("  received:    %.0f lines/s, %.3f MB/s of log text, %.3f MB/s on the wire (%llu lines in the hold)\n",
              lines_ps, payload_ps / 1e6, wire_ps / 1e6, static_cast<unsigned long long>(b.lines - a.lines));
  if (have_gen) {
    std::printf("  fake wrote:  %.0f lines/s over its containers; the open streams should get %.0f lines/s: "
                "received/expected %.4f\n",
                generated_ps, expected_ps, expected_ps > 0 ? lines_ps / expected_ps : 0.0);
    std::printf("  lag at end:  max %llu, mean %.2f lines behind each container's last seq\n",
                static_cast<unsigned long long>(lag_max), lag_n ? lag_sum / static_cast<double>(lag_n) : 0.0);
  }
  std::printf("  continuity:  %llu gaps (%llu lines missing), %llu duplicates, %llu foreign, %llu unparsable lines; "
              "%llu error frames; %llu protocol errors (whole run, %llu lines)\n",
              static_cast<unsigned long long>(t.gaps), static_cast<unsigned long long>(t.missing),
              static_cast<unsigned long long>(t.dups), static_cast<unsigned long long>(t.foreign),
              static_cast<unsigned long long>(t.unparsable), static_cast<unsigned long long>(t.error_frames),
              static_cast<unsigned long long>(t.protocol_errors), static_cast<unsigned long long>(t.lines));
  std::printf("  streams:     %zu failed, %zu ended by the fake\n", failed_, ended_);
  for (const auto& [cat, f] : failures_) {
    std::printf("    %zu x %s: %s\n", f.first, cat.c_str(), f.second.c_str());
  }
  if (fake_pid_ > 0 && !proc_hold_end_.ok) {
    std::printf("  fake pid %d: /proc/%d could not be read at the end (the fake is gone?)\n", fake_pid_, fake_pid_);
  } else if (fake_pid_ > 0) {
    std::printf("  fake pid %d: threads %d (max); CPU %.1f%% of one core in the hold (peak %.0f%% over %.0f s "
                "samples; %.1f%% during the ramp); RSS %.1f MiB at the end (peak %.1f); fds %d at the end (peak %d)\n",
                fake_pid_, threads_max_, fake_cpu_hold, cpu_peak_pct_, cfg_.sample_interval_s, fake_cpu_ramp,
                static_cast<double>(proc_hold_end_.rss_kib) / 1024.0, static_cast<double>(rss_peak_kib_) / 1024.0,
                proc_hold_end_.fds, fds_peak_);
    std::printf("               runnable but waiting for a CPU %.1f%% of the hold (run-queue delay; machine load "
                "average %s at the start, %s at the end)\n",
                fake_wait, loadavg_start_.c_str(), loadavg_end_.c_str());
  }
  if (truth_follow_open_end_) {
    std::printf("  fake truth:  follow_streams_open %llu, connections_open %llu (includes this request)\n",
                static_cast<unsigned long long>(*truth_follow_open_end_),
                static_cast<unsigned long long>(truth_connections_open_end_.value_or(0)));
  }
  std::printf("  client:      CPU %.1f%% of one core in the hold, waited for a CPU %.1f%%; RLIMIT_NOFILE %llu\n",
              self_cpu, self_wait, static_cast<unsigned long long>(nofile_limit_));
  std::printf("  result:      %s\n", ok ? "OK" : "FAIL");

  json j = {{"tool", "follow-load"},
            {"ok", ok},
            {"streams_requested", cfg_.streams},
            {"streams_open_end", open_at_end_},
            {"streams_failed", failed_},
            {"streams_ended", ended_},
            {"containers", targets_.size()},
            {"tty_containers", tty},
            {"ramp_s", ramp_seconds_},
            {"ramp_timed_out", ramp_timed_out_},
            {"connect_retries", connect_retries_},
            {"hold_s", hold},
            {"lines_hold", b.lines - a.lines},
            {"lines_per_s", lines_ps},
            {"payload_bytes_per_s", payload_ps},
            {"wire_bytes_per_s", wire_ps},
            {"lines_total", t.lines},
            {"gaps", t.gaps},
            {"missing_lines", t.missing},
            {"dups", t.dups},
            {"foreign_lines", t.foreign},
            {"unparsable_lines", t.unparsable},
            {"error_frames", t.error_frames},
            {"protocol_errors", t.protocol_errors},
            {"client_cpu_pct", self_cpu},
            {"client_runqueue_wait_pct", self_wait},
            {"loadavg_start", loadavg_start_},
            {"loadavg_end", loadavg_end_},
            {"rlimit_nofile", nofile_limit_}};
  if (have_gen) {
    j["generated_lines_per_s"] = generated_ps;
    j["expected_lines_per_s"] = expected_ps;
    j["received_over_expected"] = expected_ps > 0 ? lines_ps / expected_ps : 0.0;
    j["lag_lines_max"] = lag_max;
    j["lag_lines_mean"] = lag_n ? lag_sum / static_cast<double>(lag_n) : 0.0;
  }
  if (fake_pid_ > 0) {
    j["fake"] = {{"pid", fake_pid_},
                 {"threads_max", threads_max_},
                 {"cpu_pct_hold", fake_cpu_hold},
                 {"cpu_pct_peak_sample", cpu_peak_pct_},
                 {"cpu_pct_ramp", fake_cpu_ramp},
                 {"runqueue_wait_pct_hold", fake_wait},
                 {"rss_mib_end", static_cast<double>(proc_hold_end_.rss_kib) / 1024.0},
                 {"rss_mib_peak", static_cast<double>(rss_peak_kib_) / 1024.0},
                 {"fds_end", proc_hold_end_.fds},
                 {"fds_peak", fds_peak_}};
    if (truth_follow_open_end_) j["fake"]["truth_follow_streams_open"] = *truth_follow_open_end_;
  }
  json failures = json::object();
  for (const auto& [cat, f] : failures_) failures[cat] = {{"count", f.first}, {"first", f.second}};
  j["failures"] = failures;
  std::printf("%s\n", j.dump().c_str());
  std::fflush(stdout);
}

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
  Config cfg;
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
  asio::io_context io(1);
  App app(io, cfg);
  app.Start();
  io.run();
  return app.exit_code();
}
