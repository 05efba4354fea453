// The engine's single event loop: one thread drives every HTTP transfer to
// the Docker daemon through libcurl's multi-socket interface
// (curl_multi_socket_action over epoll), plus timers and tasks posted from
// other threads. Neither the number of threads nor the cost of a loop turn
// depends on the number of open transfers: a turn touches only the sockets
// that are ready. Transfers are spread over several multi handles (shards)
// of at most `transfers_per_shard` each: libcurl's socket hash has a fixed
// 911 buckets, and at 10,000 sockets in one handle every socket event walked
// a chain of ~11 entries.
//
// Ownership: the loop owns every started transfer (its easy handle, headers
// and callbacks) until it completes (on_done is called, then it is
// destroyed) or is cancelled (destroyed without on_done). Everything except
// Post() and Stop() must be called on the loop thread, and never from inside
// a transfer's on_data callback (libcurl forbids touching handles from its
// callbacks); on_data may only return a DataResult.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/curl_handles.h"
#include "core/docker/socket_watch.h"

namespace logcap {

using TransferId = std::uint64_t;
using TimerId = std::uint64_t;

// What on_data did with the bytes it was given.
enum class DataResult {
  kConsumed,  // all of them
  kPause,     // none: pause the transfer; libcurl delivers them again after Resume()
  kAbort,     // none: end the transfer now (on_done sees kAborted)
};

struct TransferResult {
  enum class Kind {
    kComplete,  // the server ended the response normally
    kHttpError, // status >= 300 (body in error_body)
    kTransport, // connect/read/protocol failure (curl_code, message)
    kAborted,   // on_data returned kAbort
    kBadResponse, // set by DockerClient: a 2xx body that does not parse
  };
  Kind kind = Kind::kComplete;
  long http_status = 0;
  int curl_code = 0;            // CURLcode
  std::string message;          // human-readable, with libcurl's detail
  std::string error_body;       // first 64 KiB of a non-2xx body
  std::string api_version;      // the Api-Version response header, if any
  std::uint64_t body_bytes = 0; // 2xx body bytes handed to on_data
  bool connect_failed = false;  // never reached the server
};

std::string_view TransferKindName(TransferResult::Kind kind);

struct TransferRequest {
  std::string url;
  std::string unix_socket;  // empty: TCP
  bool head = false;        // HEAD instead of GET
  std::chrono::milliseconds connect_timeout{10000};
  // Whole-transfer timeout; 0 for follow streams (the engine ends them).
  std::chrono::milliseconds total_timeout{0};
  // 2xx body bytes. Not set: the body is collected into `collected`.
  std::function<DataResult(std::string_view)> on_data;
  std::function<void(const TransferResult&, std::string&& collected)> on_done;
  // Optional: called once when a 2xx response's headers are complete,
  // before any body byte (a follow stream is open at the server from then
  // on, even if it stays silent). Runs inside libcurl: it must not start,
  // cancel or resume transfers.
  std::function<void()> on_answered;
  // Bound for a collected body (protects against a huge container list).
  std::size_t max_collect_bytes = 64 << 20;
  // libcurl's receive buffer (CURLOPT_BUFFERSIZE, 1 KiB .. 512 KiB): the
  // most one read takes. 0: libcurl's default (16 KiB).
  std::size_t receive_buffer_bytes = 0;
};

class CurlLoop {
 public:
  using Clock = std::chrono::steady_clock;

  static constexpr std::size_t kTransfersPerShard = 1000;

  // Throws std::runtime_error when libcurl cannot create a multi handle.
  explicit CurlLoop(std::size_t transfers_per_shard = kTransfersPerShard);
  ~CurlLoop();
  CurlLoop(const CurlLoop&) = delete;
  CurlLoop& operator=(const CurlLoop&) = delete;

  // Runs until Stop(). Call from the loop thread.
  void Run();
  // Any thread: makes Run() return soon (after the current step).
  void Stop();
  // Any thread: runs `task` on the loop thread.
  void Post(std::function<void()> task);

  // --- loop thread only -------------------------------------------------
  // Starts a transfer. Throws std::runtime_error when libcurl refuses it.
  TransferId Start(TransferRequest request);
  // Ends a transfer now, closing its connection; on_done is not called.
  // Unknown (already finished) ids are ignored. Returns whether it existed.
  bool Cancel(TransferId id);
  // Resumes a transfer whose on_data returned kPause (may call its on_data
  // right away with the held bytes).
  void Resume(TransferId id);
  bool Exists(TransferId id) const { return by_id_.count(id) != 0; }
  std::size_t transfers() const { return by_id_.size(); }
  // Sockets libcurl has asked the loop to watch right now.
  std::size_t sockets() const { return sockets_; }
  // Ready sockets handed to libcurl so far (each is one socket's turn).
  std::uint64_t socket_events() const { return socket_events_; }
  // Multi handles created so far (they are kept, empty or not).
  std::size_t shards() const { return shards_.size(); }

  TimerId After(Clock::duration delay, std::function<void()> callback);
  TimerId At(Clock::time_point when, std::function<void()> callback);
  void CancelTimer(TimerId id);

 private:
  struct Transfer;
  struct Shard;
  static std::size_t OnWrite(char* data, std::size_t size, std::size_t n, void* user) noexcept;
  static std::size_t OnHeader(char* data, std::size_t size, std::size_t n, void* user) noexcept;
  static int OnSocket(CURL* easy, curl_socket_t fd, int what, void* user, void* socket_user) noexcept;
  static int OnTimer(CURLM* multi, long timeout_ms, void* user) noexcept;

  void RunPosted();
  void RunDueTimers();
  void RunCurlTimers();
  void SocketAction(Shard& shard, curl_socket_t fd, int events);
  void ProcessDone();
  void ProcessDone(Shard& shard);
  std::chrono::milliseconds WaitTimeout();
  Shard& ShardForNewTransfer();

  // Declared before shards_: libcurl calls OnSocket/OnTimer while a multi
  // handle is cleaned up, so what they touch must outlive it.
  SocketWatch watch_;
  std::size_t sockets_ = 0;
  std::uint64_t socket_events_ = 0;
  std::string callback_error_;  // a failure inside OnSocket, thrown by Run

  std::size_t transfers_per_shard_;
  std::vector<std::unique_ptr<Shard>> shards_;
  TransferId next_id_ = 1;
  std::unordered_map<TransferId, std::unique_ptr<Transfer>> by_id_;
  std::unordered_map<CURL*, TransferId> by_easy_;

  TimerId next_timer_ = 1;
  std::map<std::pair<Clock::time_point, TimerId>, std::function<void()>> timers_;
  std::unordered_map<TimerId, Clock::time_point> timer_when_;

  std::mutex posted_mutex_;
  std::vector<std::function<void()>> posted_;
  std::atomic<bool> stop_{false};
};

}  // namespace logcap
