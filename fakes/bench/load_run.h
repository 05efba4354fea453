// One follow-load run: list the fake's containers, ramp up the streams, hold them while sampling, report.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "fakes/bench/follow_stream.h"
#include "fakes/bench/load_types.h"
#include "fakes/bench/report.h"

namespace followload {

// Phases: setup (pid, containers, Config.Tty) -> ramp -> hold -> end (the
// fake's truth) -> report, all on `io`'s one thread. SIGINT/SIGTERM end the
// current phase early.
class LoadRun : public StreamHost {
 public:
  LoadRun(boost::asio::io_context& io, Config cfg);

  void Start();
  // 0 when the run passed, 1 when it failed, 2 when it could not be set up.
  int exit_code() const { return exit_code_; }

  // StreamHost.
  boost::asio::io_context& io() override { return io_; }
  const Config& cfg() const override { return cfg_; }
  Totals& totals() override { return totals_; }
  std::vector<char>& read_buffer() override { return read_buffer_; }
  void HeadPending() override { ++heads_pending_; }
  void StreamOpened() override {
    --heads_pending_;
    ++open_;
  }
  void RetryLater(size_t index) override {
    retry_.push_back(index);
    ++rec_.connect_retries;
  }
  void StreamGone(FollowStream::State was, const std::string& category, const std::string& detail) override;

 private:
  void FetchPid();
  void ListContainers();
  void InspectNext();
  void BeginRamp();
  void RampTick();
  void LaunchOne(size_t index);
  void SampleTick();
  void ScheduleSample();
  void BeginHold();
  HoldEdge TakeEdge() const;  // the state now, for an edge of the hold window
  void EndHold();
  void MaybeReport();
  void FetchEmitted(bool start, std::function<void()> then);
  void Abort(const std::string& why);
  std::string ApiTarget(const std::string& path) const { return cfg_.api_prefix + path; }

  boost::asio::io_context& io_;
  Config cfg_;
  int exit_code_ = 0;
  std::vector<Target> targets_;
  std::vector<std::unique_ptr<FollowStream>> streams_;
  std::vector<char> read_buffer_ = std::vector<char>(256 * 1024);
  Totals totals_;
  RunRecord rec_;

  size_t next_launch_ = 0;
  std::deque<size_t> retry_;
  size_t heads_pending_ = 0;
  size_t open_ = 0;
  size_t inspect_next_ = 0;
  size_t inspect_in_flight_ = 0;
  size_t fd_cap_ = 0;  // streams that fit under RLIMIT_NOFILE, keeping fds for sampling

  boost::asio::steady_timer ramp_timer_;
  boost::asio::steady_timer sample_timer_;
  boost::asio::steady_timer hold_timer_;
  boost::asio::signal_set signals_;
  std::string phase_ = "setup";

  // Progress samples.
  Clock::time_point ramp_start_, last_sample_at_;
  FakeSample proc_last_;
  Totals totals_last_;
  std::optional<uint64_t> truth_follow_open_last_;
  int end_fetches_pending_ = 0;
  bool reported_ = false;
};

}  // namespace followload
