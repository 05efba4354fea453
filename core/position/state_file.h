// Persists the read positions of many containers (id -> Position) to a small
// JSON state file, so that a restarted engine resumes where it stopped. Save
// is atomic (temp file in the same directory, fsync, rename, fsync of the
// directory): a crash leaves the old file or the new one, never a mix. Load
// never throws or aborts on bad input; it returns an error value naming the
// file and what to do, and the caller may start fresh. Free functions, no
// shared state: thread-safe as long as two callers do not Save the same path.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "core/position/position.h"

namespace logcap {

using PositionMap = std::map<std::string, Position>;

// Format version written by SaveStateFile; any other version is rejected.
inline constexpr int kStateFileVersion = 1;

struct StateFileError {
  enum class Kind {
    kNotFound,      // no file yet: a first start, not a failure
    kIo,            // could not read or write (permissions, disk full, ...)
    kCorrupt,       // not JSON, truncated, or the wrong shape
    kWrongVersion,  // written by another format version
  };
  Kind kind;
  std::string path;
  std::string message;  // complete sentence(s): what, where, what to do
  // LoadStateFileOrSetAside only: where the bad file was moved ("" if not).
  std::string set_aside_path;

  std::string ToString() const { return message; }
};

// Either positions or an error; never both.
class [[nodiscard]] LoadResult {
 public:
  explicit LoadResult(PositionMap positions)
      : positions_(std::move(positions)) {}
  explicit LoadResult(StateFileError error) : error_(std::move(error)) {}

  bool ok() const { return !error_.has_value(); }
  const PositionMap& positions() const { return positions_; }
  PositionMap&& take_positions() { return std::move(positions_); }
  const StateFileError& error() const { return *error_; }

 private:
  PositionMap positions_;
  std::optional<StateFileError> error_;
};

// Reads `path`. Layout:
//   {"version":1,"positions":{"<container
//   id>":{"ts_ns":<int64>,"count":<uint64>}}}
// plus, only for a position with a lookback window, "since_ns":<int64> and
// "earlier":[[<ts_ns>,<count>],...] (ascending, inside [since_ns, ts_ns)).
// Entries with count 0 are empty positions and are skipped; unknown fields
// are ignored.
LoadResult LoadStateFile(const std::string& path);

// Parses the contents of a state file (`path` only names it in errors).
LoadResult ParseStateFile(const std::string& contents, const std::string& path);

// The JSON text SaveStateFile writes (empty positions are left out).
std::string SerializeStateFile(const PositionMap& positions);

// Writes atomically; std::nullopt on success. The temp file is
// `<path>.tmp` and is removed if anything fails.
[[nodiscard]] std::optional<StateFileError> SaveStateFile(
    const std::string& path, const PositionMap& positions);

// Checks before the engine starts that SaveStateFile will be able to write
// `path`: creates `<path>.tmp` in its directory and removes it again (an
// existing state file is never touched), and checks that an existing
// `path` is a file this process can read. std::nullopt when fine, or for ""
// (no state file); else a kIo error naming the path, the reason and what
// to do, for the caller to print before exiting.
[[nodiscard]] std::optional<StateFileError> CheckStateFileWritable(
    const std::string& path);

// `<path>.corrupt-<UTC time of now>`, e.g.
// "positions.json.corrupt-20261128T144359Z".
std::string SetAsidePath(const std::string& path,
                         std::chrono::system_clock::time_point now);

// LoadStateFile, but a file that is corrupt or of another version is first
// renamed to SetAsidePath(path, now) (with "-2", "-3", ... if that name is
// taken), so the next save cannot destroy it. The error then says where it
// went (also in set_aside_path), or that it could not be moved.
LoadResult LoadStateFileOrSetAside(
    const std::string& path,
    std::chrono::system_clock::time_point now =
        std::chrono::system_clock::now());

}  // namespace logcap
