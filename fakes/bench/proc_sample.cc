#include "fakes/bench/proc_sample.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <charconv>
#include <memory>
#include <vector>

#include "common/unique_fd.h"

namespace followload {

std::optional<std::string> ReadSmallFile(const std::string& path) {
  leakbench::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return std::nullopt;
  std::string out;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

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

uint64_t StatusField(std::string_view status, std::string_view key) {
  size_t p = status.find(key);
  if (p == std::string_view::npos) return 0;
  p += key.size();
  while (p < status.size() && (status[p] == ' ' || status[p] == '\t')) ++p;
  uint64_t v = 0;
  std::from_chars(status.data() + p, status.data() + status.size(), v);
  return v;
}

std::optional<uint64_t> StatCpuTicks(std::string_view stat) {
  // Fields after the command's closing ')': state is field 3, utime 14, stime 15.
  size_t p = stat.rfind(')');
  if (p == std::string_view::npos || p + 2 > stat.size()) return std::nullopt;
  std::vector<std::string_view> fields;
  std::string_view rest = stat.substr(p + 2);
  while (!rest.empty() && fields.size() < 16) {
    size_t sp = rest.find(' ');
    fields.push_back(rest.substr(0, sp));
    rest = sp == std::string_view::npos ? std::string_view() : rest.substr(sp + 1);
  }
  if (fields.size() < 13) return std::nullopt;
  uint64_t utime = 0, stime = 0;
  std::from_chars(fields[11].data(), fields[11].data() + fields[11].size(), utime);
  std::from_chars(fields[12].data(), fields[12].data() + fields[12].size(), stime);
  return utime + stime;
}

namespace {

// Entries of a directory except "." and ".."-like names; -1 if it cannot be opened.
int CountEntries(const std::string& dir) {
  std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(dir.c_str()), &::closedir);
  if (!d) return -1;
  int n = 0;
  while (dirent* e = ::readdir(d.get())) {
    if (e->d_name[0] != '.') ++n;
  }
  return n;
}

}  // namespace

ProcSample SampleProc(int pid) {
  ProcSample s;
  s.at = std::chrono::steady_clock::now();
  const std::string base = "/proc/" + std::to_string(pid);
  auto status = ReadSmallFile(base + "/status");
  auto stat = ReadSmallFile(base + "/stat");
  if (!status || !stat) return s;
  s.threads = static_cast<int>(StatusField(*status, "\nThreads:"));
  s.rss_kib = StatusField(*status, "\nVmRSS:");
  auto ticks = StatCpuTicks(*stat);
  if (!ticks) return s;
  s.cpu_ticks = *ticks;
  s.run_delay_ns = RunDelayNs(base);
  s.fds = CountEntries(base + "/fd");
  s.ok = true;
  return s;
}

double SelfCpuSeconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

}  // namespace followload
