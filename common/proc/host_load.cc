#include "common/proc/host_load.h"

#include <sys/resource.h>

#include "common/proc/proc_file.h"
#include "common/proc/proc_text.h"

namespace leakbench {

std::string LoadAverage() {
  std::string text;
  if (procfs::ReadSmallFile("/proc/loadavg", text) != 0) return "";
  return procfs::LoadAverages(text);
}

double SelfCpuSeconds() {
  rusage ru{};
  ::getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

}  // namespace leakbench
