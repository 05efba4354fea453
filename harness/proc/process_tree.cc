// SampleProcessTree: list proc_root once, read every process's stat (its
// parent), close the set over parent -> child from the root (and from every
// process carrying the marker), then ReadProcSample each member in pid
// order. A process that exits between any two reads is skipped.
#include "harness/proc/process_tree.h"

#include <dirent.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <utility>

#include "common/proc/proc_file.h"
#include "common/proc/proc_text.h"

namespace leakbench::harness {
namespace {

// A signed decimal of a stat field ("-1", "4242"); nullopt if malformed.
template <typename Int>
std::optional<Int> StatInteger(std::string_view token) {
  Int value{};
  const auto [ptr, ec] = std::from_chars(token.data(), token.data() + token.size(), value);
  if (ec != std::errc() || ptr != token.data() + token.size()) return std::nullopt;
  return value;
}

// A /proc directory entry name as a pid: digits only, > 0.
std::optional<pid_t> PidName(const char* name) {
  const std::string_view text(name);
  if (text.empty() || text.find_first_not_of("0123456789") != std::string_view::npos) return std::nullopt;
  const auto pid = StatInteger<pid_t>(text);
  if (!pid || *pid <= 0) return std::nullopt;
  return pid;
}

// Indices of `all` marked in `member`, extended to every descendant: `by_ppid`
// holds (ppid, index) pairs sorted by ppid. Cycles (impossible in a real
// /proc, possible in a torn read) end because members are never revisited.
void CloseOverChildren(const std::vector<ProcStat>& all, const std::vector<std::pair<pid_t, std::size_t>>& by_ppid,
                       std::vector<char>& member) {
  std::vector<std::size_t> todo;
  for (std::size_t i = 0; i < member.size(); ++i) {
    if (member[i]) todo.push_back(i);
  }
  while (!todo.empty()) {
    const pid_t parent = all[todo.back()].pid;
    todo.pop_back();
    auto it = std::lower_bound(by_ppid.begin(), by_ppid.end(), std::pair<pid_t, std::size_t>(parent, 0));
    for (; it != by_ppid.end() && it->first == parent; ++it) {
      if (!member[it->second]) {
        member[it->second] = 1;
        todo.push_back(it->second);
      }
    }
  }
}

void AddTo(ProcSample& total, const ProcSample& one) {
  total.threads += one.threads;
  total.fds.socket += one.fds.socket;
  total.fds.pipe += one.fds.pipe;
  total.fds.file += one.fds.file;
  total.fds.other += one.fds.other;
  total.rss_bytes += one.rss_bytes;
  if (one.pss_bytes) total.pss_bytes = total.pss_bytes.value_or(0) + *one.pss_bytes;
  total.cpu_ticks += one.cpu_ticks;
  total.cpu_seconds += one.cpu_seconds;
  total.run_delay_ns += one.run_delay_ns;
}

}  // namespace

std::optional<ProcStat> ParseProcStat(std::string_view stat) {
  const std::size_t open = stat.find(" (");
  const std::size_t close = stat.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open + 2) return std::nullopt;
  ProcStat out;
  const auto pid = StatInteger<pid_t>(stat.substr(0, open));
  if (!pid) return std::nullopt;
  out.pid = *pid;
  out.comm = std::string(stat.substr(open + 2, close - open - 2));
  // Fields 3.. after the last ')': fields[k] is field k + 3. state (3),
  // ppid (4), pgrp (5), session (6), starttime (22).
  std::array<std::string_view, 20> fields;
  if (procfs::SplitStatFields(stat, fields) < fields.size()) return std::nullopt;
  if (fields[0].size() != 1) return std::nullopt;
  out.state = fields[0][0];
  const auto ppid = StatInteger<pid_t>(fields[1]);
  const auto pgrp = StatInteger<pid_t>(fields[2]);
  const auto session = StatInteger<pid_t>(fields[3]);
  const auto start_ticks = StatInteger<std::uint64_t>(fields[19]);
  if (!ppid || !pgrp || !session || !start_ticks) return std::nullopt;
  out.ppid = *ppid;
  out.pgrp = *pgrp;
  out.session = *session;
  out.start_ticks = *start_ticks;
  return out;
}

