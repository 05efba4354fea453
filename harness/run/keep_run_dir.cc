#include "harness/run/keep_run_dir.h"

#include <sys/stat.h>

#include <cerrno>
#include <filesystem>
#include <system_error>

namespace leakbench::harness {
namespace {

namespace fs = std::filesystem;

struct Copier {
  const std::vector<SkippedSubtree>& skip;
  dev_t device = 0;
  KeptRunDir kept;

  void NotKept(const fs::path& rel, const std::string& why) { kept.not_kept.push_back(rel.generic_string() + ": " + why); }

  const SkippedSubtree* Skipped(const fs::path& rel) const {
    for (const auto& s : skip) {
      if (rel.generic_string() == s.relative_path) return &s;
    }
    return nullptr;
  }

  void CopyDir(const fs::path& from, const fs::path& to, const fs::path& rel) {
    std::error_code ec;
    fs::create_directories(to, ec);
    if (ec) {
      NotKept(rel.empty() ? fs::path(".") : rel, "cannot create " + to.string() + ": " + ec.message());
      return;
    }
    fs::directory_iterator it(from, ec);
    if (ec) {
      NotKept(rel.empty() ? fs::path(".") : rel, "cannot list: " + ec.message());
      return;
    }
    for (; it != fs::directory_iterator(); it.increment(ec)) {
      const fs::path name = it->path().filename();
      CopyEntry(it->path(), to / name, rel / name);
    }
    if (ec) NotKept(rel.empty() ? fs::path(".") : rel, "listing stopped: " + ec.message());
  }

  void CopyEntry(const fs::path& from, const fs::path& to, const fs::path& rel) {
    if (const SkippedSubtree* s = Skipped(rel)) {
      NotKept(rel, s->why);
      return;
    }
    struct stat st {};
    if (lstat(from.c_str(), &st) != 0) {
      NotKept(rel, std::string("cannot stat: ") + std::generic_category().message(errno));
      return;
    }
    std::error_code ec;
    if (S_ISDIR(st.st_mode)) {
      if (st.st_dev != device) {
        NotKept(rel, "a mount point (another file system is never copied)");
        return;
      }
      CopyDir(from, to, rel);
    } else if (S_ISREG(st.st_mode)) {
      fs::copy_file(from, to, fs::copy_options::overwrite_existing, ec);
      if (ec) {
        NotKept(rel, "cannot copy: " + ec.message());
        return;
      }
      ++kept.files;
      kept.bytes += static_cast<std::uint64_t>(st.st_size);
    } else if (S_ISLNK(st.st_mode)) {
      fs::remove(to, ec);
      fs::copy_symlink(from, to, ec);
      if (ec) {
        NotKept(rel, "cannot copy the link: " + ec.message());
        return;
      }
      ++kept.links;
    } else {
      ++kept.special;  // a socket, FIFO or device: nothing in it to keep
    }
  }
};

}  // namespace

KeptRunDir KeepRunDir(const std::string& from, const std::string& to, const std::vector<SkippedSubtree>& skip) {
  Copier c{skip, 0, {}};
  struct stat st {};
  if (stat(from.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    c.NotKept(".", "the run directory " + from + " is not there");
    return c.kept;
  }
  c.device = st.st_dev;
  c.CopyDir(from, to, {});
  return c.kept;
}

std::string DescribeKeptRunDir(const KeptRunDir& kept, const std::string& to) {
  std::string out = "run directory kept in " + to + ": " + std::to_string(kept.files) + " files, " +
                    std::to_string((kept.bytes + (1 << 20) - 1) >> 20) + " MiB";
  if (kept.links != 0) out += ", " + std::to_string(kept.links) + " symbolic links";
  if (kept.special != 0) out += "; " + std::to_string(kept.special) + " sockets/FIFOs not copied";
  if (kept.not_kept.empty()) return out + "\n";
  out += "; not kept:\n";
  constexpr std::size_t kListed = 20;
  for (std::size_t i = 0; i < kept.not_kept.size() && i < kListed; ++i) out += "  " + kept.not_kept[i] + "\n";
  if (kept.not_kept.size() > kListed) out += "  ... and " + std::to_string(kept.not_kept.size() - kListed) + " more\n";
  return out;
}

}  // namespace leakbench::harness
