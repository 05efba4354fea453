#include "core/position/state_file.h"
#include "common/unique_fd.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <limits>
#include <nlohmann/json.hpp>
#include <string_view>
#include <utility>

namespace logcap {
namespace {

using Kind = StateFileError::Kind;

using leakbench::UniqueFd;

std::string Errno(int err) { return std::strerror(err); }

// What to do about an error of `kind`; the end of every message.
std::string Advice(Kind kind) {
  switch (kind) {
    case Kind::kNotFound:
      return "No saved positions; starting fresh.";
    case Kind::kIo:
      return "Check the path and its permissions.";
    case Kind::kCorrupt:
    case Kind::kWrongVersion:
      break;
  }
  return "Move or delete it to start fresh (containers are then read from "
         "their start or their configured tail).";
}

StateFileError Error(Kind kind, const std::string& path, std::string what) {
  return StateFileError{
      kind, path, "state file " + path + ": " + what + ". " + Advice(kind),
      /*set_aside_path=*/""};
}

bool WriteAll(int fd, std::string_view data, int* err) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      *err = errno;
      return false;
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

// An integer that a std::int64_t holds (nlohmann keeps big positive values
// as uint64, which get<int64_t> would wrap).
bool FitsInt64(const nlohmann::json& v) {
  if (!v.is_number_integer()) return false;
  return !v.is_number_unsigned() ||
         v.get<std::uint64_t>() <=
             static_cast<std::uint64_t>(
                 std::numeric_limits<std::int64_t>::max());
}

std::string DirectoryOf(const std::string& path) {
  const auto slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

}  // namespace

LoadResult ParseStateFile(const std::string& contents,
                          const std::string& path) {
  const nlohmann::json doc = nlohmann::json::parse(contents, /*cb=*/nullptr,
                                                   /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    return LoadResult(Error(Kind::kCorrupt, path,
                            "not valid JSON (truncated or corrupt, " +
                                std::to_string(contents.size()) + " bytes)"));
  }
  if (!doc.is_object()) {
    return LoadResult(
        Error(Kind::kCorrupt, path, "top level is not an object"));
  }
  const auto version = doc.find("version");
  if (version == doc.end() || !version->is_number_integer()) {
    return LoadResult(Error(Kind::kCorrupt, path, "no integer \"version\""));
  }
  if (version->get<std::int64_t>() != kStateFileVersion) {
    return LoadResult(Error(Kind::kWrongVersion, path,
                            "version " + version->dump() +
                                " is not supported (expected " +
                                std::to_string(kStateFileVersion) + ")"));
  }
  const auto positions = doc.find("positions");
  if (positions == doc.end() || !positions->is_object()) {
    return LoadResult(Error(Kind::kCorrupt, path, "no \"positions\" object"));
  }
  PositionMap out;
  for (const auto& item : positions->items()) {
    // Named, not a structured binding: a lambda cannot capture one before
    // C++20 as clang 14 implements it.
    const std::string& id = item.key();
    const auto& entry = item.value();
    const auto bad = [&](const std::string& why) {
      return LoadResult(
          Error(Kind::kCorrupt, path, "entry \"" + id + "\": " + why));
    };
    if (id.empty()) return bad("empty container id");
    if (!entry.is_object()) return bad("not an object");
    const auto ts = entry.find("ts_ns");
    const auto count = entry.find("count");
    if (ts == entry.end() || !ts->is_number_integer()) {
      return bad("no integer \"ts_ns\"");
    }
    if (!FitsInt64(*ts)) return bad("\"ts_ns\" out of range");
    if (count == entry.end() || !count->is_number_unsigned()) {
      return bad("no non-negative integer \"count\"");
    }
    Position pos(ts->get<std::int64_t>(), count->get<std::uint64_t>());
    if (pos.ts_ns < 0) return bad("negative \"ts_ns\"");
    if (const auto since = entry.find("since_ns"); since != entry.end()) {
      if (!FitsInt64(*since) || since->get<std::int64_t>() > pos.ts_ns) {
        return bad("\"since_ns\" is not an integer <= \"ts_ns\"");
      }
      pos.since_ns = since->get<std::int64_t>();
    }
    if (const auto earlier = entry.find("earlier"); earlier != entry.end()) {
      if (!earlier->is_array()) return bad("\"earlier\" is not an array");
      std::int64_t prev = pos.since_ns;
      for (const auto& e : *earlier) {
        // Each element: [ts_ns, count], ascending, inside [since_ns, ts_ns).
        if (!e.is_array() || e.size() != 2 || !FitsInt64(e[0]) ||
            !e[1].is_number_unsigned() || e[1].get<std::uint64_t>() == 0) {
          return bad("\"earlier\" element is not [ts_ns, count>0]");
        }
        const auto t = e[0].get<std::int64_t>();
        if (t < prev || t >= pos.ts_ns ||
            (!pos.earlier.empty() && t == pos.earlier.back().first)) {
          return bad("\"earlier\" not ascending inside [since_ns, ts_ns)");
        }
        pos.earlier.emplace_back(t, e[1].get<std::uint64_t>());
        prev = t;
      }
    }
    if (pos.empty()) continue;
    out.emplace(id, pos);
  }
  return LoadResult(std::move(out));
}

LoadResult LoadStateFile(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) {
    const int err = errno;
    if (err == ENOENT) {
      return LoadResult(Error(Kind::kNotFound, path, "does not exist"));
    }
    return LoadResult(Error(Kind::kIo, path, "cannot open: " + Errno(err)));
  }
  // A state file holds a few hundred bytes per container; refuse anything
  // absurd instead of reading it into memory.
  constexpr std::size_t kMaxBytes = 256u << 20;
  std::string contents;
  char buf[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return LoadResult(Error(Kind::kIo, path, "cannot read: " + Errno(errno)));
    }
    if (n == 0) break;
    contents.append(buf, static_cast<std::size_t>(n));
    if (contents.size() > kMaxBytes) {
      return LoadResult(Error(Kind::kCorrupt, path, "larger than 256 MiB"));
    }
  }
  return ParseStateFile(contents, path);
}