bool EnvironHasEntry(std::string_view env_blob, std::string_view entry) {
  if (entry.empty()) return false;
  for (std::size_t at = env_blob.find(entry); at != std::string_view::npos; at = env_blob.find(entry, at + 1)) {
    const std::size_t end = at + entry.size();
    if ((at == 0 || env_blob[at - 1] == '\0') && (end == env_blob.size() || env_blob[end] == '\0')) return true;
  }
  return false;
}

ProcessTreeSample SampleProcessTree(pid_t root, std::string_view marker, const std::string& proc_root) {
  ProcessTreeSample out;
  std::vector<ProcStat> all;
  std::string buf;
  {
    procfs::UniqueDir dir(::opendir(proc_root.c_str()));
    if (!dir) {
      out.error = "cannot list " + proc_root + ": " + std::strerror(errno);
      out.total.error = out.error;
      return out;
    }
    std::string path;
    while (const dirent* entry = ::readdir(dir.get())) {
      const auto pid = PidName(entry->d_name);
      if (!pid) continue;
      ++out.scanned;
      path.assign(proc_root).append("/").append(entry->d_name).append("/stat");
      // Unreadable here means gone (stat is world-readable): skipped.
      if (procfs::ReadSmallFile(path, buf) != 0) continue;
      auto stat = ParseProcStat(buf);
      if (!stat || stat->pid != *pid) continue;
      all.push_back(std::move(*stat));
    }
  }
  std::sort(all.begin(), all.end(), [](const ProcStat& a, const ProcStat& b) { return a.pid < b.pid; });

  std::vector<std::pair<pid_t, std::size_t>> by_ppid;
  by_ppid.reserve(all.size());
  for (std::size_t i = 0; i < all.size(); ++i) by_ppid.emplace_back(all[i].ppid, i);
  std::sort(by_ppid.begin(), by_ppid.end());

  std::vector<char> member(all.size(), 0);
  const auto root_it =
      std::lower_bound(all.begin(), all.end(), root, [](const ProcStat& p, pid_t pid) { return p.pid < pid; });
  if (root_it != all.end() && root_it->pid == root) member[static_cast<std::size_t>(root_it - all.begin())] = 1;
  CloseOverChildren(all, by_ppid, member);

  std::vector<char> by_marker(all.size(), 0);
  if (!marker.empty()) {
    std::vector<char> marked(all.size(), 0);
    bool any = false;
    std::string path;
    for (std::size_t i = 0; i < all.size(); ++i) {
      if (member[i]) continue;
      path.assign(proc_root).append("/").append(std::to_string(all[i].pid)).append("/environ");
      // EACCES (another user's process) or gone: not ours.
      if (procfs::ReadSmallFile(path, buf) == 0 && EnvironHasEntry(buf, marker)) {
        marked[i] = 1;
        any = true;
      }
    }
    if (any) {
      CloseOverChildren(all, by_ppid, marked);
      for (std::size_t i = 0; i < all.size(); ++i) {
        if (marked[i] && !member[i]) member[i] = by_marker[i] = 1;
      }
    }
  }

  for (std::size_t i = 0; i < all.size(); ++i) {
    if (!member[i]) continue;
    ProcSample sample = ReadProcSample(all[i].pid, proc_root);
    if (!sample.ok) {
      if (sample.gone) {
        ++out.vanished;
        continue;
      }
      if (out.unreadable++ == 0) out.error = sample.error;
      continue;
    }
    AddTo(out.total, sample);
    ProcStat& stat = all[i];
    out.processes.push_back(ProcessEntry{.pid = stat.pid,
                                         .ppid = stat.ppid,
                                         .comm = std::move(stat.comm),
                                         .state = stat.state,
                                         .start_ticks = stat.start_ticks,
                                         .by_marker = by_marker[i] != 0,
                                         .sample = std::move(sample)});
  }
  out.ok = !out.processes.empty();
  out.total.ok = out.ok;
  if (!out.ok) {
    std::string why = "no process left of root " + std::to_string(root);
    if (!marker.empty()) why += " and none carries " + std::string(marker);
    if (out.unreadable > 0) why += " (" + std::to_string(out.unreadable) + " unreadable: " + out.error + ")";
    out.error = why;
    out.total.error = why;
  }
  return out;
}

}  // namespace leakbench::harness
