// leakbench-emitter: the workload of a real-daemon run, statically linked so
// it runs as PID 1 of a container built from nothing but busybox and itself.
// Writes stamped lines (emitter_line.h) with its container's cid (the
// hostname Docker gives it: the id's first 12 hex digits) at a rate, in
// bursts, with line lengths drawn from MIN-MAX and a share on stderr.
//   SIGUSR1  stop writing (the run is over; streams stay open)
//   SIGTERM  write the next seq to --state and exit 0 (docker stop), so a
//            restarted container carries on where it stopped
//
//   leakbench-emitter --rate R --line-bytes N|MIN-MAX [--stderr-fraction F]
//                     [--burst B] [--state FILE] [--cid HEX12]
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "harness/workload/emitter_line.h"

namespace {

volatile std::sig_atomic_t g_stop = 0;
volatile std::sig_atomic_t g_quiet = 0;

void OnTerm(int) { g_stop = 1; }
void OnQuiet(int) { g_quiet = 1; }

[[noreturn]] void Die(const std::string& why) {
  std::fprintf(stderr, "leakbench-emitter: %s\n", why.c_str());
  std::exit(2);
}

bool WriteAll(int fd, const std::string& s) {
  std::size_t off = 0;
  while (off < s.size()) {
    const ssize_t n = write(fd, s.data() + off, s.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    off += static_cast<std::size_t>(n);
  }
  return true;
}

std::uint64_t ReadState(const std::string& path) {
  if (path.empty()) return 1;
  std::FILE* f = std::fopen(path.c_str(), "r");
  if (f == nullptr) return 1;
  unsigned long long next = 1;
  if (std::fscanf(f, "%llu", &next) != 1 || next == 0) next = 1;
  std::fclose(f);
  return next;
}

void WriteState(const std::string& path, std::uint64_t next) {
  if (path.empty()) return;
  const std::string tmp = path + ".tmp";
  std::FILE* f = std::fopen(tmp.c_str(), "w");
  if (f == nullptr) return;
  std::fprintf(f, "%llu\n", static_cast<unsigned long long>(next));
  if (std::fclose(f) == 0) std::rename(tmp.c_str(), path.c_str());
}

// xorshift64*: line lengths and stream choice, seeded by the cid.
struct Rng {
  std::uint64_t s;
  std::uint64_t Next() {
    s ^= s >> 12;
    s ^= s << 25;
    s ^= s >> 27;
    return s * 2685821657736338717ull;
  }
  double Unit() { return static_cast<double>(Next() >> 11) / 9007199254740992.0; }
};

}  // namespace

int main(int argc, char** argv) {
  double rate = 5, stderr_fraction = 0;
  std::size_t min_bytes = 100, max_bytes = 100;
  unsigned burst = 1;
  std::string state, cid;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) Die(flag + " needs a value");
    const std::string v = argv[++i];
    char* end = nullptr;
    if (flag == "--rate") {
      rate = std::strtod(v.c_str(), &end);
      if (*end != '\0' || !std::isfinite(rate) || rate < 0 || rate > 1e6) Die("--rate " + v + ": give 0..1000000");
    } else if (flag == "--line-bytes") {
      const std::size_t dash = v.find('-');
      min_bytes = std::strtoul(v.substr(0, dash).c_str(), &end, 10);
      max_bytes = dash == std::string::npos ? min_bytes : std::strtoul(v.substr(dash + 1).c_str(), nullptr, 10);
      if (min_bytes == 0 || max_bytes < min_bytes || max_bytes > (64u << 20)) Die("--line-bytes " + v + ": give N or MIN-MAX");
    } else if (flag == "--stderr-fraction") {
      stderr_fraction = std::strtod(v.c_str(), &end);
      if (*end != '\0' || !(stderr_fraction >= 0 && stderr_fraction <= 1)) Die("--stderr-fraction " + v + ": give 0..1");
    } else if (flag == "--burst") {
      burst = static_cast<unsigned>(std::strtoul(v.c_str(), &end, 10));
      if (*end != '\0' || burst == 0 || burst > 100000) Die("--burst " + v + ": give 1..100000");
    } else if (flag == "--state") {
      state = v;
    } else if (flag == "--cid") {
      cid = v;
    } else {
      Die("unknown flag " + flag);
    }
  }
  if (cid.empty()) {
    char host[256] = {};
    if (gethostname(host, sizeof host - 1) != 0) Die("gethostname failed; give --cid");
    cid = host;
  }
  if (cid.size() < 12) Die("cid '" + cid + "' is shorter than 12 hex digits; give --cid");
  cid.resize(12);
  for (char c : cid) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) Die("cid '" + cid + "' is not 12 lowercase hex digits");
  }

  struct sigaction sa {};
  sa.sa_handler = OnTerm;
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  sa.sa_handler = OnQuiet;
  sigaction(SIGUSR1, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);
  // The signals are blocked except inside ppoll, which unblocks them
  // atomically: one that arrives between a check and the wait still wakes it.
  sigset_t handled, waiting;
  sigemptyset(&handled);
  for (int sig : {SIGTERM, SIGINT, SIGUSR1}) sigaddset(&handled, sig);
  sigprocmask(SIG_BLOCK, &handled, &waiting);

  Rng rng{std::strtoull(cid.c_str(), nullptr, 16) | 1};
  std::uint64_t seq = ReadState(state);
  const double period_s = rate > 0 ? burst / rate : 0;
  timespec next{};
  clock_gettime(CLOCK_MONOTONIC, &next);
  std::string out, err;
  while (!g_stop) {
    if (rate <= 0 || g_quiet) {
      ppoll(nullptr, 0, nullptr, &waiting);  // until a signal
      continue;
    }
    out.clear();
    err.clear();
    for (unsigned b = 0; b < burst; ++b) {
      const bool on_stderr = stderr_fraction > 0 && rng.Unit() < stderr_fraction;
      const std::size_t bytes = min_bytes + static_cast<std::size_t>(rng.Next() % (max_bytes - min_bytes + 1));
      std::string& buf = on_stderr ? err : out;
      leakbench::workload::RenderStampedLine(cid, seq++, on_stderr, bytes, &buf);
      buf += '\n';
    }
    // stdout first, then stderr: each line is written whole by one write.
    if ((!out.empty() && !WriteAll(1, out)) || (!err.empty() && !WriteAll(2, err))) {
      WriteState(state, seq);
      return 1;
    }
    const double s = std::floor(period_s);
    next.tv_sec += static_cast<time_t>(s);
    next.tv_nsec += static_cast<long>((period_s - s) * 1e9);
    if (next.tv_nsec >= 1000000000) {
      next.tv_nsec -= 1000000000;
      ++next.tv_sec;
    }
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    const long long left_ns = (static_cast<long long>(next.tv_sec) - now.tv_sec) * 1000000000LL + (next.tv_nsec - now.tv_nsec);
    if (left_ns > 0) {
      const timespec left{static_cast<time_t>(left_ns / 1000000000LL), static_cast<long>(left_ns % 1000000000LL)};
      ppoll(nullptr, 0, &left, &waiting);  // a signal ends the wait early
    }
  }
  WriteState(state, seq);
  return 0;
}
