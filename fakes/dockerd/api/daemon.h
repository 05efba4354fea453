// The fake daemon's state: its containers and their lifecycle, the event log,
// ground truth, faults, the streams in progress, and the timer that makes
// running containers write their lines. Every mutation goes through here, so
// the Docker API, the control API and the scenario player see one world.
// Lives on one io_context thread; not thread-safe.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <unordered_set>
#include <vector>

#include "fakes/dockerd/api/events.h"
#include "fakes/dockerd/api/faults.h"
#include "fakes/dockerd/api/stream_session.h"
#include "fakes/dockerd/api/truth.h"
#include "fakes/dockerd/http/hangup_watch.h"
#include "fakes/dockerd/model/container.h"

namespace fakedocker {

struct DaemonConfig {
  size_t containers = 10;
  GeneratorSpec generator;
  double tty_fraction = 0;
  size_t retention = 10'000;   // lines kept per container
  uint64_t seed = 1;
  std::string name_prefix = "fake";
  std::string api_version = "1.41";
  std::string min_api_version = "1.12";
  std::string engine_version = "20.10.24-leakbench";
  std::chrono::milliseconds tick{10};
};

// A failed lifecycle call: the HTTP status dockerd would use, and its message.
struct OpError {
  int status = 0;
  std::string message;
};

class Daemon {
 public:
  Daemon(boost::asio::io_context& io, DaemonConfig config);
  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  boost::asio::io_context& io() { return io_; }
  const DaemonConfig& config() const { return config_; }
  EventLog& events() { return events_; }
  Truth& truth() { return truth_; }
  FaultRegistry& faults() { return faults_; }
  UnixNanos started_at() const { return started_at_; }

  // Creates the configured initial containers and starts the generator timer.
  void Boot();
  // Ends every stream and stops the timer (for shutdown).
  void Shutdown(const std::string& reason);

  // The spec the i-th generated container gets from the configuration.
  ContainerSpec DefaultSpec(size_t index);
  size_t created_count() const { return created_; }

  std::shared_ptr<Container> Create(ContainerSpec spec);
  std::optional<OpError> Start(Container& c);
  std::optional<OpError> Stop(Container& c);           // kill 15, die 143, stop
  std::optional<OpError> Kill(Container& c, int signal);
  std::optional<OpError> Restart(Container& c);
  std::optional<OpError> Remove(Container& c, bool force, std::chrono::nanoseconds delay);
  std::optional<OpError> Rename(Container& c, const std::string& name);
  size_t Emit(Container& c, size_t lines, bool same_timestamp);

  // By full id, name (with or without '/'), or unique id prefix, as dockerd.
  std::shared_ptr<Container> Resolve(std::string_view ref, OpError* error) const;
  // Live containers (not removed) in creation order.
  std::vector<std::shared_ptr<Container>> List() const;

  // Streams register so that shutdown and daemon restarts can end them.
  void Register(uint64_t id, std::shared_ptr<StreamSession> s) { sessions_[id] = std::move(s); }
  // Returns the daemon's reference, so that a stream ending itself outlives the call.
  std::shared_ptr<StreamSession> Unregister(uint64_t id);
  size_t session_count() const { return sessions_.size(); }
  void AbortAllStreams(const std::string& reason);
  // Before a new follow stream is counted: ends every stream whose client
  // already hung up. A client that closes one stream and opens the next
  // delivers the close first, but one event loop turn may hand us the new
  // request before the old socket's EOF; without this the truth's follow
  // peak could count both (cap + 1) although the client never held both.
  // Only the streams watched with WatchHangup, and of those only the ones
  // the kernel reports hung up, are looked at: O(hang-ups), not O(streams).
  void SettleClosedStreams();
  // Watches session `id`'s connection socket `fd` for its client hanging up.
  void WatchHangup(uint64_t id, int fd) { hangups_.Watch(fd, id); }

  // Runs the generator once (tests call it to avoid waiting for the timer).
  void Tick();

 private:
  void ScheduleTick();
  void Publish(const Container& c, const std::string& action, std::map<std::string, std::string> extra = {});
  void Exited(Container& c, int exit_code);
  std::string NewId();

  boost::asio::io_context& io_;
  DaemonConfig config_;
  EventLog events_;
  Truth truth_;
  FaultRegistry faults_;
  std::mt19937_64 rng_;
  boost::asio::steady_timer tick_timer_;
  bool ticking_ = false;
  UnixNanos started_at_;
  size_t created_ = 0;
  int next_pid_ = 4200;
  std::vector<std::shared_ptr<Container>> containers_;  // creation order
  std::unordered_set<std::string> cid12s_;              // every id made so far, first 12 hex
  std::map<uint64_t, std::shared_ptr<StreamSession>> sessions_;
  HangupWatch hangups_;
};

}  // namespace fakedocker