std::string SerializeStateFile(const PositionMap& positions) {
  nlohmann::json entries = nlohmann::json::object();
  for (const auto& [id, pos] : positions) {
    if (pos.empty()) continue;
    nlohmann::json entry = {{"ts_ns", pos.ts_ns}, {"count", pos.count}};
    if (pos.since_ns != pos.ts_ns) entry["since_ns"] = pos.since_ns;
    if (!pos.earlier.empty()) {
      nlohmann::json earlier = nlohmann::json::array();
      for (const auto& [t, n] : pos.earlier) earlier.push_back({t, n});
      entry["earlier"] = std::move(earlier);
    }
    entries[id] = std::move(entry);
  }
  const nlohmann::json doc = {{"version", kStateFileVersion},
                              {"positions", std::move(entries)}};
  // Container ids are hex, but never let odd bytes make the file unreadable.
  return doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) +
         "\n";
}

std::optional<StateFileError> SaveStateFile(const std::string& path,
                                            const PositionMap& positions) {
  const std::string text = SerializeStateFile(positions);
  const std::string tmp = path + ".tmp";
  const auto fail = [&](const std::string& what, int err) {
    ::unlink(tmp.c_str());
    return Error(Kind::kIo, path, what + ": " + Errno(err));
  };

  UniqueFd fd(
      ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!fd.valid()) {
    const int err = errno;
    return Error(Kind::kIo, path, "cannot create " + tmp + ": " + Errno(err));
  }
  int err = 0;
  if (!WriteAll(fd.get(), text, &err)) return fail("cannot write " + tmp, err);
  if (::fsync(fd.get()) != 0) {
    err = errno;
    return fail("cannot fsync " + tmp, err);
  }
  if (fd.Close() != 0) {
    err = errno;
    return fail("cannot close " + tmp, err);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    err = errno;
    return fail("cannot rename " + tmp + " to " + path, err);
  }
  // Make the rename itself durable.
  UniqueFd dir(
      ::open(DirectoryOf(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.valid()) ::fsync(dir.get());
  return std::nullopt;
}

std::optional<StateFileError> CheckStateFileWritable(const std::string& path) {
  if (path.empty()) return std::nullopt;
  const std::string dir = DirectoryOf(path);
  const auto fail = [&](const std::string& what) {
    return StateFileError{
        Kind::kIo, path,
        "state file " + path + " cannot be used: " + what +
            ". Check that the directory " + dir +
            " exists and this user may create files in it (mkdir -p, chown, "
            "chmod), or give --state-file (state.file) another path",
        /*set_aside_path=*/""};
  };
  // An existing state file must be a file we can read: otherwise the engine
  // would start without its positions and overwrite it at the first save.
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return fail("it is a directory");
    UniqueFd existing(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!existing.valid()) {
      const int err = errno;
      return fail("the existing file cannot be read: " + Errno(err));
    }
  }
  // SaveStateFile writes <path>.tmp, then renames it over <path>: creating
  // the temp file proves both. Only the temp file is touched (a stale one
  // is garbage: every save truncates it).
  const std::string tmp = path + ".tmp";
  UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
  if (!fd.valid()) {
    const int err = errno;
    return fail("cannot create " + tmp + ": " + Errno(err));
  }
  fd.Close();
  ::unlink(tmp.c_str());
  return std::nullopt;
}

std::string SetAsidePath(const std::string& path,
                         std::chrono::system_clock::time_point now) {
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm utc{};
  ::gmtime_r(&t, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &utc);
  return path + ".corrupt-" + stamp;
}

LoadResult LoadStateFileOrSetAside(const std::string& path,
                                   std::chrono::system_clock::time_point now) {
  LoadResult loaded = LoadStateFile(path);
  if (loaded.ok() || (loaded.error().kind != Kind::kCorrupt &&
                      loaded.error().kind != Kind::kWrongVersion)) {
    return loaded;
  }
  StateFileError error = loaded.error();
  // Keep the reason, replace the advice.
  const std::string advice = Advice(error.kind);
  if (error.message.ends_with(advice)) {
    error.message.resize(error.message.size() - advice.size());
  }
  // Never replace an earlier copy: "-2", "-3", ... when the name is taken.
  const std::string base = SetAsidePath(path, now);
  int err = EEXIST;
  std::string target;
  for (int n = 1; n <= 100 && err == EEXIST; ++n) {
    target = n == 1 ? base : base + "-" + std::to_string(n);
    err = 0;
    if (::renameat2(AT_FDCWD, path.c_str(), AT_FDCWD, target.c_str(),
                    RENAME_NOREPLACE) == 0) {
      break;
    }
    err = errno;
    if (err == EINVAL || err == ENOSYS) {
      // A file system without RENAME_NOREPLACE: check, then rename.
      struct stat st {};
      if (::lstat(target.c_str(), &st) == 0) {
        err = EEXIST;
      } else {
        err = ::rename(path.c_str(), target.c_str()) == 0 ? 0 : errno;
      }
    }
  }
  if (err != 0) {
    error.message += "It could not be moved aside (rename to " + target +
                     ": " + Errno(err) +
                     "), so the next save replaces it: copy it away now to "
                     "keep it";
    return LoadResult(std::move(error));
  }
  UniqueFd dir(
      ::open(DirectoryOf(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.valid()) ::fsync(dir.get());
  error.set_aside_path = target;
  error.message += "Moved it aside to " + target +
                   " (inspect or delete it); containers are read from their "
                   "start or their configured tail";
  return LoadResult(std::move(error));
}

}  // namespace logcap
