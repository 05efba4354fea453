// A synthetic container: identity (id, name, image, labels, TTY), lifecycle
// state, a seeded line generator, and the bounded history its lines go to.
// Streams that follow it register as observers and are told when lines arrive
// and when it stops. Not thread-safe: owned by the daemon's event loop.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "fakes/dockerd/model/log_history.h"

namespace fakedocker {

struct GeneratorSpec {
  double rate = 10;               // lines per second; 0 = only explicit emits
  uint32_t min_bytes = 100;       // line length without newline, drawn uniformly
  uint32_t max_bytes = 100;       //   from [min_bytes, max_bytes]
  double stderr_fraction = 0.2;   // ignored for TTY containers (one stream)
  uint32_t burst = 1;             // consecutive lines that share one timestamp
  uint64_t exit_after = 0;        // exit (code 0) after this many lines; 0 = never
  // A stderr line is stamped this much before it is written (stored in
  // write order): dockerd stamps each stream in its own goroutine, and under
  // CPU starvation one was measured seconds behind the other. TTY: no effect.
  int64_t stderr_lag_ns = 0;
};

// The largest stderr_lag accepted (measured inversions reached 26.8 s).
inline constexpr std::chrono::seconds kMaxStderrLag{60};

struct ContainerSpec {
  std::string name;  // without the leading '/'
  std::string image = "leakbench/fake:latest";
  std::string command = "/bin/fake-logger";
  std::map<std::string, std::string> labels;
  bool tty = false;
  GeneratorSpec generator;
};

enum class ContainerState { kCreated, kRunning, kExited, kRemoving, kRemoved };
const char* StateName(ContainerState s);  // Docker's State.Status words

// Told about a container's new lines and end of life. Implemented by streams.
class ContainerObserver {
 public:
  virtual ~ContainerObserver() = default;
  virtual void OnLines() = 0;
  virtual void OnStopped() = 0;
};

class Container {
 public:
  Container(std::string id, ContainerSpec spec, size_t retention, uint64_t seed, UnixNanos created);

  const std::string& id() const { return id_; }
  std::string_view cid12() const { return std::string_view(id_).substr(0, 12); }
  const ContainerSpec& spec() const { return spec_; }
  const std::string& name() const { return spec_.name; }
  void set_name(std::string name) { spec_.name = std::move(name); }
  bool tty() const { return spec_.tty; }
  void set_generator(const GeneratorSpec& g, UnixNanos now);

  ContainerState state() const { return state_; }
  bool running() const { return state_ == ContainerState::kRunning; }
  UnixNanos created() const { return created_; }
  UnixNanos started_at() const { return started_at_; }
  UnixNanos finished_at() const { return finished_at_; }
  int exit_code() const { return exit_code_; }
  int restart_count() const { return restart_count_; }
  int pid() const { return running() ? pid_ : 0; }

  void MarkRunning(UnixNanos now, int pid);
  void MarkExited(UnixNanos now, int exit_code);  // tells observers
  void MarkRemoving() { state_ = ContainerState::kRemoving; }
  void MarkRemoved();                             // tells observers

  // Appends every line the rate says is due by `now`; returns how many.
  size_t EmitDue(UnixNanos now);
  // Appends `count` lines now, sharing one timestamp when asked.
  size_t EmitNow(UnixNanos now, size_t count, bool same_timestamp);
  // True once exit_after lines have been written.
  bool exit_due() const;

  const LogHistory& history() const { return history_; }
  uint64_t emitted() const { return next_seq_ - 1; }
  uint64_t emitted_stdout() const { return emitted_stdout_; }
  uint64_t emitted_stderr() const { return emitted_stderr_; }
  uint64_t emitted_bytes() const { return emitted_bytes_; }

  void AddObserver(std::weak_ptr<ContainerObserver> o) { observers_.push_back(std::move(o)); }
  void NotifyLines();

 private:
  void Append(UnixNanos ts);
  template <typename F>
  void ForEachObserver(F f);

  std::string id_;
  ContainerSpec spec_;
  LogHistory history_;
  std::mt19937_64 rng_;
  ContainerState state_ = ContainerState::kCreated;
  UnixNanos created_;
  UnixNanos started_at_ = 0;
  UnixNanos finished_at_ = 0;
  int exit_code_ = 0;
  int restart_count_ = -1;  // the first start is not a restart
  int pid_ = 0;

  // Rate schedule: line k after the epoch is due at epoch + k / rate.
  UnixNanos rate_epoch_ = 0;
  uint64_t emitted_since_epoch_ = 0;
  uint64_t next_seq_ = 1;
  UnixNanos last_ts_ = 0;
  uint64_t emitted_stdout_ = 0;
  uint64_t emitted_stderr_ = 0;
  uint64_t emitted_bytes_ = 0;
  bool pending_notify_ = false;
  std::vector<std::weak_ptr<ContainerObserver>> observers_;
};

}  // namespace fakedocker
