// Runs a complete fake-dockerd (daemon, Docker API socket, control socket)
// inside a test process on its own thread, in a private temp directory, and
// stops and joins it on destruction. Tests talk to it only through its
// sockets, or run code on its loop with OnLoop (which waits for the result),
// so there is no shared state between threads.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <future>
#include <memory>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "fakes/dockerd/api/daemon.h"
#include "fakes/dockerd/control/server.h"

namespace leakbench::testing {

// A daemon config for tests: no containers, no generator timer surprises.
fakedocker::DaemonConfig QuietConfig(size_t containers = 0, double rate = 0);

class InProcessFake {
 public:
  explicit InProcessFake(fakedocker::DaemonConfig config);
  ~InProcessFake();
  InProcessFake(const InProcessFake&) = delete;
  InProcessFake& operator=(const InProcessFake&) = delete;

  const std::string& socket() const { return socket_; }
  const std::string& control_socket() const { return control_socket_; }
  const std::string& dir() const { return dir_; }

  // A control API call; returns the parsed body and sets *status.
  nlohmann::json Control(const std::string& method, const std::string& path, const nlohmann::json& body = nullptr,
                         int* status = nullptr);
  // POST /actions; fails the test (throws) unless it answers 200.
  nlohmann::json Act(const nlohmann::json& action);
  // Adds a container that writes only when told to (rate 0, stdout only
  // unless `extra` says otherwise) and returns its id.
  std::string AddQuiet(const nlohmann::json& extra = nlohmann::json::object());
  // Makes a container write `lines` lines now, sharing one timestamp if asked.
  void Emit(const std::string& id, int lines, bool same_timestamp = false);

  // Runs f on the daemon's loop and returns its result.
  template <typename F>
  auto OnLoop(F f) -> decltype(f()) {
    std::packaged_task<decltype(f())()> task(std::move(f));
    auto fut = task.get_future();
    boost::asio::post(io_, [&task] { task(); });
    return fut.get();
  }
  fakedocker::Daemon& daemon() { return *daemon_; }  // only from OnLoop

 private:
  std::string dir_;
  std::string socket_;
  std::string control_socket_;
  boost::asio::io_context io_{1};
  std::unique_ptr<fakedocker::Daemon> daemon_;
  std::unique_ptr<fakedocker::Server> server_;
  std::thread thread_;
};

}  // namespace leakbench::testing
